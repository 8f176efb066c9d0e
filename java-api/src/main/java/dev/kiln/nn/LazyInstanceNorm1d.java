package dev.kiln.nn;

import dev.kiln.Tensor;

/**
 * Instance norm of [N, C, L] or [C, L] inputs whose num_features is C of its first input (torch.nn.LazyInstanceNorm1d;
 * defaults eps 1e-5, momentum 0.1, affine and tracking running statistics, as PyTorch's, unlike InstanceNorm's); it
 * then becomes that InstanceNorm1d.
 */
public class LazyInstanceNorm1d extends LazyNormBase<InstanceNorm1d> {
  public LazyInstanceNorm1d() {
    this(1e-5, 0.1, true, true);
  }

  public LazyInstanceNorm1d(double eps, double momentum, boolean affine, boolean trackRunningStats) {
    super(eps, momentum, affine, trackRunningStats);
  }

  /** C is dim 0 of an unbatched input. */
  @Override
  protected int channelDim(Tensor input) {
    return input.dim() == 2 ? 0 : 1;
  }

  @Override
  protected InstanceNorm1d build(int size) {
    return new InstanceNorm1d(size, eps, momentum, affine, trackRunningStats);
  }
}
