package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/**
 * The mean over sliding windows of [N, C, H, W] or [C, H, W] input (torch.nn.AvgPool2d; stride defaults to the
 * kernel size; countIncludePad true; divisorOverride, when given, replaces the window size as divisor).
 */
public class AvgPool2d extends Module {
  private final int[] kernelSize, stride, padding;
  private final boolean ceilMode, countIncludePad, ints;
  private final Integer divisorOverride;

  public AvgPool2d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public AvgPool2d(int kernelSize, int stride, int padding) {
    this(new int[] {kernelSize, kernelSize}, new int[] {stride, stride}, new int[] {padding, padding}, false, true, null, true);
  }

  /** Per-dim sizes (height, width); stride null: the kernel size; divisorOverride may be null. */
  public AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, Integer divisorOverride) {
    this(kernelSize, stride == null ? kernelSize : stride, padding, ceilMode, countIncludePad, divisorOverride, false);
  }

  private AvgPool2d(int[] kernelSize, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad, Integer divisorOverride,
      boolean ints) {
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
    return Pooling.avgPool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride);
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=" + PyRepr.intOrTuple(kernelSize, ints) + ", stride=" + PyRepr.intOrTuple(stride, ints)
        + ", padding=" + PyRepr.intOrTuple(padding, ints);
  }
}
