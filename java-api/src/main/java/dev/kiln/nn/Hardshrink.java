package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** x where {@code |x| > lambd}, else 0 (torch.nn.Hardshrink; lambd defaults to 0.5). */
public class Hardshrink extends Module {
  private final double lambd;

  public Hardshrink() {
    this(0.5);
  }

  public Hardshrink(double lambd) {
    this.lambd = lambd;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.hardshrink(input, lambd);
  }

  @Override
  protected String extraRepr() {
    return PyRepr.num(lambd);
  }
}
