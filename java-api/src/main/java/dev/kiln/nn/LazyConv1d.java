package dev.kiln.nn;

/**
 * A 1-D convolution whose in_channels comes from its first input, [N, C, L] or [C, L] (torch.nn.LazyConv1d); it then
 * becomes that Conv1d.
 */
public class LazyConv1d extends LazyConvNd<Conv1d> {
  public LazyConv1d(int outChannels, int kernelSize) {
    this(ConvOptions.of(0, outChannels, kernelSize));
  }

  public LazyConv1d(int outChannels, int kernelSize, int stride, int padding) {
    this(ConvOptions.of(0, outChannels, kernelSize).stride(stride).padding(padding));
  }

  /** The options' in_channels is ignored: the first input gives it. */
  public LazyConv1d(ConvOptions options) {
    super(1, false, options);
  }

  @Override
  protected Conv1d build(int size) {
    return new Conv1d(options.withInChannels(size));
  }
}
