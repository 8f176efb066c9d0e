package dev.kiln.nn.functional;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;

/**
 * The embeddings of {@code torch.nn.functional}: rows of a weight [numEmbeddings, dim] looked up by int64 (or
 * int32) indices, and bags of them reduced by "sum", "mean" or "max". Both are fused native ops with a fused
 * backward (a dense gradient; Kiln has no sparse tensors, so PyTorch's {@code sparse=True} has no counterpart).
 *
 * <pre>{@code
 * Tensor vectors = Embeddings.embedding(tokens, table);              // F.embedding(tokens, table)
 * Tensor pooled = Embeddings.embeddingBag(tokens, table, offsets, "sum");
 * }</pre>
 *
 * <p>paddingIdx (null: none; negative counts from the end) is a row that gets no gradient (and that bags leave
 * out); maxNorm renormalizes the looked-up rows of the weight in place first, as PyTorch does.
 */
public final class Embeddings {
  private Embeddings() {}

  private static final int EMBEDDING = Core.op("embedding"),
      EMBEDDING_RENORM = Core.op("embedding_renorm_"),
      EMBEDDING_BAG = Core.op("embedding_bag");

  /** weight[input]: input's shape plus the embedding dim. */
  public static Tensor embedding(Tensor input, Tensor weight) {
    return embedding(input, weight, null, null, 2.0, false);
  }

  public static Tensor embedding(Tensor input, Tensor weight, Integer paddingIdx) {
    return embedding(input, weight, paddingIdx, null, 2.0, false);
  }

  /**
   * weight[input], with paddingIdx's row kept out of the gradient, rows of norm (normType) above maxNorm (when
   * not null) scaled down to it in place first, and with scaleGradByFreq each index's gradient divided by how
   * often it occurs in input.
   */
  public static Tensor embedding(Tensor input, Tensor weight, Integer paddingIdx, Double maxNorm, double normType,
      boolean scaleGradByFreq) {
    long padding = -1;
    if (paddingIdx != null) {
      long rows = weight.dim() > 0 ? weight.size(0) : 0;
      if (paddingIdx >= rows || paddingIdx < -rows)
        throw new IllegalArgumentException("embedding: Padding_idx must be within num_embeddings (" + rows
            + " rows), got " + paddingIdx);
      padding = paddingIdx < 0 ? rows + paddingIdx : paddingIdx;
    }
    if (maxNorm != null) renorm(weight, input, maxNorm, normType);
    return Tensor.adopt(Core.call(EMBEDDING,
        Frame.of(new long[] {weight.handle(), input.handle()}, new long[] {padding, scaleGradByFreq ? 1 : 0})));
  }

  /** embeddingBag with mode "mean". */
  public static Tensor embeddingBag(Tensor input, Tensor weight, Tensor offsets) {
    return embeddingBag(input, weight, offsets, null, 2.0, false, "mean", null, false, null);
  }

  public static Tensor embeddingBag(Tensor input, Tensor weight, Tensor offsets, String mode) {
    return embeddingBag(input, weight, offsets, null, 2.0, false, mode, null, false, null);
  }

  /**
   * Bags of embedding rows reduced by mode ("sum", "mean" or "max"): a 2-D input [B, L] is B bags of L indices
   * (offsets null); a 1-D one is cut into bags starting at offsets (includeLastOffset: offsets has B + 1 entries,
   * the last the end). perSampleWeights (input's shape, "sum" only) weight each index; paddingIdx entries are left
   * out of their bag. Returns [B, dim]; an empty bag gives zeros.
   */
  public static Tensor embeddingBag(Tensor input, Tensor weight, Tensor offsets, Double maxNorm, double normType,
      boolean scaleGradByFreq, String mode, Tensor perSampleWeights, boolean includeLastOffset, Integer paddingIdx) {
    long code = switch (mode) {
      case "sum" -> 0;
      case "mean" -> 1;
      case "max" -> 2;
      default -> throw new IllegalArgumentException("embedding_bag: mode has to be one of sum, mean or max, got '"
          + mode + "'");
    };
    if (perSampleWeights != null && !java.util.Arrays.equals(perSampleWeights.shape(), input.shape()))
      throw new IllegalArgumentException("embedding_bag: If per_sample_weights ("
          + java.util.Arrays.toString(perSampleWeights.shape()) + ") is not None, then it must have the same shape "
          + "as the input (" + java.util.Arrays.toString(input.shape()) + ")");
    long padding = -1;
    if (paddingIdx != null) {
      long rows = weight.dim() > 0 ? weight.size(0) : 0;
      if (paddingIdx >= rows || paddingIdx < -rows)
        throw new IllegalArgumentException("embedding_bag: padding_idx must be within the number of embeddings, -"
            + rows + " through " + (rows - 1) + ", but got " + paddingIdx);
      padding = paddingIdx < 0 ? rows + paddingIdx : paddingIdx;
    }
    if (maxNorm != null) renorm(weight, input, maxNorm, normType);
    OptionalTensors o = OptionalTensors.of(new Tensor[] {weight, input}, offsets, perSampleWeights);
    return o.call(EMBEDDING_BAG, new long[] {o.mask, code, includeLastOffset ? 1 : 0, padding, scaleGradByFreq ? 1 : 0});
  }

  /** PyTorch's embedding_renorm_ under no_grad: the weight's looked-up rows above maxNorm scaled to it. */
  private static void renorm(Tensor weight, Tensor input, double maxNorm, double normType) {
    try (ModeScope g = Autograd.noGrad()) {
      Core.callInPlace(EMBEDDING_RENORM, Frame.of(new long[] {weight.handle(), input.contiguous().handle()},
          new long[0], maxNorm, normType));
    }
  }
}
