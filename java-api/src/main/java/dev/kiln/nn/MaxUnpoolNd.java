package dev.kiln.nn;

import dev.kiln.Tensor;

/**
 * What MaxUnpool1d, 2d and 3d share: their sizes per dim (printed as tuples, as PyTorch keeps them) and the two-
 * input call: call(input, indices[, outputSize]) puts each value at its index of a zero output, the rest 0.
 */
public abstract class MaxUnpoolNd extends Module {
  protected final int[] kernelSize, stride, padding;

  MaxUnpoolNd(int[] kernelSize, int[] stride, int[] padding) {
    this.kernelSize = kernelSize.clone();
    this.stride = (stride == null ? kernelSize : stride).clone();
    this.padding = padding.clone();
  }

  /** forward(input, indices) with the hooks. */
  public Tensor call(Tensor input, Tensor indices) {
    return call(input, indices, null);
  }

  /** forward(input, indices, outputSize) with the hooks; outputSize: the spatial sizes (or with N and C), or null. */
  public Tensor call(Tensor input, Tensor indices, long[] outputSize) {
    return callWithHooks(new Tensor[] {input, indices}, in -> forward(in[0], in[1], outputSize));
  }

  public abstract Tensor forward(Tensor input, Tensor indices, long[] outputSize);

  @Override
  protected String extraRepr() {
    return "kernel_size=" + PyRepr.tuple(kernelSize) + ", stride=" + PyRepr.tuple(stride) + ", padding="
        + PyRepr.tuple(padding);
  }
}
