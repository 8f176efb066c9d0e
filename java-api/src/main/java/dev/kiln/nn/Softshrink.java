package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/**
 * x moved lambd towards 0, and 0 where {@code |x| <= lambd} (torch.nn.Softshrink; lambd defaults to 0.5).
 * PyTorch refuses a negative lambd only in forward; this module refuses it when built.
 */
public class Softshrink extends Module {
  private final double lambd;

  public Softshrink() {
    this(0.5);
  }

  public Softshrink(double lambd) {
    if (!(lambd >= 0))
      throw new dev.kiln.ArgumentException("Softshrink: lambda must be greater or equal to 0, but found to be "
          + lambd + ".");
    this.lambd = lambd;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.softshrink(input, lambd);
  }

  @Override
  protected String extraRepr() {
    return PyRepr.num(lambd);
  }
}
