package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;

/** Multiplies the learning rate by gamma every step (torch.optim.lr_scheduler.ExponentialLR). */
public class ExponentialLR extends LRScheduler {
  private final double gamma;

  public ExponentialLR(Optimizer optimizer, double gamma) {
    super(optimizer, -1);
    this.gamma = gamma;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    if (lastEpoch == 0) return currentLrs();
    return map(currentLrs(), lr -> lr * gamma);
  }

  @Override
  protected double[] closedFormLr() {
    return map(baseLrs, b -> b * Math.pow(gamma, lastEpoch));
  }
}
