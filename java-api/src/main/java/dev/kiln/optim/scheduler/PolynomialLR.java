package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import java.util.Map;

/**
 * Decays the learning rate to 0 over totalIters steps as base_lr * (1 - epoch / totalIters)^power, then keeps it
 * (torch.optim.lr_scheduler.PolynomialLR; defaults 5 steps, power 1).
 *
 * <pre>{@code
 * var scheduler = new PolynomialLR(optimizer, 4, 2.0);
 * }</pre>
 */
public class PolynomialLR extends LRScheduler {
  private int totalIters;
  private double power;

  public PolynomialLR(Optimizer optimizer) {
    this(optimizer, 5, 1.0);
  }

  public PolynomialLR(Optimizer optimizer, int totalIters, double power) {
    super(optimizer, -1);
    this.totalIters = totalIters;
    this.power = power;
    initialStep();
  }

  @Override
  protected double[] computeLr() {
    if (lastEpoch == 0 || lastEpoch > totalIters) return currentLrs();
    double decay = Math.pow((1.0 - (double) lastEpoch / totalIters) / (1.0 - (double) (lastEpoch - 1) / totalIters), power);
    return map(currentLrs(), lr -> lr * decay);
  }

  @Override
  protected double[] closedFormLr() {
    if (totalIters == 0) throw new ArithmeticException("division by zero"); // Python's int / int
    return map(baseLrs, b -> b * Math.pow(1.0 - (double) Math.min(totalIters, lastEpoch) / totalIters, power));
  }

  /** The base state with total_iters and power, as PyTorch's. */
  @Override
  public Map<String, Object> stateDict() {
    Map<String, Object> s = super.stateDict();
    s.put("total_iters", totalIters);
    s.put("power", power);
    return s;
  }

  @Override
  public void loadStateDict(Map<String, Object> state) {
    super.loadStateDict(state);
    if (state.containsKey("total_iters")) totalIters = ((Number) state.get("total_iters")).intValue();
    if (state.containsKey("power")) power = ((Number) state.get("power")).doubleValue();
  }
}
