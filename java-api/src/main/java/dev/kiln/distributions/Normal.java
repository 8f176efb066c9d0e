package dev.kiln.distributions;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * The normal distribution with mean loc and standard deviation scale (torch.distributions.Normal),
 * parameters broadcast to one batch shape.
 *
 * <pre>{@code
 * new Normal(0.0, 1.0).logProb(Tensor.scalar(0.5));   // tensor(-1.0439)
 * }</pre>
 */
public final class Normal extends LocScaleDistribution {
  private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

  public Normal(Tensor loc, Tensor scale) {
    this(loc, scale, null);
  }

  public Normal(double loc, double scale) {
    this(Tensor.scalar(loc), Tensor.scalar(scale), null);
  }

  /** A number parameter takes the tensor parameter's dtype, as broadcast_all does. */
  public Normal(Tensor loc, double scale) {
    this(loc, Tensor.scalar(scale, loc.dtype()), null);
  }

  public Normal(double loc, Tensor scale) {
    this(Tensor.scalar(loc, scale.dtype()), scale, null);
  }

  /** validateArgs null uses the default (true unless changed). */
  public Normal(Tensor loc, Tensor scale, Boolean validateArgs) {
    this(broadcastAll(loc, scale), validateArgs);
  }

  private Normal(Tensor[] params, Boolean validateArgs) {
    super(params, validateArgs);
  }

  @Override
  public Normal expand(long... batchShape) {
    return new Normal(new Tensor[] {loc.expand(batchShape), scale.expand(batchShape)}, false);
  }

  @Override
  public Tensor rsample(Generator generator, long... sampleShape) {
    Tensor eps = Draws.randn(generator, loc.dtype(), extendedShape(sampleShape));
    return loc.add(eps.mul(scale));
  }

  @Override
  public Tensor logProb(Tensor value) {
    validateSample(value);
    Tensor var = scale.pow(2L);
    return value.sub(loc).pow(2L).neg().div(var.mul(2.0)).sub(scale.log()).sub(LOG_SQRT_2PI);
  }

  @Override
  public Tensor cdf(Tensor value) {
    validateSample(value);
    return value.sub(loc).mul(scale.reciprocal()).div(Math.sqrt(2)).erf().add(1.0).mul(0.5);
  }

  @Override
  public Tensor icdf(Tensor value) {
    return loc.add(scale.mul(value.mul(2.0).sub(1.0).erfinv()).mul(Math.sqrt(2)));
  }

  @Override
  public Tensor entropy() {
    return scale.log().add(0.5 + LOG_SQRT_2PI);
  }

  @Override
  public Tensor mean() {
    return loc;
  }

  @Override
  public Tensor variance() {
    return scale.pow(2L);
  }

  @Override
  public Tensor stddev() {
    return scale;
  }
}
