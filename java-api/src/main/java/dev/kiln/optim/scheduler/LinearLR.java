package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;

/**
 * Scales the learning rate linearly from startFactor to endFactor over totalIters steps
 * (torch.optim.lr_scheduler.LinearLR; defaults 1/3, 1, 5).
 */
public class LinearLR extends LRScheduler {
  private final double startFactor;
  private final double endFactor;
  private final int totalIters;

  public LinearLR(Optimizer optimizer) {
    this(optimizer, 1.0 / 3, 1.0, 5);
  }

  public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
    super(optimizer, -1);
    if (startFactor > 1.0 || startFactor <= 0)
      throw new IllegalArgumentException("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    if (endFactor > 1.0 || endFactor < 0)
      throw new IllegalArgumentException("Ending multiplicative factor expected to be between 0 and 1.");
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    if (lastEpoch == 0) return map(currentLrs(), lr -> lr * startFactor);
    if (lastEpoch > totalIters) return currentLrs();
    double factor = 1.0 + (endFactor - startFactor)
        / (totalIters * startFactor + (lastEpoch - 1) * (endFactor - startFactor));
    return map(currentLrs(), lr -> lr * factor);
  }

  @Override
  protected double[] closedFormLr() {
    return map(baseLrs, b -> b * (startFactor + (endFactor - startFactor) * Math.min(totalIters, lastEpoch) / totalIters));
  }
}
