package dev.kiln.optim.scheduler;

import java.util.Map;

/**
 * What every learning-rate scheduler offers beyond its own way of stepping: the rates its last step set, and its
 * state as PyTorch's state_dict lays it out, so that a checkpoint ({@link dev.kiln.io.Checkpoint}) can resume it
 * mid-schedule. {@link LRScheduler}s, {@link SequentialLR}, {@link ChainedScheduler} and {@link ReduceLROnPlateau}.
 */
public interface Scheduler {
  /** The learning rates of the optimizer's groups after the last step (get_last_lr). */
  double[] getLastLr();

  /** The scheduler's state, in PyTorch's layout; nested schedulers' states nest. */
  Map<String, Object> stateDict();

  /** Restores a state that stateDict() gave (or that went through JSON, with lists in place of arrays). */
  void loadStateDict(Map<String, Object> state);
}
