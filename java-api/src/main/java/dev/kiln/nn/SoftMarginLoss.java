package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The two-class logistic loss (torch.nn.SoftMarginLoss): log(1 + exp(-target input)), target 1 or -1.
 *
 * <pre>{@code
 * Tensor loss = new SoftMarginLoss().call(scores, signs);
 * }</pre>
 */
public class SoftMarginLoss extends Loss {
  public SoftMarginLoss() {
    super();
  }

  public SoftMarginLoss(Reduction reduction) {
    super(reduction);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.softMarginLoss(input, target, reduction);
  }
}
