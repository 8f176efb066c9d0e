package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * Multiplies each group's learning rate by lambda(epoch) at every step after the first
 * (torch.optim.lr_scheduler.MultiplicativeLR): a factor on the current rate, where LambdaLR's is on the base rate.
 *
 * <pre>{@code
 * var scheduler = new MultiplicativeLR(optimizer, epoch -> 0.95);
 * }</pre>
 */
public class MultiplicativeLR extends LRScheduler {
  private final IntToDoubleFunction[] lambdas;

  /** One lambda for every group. */
  public MultiplicativeLR(Optimizer optimizer, IntToDoubleFunction lambda) {
    this(optimizer, filled(optimizer, lambda));
  }

  /** One lambda per group. */
  public MultiplicativeLR(Optimizer optimizer, IntToDoubleFunction[] lambdas) {
    super(checked(optimizer, lambdas), -1);
    this.lambdas = lambdas.clone();
    initialStep();
  }

  // PyTorch checks the count before it touches the groups.
  private static Optimizer checked(Optimizer optimizer, IntToDoubleFunction[] lambdas) {
    if (lambdas.length != optimizer.paramGroups().size())
      throw new IllegalArgumentException("Expected " + optimizer.paramGroups().size() + " lr_lambdas, but got " + lambdas.length);
    return optimizer;
  }

  private static IntToDoubleFunction[] filled(Optimizer optimizer, IntToDoubleFunction lambda) {
    IntToDoubleFunction[] all = new IntToDoubleFunction[optimizer.paramGroups().size()];
    Arrays.fill(all, lambda);
    return all;
  }

  @Override
  protected double[] computeLr() {
    double[] lrs = currentLrs();
    if (lastEpoch > 0) for (int i = 0; i < lrs.length; i++) lrs[i] *= lambdas[i].applyAsDouble(lastEpoch);
    return lrs;
  }
}
