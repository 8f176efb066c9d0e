package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Normalization;

/**
 * RMS norm over the last dims (torch.nn.RMSNorm, PyTorch 2.4): {@code x / sqrt(mean(x^2) + eps) * weight}, weight
 * (ones) of normalizedShape. eps null (the default) takes the machine epsilon of the input's dtype.
 */
public class RMSNorm extends Module {
  private final long[] normalizedShape;
  public final Double eps;
  public final boolean elementwiseAffine;
  public final Tensor weight;

  public RMSNorm(long... normalizedShape) {
    this(normalizedShape, null, true);
  }

  public RMSNorm(long[] normalizedShape, Double eps, boolean elementwiseAffine) {
    this.normalizedShape = normalizedShape.clone();
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = registerParameter("weight", elementwiseAffine ? Tensor.ones(normalizedShape) : null);
  }

  public long[] normalizedShape() {
    return normalizedShape.clone();
  }

  /** weight ones. */
  public void resetParameters() {
    if (!elementwiseAffine) return;
    try (ModeScope g = Autograd.noGrad()) {
      weight.fill_(1.0);
    }
  }

  @Override
  public Tensor forward(Tensor input) {
    return Normalization.rmsNorm(input, normalizedShape, tensor("weight"), eps);
  }

  @Override
  protected String extraRepr() {
    return PyRepr.tuple(normalizedShape) + ", eps=" + (eps == null ? "None" : PyRepr.num(eps)) + ", elementwise_affine="
        + (elementwiseAffine ? "True" : "False");
  }
}
