package dev.kiln.nn;

import dev.kiln.Tensor;

/**
 * Instance norm of [N, C, H, W] or [C, H, W] inputs whose num_features is C of its first input
 * (torch.nn.LazyInstanceNorm2d; defaults eps 1e-5, momentum 0.1, affine and tracking running statistics, as PyTorch's,
 * unlike InstanceNorm's); it then becomes that InstanceNorm2d.
 */
public class LazyInstanceNorm2d extends LazyNormBase<InstanceNorm2d> {
  public LazyInstanceNorm2d() {
    this(1e-5, 0.1, true, true);
  }

  public LazyInstanceNorm2d(double eps, double momentum, boolean affine, boolean trackRunningStats) {
    super(eps, momentum, affine, trackRunningStats);
  }

  /** C is dim 0 of an unbatched input. */
  @Override
  protected int channelDim(Tensor input) {
    return input.dim() == 3 ? 0 : 1;
  }

  @Override
  protected InstanceNorm2d build(int size) {
    return new InstanceNorm2d(size, eps, momentum, affine, trackRunningStats);
  }
}
