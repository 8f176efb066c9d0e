package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.List;

/**
 * Reduces the learning rate by factor when a metric stops improving for patience steps
 * (torch.optim.lr_scheduler.ReduceLROnPlateau). Call {@link #step(double)} with the metric.
 */
public class ReduceLROnPlateau {
  private final Optimizer optimizer;
  private final boolean minimize;
  private final double factor;
  private final int patience;
  private final double threshold;
  private final boolean relative;
  private final int cooldown;
  private final double minLr;
  private final double eps;
  private double best;
  private int badEpochs;
  private int cooldownCounter;
  private int lastEpoch;

  /** mode "min", factor 0.1, patience 10, threshold 1e-4 relative, no cooldown, min_lr 0, eps 1e-8. */
  public ReduceLROnPlateau(Optimizer optimizer) {
    this(optimizer, "min", 0.1, 10, 1e-4, "rel", 0, 0, 1e-8);
  }

  public ReduceLROnPlateau(Optimizer optimizer, String mode, double factor, int patience, double threshold,
                           String thresholdMode, int cooldown, double minLr, double eps) {
    if (factor >= 1.0) throw new IllegalArgumentException("Factor should be < 1.0.");
    if (!mode.equals("min") && !mode.equals("max")) throw new IllegalArgumentException("mode " + mode + " is unknown!");
    if (!thresholdMode.equals("rel") && !thresholdMode.equals("abs"))
      throw new IllegalArgumentException("threshold mode " + thresholdMode + " is unknown!");
    this.optimizer = optimizer;
    this.minimize = mode.equals("min");
    this.factor = factor;
    this.patience = patience;
    this.threshold = threshold;
    this.relative = thresholdMode.equals("rel");
    this.cooldown = cooldown;
    this.minLr = minLr;
    this.eps = eps;
    this.best = minimize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
  }

  public void step(double metric) {
    lastEpoch++;
    if (isBetter(metric)) {
      best = metric;
      badEpochs = 0;
    } else {
      badEpochs++;
    }
    if (cooldownCounter > 0) {
      cooldownCounter--;
      badEpochs = 0;
    }
    if (badEpochs > patience) {
      for (ParamGroup g : optimizer.paramGroups()) {
        double old = g.lr(), next = Math.max(old * factor, minLr);
        if (old - next > eps) g.set("lr", next);
      }
      cooldownCounter = cooldown;
      badEpochs = 0;
    }
  }

  private boolean isBetter(double a) {
    if (minimize) return relative ? a < best * (1 - threshold) : a < best - threshold;
    return relative ? a > best * (threshold + 1) : a > best + threshold;
  }

  public double[] getLastLr() {
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] lrs = new double[groups.size()];
    for (int i = 0; i < lrs.length; i++) lrs[i] = groups.get(i).lr();
    return lrs;
  }
}
