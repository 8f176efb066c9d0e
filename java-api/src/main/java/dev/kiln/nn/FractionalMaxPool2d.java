package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.nn.functional.Pooling;

/**
 * Fractional max pooling over [N, C, H, W] (torch.nn.FractionalMaxPool2d): windows of kernelSize placed
 * pseudo-randomly, per (n, c), so that the planes shrink to outputSize, or by outputRatio (each in (0, 1)).
 * randomSamples ([N, C, 2], PyTorch's _random_samples) fixes the windows; otherwise they are drawn from the
 * generator at each call.
 */
public class FractionalMaxPool2d extends FractionalMaxPoolNd {
  /** Square windows, square output. */
  public FractionalMaxPool2d(int kernelSize, int outputSize) {
    this(new int[] {kernelSize, kernelSize}, new int[] {outputSize, outputSize}, null, null, null);
  }

  /** Square windows, the output {@code floor(ratio * size)} along each dim. */
  public FractionalMaxPool2d(int kernelSize, double outputRatio) {
    this(new int[] {kernelSize, kernelSize}, null, new double[] {outputRatio, outputRatio}, null, null);
  }

  /** Sizes per dim (height, width); one of outputSize and outputRatio, the other null. */
  public FractionalMaxPool2d(int[] kernelSize, int[] outputSize, double[] outputRatio, Tensor randomSamples,
      Generator generator) {
    super("FractionalMaxPool2d", 2, kernelSize, outputSize, outputRatio, randomSamples, generator);
  }

  @Override
  public ValuesAndIndices forwardWithIndices(Tensor input) {
    return Pooling.fractionalMaxPool2dWithIndices(input, kernelSize, outputSize, outputRatio, randomSamples, generator);
  }
}
