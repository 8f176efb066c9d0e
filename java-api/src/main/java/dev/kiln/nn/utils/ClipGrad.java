package dev.kiln.nn.utils;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import java.util.ArrayList;
import java.util.List;

/** Gradient clipping (torch.nn.utils.clip_grad_norm_ and clip_grad_value_), in place on the parameters' grads. */
public final class ClipGrad {
  private ClipGrad() {}

  /** clipGradNorm with the 2-norm. */
  public static double clipGradNorm(Iterable<Tensor> parameters, double maxNorm) {
    return clipGradNorm(parameters, maxNorm, 2.0, false);
  }

  /**
   * Scales all gradients together so that their total normType-norm (the norm of the per-gradient norms;
   * Double.POSITIVE_INFINITY for the max norm) is at most maxNorm; returns the total norm before clipping.
   *
   * @param errorIfNonfinite raise instead of scaling when the total norm is NaN or infinite
   */
  public static double clipGradNorm(Iterable<Tensor> parameters, double maxNorm, double normType, boolean errorIfNonfinite) {
    List<Tensor> grads = grads(parameters);
    if (grads.isEmpty()) return 0;
    double total;
    try (ModeScope g = Autograd.noGrad()) {
      if (normType == Double.POSITIVE_INFINITY) {
        total = 0;
        for (Tensor gr : grads) total = Math.max(total, gr.abs().max().item());
      } else {
        double sum = 0;
        for (Tensor gr : grads) sum += Math.pow(norm(gr, normType), normType);
        total = Math.pow(sum, 1 / normType);
      }
      if (errorIfNonfinite && !Double.isFinite(total))
        throw new IllegalStateException("The total norm of order " + normType + " for gradients from `parameters` is non-finite, "
            + "so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite=false");
      double coef = Math.min(maxNorm / (total + 1e-6), 1.0);
      for (Tensor gr : grads) gr.mul_(coef);
    }
    return total;
  }

  private static double norm(Tensor g, double p) {
    if (p == 2) return Math.sqrt(g.mul(g).sum().item());
    if (p == 1) return g.abs().sum().item();
    return Math.pow(g.abs().pow(p).sum().item(), 1 / p);
  }

  /** Clamps every gradient element to [-clipValue, clipValue]. */
  public static void clipGradValue(Iterable<Tensor> parameters, double clipValue) {
    if (clipValue < 0) throw new IllegalArgumentException("clipGradValue: clipValue must be non-negative, got " + clipValue);
    try (ModeScope g = Autograd.noGrad()) {
      for (Tensor gr : grads(parameters)) {
        Tensor bounded = Tensor.where(gr.gt(clipValue), Tensor.scalar(clipValue, gr.dtype()), gr);
        gr.copy_(Tensor.where(bounded.lt(-clipValue), Tensor.scalar(-clipValue, gr.dtype()), bounded));
      }
    }
  }

  private static List<Tensor> grads(Iterable<Tensor> parameters) {
    List<Tensor> out = new ArrayList<>();
    for (Tensor p : parameters) {
      Tensor g = p.grad();
      if (g != null) out.add(g);
    }
    return out;
  }
}
