package dev.kiln.nn;

import dev.kiln.Tensor;

/**
 * Instance norm of [N, C, H, W] (or [C, H, W]) inputs (torch.nn.InstanceNorm2d): defaults eps 1e-5, momentum 0.1, no
 * affine, no running statistics.
 */
public class InstanceNorm2d extends InstanceNorm {
  public InstanceNorm2d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, false, false);
  }

  public InstanceNorm2d(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected int noBatchDims() {
    return 3;
  }

  @Override
  protected void checkInputDim(Tensor input) {
    BatchNorm.requireDims(input, "3D or 4D", 3, 4);
  }
}
