package dev.kiln.examples.fashion;

import dev.kiln.Tensor;

/** Mean cross-entropy of logits [n, classes] against int64 class labels [n]. */
final class CrossEntropy {
  private CrossEntropy() {}

  static Tensor mean(Tensor logits, Tensor labels) {
    Tensor shifted = logits.sub(logits.max(1, true).values().detach());
    Tensor logProbs = shifted.sub(shifted.exp().sum(1, true).log());
    return logProbs.gather(1, labels.unsqueeze(1)).mean().neg();
  }
}
