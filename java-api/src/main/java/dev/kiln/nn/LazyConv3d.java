package dev.kiln.nn;

/**
 * A 3-D convolution whose in_channels comes from its first input, [N, C, D, H, W] or [C, D, H, W]
 * (torch.nn.LazyConv3d); it then becomes that Conv3d.
 */
public class LazyConv3d extends LazyConvNd<Conv3d> {
  public LazyConv3d(int outChannels, int kernelSize) {
    this(ConvOptions.of(0, outChannels, kernelSize));
  }

  public LazyConv3d(int outChannels, int kernelSize, int stride, int padding) {
    this(ConvOptions.of(0, outChannels, kernelSize).stride(stride).padding(padding));
  }

  /** The options' in_channels is ignored: the first input gives it. */
  public LazyConv3d(ConvOptions options) {
    super(3, false, options);
  }

  @Override
  protected Conv3d build(int size) {
    return new Conv3d(options.withInChannels(size));
  }
}
