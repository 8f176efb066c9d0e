package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Dropouts;

/**
 * Alpha dropout of whole channels (dim 1) (torch.nn.FeatureAlphaDropout; defaults p 0.5, not in place). Masks come
 * from the generator given (null: the global one); in evaluation mode the input passes through unchanged.
 */
public class FeatureAlphaDropout extends DropoutBase {
  public FeatureAlphaDropout() {
    this(0.5, false, null);
  }

  public FeatureAlphaDropout(double p) {
    this(p, false, null);
  }

  public FeatureAlphaDropout(double p, boolean inplace) {
    this(p, inplace, null);
  }

  public FeatureAlphaDropout(double p, boolean inplace, Generator generator) {
    super(p, inplace, generator);
  }

  @Override
  public Tensor forward(Tensor input) {
    return Dropouts.featureAlphaDropout(input, p, isTraining(), inplace, generator);
  }
}
