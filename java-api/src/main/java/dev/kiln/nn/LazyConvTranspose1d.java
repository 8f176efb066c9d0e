package dev.kiln.nn;

/**
 * A 1-D transposed convolution whose in_channels comes from its first input, [N, C, L] or [C, L]
 * (torch.nn.LazyConvTranspose1d); it then becomes that ConvTranspose1d.
 */
public class LazyConvTranspose1d extends LazyConvNd<ConvTranspose1d> {
  public LazyConvTranspose1d(int outChannels, int kernelSize) {
    this(ConvOptions.of(0, outChannels, kernelSize));
  }

  public LazyConvTranspose1d(int outChannels, int kernelSize, int stride, int padding, int outputPadding) {
    this(ConvOptions.of(0, outChannels, kernelSize).stride(stride).padding(padding).outputPadding(outputPadding));
  }

  /** The options' in_channels is ignored: the first input gives it. */
  public LazyConvTranspose1d(ConvOptions options) {
    super(1, true, options);
  }

  @Override
  protected ConvTranspose1d build(int size) {
    return new ConvTranspose1d(options.withInChannels(size));
  }
}
