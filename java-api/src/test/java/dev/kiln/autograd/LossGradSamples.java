package dev.kiln.autograd;

import static dev.kiln.autograd.ActivationGradSamples.op;
import static dev.kiln.autograd.GradSamples.awayFromZero;
import static dev.kiln.autograd.GradSamples.of;
import static dev.kiln.autograd.GradSamples.positive;
import static dev.kiln.autograd.GradSamples.randn;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * gradcheck samples: the losses, their fused backward ops (called by name with every output asked for: gradcheck of
 * a backward op checks the loss's second derivatives, gradgradcheck its third) and the composite losses. Targets that
 * hold probabilities get gradients too; class indices and weights are constants. Inputs stay off the kinks of the
 * piecewise losses.
 */
final class LossGradSamples {
  private LossGradSamples() {}

  private static final Generator GEN = new Generator(11);

  /** Class indices, ignore_index -100 among them. */
  private static Tensor targets(long... classes) {
    return Tensor.of(classes);
  }

  /** Values in [lo, hi) that need no gradient (weights). */
  private static Tensor constant(double lo, double hi, long... shape) {
    return Tensor.rand(GEN, DType.FLOAT64, shape).mul(hi - lo).add(lo);
  }

  /** Values in [lo, hi) that require grad (probabilities, variances). */
  private static Tensor between(double lo, double hi, long... shape) {
    return constant(lo, hi, shape).requiresGrad(true);
  }

  /** Rows of probabilities (softmax of random values along dim 1), requiring grad. */
  private static Tensor probabilities(long... shape) {
    return Tensor.randn(GEN, DType.FLOAT64, shape).softmax(1).requiresGrad(true);
  }

  private static final long NONE = 0, MEAN = 1, SUM = 2, INPUT = 1, BOTH = 3;

  static void register(GradSamples s) {
    classLosses(s);
    pointLosses(s);
    composites(s);
    classMargins(s);
    ctc(s);
  }

  private static void classLosses(GradSamples s) {
    Tensor w = constant(0.5, 2, 4);
    s.sample("cross_entropy", "mean, weight, ignore_index, smoothing",
        in -> of(Losses.crossEntropy(in[0], in[1], in[2], -100, Reduction.MEAN, 0.2)),
        () -> of(randn(3, 4), targets(1, -100, 3), w));
    s.sample("cross_entropy", "none", in -> of(Losses.crossEntropy(in[0], in[1], Reduction.NONE)),
        () -> of(randn(3, 4), targets(0, 2, 3)));
    s.sample("cross_entropy", "probabilities, weight, smoothing",
        in -> of(Losses.crossEntropy(in[0], in[1], in[2], -100, Reduction.MEAN, 0.1)),
        () -> of(randn(2, 4), probabilities(2, 4), w));
    s.sample("cross_entropy", "spatial [N, C, d], sum", in -> of(Losses.crossEntropy(in[0], in[1], Reduction.SUM)),
        () -> of(randn(2, 3, 2), Tensor.of(new long[] {0, 2, 1, 1}, 2, 2)));
    s.sample("cross_entropy_backward", "none, weight, smoothing",
        in -> op("cross_entropy_backward", in, new long[] {NONE, -100, INPUT}, 0.1),
        () -> of(randn(3), randn(3, 4), targets(2, 0, -100), w));
    s.sample("cross_entropy_backward", "mean",
        in -> op("cross_entropy_backward", in, new long[] {MEAN, -100, INPUT}, 0),
        () -> of(randn(), randn(3, 4), targets(1, 3, 0)));
    s.sample("cross_entropy_backward", "probabilities, both gradients",
        in -> op("cross_entropy_backward", in, new long[] {NONE, -100, BOTH}, 0.3),
        () -> of(randn(2), randn(2, 3), probabilities(2, 3), constant(0.5, 2, 3)));
    s.sample("cross_entropy_backward", "probabilities, mean, spatial",
        in -> op("cross_entropy_backward", in, new long[] {MEAN, -100, BOTH}, 0),
        () -> of(randn(), randn(2, 3, 2), probabilities(2, 3, 2)));
    s.sample("nll_loss", "mean, weight, ignore_index",
        in -> of(Losses.nllLoss(in[0], in[1], in[2], -100, Reduction.MEAN)),
        () -> of(randn(3, 4), targets(1, -100, 3), w));
    s.sample("nll_loss", "none, spatial", in -> of(Losses.nllLoss(in[0], in[1], Reduction.NONE)),
        () -> of(randn(2, 3, 2), Tensor.of(new long[] {0, 2, 1, 1}, 2, 2)));
    s.sample("nll_loss_backward", "mean, weight", in -> op("nll_loss_backward", in, new long[] {MEAN, -100}),
        () -> of(randn(), randn(3, 4), targets(1, -100, 3), w));
    s.sample("nll_loss_backward", "none", in -> op("nll_loss_backward", in, new long[] {NONE, -100}),
        () -> of(randn(3), randn(3, 4), targets(1, 0, 3)));
  }

  private static void pointLosses(GradSamples s) {
    s.sample("binary_cross_entropy", "weight", in -> of(Losses.binaryCrossEntropy(in[0], in[1], in[2], Reduction.MEAN)),
        () -> of(between(0.1, 0.9, 2, 3), between(0.1, 0.9, 2, 3), constant(0.5, 2, 3)));
    s.sample("binary_cross_entropy_backward", "none",
        in -> op("binary_cross_entropy_backward", in, new long[] {NONE, BOTH}),
        () -> of(randn(2, 3), between(0.1, 0.9, 2, 3), between(0.1, 0.9, 2, 3)));
    s.sample("binary_cross_entropy_backward", "sum, weight",
        in -> op("binary_cross_entropy_backward", in, new long[] {SUM, BOTH}),
        () -> of(randn(), between(0.1, 0.9, 2, 3), between(0.1, 0.9, 2, 3), constant(0.5, 2, 3)));
    s.sample("binary_cross_entropy_with_logits", "weight, pos_weight",
        in -> of(Losses.binaryCrossEntropyWithLogits(in[0], in[1], in[2], Reduction.MEAN, in[3])),
        () -> of(randn(2, 3), between(0, 1, 2, 3), constant(0.5, 2, 3), constant(0.5, 3, 3)));
    s.sample("binary_cross_entropy_with_logits", "none", in -> of(Losses.binaryCrossEntropyWithLogits(in[0], in[1],
        Reduction.NONE)), () -> of(randn(2, 3), between(0, 1, 2, 3)));
    s.sample("binary_cross_entropy_with_logits_backward", "pos_weight",
        in -> op("binary_cross_entropy_with_logits_backward", in, new long[] {NONE, 1, BOTH}),
        () -> of(randn(2, 3), randn(2, 3), between(0, 1, 2, 3), constant(0.5, 3, 3)));
    s.sample("binary_cross_entropy_with_logits_backward", "mean, weight",
        in -> op("binary_cross_entropy_with_logits_backward", in, new long[] {MEAN, 0, BOTH}),
        () -> of(randn(), randn(2, 3), between(0, 1, 2, 3), constant(0.5, 2, 3)));
    distance(s, "mse_loss", new double[0]);
    distance(s, "l1_loss", new double[0]);
    distance(s, "smooth_l1_loss", new double[] {0.5});
    distance(s, "huber_loss", new double[] {0.7});
    s.sample("kl_div", "", in -> of(Losses.klDiv(in[0], in[1], Reduction.MEAN)),
        () -> of(randn(2, 3), between(0.1, 1, 2, 3)));
    s.sample("kl_div", "log_target, batchmean", in -> of(Losses.klDiv(in[0], in[1], Reduction.BATCHMEAN, true)),
        () -> of(randn(2, 3), randn(2, 3)));
    s.sample("kl_div_backward", "", in -> op("kl_div_backward", in, new long[] {NONE, 0, BOTH}),
        () -> of(randn(2, 3), randn(2, 3), between(0.1, 1, 2, 3)));
    s.sample("kl_div_backward", "log_target, sum", in -> op("kl_div_backward", in, new long[] {SUM, 1, BOTH}),
        () -> of(randn(), randn(2, 3), randn(2, 3)));
  }

  /** A distance loss and its backward row: |input - target| stays above 0.1 and away from the branch points. */
  private static void distance(GradSamples s, String name, double[] param) {
    s.sample(name, "input and target", in -> op(name, in, new long[] {MEAN}, param),
        () -> of(awayFromZero(2, 3), constant(-0.05, 0.05, 2, 3).requiresGrad(true)));
    s.sample(name, "broadcast target, none", in -> op(name, in, new long[] {NONE}, param),
        () -> of(awayFromZero(2, 3), constant(-0.05, 0.05, 3).requiresGrad(true)));
    s.sample(name + "_backward", "", in -> op(name + "_backward", in, new long[] {NONE, BOTH}, param),
        () -> of(randn(2, 3), awayFromZero(2, 3), constant(-0.05, 0.05, 2, 3).requiresGrad(true)));
    s.sample(name + "_backward", "mean, input only", in -> op(name + "_backward", in, new long[] {MEAN, INPUT}, param),
        () -> of(randn(), awayFromZero(2, 3), constant(-0.05, 0.05, 2, 3).requiresGrad(true)));
  }

  private static void composites(GradSamples s) {
    Tensor signs = Tensor.of(new double[] {1, -1, -1, 1});
    s.sample("margin_ranking_loss", "", in -> of(Losses.marginRankingLoss(in[0], in[1], in[2], 0.1, Reduction.MEAN)),
        () -> of(awayFromZero(4), randn(4).mul(0.01).detach().requiresGrad(true), signs));
    s.sample("cosine_embedding_loss", "", in -> of(Losses.cosineEmbeddingLoss(in[0], in[1], in[2], -0.9,
        Reduction.SUM)), () -> of(randn(3, 4), randn(3, 4), Tensor.of(new long[] {1, -1, -1})));
    s.sample("cosine_embedding_loss", "one pair", in -> of(Losses.cosineEmbeddingLoss(in[0], in[1], in[2])),
        () -> of(randn(4), randn(4), Tensor.scalar(1L)));
    s.sample("triplet_margin_loss", "", in -> of(Losses.tripletMarginLoss(in[0], in[1], in[2], 10.0, 2.0, 1e-6, false,
        Reduction.MEAN)), () -> of(randn(3, 4), randn(3, 4), randn(3, 4)));
    s.sample("triplet_margin_loss", "p 3, swap", in -> of(Losses.tripletMarginLoss(in[0], in[1], in[2], 10.0, 3.0,
        1e-6, true, Reduction.NONE)), () -> of(randn(3, 4), randn(3, 4), randn(3, 4)));
    s.sample("hinge_embedding_loss", "", in -> of(Losses.hingeEmbeddingLoss(in[0], in[1], 5.0, Reduction.MEAN)),
        () -> of(randn(4), signs));
    s.sample("soft_margin_loss", "", in -> of(Losses.softMarginLoss(in[0], in[1])), () -> of(randn(4), signs));
    s.sample("multilabel_soft_margin_loss", "weight", in -> of(Losses.multilabelSoftMarginLoss(in[0], in[1], in[2],
        Reduction.NONE)), () -> of(randn(2, 3), between(0, 1, 2, 3), constant(0.5, 2, 3)));
    s.sample("poisson_nll_loss", "log input", in -> of(Losses.poissonNllLoss(in[0], in[1])),
        () -> of(randn(2, 3), positive(0.1, 2, 3)));
    s.sample("poisson_nll_loss", "rates, full", in -> of(Losses.poissonNllLoss(in[0], in[1], false, true, 1e-8,
        Reduction.SUM)), () -> of(positive(0.5, 2, 3), positive(1.5, 2, 3)));
    s.sample("gaussian_nll_loss", "", in -> of(Losses.gaussianNllLoss(in[0], in[1], in[2])),
        () -> of(randn(2, 3), randn(2, 3), positive(0.5, 2, 3)));
    s.sample("gaussian_nll_loss", "one variance per sample, full", in -> of(Losses.gaussianNllLoss(in[0], in[1], in[2],
        true, 1e-6, Reduction.NONE)), () -> of(randn(2, 3), randn(2, 3), positive(0.5, 2)));
  }

  private static void classMargins(GradSamples s) {
    s.sample("multi_margin_loss", "", in -> of(Losses.multiMarginLoss(in[0], in[1])),
        () -> of(randn(3, 4), targets(0, 3, 3)));
    s.sample("multi_margin_loss", "p 2, weight, none", in -> of(Losses.multiMarginLoss(in[0], in[1], 2, 0.7, in[2],
        Reduction.NONE)), () -> of(randn(3, 4), targets(2, 1, 0), constant(0.5, 2, 4)));
    Tensor listed = Tensor.of(new long[] {3, 0, -1, 2, 1, 1, 2, -1}, 2, 4);
    s.sample("multilabel_margin_loss", "", in -> of(Losses.multilabelMarginLoss(in[0], in[1], Reduction.SUM)),
        () -> of(randn(2, 4), listed));
    s.sample("multilabel_margin_loss", "none, one sample", in -> of(Losses.multilabelMarginLoss(in[0], in[1],
        Reduction.NONE)), () -> of(randn(4), Tensor.of(new long[] {2, -1, 0, 0})));
    s.sample("multilabel_margin_loss_backward", "mean", in -> op("multilabel_margin_loss_backward", in,
        new long[] {MEAN}), () -> of(randn(), randn(2, 4), listed));
    s.sample("multilabel_margin_loss_backward", "none", in -> op("multilabel_margin_loss_backward", in,
        new long[] {NONE}), () -> of(randn(2), randn(2, 4), listed));
  }

  /**
   * ctc_loss on log-probabilities that are not normalized (its gradient is the exact derivative for them), padded and
   * concatenated targets; the loss has no second derivative for log_probs (PyTorch has none either), its backward row
   * one for the incoming gradient.
   */
  private static void ctc(GradSamples s) {
    Tensor padded = Tensor.of(new long[] {1, 2, 2, 3, 1, 0}, 2, 3);
    Tensor inputLengths = Tensor.of(new long[] {6, 4}), targetLengths = Tensor.of(new long[] {3, 2});
    s.sampleFirstOrder("ctc_loss", "mean", in -> of(Losses.ctcLoss(in[0], in[1], in[2], in[3])),
        () -> of(randn(6, 2, 4), padded, inputLengths, targetLengths));
    s.sampleFirstOrder("ctc_loss", "unbatched, blank 3", in -> of(Losses.ctcLoss(in[0], in[1], in[2], in[3], 3,
        Reduction.NONE, false)), () -> of(randn(5, 4), Tensor.of(new long[] {1, 1}), Tensor.scalar(5L),
        Tensor.scalar(2L)));
    s.sampleFirstOrder("_ctc_loss", "concatenated", in -> of(op("_ctc_loss", in, new long[] {0, 0})[0]),
        () -> of(randn(6, 2, 4), Tensor.of(new long[] {1, 2, 2, 3, 1}), inputLengths, targetLengths));
    // the backward row with log_probs and log_alpha (its second output) as constants
    s.sample("_ctc_loss_backward", "the incoming gradient", in -> op("_ctc_loss_backward", in, new long[] {0, 1}),
        () -> {
          Tensor logProbs = Tensor.randn(GEN, DType.FLOAT64, 6, 2, 4), shortInputs = Tensor.of(new long[] {6, 2});
          Tensor logAlpha = op("_ctc_loss", of(logProbs, padded, shortInputs, targetLengths), new long[] {0, 1})[1];
          return of(randn(2), logProbs, padded, shortInputs, targetLengths, logAlpha);
        });
  }
}
