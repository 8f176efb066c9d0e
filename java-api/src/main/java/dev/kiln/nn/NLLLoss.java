package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The negative log likelihood of class indices under log-probabilities along dim 1 (torch.nn.NLLLoss); the weighted
 * mean divides by the summed weights of the targets other than ignoreIndex. The class weights are the buffer
 * "weight".
 *
 * <pre>{@code
 * Tensor loss = new NLLLoss().call(logits.logSoftmax(1), labels);
 * }</pre>
 */
public class NLLLoss extends Loss {
  /** One weight per class, or null. */
  public final Tensor weight;
  public final long ignoreIndex;

  public NLLLoss() {
    this(null, -100, Reduction.MEAN);
  }

  public NLLLoss(Reduction reduction) {
    this(null, -100, reduction);
  }

  public NLLLoss(Tensor weight, long ignoreIndex, Reduction reduction) {
    super(reduction);
    this.weight = registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.nllLoss(input, target, weight, ignoreIndex, reduction);
  }
}
