package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Losses;
import dev.kiln.nn.functional.Reduction;

/**
 * The cosine embedding loss (torch.nn.CosineEmbeddingLoss): 1 - cos(input1, input2) where target is 1, max(0, cos -
 * margin) where it is -1. Called with three tensors: input1 and input2 ([N, D], or [D] with a 0-dim target) and the
 * target.
 *
 * <pre>{@code
 * Tensor loss = new CosineEmbeddingLoss(0.5, Reduction.MEAN).call(a, b, same);
 * }</pre>
 */
public class CosineEmbeddingLoss extends Loss {
  public final double margin;

  public CosineEmbeddingLoss() {
    this(0.0, Reduction.MEAN);
  }

  public CosineEmbeddingLoss(Reduction reduction) {
    this(0.0, reduction);
  }

  public CosineEmbeddingLoss(double margin, Reduction reduction) {
    super(reduction);
    this.margin = margin;
  }

  @Override
  public Tensor forward(Tensor input1, Tensor input2, Tensor target) {
    return Losses.cosineEmbeddingLoss(input1, input2, target, margin, reduction);
  }
}
