package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Distances;

/**
 * The p-norm distance {@code ||x1 - x2 + eps||_p} along the last dim (torch.nn.PairwiseDistance; defaults p 2,
 * eps 1e-6, no keepdim). Call it with {@link #call(Tensor, Tensor)}.
 */
public class PairwiseDistance extends Module {
  public final double p;
  public final double eps;
  public final boolean keepdim;

  public PairwiseDistance() {
    this(2.0, 1e-6, false);
  }

  public PairwiseDistance(double p, double eps, boolean keepdim) {
    this.p = p;
    this.eps = eps;
    this.keepdim = keepdim;
  }

  public Tensor forward(Tensor x1, Tensor x2) {
    return Distances.pairwiseDistance(x1, x2, p, eps, keepdim);
  }

  /** forward(x1, x2) with the forward hooks. */
  public Tensor call(Tensor x1, Tensor x2) {
    return callWithHooks(new Tensor[] {x1, x2}, in -> forward(in[0], in[1]));
  }
}
