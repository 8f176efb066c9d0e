package dev.kiln.nn.functional;

import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;

/** Packs the arguments of the convolution, pooling and sampling functions (sizes per spatial dim) into native calls. */
final class SpatialArgs {
  private SpatialArgs() {}

  /** The handles of the tensors; a null last tensor (an absent bias) is left out. */
  static long[] handles(Tensor... tensors) {
    int n = tensors.length;
    if (n > 0 && tensors[n - 1] == null) n--;
    long[] out = new long[n];
    for (int i = 0; i < n; i++) out[i] = tensors[i].handle();
    return out;
  }

  /** The int lists and single ints, in order, as one long[]: int[] and long[] arguments, and Integer or int values. */
  static long[] ints(Object... parts) {
    int n = 0;
    for (Object p : parts) n += p instanceof int[] a ? a.length : p instanceof long[] l ? l.length : 1;
    long[] out = new long[n];
    int i = 0;
    for (Object p : parts) {
      if (p instanceof int[] a) for (int v : a) out[i++] = v;
      else if (p instanceof long[] l) for (long v : l) out[i++] = v;
      else if (p instanceof Boolean b) out[i++] = b ? 1 : 0;
      else out[i++] = ((Number) p).longValue();
    }
    return out;
  }

  /** value repeated n times (an int given for every spatial dim). */
  static int[] repeat(int value, int n) {
    int[] out = new int[n];
    java.util.Arrays.fill(out, value);
    return out;
  }

  static Tensor call(int op, long[] tensors, long[] ints, double... reals) {
    return Tensor.adopt(Core.call(op, Frame.of(tensors, ints, reals)));
  }

  static ValuesAndIndices call2(int op, long[] tensors, long[] ints) {
    long[] out = Core.call(op, Frame.of(tensors, ints), 2);
    return new ValuesAndIndices(Tensor.adopt(out[0]), Tensor.adopt(out[1]));
  }
}
