package dev.kiln.nn.utils;

import dev.kiln.IndexException;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.Module;
import dev.kiln.nn.functional.Normalization;

/**
 * The parametrization that {@link Parametrizations#spectralNorm} registers (PyTorch 1.13's
 * torch.nn.utils.parametrizations._SpectralNorm, and printed as it): the weight divided by its spectral norm
 * sigma = u^T W v, W the weight as a matrix [size(dim), rest], where u and v (buffers "_u", "_v") approximate its
 * first singular vectors: 15 steps of the power method when registered, then nPowerIterations more each time the
 * weight is computed in training mode; in evaluation mode they stay. A 1-D weight is simply divided by its norm.
 */
public final class SpectralNormParametrization extends Module implements RightInverse {
  public final int dim;
  public final double eps;
  public final int nPowerIterations;

  /** For weight, with nPowerIterations > 0 and dim a dim of weight (negative counts from the end). */
  public SpectralNormParametrization(Tensor weight, int nPowerIterations, int dim, double eps) {
    int ndim = weight.dim();
    if (dim >= ndim || dim < -ndim)
      throw new IndexException("Dimension out of range (expected to be in range of [-" + ndim + ", " + (ndim - 1) + "] but got " + dim + ")");
    if (nPowerIterations <= 0)
      throw new IllegalArgumentException("Expected n_power_iterations to be positive, but got n_power_iterations=" + nPowerIterations);
    this.dim = dim >= 0 ? dim : dim + ndim;
    this.eps = eps;
    this.nPowerIterations = nPowerIterations;
    if (ndim > 1) {
      try (ModeScope g = Autograd.noGrad()) {
        Tensor w = toMatrix(weight);
        Tensor u = Tensor.randn(w.dtype(), w.size(0)), v = Tensor.randn(w.dtype(), w.size(1));
        registerBuffer("_u", Normalization.normalize(u, 2, 0, eps));
        registerBuffer("_v", Normalization.normalize(v, 2, 0, eps));
      }
      powerMethod(toMatrix(weight), 15); // u and v start near the singular vectors
    }
  }

  /** The weight with dim moved to the front, flattened to [size(dim), rest]. */
  Tensor toMatrix(Tensor weight) {
    if (dim != 0) {
      int[] order = new int[weight.dim()];
      order[0] = dim;
      for (int d = 0, i = 1; d < order.length; d++) if (d != dim) order[i++] = d;
      weight = weight.permute(order);
    }
    return weight.flatten(1, -1);
  }

  /** Power-method steps, updating the buffers in place (u from v, then v from u); records no gradient. */
  void powerMethod(Tensor w, int steps) {
    try (ModeScope g = Autograd.noGrad()) {
      Tensor u = tensor("_u"), v = tensor("_v");
      for (int i = 0; i < steps; i++) {
        u.copy_(Normalization.normalize(w.mv(v), 2, 0, eps));
        v.copy_(Normalization.normalize(w.t().mv(u), 2, 0, eps));
      }
    }
  }

  @Override
  public Tensor forward(Tensor weight) {
    if (weight.dim() == 1) return Normalization.normalize(weight, 2, 0, eps); // exact, nothing to approximate
    Tensor w = toMatrix(weight);
    if (isTraining()) powerMethod(w, nPowerIterations);
    // copies: a backward through an earlier forward still needs the values the buffers had then
    Tensor u = tensor("_u").clone(), v = tensor("_v").clone();
    Tensor sigma = u.dot(w.mv(v));
    return weight.div(sigma);
  }

  /** The value itself: any weight is its own original (the constraint is applied on reading it). */
  @Override
  public Tensor rightInverse(Tensor value) {
    return value;
  }

  @Override
  protected String name() {
    return "_SpectralNorm";
  }
}
