package dev.kiln.nn;

/**
 * Batch norm of [N, C, D, H, W] inputs whose num_features is C of its first input (torch.nn.LazyBatchNorm3d; defaults
 * eps 1e-5, momentum 0.1, affine, tracking running statistics); it then becomes that BatchNorm3d.
 */
public class LazyBatchNorm3d extends LazyNormBase<BatchNorm3d> {
  public LazyBatchNorm3d() {
    this(1e-5, 0.1, true, true);
  }

  /** momentum null: a cumulative moving average. */
  public LazyBatchNorm3d(double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected BatchNorm3d build(int size) {
    return new BatchNorm3d(size, eps, momentum, affine, trackRunningStats);
  }
}
