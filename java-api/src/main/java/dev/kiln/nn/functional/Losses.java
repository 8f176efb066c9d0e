package dev.kiln.nn.functional;

import dev.kiln.ArgumentException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import java.util.Objects;
import java.util.function.BinaryOperator;

/**
 * The losses of {@code torch.nn.functional}, with PyTorch's names (camelCased), argument order and defaults; the
 * reduction is a {@link Reduction} (default {@link Reduction#MEAN}). Each call crosses to the native core once:
 * cross_entropy, nll_loss, the binary cross entropies, mse, l1, smooth_l1, huber and kl_div are fused kernels
 * with fused backward ops (whose own derivatives give double backward); the others are composed there of ops.
 *
 * <pre>{@code
 * Tensor loss = Losses.crossEntropy(logits, labels);                       // F.cross_entropy(logits, labels)
 * Tensor smoothed = Losses.crossEntropy(logits, labels, null, -100, Reduction.MEAN, 0.1);
 * Tensor l2 = Losses.mseLoss(prediction, target, Reduction.SUM);           // F.mse_loss(..., reduction='sum')
 * }</pre>
 *
 * <p>Bad input (a class index out of range, shapes that do not fit, an integer input) raises a {@link
 * dev.kiln.KilnException} naming the loss and what it received; the inputs are left unchanged. A weight that
 * requires grad is refused when backward reaches it (PyTorch refuses it at the call).
 */
public final class Losses {
  private Losses() {}

  private static final long NO_CLASS_IGNORED = -100;
  private static final int CROSS_ENTROPY = Core.op("cross_entropy"),
      NLL_LOSS = Core.op("nll_loss"),
      BINARY_CROSS_ENTROPY = Core.op("binary_cross_entropy"),
      BINARY_CROSS_ENTROPY_WITH_LOGITS = Core.op("binary_cross_entropy_with_logits"),
      MSE_LOSS = Core.op("mse_loss"),
      L1_LOSS = Core.op("l1_loss"),
      SMOOTH_L1_LOSS = Core.op("smooth_l1_loss"),
      HUBER_LOSS = Core.op("huber_loss"),
      KL_DIV = Core.op("kl_div"),
      MARGIN_RANKING_LOSS = Core.op("margin_ranking_loss"),
      COSINE_EMBEDDING_LOSS = Core.op("cosine_embedding_loss"),
      TRIPLET_MARGIN_LOSS = Core.op("triplet_margin_loss"),
      HINGE_EMBEDDING_LOSS = Core.op("hinge_embedding_loss"),
      SOFT_MARGIN_LOSS = Core.op("soft_margin_loss"),
      MULTILABEL_SOFT_MARGIN_LOSS = Core.op("multilabel_soft_margin_loss"),
      POISSON_NLL_LOSS = Core.op("poisson_nll_loss"),
      GAUSSIAN_NLL_LOSS = Core.op("gaussian_nll_loss"),
      MULTI_MARGIN_LOSS = Core.op("multi_margin_loss"),
      MULTILABEL_MARGIN_LOSS = Core.op("multilabel_margin_loss"),
      CTC_LOSS = Core.op("ctc_loss");

  // ---------------------------------------------------------------- classification

  /** crossEntropy with no weight, ignore index -100, the mean, no label smoothing. */
  public static Tensor crossEntropy(Tensor input, Tensor target) {
    return crossEntropy(input, target, null, NO_CLASS_IGNORED, Reduction.MEAN, 0.0);
  }

  public static Tensor crossEntropy(Tensor input, Tensor target, Reduction reduction) {
    return crossEntropy(input, target, null, NO_CLASS_IGNORED, reduction, 0.0);
  }

  /**
   * log_softmax along dim 1 (dim 0 for one sample of shape [C]) and the negative log likelihood, fused. target holds
   * class indices (int64, input's shape without dim 1; positions equal to ignoreIndex count for nothing) or class
   * probabilities (floating, input's shape). weight (one per class, or null) scales each class; labelSmoothing in
   * [0, 1] mixes the target with the uniform distribution. The mean divides by the summed weights of the counted
   * targets (by the number of positions for probabilities).
   */
  public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction,
                                    double labelSmoothing) {
    long code = reduction.code("cross_entropy");
    return call(CROSS_ENTROPY, tensors(2, input, target, weight), new long[] {code, ignoreIndex}, labelSmoothing);
  }

  /** nllLoss with no weight, ignore index -100, the mean. */
  public static Tensor nllLoss(Tensor input, Tensor target) {
    return nllLoss(input, target, null, NO_CLASS_IGNORED, Reduction.MEAN);
  }

  public static Tensor nllLoss(Tensor input, Tensor target, Reduction reduction) {
    return nllLoss(input, target, null, NO_CLASS_IGNORED, reduction);
  }

  /**
   * -weight[t] input[n, t, ...]: input holds log-probabilities along dim 1, target class indices; the weighted mean
   * divides by the summed weights of the targets other than ignoreIndex.
   */
  public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction) {
    return call(NLL_LOSS, tensors(2, input, target, weight), new long[] {reduction.code("nll_loss"), ignoreIndex});
  }

  /** binaryCrossEntropy with no weight, the mean. */
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
    return binaryCrossEntropy(input, target, null, Reduction.MEAN);
  }

  public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Reduction reduction) {
    return binaryCrossEntropy(input, target, null, reduction);
  }

  /**
   * -weight (t log x + (1 - t) log(1 - x)), each log clamped at -100: input holds probabilities in [0, 1], target
   * has its shape and dtype; weight (or null) broadcasts to the input's shape.
   */
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
    return call(BINARY_CROSS_ENTROPY, tensors(2, input, target, weight),
        new long[] {reduction.code("binary_cross_entropy")});
  }

  /** binaryCrossEntropyWithLogits with no weights, the mean. */
  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
    return binaryCrossEntropyWithLogits(input, target, null, Reduction.MEAN, null);
  }

  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Reduction reduction) {
    return binaryCrossEntropyWithLogits(input, target, null, reduction, null);
  }

  /**
   * binary cross entropy of sigmoid(input), computed without overflow for any logit. weight (or null) scales each
   * element; posWeight (or null), broadcast along the last dim as a rule, scales the positive term.
   */
  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Reduction reduction,
                                                    Tensor posWeight) {
    long code = reduction.code("binary_cross_entropy_with_logits");
    return call(BINARY_CROSS_ENTROPY_WITH_LOGITS, tensors(2, input, target, weight, posWeight),
        new long[] {code, posWeight != null ? 1 : 0});
  }

  // ---------------------------------------------------------------- regression

  /** (input - target)^2, reduced by its mean. */
  public static Tensor mseLoss(Tensor input, Tensor target) {
    return mseLoss(input, target, Reduction.MEAN);
  }

  /** (input - target)^2; input and target broadcast. */
  public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
    return call(MSE_LOSS, tensors(2, input, target), new long[] {reduction.code("mse_loss")});
  }

  public static Tensor l1Loss(Tensor input, Tensor target) {
    return l1Loss(input, target, Reduction.MEAN);
  }

  /** |input - target|; input and target broadcast. */
  public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
    return call(L1_LOSS, tensors(2, input, target), new long[] {reduction.code("l1_loss")});
  }

  /** smoothL1Loss with beta 1, the mean. */
  public static Tensor smoothL1Loss(Tensor input, Tensor target) {
    return smoothL1Loss(input, target, Reduction.MEAN, 1.0);
  }

  /** 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target; beta 0 gives l1Loss). */
  public static Tensor smoothL1Loss(Tensor input, Tensor target, Reduction reduction, double beta) {
    return call(SMOOTH_L1_LOSS, tensors(2, input, target), new long[] {reduction.code("smooth_l1_loss")}, beta);
  }

  /** huberLoss with delta 1, the mean. */
  public static Tensor huberLoss(Tensor input, Tensor target) {
    return huberLoss(input, target, Reduction.MEAN, 1.0);
  }

  /** 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta); delta must be positive. */
  public static Tensor huberLoss(Tensor input, Tensor target, Reduction reduction, double delta) {
    return call(HUBER_LOSS, tensors(2, input, target), new long[] {reduction.code("huber_loss")}, delta);
  }

  /** klDiv with the mean over every element, target as probabilities. */
  public static Tensor klDiv(Tensor input, Tensor target) {
    return klDiv(input, target, Reduction.MEAN, false);
  }

  public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction) {
    return klDiv(input, target, reduction, false);
  }

  /**
   * target (log(target) - input), input holding log-probabilities; with logTarget the target holds
   * log-probabilities too: exp(target) (target - input). {@link Reduction#BATCHMEAN} is the sum divided by the
   * batch size (input.size(0)), the KL divergence's definition; MEAN divides by every element.
   */
  public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction, boolean logTarget) {
    long flag = logTarget ? 1 : 0;
    if (reduction != Reduction.BATCHMEAN)
      return call(KL_DIV, tensors(2, input, target), new long[] {reduction.code("kl_div"), flag});
    Tensor sum = call(KL_DIV, tensors(2, input, target), new long[] {Reduction.SUM.code("kl_div"), flag});
    if (input.dim() == 0) return sum;
    try (sum) {
      return sum.div(input.size(0));
    }
  }

  // ---------------------------------------------------------------- margins and embeddings

  public static Tensor marginRankingLoss(Tensor input1, Tensor input2, Tensor target) {
    return marginRankingLoss(input1, input2, target, 0.0, Reduction.MEAN);
  }

  /** max(0, -target (input1 - input2) + margin), target 1 or -1 (all three of the same number of dims). */
  public static Tensor marginRankingLoss(Tensor input1, Tensor input2, Tensor target, double margin,
                                         Reduction reduction) {
    long code = reduction.code("margin_ranking_loss");
    return call(MARGIN_RANKING_LOSS, tensors(3, input1, input2, target), new long[] {code}, margin);
  }

  public static Tensor cosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target) {
    return cosineEmbeddingLoss(input1, input2, target, 0.0, Reduction.MEAN);
  }

  /**
   * 1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1; the cosine along dim 1 of [N, D]
   * inputs (target [N]) or of one pair of [D] inputs (0-dim target).
   */
  public static Tensor cosineEmbeddingLoss(Tensor input1, Tensor input2, Tensor target, double margin,
                                           Reduction reduction) {
    return call(COSINE_EMBEDDING_LOSS, tensors(3, input1, input2, target),
        new long[] {reduction.code("cosine_embedding_loss")}, margin);
  }

  /** tripletMarginLoss with margin 1, the 2-norm, eps 1e-6, no swap, the mean. */
  public static Tensor tripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative) {
    return tripletMarginLoss(anchor, positive, negative, 1.0, 2.0, 1e-6, false, Reduction.MEAN);
  }

  /**
   * max(0, margin + d(anchor, positive) - d(anchor, negative)), d the p-norm of x1 - x2 + eps along the last dim;
   * with swap, the distance to the negative is the smaller of d(anchor, negative) and d(positive, negative).
   */
  public static Tensor tripletMarginLoss(Tensor anchor, Tensor positive, Tensor negative, double margin, double p,
                                         double eps, boolean swap, Reduction reduction) {
    return call(TRIPLET_MARGIN_LOSS, tensors(3, anchor, positive, negative),
        new long[] {reduction.code("triplet_margin_loss"), swap ? 1 : 0}, margin, p, eps);
  }

  /** tripletMarginWithDistanceLoss with the pairwise (2-norm) distance, margin 1, no swap, the mean. */
  public static Tensor tripletMarginWithDistanceLoss(Tensor anchor, Tensor positive, Tensor negative) {
    return tripletMarginWithDistanceLoss(anchor, positive, negative, null, 1.0, false, Reduction.MEAN);
  }

  /**
   * max(0, margin + d(anchor, positive) - d(anchor, negative)) for a distance function d of one's own (null: {@link
   * Distances#pairwiseDistance(Tensor, Tensor)}); with swap, the distance to the negative is the smaller of
   * d(anchor, negative) and d(positive, negative). margin must be positive (PyTorch 2's check). Composed in Java of
   * d and tensor ops (as PyTorch composes it in Python), so d's own gradient flows through.
   */
  public static Tensor tripletMarginWithDistanceLoss(Tensor anchor, Tensor positive, Tensor negative,
                                                     BinaryOperator<Tensor> distanceFunction, double margin,
                                                     boolean swap, Reduction reduction) {
    String op = "triplet_margin_with_distance_loss";
    if (!(margin > 0))
      throw new ArgumentException(op + ": expected margin to be greater than 0, got " + margin + " instead");
    Objects.requireNonNull(reduction, op + ": reduction is null");
    tensors(3, anchor, positive, negative);
    if (anchor.dim() != positive.dim() || positive.dim() != negative.dim())
      throw new ShapeException(op + ": The anchor, positive, and negative tensors are expected to have the same "
          + "number of dimensions, but got: anchor " + anchor.dim() + "D, positive " + positive.dim()
          + "D, and negative " + negative.dim() + "D inputs");
    BinaryOperator<Tensor> d = distanceFunction != null ? distanceFunction : Distances::pairwiseDistance;
    try (Tensor distPos = d.apply(anchor, positive); Tensor toNegative = d.apply(anchor, negative);
         Tensor swapped = swap ? d.apply(positive, negative) : null;
         Tensor distNeg = swap ? toNegative.minimum(swapped) : null;
         Tensor diff = distPos.sub(distNeg != null ? distNeg : toNegative);
         Tensor shifted = diff.add(margin)) {
      Tensor loss = shifted.clampMin(0.0);
      if (reduction == Reduction.NONE) return loss;
      try (loss) {
        return reduction == Reduction.SUM ? loss.sum() : loss.mean();
      }
    }
  }

  public static Tensor hingeEmbeddingLoss(Tensor input, Tensor target) {
    return hingeEmbeddingLoss(input, target, 1.0, Reduction.MEAN);
  }

  /** input where target is 1, max(0, margin - input) where it is -1 (both where it is neither). */
  public static Tensor hingeEmbeddingLoss(Tensor input, Tensor target, double margin, Reduction reduction) {
    return call(HINGE_EMBEDDING_LOSS, tensors(2, input, target), new long[] {reduction.code("hinge_embedding_loss")},
        margin);
  }

  public static Tensor softMarginLoss(Tensor input, Tensor target) {
    return softMarginLoss(input, target, Reduction.MEAN);
  }

  /** log(1 + exp(-target input)), target 1 or -1. */
  public static Tensor softMarginLoss(Tensor input, Tensor target, Reduction reduction) {
    return call(SOFT_MARGIN_LOSS, tensors(2, input, target), new long[] {reduction.code("soft_margin_loss")});
  }

  public static Tensor multilabelSoftMarginLoss(Tensor input, Tensor target) {
    return multilabelSoftMarginLoss(input, target, null, Reduction.MEAN);
  }

  /**
   * -(t log sigmoid(x) + (1 - t) log sigmoid(-x)), times weight (one per class, or null), averaged over the classes
   * (the last dim): one loss per sample before the reduction.
   */
  public static Tensor multilabelSoftMarginLoss(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
    return call(MULTILABEL_SOFT_MARGIN_LOSS, tensors(2, input, target, weight),
        new long[] {reduction.code("multilabel_soft_margin_loss")});
  }

  /** multiMarginLoss with p 1, margin 1, no weight, the mean. */
  public static Tensor multiMarginLoss(Tensor input, Tensor target) {
    return multiMarginLoss(input, target, 1, 1.0, null, Reduction.MEAN);
  }

  /**
   * The multi-class hinge loss: for each sample, the sum over the classes d other than its target y of max(0,
   * margin - input[y] + input[d])^p (p 1 or 2), times weight[y] (one weight per class, or null), over the number
   * of classes. input [N, C] or [C]; target int64 class indices [N] (or one).
   */
  public static Tensor multiMarginLoss(Tensor input, Tensor target, int p, double margin, Tensor weight,
                                       Reduction reduction) {
    return call(MULTI_MARGIN_LOSS, tensors(2, input, target, weight),
        new long[] {reduction.code("multi_margin_loss"), p}, margin);
  }

  public static Tensor multilabelMarginLoss(Tensor input, Tensor target) {
    return multilabelMarginLoss(input, target, Reduction.MEAN);
  }

  /**
   * The multi-label hinge loss: for each sample, the sum over its target classes j and the classes d that are not
   * targets of max(0, 1 - input[j] + input[d]), over the number of classes. target is int64 of the input's shape
   * ([N, C] or [C]): each sample's target classes first, ended by the first negative entry (-1).
   */
  public static Tensor multilabelMarginLoss(Tensor input, Tensor target, Reduction reduction) {
    return call(MULTILABEL_MARGIN_LOSS, tensors(2, input, target),
        new long[] {reduction.code("multilabel_margin_loss")});
  }

  // ---------------------------------------------------------------- sequences

  /** ctcLoss with blank 0, the mean, infinite losses kept. */
  public static Tensor ctcLoss(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths) {
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, 0, Reduction.MEAN, false);
  }

  /**
   * The connectionist temporal classification loss: -log of the summed probability of every alignment of each
   * target sequence to its input's frames (labels repeated over frames, blanks between). logProbs [T, N, C] holds
   * log-probabilities (from logSoftmax along dim 2), or [T, C] unbatched; targets int64 labels in [0, C), [N, S]
   * padded or 1-D concatenated; inputLengths and targetLengths one integer per sequence. MEAN divides each loss by its
   * target length, then averages over the batch; zeroInfinity sets losses of targets that no alignment fits (and
   * their gradients) to 0. The gradient is the exact derivative with respect to logProbs; PyTorch's kernel returns
   * exp(logProbs) more, which is the same gradient once it passes through logSoftmax.
   */
  public static Tensor ctcLoss(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths, int blank,
                               Reduction reduction, boolean zeroInfinity) {
    return call(CTC_LOSS, tensors(4, logProbs, targets, inputLengths, targetLengths),
        new long[] {blank, reduction.code("ctc_loss"), zeroInfinity ? 1 : 0});
  }

  public static Tensor ctcLoss(Tensor logProbs, Tensor targets, long[] inputLengths, long[] targetLengths) {
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, 0, Reduction.MEAN, false);
  }

  /** ctcLoss with the lengths as arrays, as PyTorch takes them as lists. */
  public static Tensor ctcLoss(Tensor logProbs, Tensor targets, long[] inputLengths, long[] targetLengths, int blank,
                               Reduction reduction, boolean zeroInfinity) {
    try (Tensor in = Tensor.of(inputLengths, inputLengths.length);
         Tensor out = Tensor.of(targetLengths, targetLengths.length)) {
      return ctcLoss(logProbs, targets, in, out, blank, reduction, zeroInfinity);
    }
  }

  // ---------------------------------------------------------------- likelihoods

  /** poissonNllLoss with logInput, not full, eps 1e-8, the mean. */
  public static Tensor poissonNllLoss(Tensor input, Tensor target) {
    return poissonNllLoss(input, target, true, false, 1e-8, Reduction.MEAN);
  }

  /**
   * The negative log likelihood of target under a Poisson distribution of rate exp(input) (logInput) or input:
   * exp(x) - t x, or x - t log(x + eps); full adds Stirling's approximation of log(t!) where t > 1.
   */
  public static Tensor poissonNllLoss(Tensor input, Tensor target, boolean logInput, boolean full, double eps,
                                      Reduction reduction) {
    return call(POISSON_NLL_LOSS, tensors(2, input, target),
        new long[] {reduction.code("poisson_nll_loss"), logInput ? 1 : 0, full ? 1 : 0}, eps);
  }

  /** gaussianNllLoss without the constant, eps 1e-6, the mean. */
  public static Tensor gaussianNllLoss(Tensor input, Tensor target, Tensor var) {
    return gaussianNllLoss(input, target, var, false, 1e-6, Reduction.MEAN);
  }

  /**
   * 0.5 (log(var) + (input - target)^2 / var), var (non-negative; the input's shape, one dim fewer, or a last dim of
   * 1) clamped from below at eps; full adds 0.5 log(2 pi).
   */
  public static Tensor gaussianNllLoss(Tensor input, Tensor target, Tensor var, boolean full, double eps,
                                       Reduction reduction) {
    return call(GAUSSIAN_NLL_LOSS, tensors(3, input, target, var),
        new long[] {reduction.code("gaussian_nll_loss"), full ? 1 : 0}, eps);
  }

  // ---------------------------------------------------------------- the native call

  /**
   * The handles of the tensors given: the first `required` must not be null; a null after them stands for an absent
   * optional tensor (a weight) and is left out.
   */
  private static long[] tensors(int required, Tensor... ts) {
    int given = 0;
    for (int i = 0; i < ts.length; i++) {
      if (i < required) Objects.requireNonNull(ts[i], "tensor argument " + i + " of a loss is null");
      if (ts[i] != null) given++;
    }
    long[] handles = new long[given];
    int next = 0;
    for (Tensor t : ts) if (t != null) handles[next++] = t.handle();
    return handles;
  }

  private static Tensor call(int op, long[] tensors, long[] ints, double... reals) {
    return Tensor.adopt(Core.call(op, Frame.of(tensors, ints, reals)));
  }
}
