package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.LinearFunctions;
import dev.kiln.nn.init.Init;

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
    this.weight = registerParameter("weight", Tensor.empty(DType.FLOAT32, outFeatures, inFeatures));
    this.bias = registerParameter("bias", bias ? Tensor.empty(DType.FLOAT32, outFeatures) : null);
    resetParameters();
  }

  /** Weight and bias uniform in +-1/sqrt(inFeatures), as PyTorch initialises them. */
  public void resetParameters() {
    double bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    Init.uniform_(weight, -bound, bound);
    if (bias != null) Init.uniform_(bias, -bound, bound);
  }

  /** One GEMM into an output that starts as the bias (the fused linear op); weight and bias as tensor() reads them. */
  @Override
  public Tensor forward(Tensor input) {
    return LinearFunctions.linear(input, tensor("weight"), tensor("bias"));
  }

  @Override
  protected String extraRepr() {
    return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null ? "True" : "False");
  }
}
