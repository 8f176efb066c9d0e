package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The mean squared error (torch.nn.MSELoss): (input - target)^2, reduced by the mean, the sum or not at all.
 *
 * <pre>{@code
 * Tensor loss = new MSELoss().call(prediction, target);
 * }</pre>
 */
public class MSELoss extends Loss {
  public MSELoss() {
    super();
  }

  public MSELoss(Reduction reduction) {
    super(reduction);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.mseLoss(input, target, reduction);
  }
}
