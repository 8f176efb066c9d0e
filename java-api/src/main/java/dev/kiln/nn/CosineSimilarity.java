package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Distances;

/**
 * Cosine similarity of two inputs along dim (torch.nn.CosineSimilarity; defaults dim 1, eps 1e-8), broadcasting
 * them together. Call it with {@link #call(Tensor, Tensor)}.
 */
public class CosineSimilarity extends Module {
  public final int dim;
  public final double eps;

  public CosineSimilarity() {
    this(1, 1e-8);
  }

  public CosineSimilarity(int dim, double eps) {
    this.dim = dim;
    this.eps = eps;
  }

  public Tensor forward(Tensor x1, Tensor x2) {
    return Distances.cosineSimilarity(x1, x2, dim, eps);
  }

  /** forward(x1, x2) with the forward hooks. */
  public Tensor call(Tensor x1, Tensor x2) {
    return callWithHooks(new Tensor[] {x1, x2}, in -> forward(in[0], in[1]));
  }
}
