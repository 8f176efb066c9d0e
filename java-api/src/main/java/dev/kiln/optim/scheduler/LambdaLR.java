package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import java.util.function.IntToDoubleFunction;

/** Sets the learning rate to the base rate times lambda(epoch) (torch.optim.lr_scheduler.LambdaLR). */
public class LambdaLR extends LRScheduler {
  private final IntToDoubleFunction[] lambdas;

  /** One lambda for every group. */
  public LambdaLR(Optimizer optimizer, IntToDoubleFunction lambda) {
    this(optimizer, filled(optimizer, lambda));
  }

  /** One lambda per group. */
  public LambdaLR(Optimizer optimizer, IntToDoubleFunction[] lambdas) {
    super(optimizer, -1);
    if (lambdas.length != optimizer.paramGroups().size())
      throw new IllegalArgumentException("Expected " + optimizer.paramGroups().size() + " lr_lambdas, but got " + lambdas.length);
    this.lambdas = lambdas.clone();
    initialStep();
  }

  private static IntToDoubleFunction[] filled(Optimizer optimizer, IntToDoubleFunction lambda) {
    IntToDoubleFunction[] all = new IntToDoubleFunction[optimizer.paramGroups().size()];
    java.util.Arrays.fill(all, lambda);
    return all;
  }

  @Override
  protected double[] computeLr() {
    double[] out = new double[baseLrs.length];
    for (int i = 0; i < out.length; i++) out[i] = baseLrs[i] * lambdas[i].applyAsDouble(lastEpoch);
    return out;
  }
}
