package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Dropouts;

/**
 * Whole channels of [N, C, D, H, W] (or [C, D, H, W]) zeroed with probability p in training, the rest scaled
 * (torch.nn.Dropout3d; defaults p 0.5, not in place). Masks come from the generator given (null: the global one);
 * in evaluation mode the input passes through unchanged.
 */
public class Dropout3d extends DropoutBase {
  public Dropout3d() {
    this(0.5, false, null);
  }

  public Dropout3d(double p) {
    this(p, false, null);
  }

  public Dropout3d(double p, boolean inplace) {
    this(p, inplace, null);
  }

  public Dropout3d(double p, boolean inplace, Generator generator) {
    super(p, inplace, generator);
  }

  @Override
  public Tensor forward(Tensor input) {
    return Dropouts.dropout3d(input, p, isTraining(), inplace, generator);
  }
}
