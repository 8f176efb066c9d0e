package dev.kiln.nn;

/** A 2-D convolution over [N, C, H, W] or [C, H, W] input (torch.nn.Conv2d). */
public class Conv2d extends ConvNd {
  public Conv2d(int inChannels, int outChannels, int kernelSize) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize));
  }

  /** With stride and padding (PyTorch's common positional form). */
  public Conv2d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize).stride(stride).padding(padding));
  }

  public Conv2d(ConvOptions options) {
    super(2, false, options);
  }
}
