package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** x for x > 0, alpha * (exp(x / alpha) - 1) below (torch.nn.CELU; default alpha 1). */
public class CELU extends Module {
  private final double alpha;

  public CELU() {
    this(1.0);
  }

  public CELU(double alpha) {
    if (alpha == 0) throw new IllegalArgumentException("CELU: alpha must not be 0");
    this.alpha = alpha;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.celu(input, alpha);
  }

  @Override
  protected String extraRepr() {
    return "alpha=" + PyRepr.num(alpha);
  }
}
