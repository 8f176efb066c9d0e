package dev.kiln.parity;

import static dev.kiln.parity.ModuleMakers.call;
import static dev.kiln.parity.ModuleMakers.maker;

import com.google.gson.JsonElement;
import dev.kiln.nn.*;
import dev.kiln.parity.ModuleMakers.Kwargs;
import java.util.List;

/**
 * The Java constructors of the normalization, dropout, embedding and distance modules in modules_norm.json
 * (tools/fixtures/cases_modules_norm.py), from PyTorch's keyword arguments, and the calls of those whose forward
 * takes more than one tensor.
 */
final class NormModuleMakers {
  private NormModuleMakers() {}

  static void register() {
    maker("BatchNorm1d", a -> new BatchNorm1d(a.integer("num_features", 0), a.real("eps", 1e-5), momentum(a),
        a.bool("affine", true), a.bool("track_running_stats", true)));
    maker("BatchNorm2d", a -> new BatchNorm2d(a.integer("num_features", 0), a.real("eps", 1e-5), momentum(a),
        a.bool("affine", true), a.bool("track_running_stats", true)));
    maker("BatchNorm3d", a -> new BatchNorm3d(a.integer("num_features", 0), a.real("eps", 1e-5), momentum(a),
        a.bool("affine", true), a.bool("track_running_stats", true)));
    maker("InstanceNorm1d", a -> new InstanceNorm1d(a.integer("num_features", 0), a.real("eps", 1e-5),
        a.real("momentum", 0.1), a.bool("affine", false), a.bool("track_running_stats", false)));
    maker("InstanceNorm2d", a -> new InstanceNorm2d(a.integer("num_features", 0), a.real("eps", 1e-5),
        a.real("momentum", 0.1), a.bool("affine", false), a.bool("track_running_stats", false)));
    maker("InstanceNorm3d", a -> new InstanceNorm3d(a.integer("num_features", 0), a.real("eps", 1e-5),
        a.real("momentum", 0.1), a.bool("affine", false), a.bool("track_running_stats", false)));
    maker("LayerNorm", a -> new LayerNorm(a.longs("normalized_shape"), a.real("eps", 1e-5),
        a.bool("elementwise_affine", true)));
    maker("GroupNorm", a -> new GroupNorm(a.integer("num_groups", 0), a.integer("num_channels", 0),
        a.real("eps", 1e-5), a.bool("affine", true)));
    maker("RMSNorm", a -> new RMSNorm(a.longs("normalized_shape"), a.json().has("eps") ? a.real("eps", 0) : null,
        a.bool("elementwise_affine", true)));
    maker("LocalResponseNorm", a -> new LocalResponseNorm(a.integer("size", 0), a.real("alpha", 1e-4),
        a.real("beta", 0.75), a.real("k", 1.0)));
    maker("Dropout", a -> new Dropout(a.real("p", 0.5), a.bool("inplace", false)));
    maker("Dropout1d", a -> new Dropout1d(a.real("p", 0.5), a.bool("inplace", false)));
    maker("Dropout2d", a -> new Dropout2d(a.real("p", 0.5), a.bool("inplace", false)));
    maker("Dropout3d", a -> new Dropout3d(a.real("p", 0.5), a.bool("inplace", false)));
    maker("AlphaDropout", a -> new AlphaDropout(a.real("p", 0.5), a.bool("inplace", false)));
    maker("FeatureAlphaDropout", a -> new FeatureAlphaDropout(a.real("p", 0.5), a.bool("inplace", false)));
    maker("Embedding", a -> new Embedding(a.integer("num_embeddings", 0), a.integer("embedding_dim", 0),
        a.json().has("padding_idx") ? a.integer("padding_idx", 0) : null,
        a.json().has("max_norm") ? a.real("max_norm", 0) : null, a.real("norm_type", 2.0),
        a.bool("scale_grad_by_freq", false)));
    maker("EmbeddingBag", a -> new EmbeddingBag(a.integer("num_embeddings", 0), a.integer("embedding_dim", 0),
        a.json().has("max_norm") ? a.real("max_norm", 0) : null, a.real("norm_type", 2.0),
        a.bool("scale_grad_by_freq", false), a.text("mode", "mean"), a.bool("include_last_offset", false),
        a.json().has("padding_idx") ? a.integer("padding_idx", 0) : null));
    call("EmbeddingBag", (m, x) -> List.of(((EmbeddingBag) m).call(x.get(0), x.size() > 1 ? x.get(1) : null,
        x.size() > 2 ? x.get(2) : null)));
    maker("CosineSimilarity", a -> new CosineSimilarity(a.integer("dim", 1), a.real("eps", 1e-8)));
    call("CosineSimilarity", (m, x) -> List.of(((CosineSimilarity) m).call(x.get(0), x.get(1))));
    maker("PairwiseDistance", a -> new PairwiseDistance(a.real("p", 2.0), a.real("eps", 1e-6), a.bool("keepdim", false)));
    call("PairwiseDistance", (m, x) -> List.of(((PairwiseDistance) m).call(x.get(0), x.get(1))));
  }

  /** BatchNorm's momentum: a number, or null (JSON null) for the cumulative average. */
  private static Double momentum(Kwargs a) {
    JsonElement e = a.json().get("momentum");
    if (e == null) return 0.1;
    return e.isJsonNull() ? null : e.getAsDouble();
  }
}
