package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.nn.functional.Pooling;

/**
 * The maximum over sliding windows of [N, C, H, W] or [C, H, W] input (torch.nn.MaxPool2d; stride defaults to
 * the kernel size). Sizes given as ints apply to both dims.
 */
public class MaxPool2d extends Module {
  private final int[] kernelSize, stride, padding, dilation;
  private final boolean ceilMode, ints;

  public MaxPool2d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public MaxPool2d(int kernelSize, int stride) {
    this(kernelSize, stride, 0);
  }

  public MaxPool2d(int kernelSize, int stride, int padding) {
    this(new int[] {kernelSize, kernelSize}, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {1, 1}, false, true);
  }

  /** Per-dim sizes (height, width); stride null: the kernel size. */
  public MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
    this(kernelSize, stride == null ? kernelSize : stride, padding, dilation, ceilMode, false);
  }

  private MaxPool2d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode, boolean ints) {
    this.kernelSize = kernelSize.clone();
    this.stride = stride.clone();
    this.padding = padding.clone();
    this.dilation = dilation.clone();
    this.ceilMode = ceilMode;
    this.ints = ints;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.maxPool2d(input, kernelSize, stride, padding, dilation, ceilMode);
  }

  /** The maxima and where they are (return_indices=True). */
  public ValuesAndIndices forwardWithIndices(Tensor input) {
    return Pooling.maxPool2dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode);
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=" + PyRepr.intOrTuple(kernelSize, ints) + ", stride=" + PyRepr.intOrTuple(stride, ints)
        + ", padding=" + PyRepr.intOrTuple(padding, ints) + ", dilation=" + PyRepr.intOrTuple(dilation, ints)
        + ", ceil_mode=" + (ceilMode ? "True" : "False");
  }
}
