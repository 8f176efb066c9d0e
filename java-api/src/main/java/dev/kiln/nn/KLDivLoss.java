package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The Kullback-Leibler divergence of the target from the input, which holds log-probabilities (torch.nn.KLDivLoss);
 * with logTarget the target holds log-probabilities too. {@link Reduction#BATCHMEAN} divides the sum by the batch
 * size, the divergence's definition; MEAN (the default, as in PyTorch) divides by every element.
 *
 * <pre>{@code
 * Tensor loss = new KLDivLoss(Reduction.BATCHMEAN, false).call(logits.logSoftmax(1), teacherProbabilities);
 * }</pre>
 */
public class KLDivLoss extends Loss {
  public final boolean logTarget;

  public KLDivLoss() {
    this(Reduction.MEAN, false);
  }

  public KLDivLoss(Reduction reduction) {
    this(reduction, false);
  }

  public KLDivLoss(Reduction reduction, boolean logTarget) {
    super(reduction);
    this.logTarget = logTarget;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.klDiv(input, target, reduction, logTarget);
  }
}
