package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base of the learning-rate schedulers (torch.optim.lr_scheduler._LRScheduler in PyTorch 1.13): made
 * after the optimizer, it records each group's initial_lr and takes its first step at once; call
 * {@link #step()} after each optimizer.step() (per epoch or per batch, as the schedule intends).
 * Subclasses give PyTorch's recursive ("chainable") formula, and its closed form for explicit epochs, so
 * that the learning rates follow PyTorch's step for step.
 */
public abstract class LRScheduler implements Scheduler {
  protected final Optimizer optimizer;
  protected final double[] baseLrs;
  protected int lastEpoch;
  protected int stepCount;
  private double[] lastLr;

  protected LRScheduler(Optimizer optimizer, int lastEpoch) {
    this.optimizer = optimizer;
    List<ParamGroup> groups = optimizer.paramGroups();
    baseLrs = new double[groups.size()];
    for (int i = 0; i < groups.size(); i++) {
      ParamGroup g = groups.get(i);
      if (lastEpoch == -1) g.options().putIfAbsent("initial_lr", g.lr());
      else if (!g.options().containsKey("initial_lr"))
        throw new IllegalArgumentException("param 'initial_lr' is not specified in param_groups[" + i + "] when resuming an optimizer");
      baseLrs[i] = g.getDouble("initial_lr");
    }
    this.lastEpoch = lastEpoch;
  }

  /** The first step, taken by a subclass's constructor once its own fields are set. */
  protected void initialStep() {
    stepCount = 0;
    step();
  }

  /** Advances the schedule by one step and sets each group's learning rate. */
  public void step() {
    stepCount++;
    lastEpoch++;
    apply(computeLr());
  }

  /** Jumps to an epoch (PyTorch's deprecated step(epoch)): the closed form where the schedule has one. */
  public void step(int epoch) {
    stepCount++;
    lastEpoch = epoch;
    double[] closed = closedFormLr();
    apply(closed != null ? closed : computeLr());
  }

  /** Sets each group's learning rate and records them as the last ones. */
  protected void apply(double[] lrs) {
    List<ParamGroup> groups = optimizer.paramGroups();
    for (int i = 0; i < groups.size(); i++) groups.get(i).set("lr", lrs[i]);
    lastLr = currentLrs();
  }

  /** PyTorch's get_lr: the next learning rates from the current ones. */
  protected abstract double[] computeLr();

  /** PyTorch's _get_closed_form_lr, or null when the schedule has none. */
  protected double[] closedFormLr() {
    return null;
  }

  protected double[] currentLrs() {
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] lrs = new double[groups.size()];
    for (int i = 0; i < lrs.length; i++) lrs[i] = groups.get(i).lr();
    return lrs;
  }

  /** The learning rates the last step set (get_last_lr). */
  @Override
  public double[] getLastLr() {
    return lastLr.clone();
  }

  public int lastEpoch() {
    return lastEpoch;
  }

  @Override
  public Map<String, Object> stateDict() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("last_epoch", lastEpoch);
    s.put("_step_count", stepCount);
    s.put("base_lrs", baseLrs.clone());
    s.put("_last_lr", lastLr.clone());
    return s;
  }

  @Override
  public void loadStateDict(Map<String, Object> state) {
    lastEpoch = ((Number) state.get("last_epoch")).intValue();
    stepCount = ((Number) state.get("_step_count")).intValue();
    double[] base = doubles(state.get("base_lrs"));
    System.arraycopy(base, 0, baseLrs, 0, baseLrs.length);
    lastLr = doubles(state.get("_last_lr"));
  }

  /** A double[] saved by stateDict(), or the list of numbers a state dict read back from JSON holds instead. */
  protected static double[] doubles(Object v) {
    if (v instanceof double[] d) return d.clone();
    java.util.List<?> list = (java.util.List<?>) v;
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) out[i] = ((Number) list.get(i)).doubleValue();
    return out;
  }

  /** The nested schedulers' states, in order: what SequentialLR and ChainedScheduler keep under "_schedulers". */
  static List<Map<String, Object>> stateDicts(List<LRScheduler> schedulers) {
    List<Map<String, Object>> each = new java.util.ArrayList<>();
    for (LRScheduler s : schedulers) each.add(s.stateDict());
    return each;
  }

  /** Loads what stateDicts saved into the same number of schedulers; owner names the scheduler in errors. */
  @SuppressWarnings("unchecked")
  static void loadStateDicts(String owner, List<LRScheduler> schedulers, Object saved) {
    List<Map<String, Object>> each = (List<Map<String, Object>>) saved;
    if (each == null || each.size() != schedulers.size())
      throw new IllegalArgumentException(owner + ": the state dict has " + (each == null ? 0 : each.size())
          + " schedulers, this one " + schedulers.size());
    for (int i = 0; i < each.size(); i++) schedulers.get(i).loadStateDict(each.get(i));
  }

  static double[] map(double[] values, java.util.function.DoubleUnaryOperator f) {
    double[] out = new double[values.length];
    for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(values[i]);
    return out;
  }
}
