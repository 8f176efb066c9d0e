package dev.kiln.nn;

import dev.kiln.Tensor;

/**
 * Instance norm of [N, C, D, H, W] or [C, D, H, W] inputs whose num_features is C of its first input
 * (torch.nn.LazyInstanceNorm3d; defaults eps 1e-5, momentum 0.1, affine and tracking running statistics, as PyTorch's,
 * unlike InstanceNorm's); it then becomes that InstanceNorm3d.
 */
public class LazyInstanceNorm3d extends LazyNormBase<InstanceNorm3d> {
  public LazyInstanceNorm3d() {
    this(1e-5, 0.1, true, true);
  }

  public LazyInstanceNorm3d(double eps, double momentum, boolean affine, boolean trackRunningStats) {
    super(eps, momentum, affine, trackRunningStats);
  }

  /** C is dim 0 of an unbatched input. */
  @Override
  protected int channelDim(Tensor input) {
    return input.dim() == 4 ? 0 : 1;
  }

  @Override
  protected InstanceNorm3d build(int size) {
    return new InstanceNorm3d(size, eps, momentum, affine, trackRunningStats);
  }
}
