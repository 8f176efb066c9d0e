package dev.kiln.nn.functional;

import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors of a native op with optional tensor inputs (a norm's weight and bias, an attention mask): the
 * required ones, then the optional ones that are given (null: PyTorch's None), and the mask with a bit per
 * optional input saying which are present, which the op takes as its first int.
 */
final class OptionalTensors {
  final long[] handles;
  final long mask;

  private OptionalTensors(long[] handles, long mask) {
    this.handles = handles;
    this.mask = mask;
  }

  /** One required tensor and the optional ones. */
  static OptionalTensors of(Tensor required, Tensor... optional) {
    return of(new Tensor[] {required}, optional);
  }

  static OptionalTensors of(Tensor[] required, Tensor... optional) {
    List<Long> h = new ArrayList<>();
    for (Tensor t : required) h.add(t.handle());
    long m = 0;
    for (int i = 0; i < optional.length; i++) {
      if (optional[i] == null) continue;
      h.add(optional[i].handle());
      m |= 1L << i;
    }
    return new OptionalTensors(h.stream().mapToLong(Long::longValue).toArray(), m);
  }

  Tensor call(int op, long[] ints, double... reals) {
    return Tensor.adopt(Core.call(op, Frame.of(handles, ints, reals)));
  }
}
