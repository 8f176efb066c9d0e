package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * Multi-label one-versus-all logistic loss (torch.nn.MultiLabelSoftMarginLoss): the binary cross entropy of each
 * class's logit against a 0/1 target, averaged over the classes (the last dim). The class weights are the buffer
 * "weight".
 *
 * <pre>{@code
 * Tensor loss = new MultiLabelSoftMarginLoss().call(logits, labels);   // labels [N, C] of 0 and 1
 * }</pre>
 */
public class MultiLabelSoftMarginLoss extends Loss {
  /** One weight per class, or null. */
  public final Tensor weight;

  public MultiLabelSoftMarginLoss() {
    this(null, Reduction.MEAN);
  }

  public MultiLabelSoftMarginLoss(Reduction reduction) {
    this(null, reduction);
  }

  public MultiLabelSoftMarginLoss(Tensor weight, Reduction reduction) {
    super(reduction);
    this.weight = registerBuffer("weight", weight);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.multilabelSoftMarginLoss(input, target, weight, reduction);
  }
}
