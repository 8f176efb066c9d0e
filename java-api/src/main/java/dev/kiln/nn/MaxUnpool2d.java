package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/**
 * The inverse of MaxPool2d (torch.nn.MaxUnpool2d): the output size is (in - 1) * stride - 2 * padding + kernel per
 * dim unless given (2 values, or 4 with N and C).
 */
public class MaxUnpool2d extends MaxUnpoolNd {
  public MaxUnpool2d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public MaxUnpool2d(int kernelSize, int stride, int padding) {
    super(new int[] {kernelSize, kernelSize}, new int[] {stride, stride}, new int[] {padding, padding});
  }

  /** Per-dim sizes (height, width); stride null: the kernel size. */
  public MaxUnpool2d(int[] kernelSize, int[] stride, int[] padding) {
    super(kernelSize, stride, padding);
  }

  @Override
  public Tensor forward(Tensor input, Tensor indices, long[] outputSize) {
    return Pooling.maxUnpool2d(input, indices, kernelSize, stride, padding, outputSize);
  }
}
