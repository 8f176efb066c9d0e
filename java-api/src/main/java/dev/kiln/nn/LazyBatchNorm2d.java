package dev.kiln.nn;

/**
 * Batch norm of [N, C, H, W] inputs whose num_features is C of its first input (torch.nn.LazyBatchNorm2d; defaults eps
 * 1e-5, momentum 0.1, affine, tracking running statistics); it then becomes that BatchNorm2d.
 */
public class LazyBatchNorm2d extends LazyNormBase<BatchNorm2d> {
  public LazyBatchNorm2d() {
    this(1e-5, 0.1, true, true);
  }

  /** momentum null: a cumulative moving average. */
  public LazyBatchNorm2d(double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected BatchNorm2d build(int size) {
    return new BatchNorm2d(size, eps, momentum, affine, trackRunningStats);
  }
}
