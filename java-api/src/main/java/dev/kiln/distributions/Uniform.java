package dev.kiln.distributions;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import java.util.Map;

/**
 * The uniform distribution on [low, high) (torch.distributions.Uniform), parameters broadcast to one batch
 * shape. With validateArgs, low < high is required everywhere.
 *
 * <pre>{@code
 * new Uniform(0.0, 4.0).entropy();   // tensor(1.3863)
 * }</pre>
 */
public final class Uniform extends Distribution {
  private final Tensor low;
  private final Tensor high;

  public Uniform(Tensor low, Tensor high) {
    this(low, high, null);
  }

  public Uniform(double low, double high) {
    this(Tensor.scalar(low), Tensor.scalar(high), null);
  }

  /** A number parameter takes the tensor parameter's dtype, as broadcast_all does. */
  public Uniform(Tensor low, double high) {
    this(low, Tensor.scalar(high, low.dtype()), null);
  }

  public Uniform(double low, Tensor high) {
    this(Tensor.scalar(low, high.dtype()), high, null);
  }

  /** validateArgs null uses the default (true unless changed). */
  public Uniform(Tensor low, Tensor high, Boolean validateArgs) {
    this(broadcastAll(low, high), validateArgs);
  }

  private Uniform(Tensor[] params, Boolean validateArgs) {
    super(params[0].shape(), new long[0], validateArgs);
    low = params[0];
    high = params[1];
    if (this.validateArgs && !low.lt(high).all().itemBoolean())
      throw new ConstraintViolationException("Uniform is not defined when low>= high");
  }

  public Tensor low() {
    return low;
  }

  public Tensor high() {
    return high;
  }

  /** Uniform's parameters are checked together (low < high), not one by one. */
  @Override
  protected Map<String, Constraint> argConstraints() {
    return Map.of();
  }

  @Override
  protected Map<String, Tensor> parameters() {
    return ordered("low", low, "high", high);
  }

  @Override
  public Constraint support() {
    return Constraint.interval(low, high);
  }

  @Override
  public boolean hasRsample() {
    return true;
  }

  @Override
  public Uniform expand(long... batchShape) {
    return new Uniform(new Tensor[] {low.expand(batchShape), high.expand(batchShape)}, false);
  }

  @Override
  public Tensor rsample(Generator generator, long... sampleShape) {
    Tensor u = Draws.rand(generator, low.dtype(), extendedShape(sampleShape));
    return low.add(u.mul(high.sub(low)));
  }

  /** log(1 / (high - low)) inside [low, high), -inf outside. */
  @Override
  public Tensor logProb(Tensor value) {
    validateSample(value);
    DType dtype = low.dtype();
    Tensor lb = low.le(value).to(dtype);
    Tensor ub = high.gt(value).to(dtype);
    return lb.mul(ub).log().sub(high.sub(low).log());
  }

  @Override
  public Tensor cdf(Tensor value) {
    validateSample(value);
    return value.sub(low).div(high.sub(low)).clamp(0.0, 1.0);
  }

  @Override
  public Tensor icdf(Tensor value) {
    return value.mul(high.sub(low)).add(low);
  }

  @Override
  public Tensor entropy() {
    return high.sub(low).log();
  }

  @Override
  public Tensor mean() {
    return high.add(low).div(2.0);
  }

  @Override
  public Tensor variance() {
    return high.sub(low).pow(2L).div(12.0);
  }

  @Override
  public Tensor stddev() {
    return high.sub(low).div(Math.sqrt(12));
  }
}
