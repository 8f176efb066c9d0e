package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Normalization;

/**
 * Layer norm over the last dims (torch.nn.LayerNorm): each row of normalizedShape elements normalized to mean 0
 * and variance 1, then an elementwise affine with weight (ones) and bias (zeros) of normalizedShape. Defaults eps
 * 1e-5, elementwise affine.
 *
 * <pre>{@code
 * LayerNorm norm = new LayerNorm(768);
 * Tensor y = norm.call(hidden);   // hidden [batch, tokens, 768]
 * }</pre>
 */
public class LayerNorm extends Module {
  private final long[] normalizedShape;
  public final double eps;
  public final boolean elementwiseAffine;
  public final Tensor weight;
  public final Tensor bias;

  public LayerNorm(long... normalizedShape) {
    this(normalizedShape, 1e-5, true);
  }

  public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
    this.normalizedShape = normalizedShape.clone();
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = registerParameter("weight", elementwiseAffine ? Tensor.ones(normalizedShape) : null);
    this.bias = registerParameter("bias", elementwiseAffine ? Tensor.zeros(normalizedShape) : null);
  }

  public long[] normalizedShape() {
    return normalizedShape.clone();
  }

  /** weight ones, bias zeros. */
  public void resetParameters() {
    if (!elementwiseAffine) return;
    try (ModeScope g = Autograd.noGrad()) {
      weight.fill_(1.0);
      bias.fill_(0.0);
    }
  }

  @Override
  public Tensor forward(Tensor input) {
    return Normalization.layerNorm(input, normalizedShape, tensor("weight"), tensor("bias"), eps);
  }

  @Override
  protected String extraRepr() {
    return PyRepr.tuple(normalizedShape) + ", eps=" + PyRepr.num(eps) + ", elementwise_affine="
        + (elementwiseAffine ? "True" : "False");
  }
}
