package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;

/** Cosine annealing from the base rate to etaMin over tMax steps (torch.optim.lr_scheduler.CosineAnnealingLR). */
public class CosineAnnealingLR extends LRScheduler {
  private final int tMax;
  private final double etaMin;

  public CosineAnnealingLR(Optimizer optimizer, int tMax) {
    this(optimizer, tMax, 0);
  }

  public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
    super(optimizer, -1);
    this.tMax = tMax;
    this.etaMin = etaMin;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = currentLrs();
    if (lastEpoch == 0) return lrs;
    double[] out = new double[lrs.length];
    for (int i = 0; i < lrs.length; i++) {
      if (stepCount == 1 && lastEpoch > 0) {
        out[i] = etaMin + (baseLrs[i] - etaMin) * (1 + Math.cos(lastEpoch * Math.PI / tMax)) / 2;
      } else if (Math.floorMod(lastEpoch - 1 - tMax, 2 * tMax) == 0) {
        out[i] = lrs[i] + (baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
      } else {
        out[i] = (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax))
            * (lrs[i] - etaMin) + etaMin;
      }
    }
    return out;
  }

  @Override
  protected double[] closedFormLr() {
    return map(baseLrs, b -> etaMin + (b - etaMin) * (1 + Math.cos(Math.PI * lastEpoch / tMax)) / 2);
  }
}
