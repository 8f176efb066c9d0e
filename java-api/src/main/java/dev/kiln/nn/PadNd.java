package dev.kiln.nn;

import dev.kiln.ArgumentException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * What the padding layers share (PyTorch's _ConstantPadNd, _ReflectionPadNd, _ReplicationPadNd): the last dims
 * padded, (before, after) amounts per padded dim from the last dim backwards, the mode and the fill value.
 */
abstract class PadNd extends Module {
  private final int dims;
  private final String mode;
  private final long[] padding;
  private final double value;

  /** padding: one amount for every side, or 2 * dims of them (left, right, top, bottom, front, back). */
  PadNd(int dims, String mode, long[] padding, double value) {
    if (padding.length != 1 && padding.length != 2 * dims)
      throw new ArgumentException(name() + ": padding must be one int or " + 2 * dims + " ints ((before, after) for "
          + "each of the last " + dims + " dims, the last dim first), got " + padding.length + " of them");
    this.dims = dims;
    this.mode = mode;
    this.padding = padding.length == 1 ? repeat(padding[0], 2 * dims) : padding.clone();
    this.value = value;
  }

  private static long[] repeat(long amount, int n) {
    long[] out = new long[n];
    Arrays.fill(out, amount);
    return out;
  }

  @Override
  public Tensor forward(Tensor input) {
    // Reflection and replication read the dims they pad, so they take a batched or unbatched input of known
    // rank; constant padding pads the last dims of any input with enough of them (the op checks that).
    if (!mode.equals("constant") && input.dim() != dims + 1 && input.dim() != dims + 2)
      throw new ShapeException(name() + ": expected a " + (dims + 1) + "-D (unbatched) or " + (dims + 2)
          + "-D (batched) input, got shape " + Arrays.toString(input.shape()));
    return input.pad(padding, mode, value);
  }

  /** The padding as PyTorch prints it: always the full tuple. */
  final String paddingRepr() {
    return PyRepr.tuple(padding);
  }

  @Override
  protected String extraRepr() {
    return mode.equals("constant") ? "padding=" + paddingRepr() + ", value=" + PyRepr.num(value) : paddingRepr();
  }
}
