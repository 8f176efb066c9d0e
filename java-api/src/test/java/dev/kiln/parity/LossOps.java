package dev.kiln.parity;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Distances;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;
import dev.kiln.parity.Fixtures.Args;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BinaryOperator;

/**
 * Parity mapping: the losses of dev.kiln.nn.functional.Losses (torch.nn.functional). A case with no arguments
 * runs the two- or three-tensor overload, one with only a reduction the overload that takes it, any other the
 * overload with every argument (PyTorch's defaults where the case gives none). "weight" and "pos_weight" say the
 * tensor is the next input after the required ones; ctc_loss's "logits" runs logSoftmax over the classes first, and
 * triplet_margin_with_distance_loss's "distance" names the distance function (tools/fixtures/cases_losses.py).
 */
final class LossOps {
  private LossOps() {}

  /** The arguments a case may give; which of them it gives picks the Java overload. */
  private static boolean only(Args a, Set<String> keys) {
    for (String k : List.of("reduction", "weight", "pos_weight", "ignore_index", "label_smoothing", "beta", "delta",
        "log_target", "margin", "p", "eps", "swap", "log_input", "full", "blank", "zero_infinity", "logits",
        "distance"))
      if (a.has(k) && !keys.contains(k)) return false;
    return true;
  }

  private static boolean none(Args a) {
    return only(a, Set.of());
  }

  private static boolean reductionOnly(Args a) {
    return a.has("reduction") && only(a, Set.of("reduction"));
  }

  private static Reduction reduction(Args a) {
    return a.has("reduction") ? Reduction.of(a.string("reduction")) : Reduction.MEAN;
  }

  private static double real(Args a, String key, double otherwise) {
    return a.has(key) ? a.number(key) : otherwise;
  }

  /** The optional tensors after the first `required` inputs, in order: null where the case gives none. */
  private static Tensor[] optional(List<Tensor> x, Args a, int required, String... names) {
    Tensor[] out = new Tensor[names.length];
    int next = required;
    for (int i = 0; i < names.length; i++) if (a.bool(names[i], false)) out[i] = x.get(next++);
    if (next != x.size()) throw new AssertionError("inputs left over: " + (x.size() - next));
    return out;
  }

  /** The distance functions the fixtures name, as cases_losses.py's DISTANCES. */
  private static final Map<String, BinaryOperator<Tensor>> DISTANCES = Map.of(
      "pairwise", Distances::pairwiseDistance,
      "cosine", (u, v) -> Distances.cosineSimilarity(u, v).neg().add(1.0),
      "l1", (u, v) -> Distances.pairwiseDistance(u, v, 1.0));

  interface Two {
    Tensor apply(Tensor input, Tensor target);
  }

  interface TwoReduced {
    Tensor apply(Tensor input, Tensor target, Reduction reduction);
  }

  static void register(OpMap m) {
    m.on("cross_entropy", (x, a) -> {
      if (none(a)) return Losses.crossEntropy(x.get(0), x.get(1));
      if (reductionOnly(a)) return Losses.crossEntropy(x.get(0), x.get(1), reduction(a));
      Tensor[] w = optional(x, a, 2, "weight");
      return Losses.crossEntropy(x.get(0), x.get(1), w[0], a.has("ignore_index") ? a.longValue("ignore_index") : -100,
          reduction(a), real(a, "label_smoothing", 0.0));
    });
    m.on("nll_loss", (x, a) -> {
      if (none(a)) return Losses.nllLoss(x.get(0), x.get(1));
      if (reductionOnly(a)) return Losses.nllLoss(x.get(0), x.get(1), reduction(a));
      Tensor[] w = optional(x, a, 2, "weight");
      return Losses.nllLoss(x.get(0), x.get(1), w[0], a.has("ignore_index") ? a.longValue("ignore_index") : -100,
          reduction(a));
    });
    m.on("binary_cross_entropy", (x, a) -> {
      if (none(a)) return Losses.binaryCrossEntropy(x.get(0), x.get(1));
      if (reductionOnly(a)) return Losses.binaryCrossEntropy(x.get(0), x.get(1), reduction(a));
      return Losses.binaryCrossEntropy(x.get(0), x.get(1), optional(x, a, 2, "weight")[0], reduction(a));
    });
    m.on("binary_cross_entropy_with_logits", (x, a) -> {
      if (none(a)) return Losses.binaryCrossEntropyWithLogits(x.get(0), x.get(1));
      if (reductionOnly(a)) return Losses.binaryCrossEntropyWithLogits(x.get(0), x.get(1), reduction(a));
      Tensor[] w = optional(x, a, 2, "weight", "pos_weight");
      return Losses.binaryCrossEntropyWithLogits(x.get(0), x.get(1), w[0], reduction(a), w[1]);
    });
    simple(m, "mse_loss", Losses::mseLoss, Losses::mseLoss);
    simple(m, "l1_loss", Losses::l1Loss, Losses::l1Loss);
    m.on("smooth_l1_loss", (x, a) -> {
      if (none(a)) return Losses.smoothL1Loss(x.get(0), x.get(1));
      return Losses.smoothL1Loss(x.get(0), x.get(1), reduction(a), real(a, "beta", 1.0));
    });
    m.on("huber_loss", (x, a) -> {
      if (none(a)) return Losses.huberLoss(x.get(0), x.get(1));
      return Losses.huberLoss(x.get(0), x.get(1), reduction(a), real(a, "delta", 1.0));
    });
    m.on("kl_div", (x, a) -> {
      if (none(a)) return Losses.klDiv(x.get(0), x.get(1));
      if (reductionOnly(a)) return Losses.klDiv(x.get(0), x.get(1), reduction(a));
      return Losses.klDiv(x.get(0), x.get(1), reduction(a), a.bool("log_target", false));
    });
    m.on("margin_ranking_loss", (x, a) -> none(a) ? Losses.marginRankingLoss(x.get(0), x.get(1), x.get(2))
        : Losses.marginRankingLoss(x.get(0), x.get(1), x.get(2), real(a, "margin", 0.0), reduction(a)));
    m.on("cosine_embedding_loss", (x, a) -> none(a) ? Losses.cosineEmbeddingLoss(x.get(0), x.get(1), x.get(2))
        : Losses.cosineEmbeddingLoss(x.get(0), x.get(1), x.get(2), real(a, "margin", 0.0), reduction(a)));
    m.on("triplet_margin_loss", (x, a) -> none(a) ? Losses.tripletMarginLoss(x.get(0), x.get(1), x.get(2))
        : Losses.tripletMarginLoss(x.get(0), x.get(1), x.get(2), real(a, "margin", 1.0), real(a, "p", 2.0),
            real(a, "eps", 1e-6), a.bool("swap", false), reduction(a)));
    m.on("hinge_embedding_loss", (x, a) -> none(a) ? Losses.hingeEmbeddingLoss(x.get(0), x.get(1))
        : Losses.hingeEmbeddingLoss(x.get(0), x.get(1), real(a, "margin", 1.0), reduction(a)));
    simple(m, "soft_margin_loss", Losses::softMarginLoss, Losses::softMarginLoss);
    m.on("multilabel_soft_margin_loss", (x, a) -> {
      if (none(a)) return Losses.multilabelSoftMarginLoss(x.get(0), x.get(1));
      return Losses.multilabelSoftMarginLoss(x.get(0), x.get(1), optional(x, a, 2, "weight")[0], reduction(a));
    });
    m.on("poisson_nll_loss", (x, a) -> none(a) ? Losses.poissonNllLoss(x.get(0), x.get(1))
        : Losses.poissonNllLoss(x.get(0), x.get(1), a.bool("log_input", true), a.bool("full", false),
            real(a, "eps", 1e-8), reduction(a)));
    m.on("gaussian_nll_loss", (x, a) -> none(a) ? Losses.gaussianNllLoss(x.get(0), x.get(1), x.get(2))
        : Losses.gaussianNllLoss(x.get(0), x.get(1), x.get(2), a.bool("full", false), real(a, "eps", 1e-6),
            reduction(a)));
    m.on("multi_margin_loss", (x, a) -> {
      if (none(a)) return Losses.multiMarginLoss(x.get(0), x.get(1));
      return Losses.multiMarginLoss(x.get(0), x.get(1), a.has("p") ? a.integer("p") : 1, real(a, "margin", 1.0),
          optional(x, a, 2, "weight")[0], reduction(a));
    });
    m.on("multilabel_margin_loss", (x, a) -> none(a) ? Losses.multilabelMarginLoss(x.get(0), x.get(1))
        : Losses.multilabelMarginLoss(x.get(0), x.get(1), reduction(a)));
    m.on("ctc_loss", (x, a) -> {
      Tensor logProbs = a.bool("logits", false) ? x.get(0).logSoftmax(-1) : x.get(0);
      if (none(a)) return Losses.ctcLoss(logProbs, x.get(1), x.get(2), x.get(3));
      return Losses.ctcLoss(logProbs, x.get(1), x.get(2), x.get(3), a.has("blank") ? a.integer("blank") : 0,
          reduction(a), a.bool("zero_infinity", false));
    });
    m.on("triplet_margin_with_distance_loss", (x, a) -> {
      if (none(a)) return Losses.tripletMarginWithDistanceLoss(x.get(0), x.get(1), x.get(2));
      BinaryOperator<Tensor> d = a.has("distance") ? DISTANCES.get(a.string("distance")) : null;
      return Losses.tripletMarginWithDistanceLoss(x.get(0), x.get(1), x.get(2), d, real(a, "margin", 1.0),
          a.bool("swap", false), reduction(a));
    });
  }

  private static void simple(OpMap m, String op, Two defaults, TwoReduced reduced) {
    m.on(op, (x, a) -> none(a) ? defaults.apply(x.get(0), x.get(1)) : reduced.apply(x.get(0), x.get(1), reduction(a)));
  }
}
