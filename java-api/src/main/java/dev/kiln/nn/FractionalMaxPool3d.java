package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import dev.kiln.nn.functional.Pooling;

/**
 * Fractional max pooling over [N, C, D, H, W] (torch.nn.FractionalMaxPool3d): windows of kernelSize placed
 * pseudo-randomly, per (n, c), so that the volumes shrink to outputSize, or by outputRatio (each in (0, 1)).
 * randomSamples ([N, C, 3], PyTorch's _random_samples) fixes the windows; otherwise they are drawn from the
 * generator at each call.
 */
public class FractionalMaxPool3d extends FractionalMaxPoolNd {
  /** Cubic windows, cubic output. */
  public FractionalMaxPool3d(int kernelSize, int outputSize) {
    this(new int[] {kernelSize, kernelSize, kernelSize}, new int[] {outputSize, outputSize, outputSize}, null, null,
        null);
  }

  /** Cubic windows, the output {@code floor(ratio * size)} along each dim. */
  public FractionalMaxPool3d(int kernelSize, double outputRatio) {
    this(new int[] {kernelSize, kernelSize, kernelSize}, null, new double[] {outputRatio, outputRatio, outputRatio},
        null, null);
  }

  /** Sizes per dim (depth, height, width); one of outputSize and outputRatio, the other null. */
  public FractionalMaxPool3d(int[] kernelSize, int[] outputSize, double[] outputRatio, Tensor randomSamples,
      Generator generator) {
    super("FractionalMaxPool3d", 3, kernelSize, outputSize, outputRatio, randomSamples, generator);
  }

  @Override
  public ValuesAndIndices forwardWithIndices(Tensor input) {
    return Pooling.fractionalMaxPool3dWithIndices(input, kernelSize, outputSize, outputRatio, randomSamples, generator);
  }
}
