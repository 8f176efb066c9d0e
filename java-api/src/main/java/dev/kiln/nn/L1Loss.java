package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The mean absolute error (torch.nn.L1Loss): |input - target|, reduced.
 *
 * <pre>{@code
 * Tensor loss = new L1Loss(Reduction.SUM).call(prediction, target);
 * }</pre>
 */
public class L1Loss extends Loss {
  public L1Loss() {
    super();
  }

  public L1Loss(Reduction reduction) {
    super(reduction);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.l1Loss(input, target, reduction);
  }
}
