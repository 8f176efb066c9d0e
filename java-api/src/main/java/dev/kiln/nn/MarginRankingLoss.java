package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The margin ranking loss (torch.nn.MarginRankingLoss): max(0, -target (input1 - input2) + margin), target 1 where
 * input1 should rank higher, -1 where input2 should. Called with three tensors.
 *
 * <pre>{@code
 * Tensor loss = new MarginRankingLoss(0.1, Reduction.MEAN).call(scoreA, scoreB, order);
 * }</pre>
 */
public class MarginRankingLoss extends Loss {
  public final double margin;

  public MarginRankingLoss() {
    this(0.0, Reduction.MEAN);
  }

  public MarginRankingLoss(Reduction reduction) {
    this(0.0, reduction);
  }

  public MarginRankingLoss(double margin, Reduction reduction) {
    super(reduction);
    this.margin = margin;
  }

  @Override
  public Tensor forward(Tensor input1, Tensor input2, Tensor target) {
    return Losses.marginRankingLoss(input1, input2, target, margin, reduction);
  }
}
