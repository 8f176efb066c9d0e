package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Normalization;

/**
 * Instance norm, as PyTorch's _InstanceNorm: each (sample, channel) normalized over its own elements. With
 * trackRunningStats the running statistics average the instances' in training and are used in evaluation. An
 * input without a batch dim is normalized as a batch of one.
 */
public abstract class InstanceNorm extends NormBase {
  protected InstanceNorm(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  /** The dims of an input without a batch dim (2 for InstanceNorm1d: [C, L]). */
  protected abstract int noBatchDims();

  /** Throws IllegalArgumentException when input does not have the dims this layer takes. */
  protected abstract void checkInputDim(Tensor input);

  @Override
  public Tensor forward(Tensor input) {
    checkInputDim(input);
    int featureDim = input.dim() - noBatchDims();
    if (affine && input.size(featureDim) != numFeatures)
      throw new IllegalArgumentException("expected input's size at dim=" + featureDim + " to match num_features ("
          + numFeatures + "), but got: " + input.size(featureDim) + ".");
    if (input.dim() == noBatchDims()) return normalize(input.unsqueeze(0)).squeeze(0);
    return normalize(input);
  }

  private Tensor normalize(Tensor input) {
    if (momentum == null) // settable on NormBase (update_bn's cumulative average), which instance norm has no form of
      throw new dev.kiln.ArgumentException(getClass().getSimpleName() + ": momentum must be a number, got None");
    return Normalization.instanceNorm(input, runningMean, runningVar, tensor("weight"), tensor("bias"),
        isTraining() || !trackRunningStats, momentum, eps);
  }
}
