package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import java.util.Map;

/**
 * Multiplies the learning rate by a constant factor until totalIters steps, then restores it
 * (torch.optim.lr_scheduler.ConstantLR; defaults factor 1/3, 5 steps): a warm-up at a reduced rate.
 *
 * <pre>{@code
 * var scheduler = new ConstantLR(optimizer, 0.5, 4); // lr * 0.5 for epochs 0..3, lr from epoch 4
 * }</pre>
 */
public class ConstantLR extends LRScheduler {
  private double factor;
  private int totalIters;

  public ConstantLR(Optimizer optimizer) {
    this(optimizer, 1.0 / 3, 5);
  }

  public ConstantLR(Optimizer optimizer, double factor, int totalIters) {
    super(checked(optimizer, factor), -1);
    this.factor = factor;
    this.totalIters = totalIters;
    initialStep();
  }

  private static Optimizer checked(Optimizer optimizer, double factor) {
    if (factor > 1.0 || factor < 0)
      throw new IllegalArgumentException("Constant multiplicative factor expected to be between 0 and 1.");
    return optimizer;
  }

  @Override
  protected double[] computeLr() {
    if (lastEpoch == 0) return map(currentLrs(), lr -> lr * factor);
    if (lastEpoch != totalIters) return currentLrs();
    // Python's 1.0 / factor raises for factor 0, where Java would give lr 0 * Infinity = NaN.
    if (factor == 0) throw new ArithmeticException("float division by zero");
    return map(currentLrs(), lr -> lr * (1.0 / factor));
  }

  @Override
  protected double[] closedFormLr() {
    return map(baseLrs, b -> b * (factor + (lastEpoch >= totalIters ? 1 : 0) * (1 - factor)));
  }

  /** The base state with factor and total_iters, as PyTorch's. */
  @Override
  public Map<String, Object> stateDict() {
    Map<String, Object> s = super.stateDict();
    s.put("factor", factor);
    s.put("total_iters", totalIters);
    return s;
  }

  @Override
  public void loadStateDict(Map<String, Object> state) {
    super.loadStateDict(state);
    if (state.containsKey("factor")) factor = ((Number) state.get("factor")).doubleValue();
    if (state.containsKey("total_iters")) totalIters = ((Number) state.get("total_iters")).intValue();
  }
}
