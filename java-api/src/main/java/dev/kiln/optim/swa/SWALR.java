package dev.kiln.optim.swa;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import dev.kiln.optim.scheduler.LRScheduler;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Anneals each group's learning rate to its swa_lr over annealEpochs steps, by cosine or linearly, then holds it
 * (torch.optim.swa_utils.SWALR; defaults 10 epochs, "cos"): the schedule of the stochastic weight averaging
 * phase, usually taken over from another scheduler. Each group keeps its target under the option "swa_lr".
 *
 * <pre>{@code
 * var swaScheduler = new SWALR(optimizer, 0.05, 5, "linear");
 * }</pre>
 */
public class SWALR extends LRScheduler {
  private final boolean cos;
  private int annealEpochs;

  public SWALR(Optimizer optimizer, double swaLr) {
    this(optimizer, swaLr, 10, "cos");
  }

  /** The same swaLr for every group. */
  public SWALR(Optimizer optimizer, double swaLr, int annealEpochs, String annealStrategy) {
    this(optimizer, filled(optimizer, swaLr), annealEpochs, annealStrategy);
  }

  /** One swa_lr per group; annealStrategy "cos" or "linear". */
  public SWALR(Optimizer optimizer, double[] swaLrs, int annealEpochs, String annealStrategy) {
    super(prepare(optimizer, swaLrs, annealEpochs, annealStrategy), -1);
    this.cos = annealStrategy.equals("cos");
    this.annealEpochs = annealEpochs;
    initialStep();
  }

  // PyTorch's checks, and the groups' swa_lr, in its order, before the base class takes the groups.
  private static Optimizer prepare(Optimizer optimizer, double[] swaLrs, int annealEpochs, String annealStrategy) {
    List<ParamGroup> groups = optimizer.paramGroups();
    if (swaLrs.length != groups.size())
      throw new IllegalArgumentException("swa_lr must have the same length as optimizer.param_groups: swa_lr has "
          + swaLrs.length + ", optimizer.param_groups has " + groups.size());
    for (int i = 0; i < groups.size(); i++) groups.get(i).set("swa_lr", swaLrs[i]);
    if (!annealStrategy.equals("cos") && !annealStrategy.equals("linear"))
      throw new IllegalArgumentException("anneal_strategy must by one of 'cos' or 'linear', instead got " + annealStrategy);
    if (annealEpochs < 0) throw new IllegalArgumentException("anneal_epochs must be equal or greater than 0, got " + annealEpochs);
    return optimizer;
  }

  private static double[] filled(Optimizer optimizer, double value) {
    double[] all = new double[optimizer.paramGroups().size()];
    Arrays.fill(all, value);
    return all;
  }

  private double anneal(double t) {
    return cos ? (1 - Math.cos(Math.PI * t)) / 2 : t;
  }

  // The rate the annealing started from, given the current one at alpha of the way.
  private static double initialLr(double lr, double swaLr, double alpha) {
    if (alpha == 1) return swaLr;
    return (lr - alpha * swaLr) / (1 - alpha);
  }

  /** PyTorch's get_lr: counts steps taken (not last_epoch), so step(epoch) moves it one step too. */
  @Override
  protected double[] computeLr() {
    int step = stepCount - 1;
    if (annealEpochs == 0) step = Math.max(1, step);
    double prevAlpha = anneal(Math.max(0, Math.min(1, (double) (step - 1) / Math.max(1, annealEpochs))));
    double alpha = anneal(Math.max(0, Math.min(1, (double) step / Math.max(1, annealEpochs))));
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] lrs = new double[groups.size()];
    for (int i = 0; i < lrs.length; i++) {
      double swaLr = groups.get(i).getDouble("swa_lr");
      double prevLr = initialLr(groups.get(i).lr(), swaLr, prevAlpha);
      lrs[i] = swaLr * alpha + prevLr * (1 - alpha);
    }
    return lrs;
  }

  /** The base state with anneal_epochs, as PyTorch's (its anneal function is a constructor setting). */
  @Override
  public Map<String, Object> stateDict() {
    Map<String, Object> s = super.stateDict();
    s.put("anneal_epochs", annealEpochs);
    return s;
  }

  @Override
  public void loadStateDict(Map<String, Object> state) {
    super.loadStateDict(state);
    if (state.containsKey("anneal_epochs")) annealEpochs = ((Number) state.get("anneal_epochs")).intValue();
  }
}
