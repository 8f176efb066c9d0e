package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The Huber loss (torch.nn.HuberLoss): 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), d = input - target;
 * quadratic for small errors, linear for large ones, so outliers pull less than under MSELoss.
 *
 * <pre>{@code
 * Tensor loss = new HuberLoss(Reduction.MEAN, 2.0).call(prediction, target);
 * }</pre>
 */
public class HuberLoss extends Loss {
  public final double delta;

  public HuberLoss() {
    this(Reduction.MEAN, 1.0);
  }

  public HuberLoss(Reduction reduction) {
    this(reduction, 1.0);
  }

  public HuberLoss(Reduction reduction, double delta) {
    super(reduction);
    this.delta = delta;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.huberLoss(input, target, reduction, delta);
  }
}
