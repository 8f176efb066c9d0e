package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;

/**
 * What the lazy batch and instance norms share (torch.nn.modules.batchnorm._LazyNormBase): num_features is the
 * channel dim of the first input; weight, bias and the running statistics wait for it, num_batches_tracked starts
 * at 0 as in PyTorch.
 */
public abstract class LazyNormBase<M extends NormBase> extends LazyModule<M> {
  final double eps;
  final Double momentum;
  final boolean affine, trackRunningStats;

  LazyNormBase(double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    lazyParameter("weight", affine);
    lazyParameter("bias", affine);
    lazyBuffer("running_mean", trackRunningStats ? Tensor.empty(DType.FLOAT32, 0) : null);
    lazyBuffer("running_var", trackRunningStats ? Tensor.empty(DType.FLOAT32, 0) : null);
    lazyBuffer("num_batches_tracked", trackRunningStats ? Tensor.zeros(DType.INT64) : null);
  }

  /** The channel dim of the input: 1 (batch norm, batched instance norm) or 0 (unbatched instance norm). */
  protected int channelDim(Tensor input) {
    return 1;
  }

  @Override
  protected int inferSize(Tensor input) {
    int c = channelDim(input);
    if (input.dim() <= c)
      throw new ShapeException(name() + ": expected an input with a channel dim, got shape "
          + java.util.Arrays.toString(input.shape()));
    return Math.toIntExact(input.shape()[c]);
  }

  @Override
  protected int sizeFromState(String name, Tensor t) {
    return t.dim() == 1 && !name.equals("num_batches_tracked") ? Math.toIntExact(t.shape()[0]) : -1;
  }

  @Override
  protected String extraRepr() {
    return NormBase.repr(0, eps, momentum, affine, trackRunningStats);
  }
}
