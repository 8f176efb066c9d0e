package dev.kiln.nn;

/** The transposed 1-D convolution, the gradient of Conv1d with respect to its input (torch.nn.ConvTranspose1d). */
public class ConvTranspose1d extends ConvNd {
  public ConvTranspose1d(int inChannels, int outChannels, int kernelSize) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize));
  }

  /** With stride, padding and output padding (PyTorch's common positional form). */
  public ConvTranspose1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize).stride(stride).padding(padding).outputPadding(outputPadding));
  }

  public ConvTranspose1d(ConvOptions options) {
    super(1, true, options);
  }
}
