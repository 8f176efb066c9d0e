package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/**
 * The power-average pool over sliding windows of [N, C, H, W] or [C, H, W] input (torch.nn.LPPool2d): (sum of
 * x^p)^(1/p) per window, p = normType; no padding; stride defaults to the kernel size.
 */
public class LPPool2d extends LPPoolNd {
  public LPPool2d(double normType, int kernelSize) {
    super(normType, new int[] {kernelSize, kernelSize}, null, false, true);
  }

  /** Per-dim sizes (height, width); stride null: the kernel size. */
  public LPPool2d(double normType, int[] kernelSize, int[] stride, boolean ceilMode) {
    super(normType, kernelSize, stride, ceilMode, false);
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.lpPool2d(input, normType, kernelSize, stride, ceilMode);
  }
}
