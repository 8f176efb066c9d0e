package dev.kiln.nn;

import dev.kiln.ArgumentException;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Convolutions;

/**
 * The sliding blocks of a [N, C, H, W] (or [C, H, W]) input as columns [N, C * kh * kw, L] (torch.nn.Unfold,
 * im2col). Each size is an int (one value, used for both dims, printed as an int) or a pair (height, width);
 * dilation 1, padding 0 and stride 1 by default. {@code new Unfold(new int[] {2, 3}, new int[] {1},
 * new int[] {1}, new int[] {2})}.
 */
public class Unfold extends Module {
  private final int[] kernelSize, dilation, padding, stride;

  public Unfold(int kernelSize) {
    this(new int[] {kernelSize});
  }

  public Unfold(int[] kernelSize) {
    this(kernelSize, new int[] {1}, new int[] {0}, new int[] {1});
  }

  public Unfold(int[] kernelSize, int[] dilation, int[] padding, int[] stride) {
    this.kernelSize = checked("Unfold", "kernel_size", kernelSize);
    this.dilation = checked("Unfold", "dilation", dilation);
    this.padding = checked("Unfold", "padding", padding);
    this.stride = checked("Unfold", "stride", stride);
  }

  @Override
  public Tensor forward(Tensor input) {
    return Convolutions.unfold(input, pair(kernelSize), pair(dilation), pair(padding), pair(stride));
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=" + repr(kernelSize) + ", dilation=" + repr(dilation) + ", padding=" + repr(padding)
        + ", stride=" + repr(stride);
  }

  /** A copy of an int-or-pair argument, refused unless it holds 1 or 2 values. */
  static int[] checked(String module, String name, int[] values) {
    if (values.length != 1 && values.length != 2)
      throw new ArgumentException(module + ": " + name + " must be an int or a pair of ints, got " + values.length
          + " values");
    return values.clone();
  }

  static int[] pair(int[] values) {
    return values.length == 1 ? new int[] {values[0], values[0]} : values;
  }

  static String repr(int[] values) {
    return PyRepr.intOrTuple(values, values.length == 1);
  }
}
