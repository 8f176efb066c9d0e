package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Steps several schedulers of one optimizer together, each applying its chainable formula to the rate the
 * previous one set (torch.optim.lr_scheduler.ChainedScheduler): ConstantLR and ExponentialLR chained give a
 * reduced start on a decaying rate.
 *
 * <pre>{@code
 * var scheduler = new ChainedScheduler(List.of(new ConstantLR(opt, 0.1, 2), new ExponentialLR(opt, 0.9)));
 * }</pre>
 */
public class ChainedScheduler implements Scheduler {
  private final List<LRScheduler> schedulers;
  private final Optimizer optimizer;
  private double[] lastLr;

  /** The schedulers, already made (each took its first step then), in the order they step. */
  public ChainedScheduler(List<LRScheduler> schedulers) {
    // PyTorch fails on an empty list with an IndexError from schedulers[0].
    if (schedulers.isEmpty()) throw new IndexOutOfBoundsException("ChainedScheduler needs at least one scheduler");
    for (int i = 1; i < schedulers.size(); i++)
      if (schedulers.get(i).optimizer != schedulers.get(0).optimizer)
        throw new IllegalArgumentException("ChainedScheduler expects all schedulers to belong to the same optimizer, but "
            + "got schedulers at index 0 and " + i + " to be different");
    this.schedulers = List.copyOf(schedulers);
    this.optimizer = schedulers.get(0).optimizer;
    this.lastLr = currentLrs();
  }

  /** Steps every scheduler, in order. */
  public void step() {
    for (LRScheduler s : schedulers) s.step();
    lastLr = currentLrs();
  }

  private double[] currentLrs() {
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] lrs = new double[groups.size()];
    for (int i = 0; i < lrs.length; i++) lrs[i] = groups.get(i).lr();
    return lrs;
  }

  /** The learning rates after the last step (get_last_lr). */
  @Override
  public double[] getLastLr() {
    return lastLr.clone();
  }

  /** PyTorch's layout: "_last_lr", and "_schedulers", each scheduler's own state dict. */
  @Override
  public Map<String, Object> stateDict() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("_last_lr", lastLr.clone());
    s.put("_schedulers", LRScheduler.stateDicts(schedulers));
    return s;
  }

  @Override
  public void loadStateDict(Map<String, Object> state) {
    LRScheduler.loadStateDicts("ChainedScheduler", schedulers, state.get("_schedulers"));
    lastLr = LRScheduler.doubles(state.get("_last_lr"));
  }
}
