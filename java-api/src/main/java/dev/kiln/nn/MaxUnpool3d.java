package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/**
 * The inverse of MaxPool3d (torch.nn.MaxUnpool3d): the output size is (in - 1) * stride - 2 * padding + kernel per
 * dim unless given (3 values, or 5 with N and C).
 */
public class MaxUnpool3d extends MaxUnpoolNd {
  public MaxUnpool3d(int kernelSize) {
    this(kernelSize, kernelSize, 0);
  }

  public MaxUnpool3d(int kernelSize, int stride, int padding) {
    super(new int[] {kernelSize, kernelSize, kernelSize}, new int[] {stride, stride, stride},
        new int[] {padding, padding, padding});
  }

  /** Per-dim sizes (depth, height, width); stride null: the kernel size. */
  public MaxUnpool3d(int[] kernelSize, int[] stride, int[] padding) {
    super(kernelSize, stride, padding);
  }

  @Override
  public Tensor forward(Tensor input, Tensor indices, long[] outputSize) {
    return Pooling.maxUnpool3d(input, indices, kernelSize, stride, padding, outputSize);
  }
}
