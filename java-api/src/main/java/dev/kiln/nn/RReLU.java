package dev.kiln.nn;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Activations;

/**
 * Randomized leaky ReLU (torch.nn.RReLU; defaults lower 1/8, upper 1/3, not in place): in training each negative
 * element is scaled by its own slope drawn uniformly from [lower, upper] (from the generator given; null: the
 * global one), in evaluation mode by their mean.
 */
public class RReLU extends Module {
  private final double lower, upper;
  private final boolean inplace;
  private final Generator generator;

  public RReLU() {
    this(1.0 / 8, 1.0 / 3, false, null);
  }

  public RReLU(double lower, double upper) {
    this(lower, upper, false, null);
  }

  public RReLU(double lower, double upper, boolean inplace) {
    this(lower, upper, inplace, null);
  }

  public RReLU(double lower, double upper, boolean inplace, Generator generator) {
    this.lower = lower;
    this.upper = upper;
    this.inplace = inplace;
    this.generator = generator;
  }

  @Override
  public Tensor forward(Tensor input) {
    return Activations.rrelu(input, lower, upper, isTraining(), inplace, generator);
  }

  @Override
  protected String extraRepr() {
    return "lower=" + PyRepr.num(lower) + ", upper=" + PyRepr.num(upper) + (inplace ? ", inplace=True" : "");
  }
}
