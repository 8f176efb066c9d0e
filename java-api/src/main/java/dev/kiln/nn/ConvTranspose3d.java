package dev.kiln.nn;

/** The transposed 3-D convolution (torch.nn.ConvTranspose3d). */
public class ConvTranspose3d extends ConvNd {
  public ConvTranspose3d(int inChannels, int outChannels, int kernelSize) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize));
  }

  /** With stride, padding and output padding (PyTorch's common positional form). */
  public ConvTranspose3d(int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize).stride(stride).padding(padding).outputPadding(outputPadding));
  }

  public ConvTranspose3d(ConvOptions options) {
    super(3, true, options);
  }
}
