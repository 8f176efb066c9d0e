package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;

/** Multiplies the learning rate by gamma every stepSize steps (torch.optim.lr_scheduler.StepLR). */
public class StepLR extends LRScheduler {
  private final int stepSize;
  private final double gamma;

  public StepLR(Optimizer optimizer, int stepSize) {
    this(optimizer, stepSize, 0.1);
  }

  public StepLR(Optimizer optimizer, int stepSize, double gamma) {
    super(optimizer, -1);
    this.stepSize = stepSize;
    this.gamma = gamma;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    if (lastEpoch == 0 || lastEpoch % stepSize != 0) return currentLrs();
    return map(currentLrs(), lr -> lr * gamma);
  }

  @Override
  protected double[] closedFormLr() {
    return map(baseLrs, b -> b * Math.pow(gamma, Math.floorDiv(lastEpoch, stepSize)));
  }
}
