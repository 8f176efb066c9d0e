package dev.kiln.distributions;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.Map;

/**
 * The exponential distribution with the given rate (torch.distributions.Exponential): density
 * rate * exp(-rate * x) on x >= 0.
 *
 * <pre>{@code
 * new Exponential(2.0).mean();   // tensor(0.5000)
 * }</pre>
 */
public final class Exponential extends Distribution {
  private final Tensor rate;

  public Exponential(Tensor rate) {
    this(rate, null);
  }

  public Exponential(double rate) {
    this(Tensor.scalar(rate), null);
  }

  /** validateArgs null uses the default (true unless changed). */
  public Exponential(Tensor rate, Boolean validateArgs) {
    super(rate.shape(), new long[0], validateArgs);
    this.rate = rate;
    validateParameters();
  }

  public Tensor rate() {
    return rate;
  }

  @Override
  protected Map<String, Constraint> argConstraints() {
    return ordered("rate", Constraint.positive());
  }

  @Override
  protected Map<String, Tensor> parameters() {
    return ordered("rate", rate);
  }

  @Override
  public Constraint support() {
    return Constraint.nonnegative();
  }

  @Override
  public boolean hasRsample() {
    return true;
  }

  @Override
  public Exponential expand(long... batchShape) {
    return new Exponential(rate.expand(batchShape), false);
  }

  /** A standard exponential draw -log(1 - u), u uniform on [0, 1), divided by the rate. */
  @Override
  public Tensor rsample(Generator generator, long... sampleShape) {
    Tensor u = Draws.rand(generator, rate.dtype(), extendedShape(sampleShape));
    return u.neg().log1p().neg().div(rate);
  }

  @Override
  public Tensor logProb(Tensor value) {
    validateSample(value);
    return rate.log().sub(rate.mul(value));
  }

  @Override
  public Tensor cdf(Tensor value) {
    validateSample(value);
    return rate.neg().mul(value).exp().neg().add(1.0);
  }

  @Override
  public Tensor icdf(Tensor value) {
    return value.neg().log1p().neg().div(rate);
  }

  @Override
  public Tensor entropy() {
    return rate.log().neg().add(1.0);
  }

  @Override
  public Tensor mean() {
    return rate.reciprocal();
  }

  @Override
  public Tensor variance() {
    return rate.pow(-2L);
  }

  @Override
  public Tensor stddev() {
    return rate.reciprocal();
  }
}
