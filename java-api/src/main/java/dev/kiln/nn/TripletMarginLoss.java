package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The triplet margin loss (torch.nn.TripletMarginLoss): max(0, margin + d(anchor, positive) - d(anchor, negative)),
 * d the p-norm distance along the last dim; swap takes the distance to the negative as the smaller of d(anchor,
 * negative) and d(positive, negative). Called with three tensors: anchor, positive, negative.
 *
 * <pre>{@code
 * Tensor loss = new TripletMarginLoss().call(anchor, positive, negative);
 * }</pre>
 */
public class TripletMarginLoss extends Loss {
  public final double margin;
  public final double p;
  public final double eps;
  public final boolean swap;

  public TripletMarginLoss() {
    this(1.0, 2.0, 1e-6, false, Reduction.MEAN);
  }

  public TripletMarginLoss(Reduction reduction) {
    this(1.0, 2.0, 1e-6, false, reduction);
  }

  public TripletMarginLoss(double margin, double p, double eps, boolean swap, Reduction reduction) {
    super(reduction);
    this.margin = margin;
    this.p = p;
    this.eps = eps;
    this.swap = swap;
  }

  @Override
  public Tensor forward(Tensor anchor, Tensor positive, Tensor negative) {
    return Losses.tripletMarginLoss(anchor, positive, negative, margin, p, eps, swap, reduction);
  }
}
