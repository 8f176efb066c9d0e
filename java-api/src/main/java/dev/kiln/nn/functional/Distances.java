package dev.kiln.nn.functional;

import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;

/**
 * Distances between batches of vectors, as {@code torch.nn.functional}: cosine similarity along a dim and the
 * p-norm distance along the last dim. Both broadcast their inputs.
 *
 * <pre>{@code
 * Tensor sim = Distances.cosineSimilarity(a, b);          // F.cosine_similarity(a, b), along dim 1
 * Tensor d = Distances.pairwiseDistance(a, b, 1.0);       // L1 distance of each row
 * }</pre>
 */
public final class Distances {
  private Distances() {}

  private static final int COSINE_SIMILARITY = Core.op("cosine_similarity"),
      PAIRWISE_DISTANCE = Core.op("pairwise_distance");

  /** cosineSimilarity along dim 1 with eps 1e-8. */
  public static Tensor cosineSimilarity(Tensor x1, Tensor x2) {
    return cosineSimilarity(x1, x2, 1, 1e-8);
  }

  public static Tensor cosineSimilarity(Tensor x1, Tensor x2, int dim) {
    return cosineSimilarity(x1, x2, dim, 1e-8);
  }

  /** {@code sum(x1 / max(|x1|, eps) * x2 / max(|x2|, eps))} along dim, x1 and x2 broadcast together first. */
  public static Tensor cosineSimilarity(Tensor x1, Tensor x2, int dim, double eps) {
    return Tensor.adopt(Core.call(COSINE_SIMILARITY,
        Frame.of(new long[] {x1.handle(), x2.handle()}, new long[] {dim}, eps)));
  }

  /** pairwiseDistance with p 2, eps 1e-6. */
  public static Tensor pairwiseDistance(Tensor x1, Tensor x2) {
    return pairwiseDistance(x1, x2, 2.0, 1e-6, false);
  }

  public static Tensor pairwiseDistance(Tensor x1, Tensor x2, double p) {
    return pairwiseDistance(x1, x2, p, 1e-6, false);
  }

  /** {@code ||x1 - x2 + eps||_p} along the last dim (kept with size 1 when keepdim). */
  public static Tensor pairwiseDistance(Tensor x1, Tensor x2, double p, double eps, boolean keepdim) {
    return Tensor.adopt(Core.call(PAIRWISE_DISTANCE,
        Frame.of(new long[] {x1.handle(), x2.handle()}, new long[] {keepdim ? 1 : 0}, p, eps)));
  }
}
