package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Normalization;

/**
 * Local response normalization over channels (torch.nn.LocalResponseNorm, AlexNet's): each value divided by
 * (k + alpha * the mean of the squares of size neighbouring channels)^beta, over [N, C, ...] of 3-D or more.
 */
public class LocalResponseNorm extends Module {
  public final int size;
  public final double alpha, beta, k;

  public LocalResponseNorm(int size) {
    this(size, 1e-4, 0.75, 1.0);
  }

  public LocalResponseNorm(int size, double alpha, double beta, double k) {
    this.size = size;
    this.alpha = alpha;
    this.beta = beta;
    this.k = k;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Normalization.localResponseNorm(input, size, alpha, beta, k);
  }

  @Override
  protected String extraRepr() {
    return size + ", alpha=" + PyRepr.num(alpha) + ", beta=" + PyRepr.num(beta) + ", k=" + PyRepr.num(k);
  }
}
