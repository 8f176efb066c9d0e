package dev.kiln.autograd;

import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.positive;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import dev.kiln.nn.functional.Attention;
import dev.kiln.nn.functional.Distances;
import dev.kiln.nn.functional.Dropouts;
import dev.kiln.nn.functional.Embeddings;
import dev.kiln.nn.functional.Normalization;

/**
 * gradcheck samples: normalization (batch, instance, layer, group, RMS norm, the fused ops with their mean and
 * rstd outputs, and their backward rows, whose inputs are all independent), dropout (a generator reseeded on
 * every call, so each evaluation draws the same mask), embeddings, distances and attention.
 */
final class NormGradSamples {
  private NormGradSamples() {}

  /** A native op by name: all its outputs (up to three). */
  static Tensor[] op(String name, Tensor[] inputs, long[] ints, double... reals) {
    long[] handles = new long[inputs.length];
    for (int i = 0; i < inputs.length; i++) handles[i] = inputs[i].handle();
    long[] out = Core.call(Core.op(name), Frame.of(handles, ints, reals), 3);
    Tensor[] result = new Tensor[out.length];
    for (int i = 0; i < out.length; i++) result[i] = Tensor.adopt(out[i]);
    return result;
  }

  private static Tensor indices(long... v) {
    return Tensor.of(v);
  }

  /** A fresh generator on a fixed seed: every call of a sample draws the same mask. */
  private static Generator seeded() {
    return new Generator(11);
  }

  static void register(GradSamples s) {
    batchNorm(s);
    rowNorms(s);
    dropout(s);
    embeddings(s);
    s.sample("cosine_similarity", "broadcast", in -> of(Distances.cosineSimilarity(in[0], in[1], -1)),
        () -> of(randn(3, 1, 4), randn(2, 4)));
    s.sample("pairwise_distance", "p 2", in -> of(Distances.pairwiseDistance(in[0], in[1])),
        () -> of(randn(3, 4), randn(3, 4)));
    s.sample("pairwise_distance", "p 3, keepdim", in -> of(Distances.pairwiseDistance(in[0], in[1], 3.0, 1e-6, true)),
        () -> of(randn(2, 5), randn(5)));
    s.sample("scaled_dot_product_attention", "float mask",
        in -> of(Attention.scaledDotProductAttention(in[0], in[1], in[2], in[3])),
        () -> of(randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 3), randn(3, 5)));
    s.sample("scaled_dot_product_attention", "causal, scale, dropout",
        in -> of(Attention.scaledDotProductAttention(in[0], in[1], in[2], null, 0.3, true, 0.7, seeded())),
        () -> of(randn(1, 2, 4, 3), randn(1, 2, 4, 3), randn(1, 2, 4, 2)));
  }

  private static void batchNorm(GradSamples s) {
    s.sample("batch_norm", "training, affine", in -> of(Normalization.batchNorm(in[0], null, null, in[1], in[2], true)),
        () -> of(randn(4, 3, 5), positive(0.5, 3), randn(3)));
    s.sample("batch_norm", "training, [N, C]", in -> of(Normalization.batchNorm(in[0], null, null, null, null, true)),
        () -> of(randn(6, 4)));
    s.sample("batch_norm", "evaluation", in -> of(Normalization.batchNorm(in[0], Tensor.zeros(DType.FLOAT64, 3),
        Tensor.ones(DType.FLOAT64, 3).mul(1.5), in[1], in[2], false)), () -> of(randn(2, 3, 2), randn(3), randn(3)));
    // The fused op with its mean and invstd outputs: their gradients flow back into x too.
    s.sample("native_batch_norm", "training, all outputs", in -> op("native_batch_norm", in, new long[] {1, 1}, 0.1, 1e-5),
        () -> of(randn(3, 2, 4), positive(0.5, 2)));
    s.sample("native_batch_norm_backward", "training", in -> op("native_batch_norm_backward", in, new long[] {1, 1}),
        () -> of(randn(3, 2, 4), randn(3, 2, 4), randn(2), positive(0.5, 2), randn(2)));
    s.sample("native_batch_norm_backward", "evaluation, no weight",
        in -> op("native_batch_norm_backward", in, new long[] {0, 0}),
        () -> of(randn(3, 2, 2), randn(3, 2, 2), randn(2), positive(0.5, 2)));
    s.sample("instance_norm", "affine",
        in -> of(Normalization.instanceNorm(in[0], null, null, in[1], in[2], true, 0.1, 1e-5)),
        () -> of(randn(2, 3, 4), positive(0.5, 3), randn(3)));
  }

  private static void rowNorms(GradSamples s) {
    s.sample("layer_norm", "affine", in -> of(Normalization.layerNorm(in[0], new long[] {4}, in[1], in[2])),
        () -> of(randn(2, 3, 4), randn(4), randn(4)));
    s.sample("layer_norm", "two dims, no affine", in -> of(Normalization.layerNorm(in[0], new long[] {2, 3})),
        () -> of(randn(2, 2, 3)));
    s.sample("native_layer_norm", "all outputs", in -> op("native_layer_norm", in, new long[] {1, 5}, 1e-5),
        () -> of(randn(3, 5), randn(5)));
    s.sample("native_layer_norm_backward", "", in -> op("native_layer_norm_backward", in, new long[] {1, 4}),
        () -> of(randn(3, 4), randn(3, 4), randn(3, 1), positive(0.5, 3, 1), randn(4)));
    s.sample("local_response_norm", "3-D and 4-D", in -> of(Normalization.localResponseNorm(in[0], 3, 0.5, 0.75, 1.5),
        Normalization.localResponseNorm(in[1], 2, 1.0, 0.6, 2.0)), () -> of(randn(2, 5, 3), randn(1, 4, 2, 3)));
    s.sample("group_norm", "affine", in -> of(Normalization.groupNorm(in[0], 2, in[1], in[2])),
        () -> of(randn(2, 4, 3), randn(4), randn(4)));
    s.sample("native_group_norm", "all outputs", in -> op("native_group_norm", in, new long[] {1, 3}, 1e-5),
        () -> of(randn(2, 6, 2), randn(6)));
    s.sample("native_group_norm_backward", "", in -> op("native_group_norm_backward", in, new long[] {1, 2}),
        () -> of(randn(2, 4, 3), randn(2, 4, 3), randn(2, 2), positive(0.5, 2, 2), randn(4)));
    s.sample("rms_norm", "weight", in -> of(Normalization.rmsNorm(in[0], new long[] {4}, in[1], 1e-3)),
        () -> of(randn(2, 3, 4), randn(4)));
    s.sample("native_rms_norm", "all outputs", in -> op("native_rms_norm", in, new long[] {0, 3, 2}, 1e-4),
        () -> of(randn(2, 3, 2)));
    s.sample("native_rms_norm_backward", "", in -> op("native_rms_norm_backward", in, new long[] {1, 5}),
        () -> of(randn(2, 5), randn(2, 5), positive(0.5, 2, 1), randn(5)));
  }

  private static void dropout(GradSamples s) {
    s.sample("dropout", "p 0.4", in -> of(Dropouts.dropout(in[0], 0.4, true, false, seeded())), () -> of(randn(4, 5)));
    s.sample("feature_dropout", "dropout2d", in -> of(Dropouts.dropout2d(in[0], 0.5, true, false, seeded())),
        () -> of(randn(3, 4, 2, 2)));
    s.sample("alpha_dropout", "p 0.3", in -> of(Dropouts.alphaDropout(in[0], 0.3, true, false, seeded())),
        () -> of(randn(4, 5)));
    s.sample("feature_alpha_dropout", "p 0.3", in -> of(Dropouts.featureAlphaDropout(in[0], 0.3, true, false, seeded())),
        () -> of(randn(3, 4, 2)));
    s.sample("native_dropout", "elements", in -> {
      try (Generator g = seeded()) {
        return of(op("native_dropout", in, new long[] {g.handle(), 0, 0}, 0.25)[0]);
      }
    }, () -> of(randn(3, 4)));
  }

  private static void embeddings(GradSamples s) {
    Tensor idx = indices(2, 0, 2, 3, 1);
    // The padding row is looked up by none of these: PyTorch's padding row gets no gradient even where it is used,
    // which no finite difference agrees with.
    s.sample("embedding", "repeated, padding", in -> of(Embeddings.embedding(indices(2, 0, 2, 3).view(2, 2), in[0], 1)),
        () -> of(randn(4, 3)));
    s.sample("embedding_backward", "scaled by frequency",
        in -> op("embedding_backward", new Tensor[] {in[0], idx}, new long[] {4, 0, 1}), () -> of(randn(5, 3)));
    Tensor offsets = indices(0, 2, 2);
    s.sample("embedding_bag", "sum, per-sample weights", in -> of(Embeddings.embeddingBag(idx, in[0], offsets, null,
        2.0, false, "sum", in[1], false, null)), () -> of(randn(4, 3), randn(5)));
    s.sample("embedding_bag", "mean, padding", in -> of(Embeddings.embeddingBag(idx, in[0], offsets, null, 2.0, false,
        "mean", null, false, 0)), () -> of(randn(4, 3)));
    s.sample("embedding_bag", "max", in -> of(Embeddings.embeddingBag(idx.view(1, 5), in[0], null, "max")),
        () -> of(randn(4, 3)));
    s.sample("_embedding_bag", "sum, weighted", in -> of(op("_embedding_bag", new Tensor[] {in[0], idx, offsets, in[1]},
        new long[] {1, 0, 0, -1, 0})[0]), () -> of(randn(4, 2), randn(5)));
    s.sample("_embedding_bag_backward", "sum, weighted, by frequency", in -> op("_embedding_bag_backward",
        new Tensor[] {in[0], idx, offsets, Tensor.zeros(DType.INT64, 0), in[1]}, new long[] {1, 4, 0, 0, -1, 1}),
        () -> of(randn(3, 2), randn(5)));
    s.sample("_embedding_bag_backward", "mean, padding", in -> op("_embedding_bag_backward",
        new Tensor[] {in[0], idx, offsets, Tensor.zeros(DType.INT64, 0)}, new long[] {0, 4, 1, 0, 2, 0}),
        () -> of(randn(3, 2)));
    Tensor maxIndices = Tensor.of(new long[] {2, 0, -1, -1, 3, 1}).view(3, 2);
    s.sample("_embedding_bag_backward", "max", in -> op("_embedding_bag_backward",
        new Tensor[] {in[0], idx, offsets, maxIndices}, new long[] {0, 4, 2, 0, -1, 0}), () -> of(randn(3, 2)));
  }
}
