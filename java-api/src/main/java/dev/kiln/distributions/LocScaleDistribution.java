package dev.kiln.distributions;

import dev.kiln.Tensor;
import java.util.Map;

/**
 * What Normal and Laplace share: a location and a positive scale, broadcast together into the batch shape, a
 * support of all reals, and draws reparametrized as loc + scale * noise.
 */
abstract class LocScaleDistribution extends Distribution {
  protected final Tensor loc;
  protected final Tensor scale;

  /** params: loc and scale, already broadcast (broadcastAll). */
  LocScaleDistribution(Tensor[] params, Boolean validateArgs) {
    super(params[0].shape(), new long[0], validateArgs);
    loc = params[0];
    scale = params[1];
    validateParameters();
  }

  public Tensor loc() {
    return loc;
  }

  public Tensor scale() {
    return scale;
  }

  @Override
  protected Map<String, Constraint> argConstraints() {
    return ordered("loc", Constraint.real(), "scale", Constraint.positive());
  }

  @Override
  protected Map<String, Tensor> parameters() {
    return ordered("loc", loc, "scale", scale);
  }

  @Override
  public Constraint support() {
    return Constraint.real();
  }

  @Override
  public boolean hasRsample() {
    return true;
  }
}
