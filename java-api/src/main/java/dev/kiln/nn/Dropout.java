package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Dropouts;

/**
 * Each element zeroed with probability p in training, the others scaled by 1 / (1 - p) (torch.nn.Dropout; defaults
 * p 0.5, not in place). Masks come from the generator given (null: the global one); in evaluation mode the input
 * passes through unchanged.
 */
public class Dropout extends DropoutBase {
  public Dropout() {
    this(0.5, false, null);
  }

  public Dropout(double p) {
    this(p, false, null);
  }

  public Dropout(double p, boolean inplace) {
    this(p, inplace, null);
  }

  public Dropout(double p, boolean inplace, Generator generator) {
    super(p, inplace, generator);
  }

  @Override
  public Tensor forward(Tensor input) {
    return Dropouts.dropout(input, p, isTraining(), inplace, generator);
  }
}
