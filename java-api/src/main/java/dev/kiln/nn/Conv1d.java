package dev.kiln.nn;

/** A 1-D convolution over [N, C, L] or [C, L] input (torch.nn.Conv1d). */
public class Conv1d extends ConvNd {
  public Conv1d(int inChannels, int outChannels, int kernelSize) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize));
  }

  /** With stride and padding (PyTorch's common positional form). */
  public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize).stride(stride).padding(padding));
  }

  public Conv1d(ConvOptions options) {
    super(1, false, options);
  }
}
