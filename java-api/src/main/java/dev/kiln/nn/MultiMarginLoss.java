package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The multi-class hinge loss (torch.nn.MultiMarginLoss): for each sample, the sum over the classes d other than its
 * target y of max(0, margin - x[y] + x[d])^p (p 1 or 2), times weight[y], over the number of classes. The class
 * weights are the buffer "weight".
 *
 * <pre>{@code
 * Tensor loss = new MultiMarginLoss().call(scores, labels);   // scores [N, C], labels int64 [N]
 * }</pre>
 */
public class MultiMarginLoss extends Loss {
  public final int p;
  public final double margin;
  /** One weight per class, or null. */
  public final Tensor weight;

  public MultiMarginLoss() {
    this(1, 1.0, null, Reduction.MEAN);
  }

  public MultiMarginLoss(Reduction reduction) {
    this(1, 1.0, null, reduction);
  }

  public MultiMarginLoss(int p, double margin, Tensor weight, Reduction reduction) {
    super(reduction);
    if (p != 1 && p != 2) throw new IllegalArgumentException("MultiMarginLoss: only p == 1 and p == 2 supported, got " + p);
    this.p = p;
    this.margin = margin;
    this.weight = registerBuffer("weight", weight);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.multiMarginLoss(input, target, p, margin, weight, reduction);
  }
}
