package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The hinge embedding loss (torch.nn.HingeEmbeddingLoss): the input (a distance, say) where target is 1, max(0,
 * margin - input) where it is -1.
 *
 * <pre>{@code
 * Tensor loss = new HingeEmbeddingLoss(2.0, Reduction.MEAN).call(distances, similar);
 * }</pre>
 */
public class HingeEmbeddingLoss extends Loss {
  public final double margin;

  public HingeEmbeddingLoss() {
    this(1.0, Reduction.MEAN);
  }

  public HingeEmbeddingLoss(Reduction reduction) {
    this(1.0, reduction);
  }

  public HingeEmbeddingLoss(double margin, Reduction reduction) {
    super(reduction);
    this.margin = margin;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return Losses.hingeEmbeddingLoss(input, target, margin, reduction);
  }
}
