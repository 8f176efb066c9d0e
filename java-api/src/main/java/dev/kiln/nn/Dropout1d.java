package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Dropouts;

/**
 * Whole channels of [N, C, L] (or [C, L]) zeroed with probability p in training, the others scaled
 * (torch.nn.Dropout1d; defaults p 0.5, not in place). Masks come from the generator given (null: the global one);
 * in evaluation mode the input passes through unchanged.
 */
public class Dropout1d extends DropoutBase {
  public Dropout1d() {
    this(0.5, false, null);
  }

  public Dropout1d(double p) {
    this(p, false, null);
  }

  public Dropout1d(double p, boolean inplace) {
    this(p, inplace, null);
  }

  public Dropout1d(double p, boolean inplace, Generator generator) {
    super(p, inplace, generator);
  }

  @Override
  public Tensor forward(Tensor input) {
    return Dropouts.dropout1d(input, p, isTraining(), inplace, generator);
  }
}
