package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs schedulers one after another, switching at the milestones (torch.optim.lr_scheduler.SequentialLR):
 * for example a LinearLR warm-up for 5 steps, then CosineAnnealingLR.
 */
public class SequentialLR implements Scheduler {
  private final List<LRScheduler> schedulers;
  private int[] milestones;
  private int lastEpoch;
  private double[] lastLr;

  public SequentialLR(Optimizer optimizer, List<LRScheduler> schedulers, int[] milestones) {
    if (milestones.length != schedulers.size() - 1)
      throw new IllegalArgumentException("Sequential Schedulers expects number of schedulers provided to be one more than the "
          + "number of milestone points, but got number of schedulers " + schedulers.size() + " and the number of milestones to be equal to " + milestones.length);
    for (LRScheduler s : schedulers)
      if (s.optimizer != optimizer) throw new IllegalArgumentException("Sequential Schedulers expects all schedulers to belong to the same optimizer");
    this.schedulers = List.copyOf(schedulers);
    this.milestones = milestones.clone();
    this.lastEpoch = 0;
    // As PyTorch: reset the learning rates, undo the schedulers' initial steps, redo the first one's.
    for (ParamGroup g : optimizer.paramGroups()) g.set("lr", g.getDouble("initial_lr"));
    for (LRScheduler s : schedulers) s.lastEpoch -= 1;
    schedulers.get(0).initialStep();
    lastLr = schedulers.get(0).getLastLr();
  }

  public void step() {
    lastEpoch++;
    int idx = 0;
    while (idx < milestones.length && milestones[idx] <= lastEpoch) idx++;
    LRScheduler s = schedulers.get(idx);
    if (idx > 0 && milestones[idx - 1] == lastEpoch) s.step(0);
    else s.step();
    lastLr = s.getLastLr();
  }

  @Override
  public double[] getLastLr() {
    return lastLr.clone();
  }

  /** PyTorch's layout: "_milestones", "last_epoch", "_last_lr", and "_schedulers", each scheduler's own state. */
  @Override
  public Map<String, Object> stateDict() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("_milestones", milestones.clone());
    s.put("last_epoch", lastEpoch);
    s.put("_last_lr", lastLr.clone());
    s.put("_schedulers", LRScheduler.stateDicts(schedulers));
    return s;
  }

  @Override
  public void loadStateDict(Map<String, Object> state) {
    LRScheduler.loadStateDicts("SequentialLR", schedulers, state.get("_schedulers"));
    Object m = state.get("_milestones");
    if (m instanceof int[] given) {
      milestones = given.clone();
    } else {
      double[] read = LRScheduler.doubles(m);  // through JSON: a list of numbers
      milestones = new int[read.length];
      for (int i = 0; i < read.length; i++) milestones[i] = (int) read[i];
    }
    lastEpoch = ((Number) state.get("last_epoch")).intValue();
    lastLr = LRScheduler.doubles(state.get("_last_lr"));
  }
}
