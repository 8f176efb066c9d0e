package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/**
 * The inverse of MaxPool1d (torch.nn.MaxUnpool1d): the output length is (L - 1) * stride - 2 * padding + kernel
 * unless given (1 value, or 3 with N and C).
 */
public class MaxUnpool1d extends MaxUnpoolNd {
  public MaxUnpool1d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public MaxUnpool1d(int kernelSize, int stride, int padding) {
    super(new int[] {kernelSize}, new int[] {stride}, new int[] {padding});
  }

  @Override
  public Tensor forward(Tensor input, Tensor indices, long[] outputSize) {
    return Pooling.maxUnpool1d(input, indices, kernelSize[0], stride[0], padding[0], outputSize);
  }
}
