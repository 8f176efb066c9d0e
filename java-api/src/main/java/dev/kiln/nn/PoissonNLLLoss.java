package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The negative log likelihood of counts under a Poisson distribution (torch.nn.PoissonNLLLoss): exp(input) - target
 * input when logInput, else input - target log(input + eps); full adds Stirling's approximation of log(target!).
 *
 * <pre>{@code
 * Tensor loss = new PoissonNLLLoss().call(logRates, counts);
 * }</pre>
 */
public class PoissonNLLLoss extends Loss {
  public final boolean logInput;
  public final boolean full;
  public final double eps;

  public PoissonNLLLoss() {
    this(true, false, 1e-8, Reduction.MEAN);
  }

  public PoissonNLLLoss(Reduction reduction) {
    this(true, false, 1e-8, reduction);
  }

  public PoissonNLLLoss(boolean logInput, boolean full, double eps, Reduction reduction) {
    super(reduction);
    this.logInput = logInput;
    this.full = full;
    this.eps = eps;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.poissonNllLoss(input, target, logInput, full, eps, reduction);
  }
}
