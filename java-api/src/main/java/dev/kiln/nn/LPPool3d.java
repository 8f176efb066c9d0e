package dev.kiln.nn;

import dev.kiln.Tensor;
import dev.kiln.nn.functional.Pooling;

/**
 * The power-average pool over sliding windows of [N, C, D, H, W] or [C, D, H, W] input (torch.nn.LPPool3d, PyTorch
 * 2.2 on): (sum of x^p)^(1/p) per window, p = normType; no padding; stride defaults to the kernel size.
 */
public class LPPool3d extends LPPoolNd {
  public LPPool3d(double normType, int kernelSize) {
    super(normType, new int[] {kernelSize, kernelSize, kernelSize}, null, false, true);
  }

  /** Per-dim sizes (depth, height, width); stride null: the kernel size. */
  public LPPool3d(double normType, int[] kernelSize, int[] stride, boolean ceilMode) {
    super(normType, kernelSize, stride, ceilMode, false);
  }

  @Override
  public Tensor forward(Tensor input) {
    return Pooling.lpPool3d(input, normType, kernelSize, stride, ceilMode);
  }
}
