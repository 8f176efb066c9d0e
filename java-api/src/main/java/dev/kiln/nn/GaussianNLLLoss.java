package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The negative log likelihood of the target under Gaussians of mean input and variance var (torch.nn.GaussianNLLLoss):
 * 0.5 (log(var) + (input - target)^2 / var), var clamped from below at eps; full adds 0.5 log(2 pi). Called with three
 * tensors: input, target, var.
 *
 * <pre>{@code
 * Tensor loss = new GaussianNLLLoss().call(mean, target, variance);
 * }</pre>
 */
public class GaussianNLLLoss extends Loss {
  public final boolean full;
  public final double eps;

  public GaussianNLLLoss() {
    this(false, 1e-6, Reduction.MEAN);
  }

  public GaussianNLLLoss(Reduction reduction) {
    this(false, 1e-6, reduction);
  }

  public GaussianNLLLoss(boolean full, double eps, Reduction reduction) {
    super(reduction);
    this.full = full;
    this.eps = eps;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target, Tensor var) {
    return Losses.gaussianNllLoss(input, target, var, full, eps, reduction);
  }
}
