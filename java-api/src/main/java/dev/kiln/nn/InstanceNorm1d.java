package dev.kiln.nn;

import dev.kiln.Tensor;

/**
 * Instance norm of [N, C, L] (or [C, L]) inputs (torch.nn.InstanceNorm1d): defaults eps 1e-5, momentum 0.1, no
 * affine, no running statistics.
 */
public class InstanceNorm1d extends InstanceNorm {
  public InstanceNorm1d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, false, false);
  }

  public InstanceNorm1d(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected int noBatchDims() {
    return 2;
  }

  @Override
  protected void checkInputDim(Tensor input) {
    BatchNorm.requireDims(input, "2D or 3D", 2, 3);
  }
}
