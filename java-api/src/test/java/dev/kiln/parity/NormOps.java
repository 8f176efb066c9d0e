package dev.kiln.parity;

import com.google.gson.JsonElement;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Attention;
import dev.kiln.nn.functional.Distances;
import dev.kiln.nn.functional.Dropouts;
import dev.kiln.nn.functional.Embeddings;
import dev.kiln.nn.functional.Normalization;
import dev.kiln.parity.Fixtures.Args;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parity mapping: normalization, dropout, embeddings, distances and attention (dev.kiln.nn.functional). Optional
 * tensors follow the first input(s) as args "tensors" names them; ops that update running statistics or a weight
 * in place get copies and return them after the output, as tools/fixtures/cases_norm.py does.
 */
final class NormOps {
  private NormOps() {}

  static void register(OpMap m) {
    m.on("batch_norm", NormOps::batchNorm);
    m.on("instance_norm", NormOps::instanceNorm);
    m.on("layer_norm", (x, a) -> {
      Map<String, Tensor> t = named(x, a, 1);
      return Normalization.layerNorm(x.get(0), a.longs("normalized_shape"), t.get("weight"), t.get("bias"),
          real(a, "eps", 1e-5));
    });
    m.on("group_norm", (x, a) -> {
      Map<String, Tensor> t = named(x, a, 1);
      return Normalization.groupNorm(x.get(0), a.integer("num_groups"), t.get("weight"), t.get("bias"),
          real(a, "eps", 1e-5));
    });
    m.on("rms_norm", (x, a) -> Normalization.rmsNorm(x.get(0), a.longs("normalized_shape"), named(x, a, 1).get("weight"),
        a.has("eps") ? a.number("eps") : null));
    m.on("local_response_norm", (x, a) -> Normalization.localResponseNorm(x.get(0), a.integer("size"),
        real(a, "alpha", 1e-4), real(a, "beta", 0.75), real(a, "k", 1.0)));
    m.on("dropout", (x, a) -> Dropouts.dropout(x.get(0), real(a, "p", 0.5), a.bool("training", true)));
    m.on("alpha_dropout", (x, a) -> Dropouts.alphaDropout(x.get(0), real(a, "p", 0.5), a.bool("training", false)));
    m.on("feature_alpha_dropout",
        (x, a) -> Dropouts.featureAlphaDropout(x.get(0), real(a, "p", 0.5), a.bool("training", false)));
    m.on("dropout1d", (x, a) -> Dropouts.dropout1d(x.get(0), real(a, "p", 0.5), a.bool("training", true)));
    m.on("dropout2d", (x, a) -> Dropouts.dropout2d(x.get(0), real(a, "p", 0.5), a.bool("training", true)));
    m.on("dropout3d", (x, a) -> Dropouts.dropout3d(x.get(0), real(a, "p", 0.5), a.bool("training", true)));
    m.on("embedding", NormOps::embedding);
    m.on("embedding_bag", NormOps::embeddingBag);
    m.on("cosine_similarity", (x, a) -> Distances.cosineSimilarity(x.get(0), x.get(1), a.has("dim") ? a.integer("dim") : 1,
        real(a, "eps", 1e-8)));
    m.on("pairwise_distance", (x, a) -> Distances.pairwiseDistance(x.get(0), x.get(1), real(a, "p", 2.0),
        real(a, "eps", 1e-6), a.bool("keepdim", false)));
    m.on("scaled_dot_product_attention", (x, a) -> Attention.scaledDotProductAttention(x.get(0), x.get(1), x.get(2),
        x.size() > 3 ? x.get(3) : null, 0.0, a.bool("is_causal", false), a.has("scale") ? a.number("scale") : null));
  }

  private static Object batchNorm(List<Tensor> x, Args a) {
    Map<String, Tensor> t = named(x, a, 1);
    boolean training = a.bool("training", false);
    Tensor rm = copy(t.get("running_mean")), rv = copy(t.get("running_var"));
    Tensor out = Normalization.batchNorm(x.get(0), rm, rv, t.get("weight"), t.get("bias"), training,
        real(a, "momentum", 0.1), real(a, "eps", 1e-5));
    return training ? withStats(out, rm, rv) : out;
  }

  private static Object instanceNorm(List<Tensor> x, Args a) {
    Map<String, Tensor> t = named(x, a, 1);
    boolean useInputStats = a.bool("use_input_stats", true);
    Tensor rm = copy(t.get("running_mean")), rv = copy(t.get("running_var"));
    Tensor out = Normalization.instanceNorm(x.get(0), rm, rv, t.get("weight"), t.get("bias"), useInputStats,
        real(a, "momentum", 0.1), real(a, "eps", 1e-5));
    return useInputStats ? withStats(out, rm, rv) : out;
  }

  private static Object embedding(List<Tensor> x, Args a) {
    Double maxNorm = a.has("max_norm") ? a.number("max_norm") : null;
    Tensor weight = maxNorm != null ? x.get(1).detach().clone() : x.get(1);
    Tensor out = Embeddings.embedding(x.get(0), weight, a.has("padding_idx") ? a.integer("padding_idx") : null, maxNorm,
        real(a, "norm_type", 2.0), a.bool("scale_grad_by_freq", false));
    return maxNorm != null ? List.of(out, weight) : out;
  }

  private static Object embeddingBag(List<Tensor> x, Args a) {
    Map<String, Tensor> t = named(x, a, 2);
    Double maxNorm = a.has("max_norm") ? a.number("max_norm") : null;
    Tensor weight = maxNorm != null ? x.get(1).detach().clone() : x.get(1);
    Tensor out = Embeddings.embeddingBag(x.get(0), weight, t.get("offsets"), maxNorm, real(a, "norm_type", 2.0),
        a.bool("scale_grad_by_freq", false), a.has("mode") ? a.string("mode") : "mean", t.get("per_sample_weights"),
        a.bool("include_last_offset", false), a.has("padding_idx") ? a.integer("padding_idx") : null);
    return maxNorm != null ? List.of(out, weight) : out;
  }

  /** The inputs from index first on, by the names args "tensors" gives them. */
  private static Map<String, Tensor> named(List<Tensor> x, Args a, int first) {
    Map<String, Tensor> out = new HashMap<>();
    if (!a.has("tensors")) return out;
    int i = first;
    for (JsonElement name : a.json("tensors").getAsJsonArray()) out.put(name.getAsString(), x.get(i++));
    return out;
  }

  private static Tensor copy(Tensor t) {
    return t == null ? null : t.detach().clone();
  }

  private static Object withStats(Tensor out, Tensor rm, Tensor rv) {
    List<Tensor> all = new ArrayList<>(List.of(out));
    if (rm != null) all.add(rm);
    if (rv != null) all.add(rv);
    return all.size() == 1 ? out : all;
  }

  private static double real(Args a, String name, double otherwise) {
    return a.has(name) ? a.number(name) : otherwise;
  }
}
