package dev.kiln.distributions;

import dev.kiln.Generator;
import dev.kiln.Tensor;

/**
 * The Laplace distribution with location loc and scale (torch.distributions.Laplace): density
 * exp(-|x - loc| / scale) / (2 scale).
 *
 * <pre>{@code
 * new Laplace(0.0, 1.0).variance();   // tensor(2.)
 * }</pre>
 */
public final class Laplace extends LocScaleDistribution {
  public Laplace(Tensor loc, Tensor scale) {
    this(loc, scale, null);
  }

  public Laplace(double loc, double scale) {
    this(Tensor.scalar(loc), Tensor.scalar(scale), null);
  }

  /** A number parameter takes the tensor parameter's dtype, as broadcast_all does. */
  public Laplace(Tensor loc, double scale) {
    this(loc, Tensor.scalar(scale, loc.dtype()), null);
  }

  public Laplace(double loc, Tensor scale) {
    this(Tensor.scalar(loc, scale.dtype()), scale, null);
  }

  /** validateArgs null uses the default (true unless changed). */
  public Laplace(Tensor loc, Tensor scale, Boolean validateArgs) {
    this(broadcastAll(loc, scale), validateArgs);
  }

  private Laplace(Tensor[] params, Boolean validateArgs) {
    super(params, validateArgs);
  }

  @Override
  public Laplace expand(long... batchShape) {
    return new Laplace(new Tensor[] {loc.expand(batchShape), scale.expand(batchShape)}, false);
  }

  /** PyTorch's inverse-cdf draw from u uniform on [eps - 1, 1). */
  @Override
  public Tensor rsample(Generator generator, long... sampleShape) {
    Tensor u = Draws.uniform(generator, loc.dtype(), extendedShape(sampleShape), eps(loc.dtype()) - 1, 1);
    return loc.sub(scale.mul(u.sign()).mul(u.abs().neg().log1p()));
  }

  @Override
  public Tensor logProb(Tensor value) {
    validateSample(value);
    return scale.mul(2.0).log().neg().sub(value.sub(loc).abs().div(scale));
  }

  @Override
  public Tensor cdf(Tensor value) {
    validateSample(value);
    Tensor d = value.sub(loc);
    return d.sign().mul(d.abs().neg().div(scale).expm1()).mul(-0.5).add(0.5);
  }

  @Override
  public Tensor icdf(Tensor value) {
    Tensor term = value.sub(0.5);
    return loc.sub(scale.mul(term.sign()).mul(term.abs().mul(-2.0).log1p()));
  }

  @Override
  public Tensor entropy() {
    return scale.mul(2.0).log().add(1.0);
  }

  @Override
  public Tensor mean() {
    return loc;
  }

  @Override
  public Tensor variance() {
    return scale.pow(2L).mul(2.0);
  }

  @Override
  public Tensor stddev() {
    return scale.mul(Math.sqrt(2));
  }
}
