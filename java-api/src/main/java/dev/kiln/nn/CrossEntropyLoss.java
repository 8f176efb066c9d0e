package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * Cross entropy of logits against class indices or class probabilities (torch.nn.CrossEntropyLoss): log_softmax
 * along dim 1 and the negative log likelihood, one fused native op. The class weights, when given, are the buffer
 * "weight".
 *
 * <pre>{@code
 * Tensor loss = new CrossEntropyLoss().call(logits, labels);          // logits [N, C], labels int64 [N]
 * Tensor smoothed = new CrossEntropyLoss(null, -100, Reduction.MEAN, 0.1).call(logits, labels);
 * }</pre>
 */
public class CrossEntropyLoss extends Loss {
  /** One weight per class, or null. */
  public final Tensor weight;
  public final long ignoreIndex;
  public final double labelSmoothing;

  public CrossEntropyLoss() {
    this(null, -100, Reduction.MEAN, 0.0);
  }

  public CrossEntropyLoss(Reduction reduction) {
    this(null, -100, reduction, 0.0);
  }

  /** PyTorch's arguments in its order (the deprecated size_average and reduce left out). */
  public CrossEntropyLoss(Tensor weight, long ignoreIndex, Reduction reduction, double labelSmoothing) {
    super(reduction);
    this.weight = registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = labelSmoothing;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.crossEntropy(input, target, weight, ignoreIndex, reduction, labelSmoothing);
  }
}
