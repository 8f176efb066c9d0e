package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/** The mean over sliding windows of [N, C, L] or [C, L] input (torch.nn.AvgPool1d; stride defaults to the kernel size). */
public class AvgPool1d extends Module {
  private final int kernelSize, stride, padding;
  private final boolean ceilMode, countIncludePad;

  public AvgPool1d(int kernelSize) {
    this(kernelSize, kernelSize, 0, false, true);
  }

  public AvgPool1d(int kernelSize, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    this.ceilMode = ceilMode;
    this.countIncludePad = countIncludePad;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.avgPool1d(input, kernelSize, stride, padding, ceilMode, countIncludePad);
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=(" + kernelSize + ",), stride=(" + stride + ",), padding=(" + padding + ",)";
  }
}
