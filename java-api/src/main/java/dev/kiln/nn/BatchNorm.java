package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.functional.Normalization;

/**
 * Batch norm over the channels (dim 1) of its input, as PyTorch's _BatchNorm: in training the batch's statistics,
 * with the running statistics (when tracked) moved towards them by momentum, or by 1 / batches seen when momentum
 * is null; in evaluation the running statistics. BatchNorm1d, BatchNorm2d and BatchNorm3d only check the input's
 * dims.
 */
public abstract class BatchNorm extends NormBase {
  protected BatchNorm(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  /** Throws IllegalArgumentException when input does not have the dims this layer takes. */
  protected abstract void checkInputDim(Tensor input);

  @Override
  public Tensor forward(Tensor input) {
    checkInputDim(input);
    double factor = momentum == null ? 0.0 : momentum;
    if (isTraining() && trackRunningStats) {
      try (ModeScope g = Autograd.noGrad()) {
        numBatchesTracked.add_(1L);
      }
      if (momentum == null) factor = 1.0 / numBatchesTracked.itemLong();
    }
    boolean batchStats = isTraining() || !trackRunningStats;
    boolean useRunning = !isTraining() || trackRunningStats;
    return Normalization.batchNorm(input, useRunning ? runningMean : null, useRunning ? runningVar : null, tensor("weight"),
        tensor("bias"), batchStats, factor, eps);
  }

  /** The check every subclass makes: one of the allowed dims, PyTorch's message. */
  static void requireDims(Tensor input, String what, int... dims) {
    for (int d : dims) if (input.dim() == d) return;
    throw new IllegalArgumentException("expected " + what + " input (got " + input.dim() + "D input)");
  }
}
