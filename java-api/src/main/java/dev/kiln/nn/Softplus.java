package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** log(1 + exp(beta * x)) / beta, linear where beta * x > threshold (torch.nn.Softplus; defaults beta 1, threshold 20). */
public class Softplus extends Module {
  private final double beta;
  private final double threshold;

  public Softplus() {
    this(1.0, 20.0);
  }

  public Softplus(double beta, double threshold) {
    this.beta = beta;
    this.threshold = threshold;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.softplus(input, beta, threshold);
  }

  @Override
  protected String extraRepr() {
    return "beta=" + PyRepr.num(beta) + ", threshold=" + PyRepr.num(threshold);
  }
}
