package dev.kiln.nn;

import dev.kiln.Tensor;

/**
 * Batch norm of [N, C, H, W] inputs (torch.nn.BatchNorm2d): defaults eps 1e-5, momentum 0.1, affine, tracking
 * running statistics.
 *
 * <pre>{@code
 * BatchNorm2d bn = new BatchNorm2d(64);
 * Tensor y = bn.call(x);   // training: batch statistics; after bn.eval(): the running ones
 * }</pre>
 */
public class BatchNorm2d extends BatchNorm {
  public BatchNorm2d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /** momentum null: a cumulative moving average. */
  public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected void checkInputDim(Tensor input) {
    requireDims(input, "4D", 4);
  }
}
