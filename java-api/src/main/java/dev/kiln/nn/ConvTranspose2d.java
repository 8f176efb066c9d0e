package dev.kiln.nn;

/** The transposed 2-D convolution, the gradient of Conv2d with respect to its input (torch.nn.ConvTranspose2d). */
public class ConvTranspose2d extends ConvNd {
  public ConvTranspose2d(int inChannels, int outChannels, int kernelSize) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize));
  }

  /** With stride, padding and output padding (PyTorch's common positional form). */
  public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize).stride(stride).padding(padding).outputPadding(outputPadding));
  }

  public ConvTranspose2d(ConvOptions options) {
    super(2, true, options);
  }
}
