package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.nn.init.Init;

/**
 * y = x1^T A x2 + b for every output feature (torch.nn.Bilinear): weight [out, in1, in2] and bias [out], both
 * uniform in +-1/sqrt(in1); inputs [*, in1] and [*, in2] with the same leading dims.
 */
public class Bilinear extends Module {
  public final int in1Features;
  public final int in2Features;
  public final int outFeatures;
  public final Tensor weight;
  public final Tensor bias;

  public Bilinear(int in1Features, int in2Features, int outFeatures) {
    this(in1Features, in2Features, outFeatures, true);
  }

  public Bilinear(int in1Features, int in2Features, int outFeatures, boolean bias) {
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    this.weight = registerParameter("weight", Tensor.empty(DType.FLOAT32, outFeatures, in1Features, in2Features));
    this.bias = registerParameter("bias", bias ? Tensor.empty(DType.FLOAT32, outFeatures) : null);
    resetParameters();
  }

  public void resetParameters() {
    double bound = 1 / Math.sqrt(weight.size(1));
    Init.uniform_(weight, -bound, bound);
    if (bias != null) Init.uniform_(bias, -bound, bound);
  }

  /** forward(x1, x2) with the hooks. */
  public Tensor call(Tensor input1, Tensor input2) {
    return callWithHooks(new Tensor[] {input1, input2}, in -> forward(in[0], in[1]));
  }

  public Tensor forward(Tensor input1, Tensor input2) {
    if (input1.dim() == 0 || input1.size(-1) != in1Features || input2.dim() == 0 || input2.size(-1) != in2Features)
      throw new dev.kiln.ShapeException("Bilinear: expected inputs [*, " + in1Features + "] and [*, " + in2Features + "], got "
          + java.util.Arrays.toString(input1.shape()) + " and " + java.util.Arrays.toString(input2.shape()));
    Tensor y = Tensor.einsum("...i,oij,...j->...o", input1, tensor("weight"), input2);
    Tensor b = tensor("bias");
    return b == null ? y : y.add(b);
  }

  @Override
  protected String extraRepr() {
    return "in1_features=" + in1Features + ", in2_features=" + in2Features + ", out_features=" + outFeatures + ", bias="
        + (bias != null ? "True" : "False");
  }
}
