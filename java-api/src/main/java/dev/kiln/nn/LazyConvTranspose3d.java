package dev.kiln.nn;

/**
 * A 3-D transposed convolution whose in_channels comes from its first input, [N, C, D, H, W] or [C, D, H, W]
 * (torch.nn.LazyConvTranspose3d); it then becomes that ConvTranspose3d.
 */
public class LazyConvTranspose3d extends LazyConvNd<ConvTranspose3d> {
  public LazyConvTranspose3d(int outChannels, int kernelSize) {
    this(ConvOptions.of(0, outChannels, kernelSize));
  }

  public LazyConvTranspose3d(int outChannels, int kernelSize, int stride, int padding, int outputPadding) {
    this(ConvOptions.of(0, outChannels, kernelSize).stride(stride).padding(padding).outputPadding(outputPadding));
  }

  /** The options' in_channels is ignored: the first input gives it. */
  public LazyConvTranspose3d(ConvOptions options) {
    super(3, true, options);
  }

  @Override
  protected ConvTranspose3d build(int size) {
    return new ConvTranspose3d(options.withInChannels(size));
  }
}
