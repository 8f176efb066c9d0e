package dev.kiln.nn;

/**
 * A 2-D convolution whose in_channels comes from its first input, [N, C, H, W] or [C, H, W] (torch.nn.LazyConv2d); it
 * then becomes that Conv2d.
 */
public class LazyConv2d extends LazyConvNd<Conv2d> {
  public LazyConv2d(int outChannels, int kernelSize) {
    this(ConvOptions.of(0, outChannels, kernelSize));
  }

  public LazyConv2d(int outChannels, int kernelSize, int stride, int padding) {
    this(ConvOptions.of(0, outChannels, kernelSize).stride(stride).padding(padding));
  }

  /** The options' in_channels is ignored: the first input gives it. */
  public LazyConv2d(ConvOptions options) {
    super(2, false, options);
  }

  @Override
  protected Conv2d build(int size) {
    return new Conv2d(options.withInChannels(size));
  }
}
