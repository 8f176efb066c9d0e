package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import java.util.Arrays;

/** Multiplies the learning rate by gamma at each milestone (torch.optim.lr_scheduler.MultiStepLR). */
public class MultiStepLR extends LRScheduler {
  private final int[] milestones; // sorted; a repeated milestone counts twice, as in PyTorch's Counter
  private final double gamma;

  public MultiStepLR(Optimizer optimizer, int[] milestones) {
    this(optimizer, milestones, 0.1);
  }

  public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
    super(optimizer, -1);
    this.milestones = milestones.clone();
    Arrays.sort(this.milestones);
    this.gamma = gamma;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    int hits = 0;
    for (int m : milestones) if (m == lastEpoch) hits++;
    if (hits == 0) return currentLrs();
    final int h = hits;
    return map(currentLrs(), lr -> lr * Math.pow(gamma, h));
  }

  @Override
  protected double[] closedFormLr() {
    int passed = 0;
    for (int m : milestones) if (m <= lastEpoch) passed++;
    final int p = passed;
    return map(baseLrs, b -> b * Math.pow(gamma, p));
  }
}
