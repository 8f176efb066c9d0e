package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * Binary cross entropy of sigmoid(input), computed without overflow for any logit (torch.nn.BCEWithLogitsLoss).
 * weight scales each element and posWeight the positive term (one value per class along the last dim, say, to
 * weigh rare positives up); they are the buffers "weight" and "pos_weight".
 *
 * <pre>{@code
 * Tensor loss = new BCEWithLogitsLoss(null, Reduction.MEAN, Tensor.full(3.0, 5)).call(logits, labels);
 * }</pre>
 */
public class BCEWithLogitsLoss extends Loss {
  /** A weight per element (broadcast), or null. */
  public final Tensor weight;
  /** The weight of positive targets (broadcast), or null. */
  public final Tensor posWeight;

  public BCEWithLogitsLoss() {
    this(null, Reduction.MEAN, null);
  }

  public BCEWithLogitsLoss(Reduction reduction) {
    this(null, reduction, null);
  }

  /** PyTorch's arguments in its order: weight, reduction, pos_weight. */
  public BCEWithLogitsLoss(Tensor weight, Reduction reduction, Tensor posWeight) {
    super(reduction);
    this.weight = registerBuffer("weight", weight);
    this.posWeight = registerBuffer("pos_weight", posWeight);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.binaryCrossEntropyWithLogits(input, target, weight, reduction, posWeight);
  }
}
