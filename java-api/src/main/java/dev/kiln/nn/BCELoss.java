package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * Binary cross entropy of probabilities in [0, 1] (torch.nn.BCELoss), each log clamped at -100. The weight, which
 * broadcasts to the input's shape, is the buffer "weight". For logits, BCEWithLogitsLoss is the stable choice.
 *
 * <pre>{@code
 * Tensor loss = new BCELoss().call(logits.sigmoid(), labels);
 * }</pre>
 */
public class BCELoss extends Loss {
  /** A weight per element (broadcast), or null. */
  public final Tensor weight;

  public BCELoss() {
    this(null, Reduction.MEAN);
  }

  public BCELoss(Reduction reduction) {
    this(null, reduction);
  }

  public BCELoss(Tensor weight, Reduction reduction) {
    super(reduction);
    this.weight = registerBuffer("weight", weight);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.binaryCrossEntropy(input, target, weight, reduction);
  }
}
