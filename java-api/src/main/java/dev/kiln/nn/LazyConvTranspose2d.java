package dev.kiln.nn;

/**
 * A 2-D transposed convolution whose in_channels comes from its first input, [N, C, H, W] or [C, H, W]
 * (torch.nn.LazyConvTranspose2d); it then becomes that ConvTranspose2d.
 */
public class LazyConvTranspose2d extends LazyConvNd<ConvTranspose2d> {
  public LazyConvTranspose2d(int outChannels, int kernelSize) {
    this(ConvOptions.of(0, outChannels, kernelSize));
  }

  public LazyConvTranspose2d(int outChannels, int kernelSize, int stride, int padding, int outputPadding) {
    this(ConvOptions.of(0, outChannels, kernelSize).stride(stride).padding(padding).outputPadding(outputPadding));
  }

  /** The options' in_channels is ignored: the first input gives it. */
  public LazyConvTranspose2d(ConvOptions options) {
    super(2, true, options);
  }

  @Override
  protected ConvTranspose2d build(int size) {
    return new ConvTranspose2d(options.withInChannels(size));
  }
}
