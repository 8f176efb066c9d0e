package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.nn.functional.Pooling;

/**
 * The maximum over sliding windows of [N, C, D, H, W] or [C, D, H, W] input (torch.nn.MaxPool3d; stride defaults
 * to the kernel size). Sizes given as ints apply to all three dims; indices are flat positions in each volume.
 */
public class MaxPool3d extends Module {
  private final int[] kernelSize, stride, padding, dilation;
  private final boolean ceilMode, ints;

  public MaxPool3d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public MaxPool3d(int kernelSize, int stride, int padding) {
    this(new int[] {kernelSize, kernelSize, kernelSize}, new int[] {stride, stride, stride},
        new int[] {padding, padding, padding}, new int[] {1, 1, 1}, false, true);
  }

  /** Per-dim sizes (depth, height, width); stride null: the kernel size. */
  public MaxPool3d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
    this(kernelSize, stride == null ? kernelSize : stride, padding, dilation, ceilMode, false);
  }

  private MaxPool3d(int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode, boolean ints) {
    this.kernelSize = kernelSize.clone();
    this.stride = stride.clone();
    this.padding = padding.clone();
    this.dilation = dilation.clone();
    this.ceilMode = ceilMode;
    this.ints = ints;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.maxPool3d(input, kernelSize, stride, padding, dilation, ceilMode);
  }

  /** The maxima and where they are (return_indices=True). */
  public ValuesAndIndices forwardWithIndices(Tensor input) {
    return Pooling.maxPool3dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode);
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=" + PyRepr.intOrTuple(kernelSize, ints) + ", stride=" + PyRepr.intOrTuple(stride, ints)
        + ", padding=" + PyRepr.intOrTuple(padding, ints) + ", dilation=" + PyRepr.intOrTuple(dilation, ints)
        + ", ceil_mode=" + (ceilMode ? "True" : "False");
  }
}
