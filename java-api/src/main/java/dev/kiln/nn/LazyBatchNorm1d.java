package dev.kiln.nn;

/**
 * Batch norm of [N, C] or [N, C, L] inputs whose num_features is C of its first input (torch.nn.LazyBatchNorm1d;
 * defaults eps 1e-5, momentum 0.1, affine, tracking running statistics); it then becomes that BatchNorm1d.
 */
public class LazyBatchNorm1d extends LazyNormBase<BatchNorm1d> {
  public LazyBatchNorm1d() {
    this(1e-5, 0.1, true, true);
  }

  /** momentum null: a cumulative moving average. */
  public LazyBatchNorm1d(double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected BatchNorm1d build(int size) {
    return new BatchNorm1d(size, eps, momentum, affine, trackRunningStats);
  }
}
