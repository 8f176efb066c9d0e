package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;

/**
 * What batch norm and instance norm share (PyTorch's _NormBase): the per-channel affine parameters weight (ones)
 * and bias (zeros) when affine, and, when trackRunningStats, the buffers running_mean (zeros), running_var (ones)
 * and num_batches_tracked (an int64 count), named as in PyTorch so that state dicts carry over.
 */
public abstract class NormBase extends Module {
  public final int numFeatures;
  public final double eps;
  /**
   * null: a cumulative moving average (running statistics averaged over all batches so far). Not final: as in
   * PyTorch it may be set between calls (update_bn sets it to null for its pass, then restores it).
   */
  public Double momentum;
  public final boolean affine;
  public final boolean trackRunningStats;
  public final Tensor weight;
  public final Tensor bias;
  public final Tensor runningMean;
  public final Tensor runningVar;
  public final Tensor numBatchesTracked;

  protected NormBase(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    if (numFeatures <= 0)
      throw new IllegalArgumentException(name() + ": num_features must be positive, got " + numFeatures);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = registerParameter("weight", affine ? Tensor.ones(numFeatures) : null);
    this.bias = registerParameter("bias", affine ? Tensor.zeros(numFeatures) : null);
    this.runningMean = registerBuffer("running_mean", trackRunningStats ? Tensor.zeros(numFeatures) : null);
    this.runningVar = registerBuffer("running_var", trackRunningStats ? Tensor.ones(numFeatures) : null);
    this.numBatchesTracked = registerBuffer("num_batches_tracked", trackRunningStats ? Tensor.zeros(DType.INT64) : null);
  }

  /** Running statistics back to mean 0, variance 1, no batch seen. */
  public void resetRunningStats() {
    if (!trackRunningStats) return;
    try (ModeScope g = Autograd.noGrad()) {
      runningMean.fill_(0.0);
      runningVar.fill_(1.0);
      numBatchesTracked.fill_(0L);
    }
  }

  /** PyTorch's reset_parameters: the running statistics, and weight ones, bias zeros. */
  public void resetParameters() {
    resetRunningStats();
    if (!affine) return;
    try (ModeScope g = Autograd.noGrad()) {
      weight.fill_(1.0);
      bias.fill_(0.0);
    }
  }

  @Override
  protected String extraRepr() {
    return repr(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  /** The settings as PyTorch prints them (num_features 0 for a lazy norm not yet called). */
  static String repr(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    return numFeatures + ", eps=" + PyRepr.num(eps) + ", momentum=" + (momentum == null ? "None" : PyRepr.num(momentum))
        + ", affine=" + (affine ? "True" : "False") + ", track_running_stats=" + (trackRunningStats ? "True" : "False");
  }
}
