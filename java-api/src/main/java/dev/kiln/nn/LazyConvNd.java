package dev.kiln.nn;

import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * What the lazy convolutions share (torch.nn.modules.conv._LazyConvXdMixin): in_channels is dim 1 of the first
 * input (dim 0 unbatched); the options' own in_channels is ignored. The other settings are checked when it is made.
 */
public abstract class LazyConvNd<M extends ConvNd> extends LazyModule<M> {
  final int dims;
  final boolean transposed;
  final ConvOptions options;

  LazyConvNd(int dims, boolean transposed, ConvOptions options) {
    ConvNd.validate(getClass().getSimpleName(), dims, transposed, options);
    this.dims = dims;
    this.transposed = transposed;
    this.options = options.withInChannels(0);
    lazyParameter("weight", true);
    lazyParameter("bias", options.bias);
  }

  @Override
  protected int inferSize(Tensor input) {
    int d = input.dim();
    if (d != dims + 1 && d != dims + 2)
      throw new ShapeException("Expected " + (dims + 1) + "D (unbatched) or " + (dims + 2) + "D (batched) input to "
          + name() + ", but got input of size: " + Arrays.toString(input.shape()));
    return Math.toIntExact(input.shape()[d == dims + 2 ? 1 : 0]);
  }

  /** The weight is [out, in / groups, ...], or [in, out / groups, ...] when transposed. */
  @Override
  protected int sizeFromState(String name, Tensor t) {
    if (!name.equals("weight") || t.dim() != dims + 2) return -1;
    return Math.toIntExact(transposed ? t.shape()[0] : t.shape()[1] * options.groups);
  }

  @Override
  protected String extraRepr() {
    return ConvNd.repr(dims, 0, options, options.paddingString);
  }
}
