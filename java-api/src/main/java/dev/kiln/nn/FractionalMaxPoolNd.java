package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.ValuesAndIndices;
import java.util.Arrays;

/**
 * What FractionalMaxPool2d and 3d share: the window, the output size or ratio (one of them), the fractions that
 * place the windows when given (a buffer "_random_samples", as PyTorch registers them: every call then pools the
 * same windows) and otherwise the generator they are drawn from at each call (null: the global one). PyTorch prints
 * these modules without settings, and so do they.
 */
public abstract class FractionalMaxPoolNd extends Module {
  protected final int[] kernelSize;
  /** One of the two is null. */
  protected final int[] outputSize;
  protected final double[] outputRatio;
  /** null: drawn at each call. */
  protected final Tensor randomSamples;
  protected final Generator generator;

  FractionalMaxPoolNd(String name, int dims, int[] kernelSize, int[] outputSize, double[] outputRatio,
      Tensor randomSamples, Generator generator) {
    if (outputSize == null && outputRatio == null)
      throw new IllegalArgumentException(name + " requires specifying either an output size, or a pooling ratio");
    if (outputSize != null && outputRatio != null)
      throw new IllegalArgumentException("only one of output_size and output_ratio may be specified");
    if (kernelSize.length != dims || (outputSize != null ? outputSize.length : outputRatio.length) != dims)
      throw new IllegalArgumentException(name + ": kernel_size and output_size or output_ratio need " + dims
          + " values each");
    if (outputRatio != null)
      for (double r : outputRatio)
        if (!(r > 0 && r < 1))
          throw new IllegalArgumentException("output_ratio must be between 0 and 1 (got " + tuple(outputRatio) + ")");
    this.kernelSize = kernelSize.clone();
    this.outputSize = outputSize == null ? null : outputSize.clone();
    this.outputRatio = outputRatio == null ? null : outputRatio.clone();
    this.randomSamples = randomSamples == null ? null : registerBuffer("_random_samples", randomSamples);
    this.generator = generator;
  }

  @Override
  public Tensor forward(Tensor input) {
    ValuesAndIndices r = forwardWithIndices(input);
    r.indices().close();
    return r.values();
  }

  /** The maxima and where they are (return_indices=True). */
  public abstract ValuesAndIndices forwardWithIndices(Tensor input);

  private static String tuple(double[] values) {
    return "(" + String.join(", ", Arrays.stream(values).mapToObj(PyRepr::num).toList()) + ")";
  }
}
