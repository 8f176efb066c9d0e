package dev.kiln.nn;

/** A 3-D convolution over [N, C, D, H, W] or [C, D, H, W] input (torch.nn.Conv3d). */
public class Conv3d extends ConvNd {
  public Conv3d(int inChannels, int outChannels, int kernelSize) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize));
  }

  /** With stride and padding (PyTorch's common positional form). */
  public Conv3d(int inChannels, int outChannels, int kernelSize, int stride, int padding) {
    this(ConvOptions.of(inChannels, outChannels, kernelSize).stride(stride).padding(padding));
  }

  public Conv3d(ConvOptions options) {
    super(3, false, options);
  }
}
