package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/**
 * The power-average pool over sliding windows of [N, C, L] or [C, L] input (torch.nn.LPPool1d): (sum of x^p)^(1/p)
 * per window, p = normType (1: the sum; infinity is not supported); no padding; stride defaults to the kernel size.
 */
public class LPPool1d extends LPPoolNd {
  public LPPool1d(double normType, int kernelSize) {
    super(normType, new int[] {kernelSize}, null, false, true);
  }

  /** stride null: the kernel size. */
  public LPPool1d(double normType, int kernelSize, Integer stride, boolean ceilMode) {
    super(normType, new int[] {kernelSize}, stride == null ? null : new int[] {stride}, ceilMode, true);
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.lpPool1d(input, normType, kernelSize[0], stride == null ? 0 : stride[0], ceilMode);
  }
}
