package dev.kiln.nn;

import dev.kiln.Tensor;

/**
 * Instance norm of [N, C, D, H, W] (or [C, D, H, W]) inputs (torch.nn.InstanceNorm3d): defaults eps 1e-5, momentum 0.1, no
 * affine, no running statistics.
 */
public class InstanceNorm3d extends InstanceNorm {
  public InstanceNorm3d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, false, false);
  }

  public InstanceNorm3d(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected int noBatchDims() {
    return 4;
  }

  @Override
  protected void checkInputDim(Tensor input) {
    BatchNorm.requireDims(input, "4D or 5D", 4, 5);
  }
}
