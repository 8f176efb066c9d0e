package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;

/**
 * y = x W^T + b (torch.nn.Linear), for inputs of any leading shape. Weight [out, in] and bias [out] start
 * uniform in +-1/sqrt(in), PyTorch's default (kaiming_uniform with a = sqrt(5)).
 */
public class Linear extends Module {
  public final int inFeatures;
  public final int outFeatures;
  public final Tensor weight;
  public final Tensor bias;

  public Linear(int inFeatures, int outFeatures) {
    this(inFeatures, outFeatures, true);
  }

  public Linear(int inFeatures, int outFeatures, boolean bias) {
    if (inFeatures < 0 || outFeatures < 0)
      throw new IllegalArgumentException("Linear: feature counts must be non-negative, got " + inFeatures + " and " + outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    double bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.weight = registerParameter("weight", uniform(bound, outFeatures, inFeatures));
    this.bias = registerParameter("bias", bias ? uniform(bound, outFeatures) : null);
  }

  static Tensor uniform(double bound, long... shape) {
    try (ModeScope g = Autograd.noGrad()) {
      return Tensor.rand(shape).mul(2 * bound).sub(bound);
    }
  }

  @Override
  public Tensor forward(Tensor input) {
    Tensor y = input.matmul(weight.t());
    return bias == null ? y : y.add(bias);
  }

  @Override
  protected String extraRepr() {
    return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null ? "True" : "False");
  }
}
