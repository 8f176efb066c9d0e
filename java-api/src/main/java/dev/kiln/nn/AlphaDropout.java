package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Dropouts;

/**
 * Dropout that keeps SELU's self-normalization: dropped elements take SELU's negative saturation value, and an
 * affine map keeps mean and variance (torch.nn.AlphaDropout; defaults p 0.5, not in place). Masks come from the
 * generator given (null: the global one); in evaluation mode the input passes through unchanged.
 */
public class AlphaDropout extends DropoutBase {
  public AlphaDropout() {
    this(0.5, false, null);
  }

  public AlphaDropout(double p) {
    this(p, false, null);
  }

  public AlphaDropout(double p, boolean inplace) {
    this(p, inplace, null);
  }

  public AlphaDropout(double p, boolean inplace, Generator generator) {
    super(p, inplace, generator);
  }

  @Override
  public Tensor forward(Tensor input) {
    return Dropouts.alphaDropout(input, p, isTraining(), inplace, generator);
  }
}
