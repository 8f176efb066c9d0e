package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/** x for x >= 0, negativeSlope * x below (torch.nn.LeakyReLU; default slope 0.01). */
public class LeakyReLU extends Module {
  private final double negativeSlope;

  public LeakyReLU() {
    this(0.01);
  }

  public LeakyReLU(double negativeSlope) {
    this.negativeSlope = negativeSlope;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.leakyRelu(input, negativeSlope);
  }

  @Override
  protected String extraRepr() {
    return "negative_slope=" + PyRepr.num(negativeSlope);
  }
}
