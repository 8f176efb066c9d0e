package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The multi-label hinge loss (torch.nn.MultiLabelMarginLoss): for each sample, the sum over its target classes j
 * and the classes d that are not targets of max(0, 1 - x[j] + x[d]), over the number of classes. The target is int64
 * of the input's shape: each sample's target classes first, ended by the first -1.
 *
 * <pre>{@code
 * Tensor target = Tensor.of(new long[] {3, 0, -1, 1}, 1, 4);   // classes 3 and 0
 * Tensor loss = new MultiLabelMarginLoss().call(scores, target);
 * }</pre>
 */
public class MultiLabelMarginLoss extends Loss {
  public MultiLabelMarginLoss() {
    super(Reduction.MEAN);
  }

  public MultiLabelMarginLoss(Reduction reduction) {
    super(reduction);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.multilabelMarginLoss(input, target, reduction);
  }
}
