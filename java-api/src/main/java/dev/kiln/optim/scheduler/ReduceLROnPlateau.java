package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reduces the learning rate by factor when a metric stops improving for patience steps
 * (torch.optim.lr_scheduler.ReduceLROnPlateau). Call {@link #step(double)} with the metric.
 */
public class ReduceLROnPlateau implements Scheduler {
  private final Optimizer optimizer;
  private boolean minimize;
  private double factor;
  private int patience;
  private double threshold;
  private boolean relative;
  private int cooldown;
  private double minLr;
  private double eps;
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

  @Override
  public double[] getLastLr() {
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] lrs = new double[groups.size()];
    for (int i = 0; i < lrs.length; i++) lrs[i] = groups.get(i).lr();
    return lrs;
  }

  /**
   * PyTorch's layout (its attributes): the settings and the counters (best, num_bad_epochs, cooldown_counter,
   * last_epoch), so that a resumed run reduces the rate when the uninterrupted one would.
   */
  @Override
  public Map<String, Object> stateDict() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("factor", factor);
    double[] minLrs = new double[optimizer.paramGroups().size()];
    java.util.Arrays.fill(minLrs, minLr);
    s.put("min_lrs", minLrs);
    s.put("patience", patience);
    s.put("cooldown", cooldown);
    s.put("cooldown_counter", cooldownCounter);
    s.put("mode", minimize ? "min" : "max");
    s.put("threshold", threshold);
    s.put("threshold_mode", relative ? "rel" : "abs");
    s.put("best", best);
    s.put("num_bad_epochs", badEpochs);
    s.put("mode_worse", minimize ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
    s.put("eps", eps);
    s.put("last_epoch", lastEpoch);
    s.put("_last_lr", getLastLr());
    return s;
  }

  @Override
  public void loadStateDict(Map<String, Object> state) {
    factor = ((Number) state.get("factor")).doubleValue();
    minLr = LRScheduler.doubles(state.get("min_lrs"))[0];
    patience = ((Number) state.get("patience")).intValue();
    cooldown = ((Number) state.get("cooldown")).intValue();
    cooldownCounter = ((Number) state.get("cooldown_counter")).intValue();
    minimize = "min".equals(state.get("mode"));
    threshold = ((Number) state.get("threshold")).doubleValue();
    relative = "rel".equals(state.get("threshold_mode"));
    // JSON has no infinities: Checkpoint writes them as JavaScript does, and they come back as the text Infinity
    Object b = state.get("best");
    best = b instanceof Number n ? n.doubleValue() : Double.parseDouble(b.toString());
    badEpochs = ((Number) state.get("num_bad_epochs")).intValue();
    eps = ((Number) state.get("eps")).doubleValue();
    lastEpoch = ((Number) state.get("last_epoch")).intValue();
  }
}
