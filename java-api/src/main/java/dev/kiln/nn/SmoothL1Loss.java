package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The smooth L1 loss (torch.nn.SmoothL1Loss): 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta; beta 0 is the
 * L1 loss. HuberLoss is this loss times beta.
 *
 * <pre>{@code
 * Tensor loss = new SmoothL1Loss(Reduction.SUM, 0.5).call(boxes, targetBoxes);
 * }</pre>
 */
public class SmoothL1Loss extends Loss {
  public final double beta;

  public SmoothL1Loss() {
    this(Reduction.MEAN, 1.0);
  }

  public SmoothL1Loss(Reduction reduction) {
    this(reduction, 1.0);
  }

  public SmoothL1Loss(Reduction reduction, double beta) {
    super(reduction);
    this.beta = beta;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.smoothL1Loss(input, target, reduction, beta);
  }
}
