package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;
import java.util.function.BinaryOperator;

/**
 * The triplet margin loss with a distance of one's own (torch.nn.TripletMarginWithDistanceLoss): max(0, margin +
 * d(anchor, positive) - d(anchor, negative)); d defaults to the pairwise 2-norm distance, and may be any function of
 * two tensors (a module's call included); swap takes the distance to the negative as the smaller of d(anchor,
 * negative) and d(positive, negative). Called with three tensors: anchor, positive, negative.
 *
 * <pre>{@code
 * var cosine = new CosineSimilarity();
 * var loss = new TripletMarginWithDistanceLoss((a, b) -> cosine.call(a, b).neg().add(1.0), 0.5, false, Reduction.MEAN);
 * Tensor l = loss.call(anchor, positive, negative);
 * }</pre>
 */
public class TripletMarginWithDistanceLoss extends Loss {
  /** The distance: the one given, or a child PairwiseDistance module (as PyTorch keeps it). */
  public final BinaryOperator<Tensor> distanceFunction;
  public final double margin;
  public final boolean swap;

  public TripletMarginWithDistanceLoss() {
    this(null, 1.0, false, Reduction.MEAN);
  }

  public TripletMarginWithDistanceLoss(BinaryOperator<Tensor> distanceFunction, double margin, boolean swap,
                                       Reduction reduction) {
    super(reduction);
    if (!(margin > 0))
      throw new IllegalArgumentException(
          "TripletMarginWithDistanceLoss: expected margin to be greater than 0, got " + margin + " instead");
    if (distanceFunction == null) {
      PairwiseDistance pairwise = registerModule("distance_function", new PairwiseDistance());
      distanceFunction = pairwise::call;
    }
    this.distanceFunction = distanceFunction;
    this.margin = margin;
    this.swap = swap;
  }

  @Override
  public Tensor forward(Tensor anchor, Tensor positive, Tensor negative) {
    return Losses.tripletMarginWithDistanceLoss(anchor, positive, negative, distanceFunction, margin, swap, reduction);
  }
}
