package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** x for x > 0, alpha * (exp(x) - 1) below (torch.nn.ELU; default alpha 1). */
public class ELU extends Module {
  private final double alpha;

  public ELU() {
    this(1.0);
  }

  public ELU(double alpha) {
    this.alpha = alpha;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.elu(input, alpha);
  }

  @Override
  protected String extraRepr() {
    return "alpha=" + PyRepr.num(alpha);
  }
}
