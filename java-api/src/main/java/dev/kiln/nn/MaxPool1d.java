package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.nn.functional.Pooling;

/** The maximum over sliding windows of [N, C, L] or [C, L] input (torch.nn.MaxPool1d; stride defaults to the kernel size). */
public class MaxPool1d extends Module {
  private final int kernelSize, stride, padding, dilation;
  private final boolean ceilMode;

  public MaxPool1d(int kernelSize) {
    this(kernelSize, kernelSize, 0, 1, false);
  }

  public MaxPool1d(int kernelSize, int stride, int padding, int dilation, boolean ceilMode) {
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    this.dilation = dilation;
    this.ceilMode = ceilMode;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.maxPool1d(input, kernelSize, stride, padding, dilation, ceilMode);
  }

  /** The maxima and where they are (return_indices=True), for MaxUnpool or inspection. */
  public ValuesAndIndices forwardWithIndices(Tensor input) {
    return Pooling.maxPool1dWithIndices(input, kernelSize, stride, padding, dilation, ceilMode);
  }

  @Override
  protected String extraRepr() {
    return "kernel_size=" + kernelSize + ", stride=" + stride + ", padding=" + padding + ", dilation=" + dilation
        + ", ceil_mode=" + (ceilMode ? "True" : "False");
  }
}
