package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/**
 * The mean over sliding windows of [N, C, D, H, W] or [C, D, H, W] input (torch.nn.AvgPool3d; stride defaults to
 * the kernel size; countIncludePad true; divisorOverride, when given, replaces the window size as divisor).
 */
public class AvgPool3d extends Module {
  private final int[] kernelSize, stride, padding;
  private final boolean ceilMode, countIncludePad, ints;
  private final Integer divisorOverride;

  public AvgPool3d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public AvgPool3d(int kernelSize, int stride, int padding) {
    this(new int[] {kernelSize, kernelSize, kernelSize}, new int[] {stride, stride, stride},
        new int[] {padding, padding, padding}, false, true, null, true);
  }

  /** Per-dim sizes (depth, height, width); stride null: the kernel size; divisorOverride may be null. */
  public AvgPool3d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
      Integer divisorOverride) {
    this(kernelSize, stride == null ? kernelSize : stride, padding, ceilMode, countIncludePad, divisorOverride, false);
  }

  private AvgPool3d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad,
      Integer divisorOverride, boolean ints) {
    this.kernelSize = kernelSize.clone();
    this.stride = stride.clone();
    this.padding = padding.clone();
    this.ceilMode = ceilMode;
    this.countIncludePad = countIncludePad;
    this.divisorOverride = divisorOverride;
    this.ints = ints;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.avgPool3d(input, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=" + PyRepr.intOrTuple(kernelSize, ints) + ", stride=" + PyRepr.intOrTuple(stride, ints)
        + ", padding=" + PyRepr.intOrTuple(padding, ints);
  }
}
