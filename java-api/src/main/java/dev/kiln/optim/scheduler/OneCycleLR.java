package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.List;

/**
 * The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR): the learning rate rises from maxLr / divFactor
 * to maxLr and anneals to maxLr / (divFactor * finalDivFactor) over totalSteps, while momentum (or Adam's
 * beta1) cycles the other way. Step it after every batch.
 */
public class OneCycleLR extends LRScheduler {
  /** The options, with PyTorch's defaults. */
  public record Options(double pctStart, String annealStrategy, boolean cycleMomentum, double baseMomentum,
                        double maxMomentum, double divFactor, double finalDivFactor, boolean threePhase) {
    public static Options defaults() {
      return new Options(0.3, "cos", true, 0.85, 0.95, 25.0, 1e4, false);
    }

    public Options withPctStart(double v) {
      return new Options(v, annealStrategy, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase);
    }

    public Options withAnnealStrategy(String v) {
      return new Options(pctStart, v, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase);
    }

    public Options withCycleMomentum(boolean v) {
      return new Options(pctStart, annealStrategy, v, baseMomentum, maxMomentum, divFactor, finalDivFactor, threePhase);
    }

    public Options withThreePhase(boolean v) {
      return new Options(pctStart, annealStrategy, cycleMomentum, baseMomentum, maxMomentum, divFactor, finalDivFactor, v);
    }
  }

  private record Phase(double endStep, String startLr, String endLr, String startMomentum, String endMomentum) {}

  private final int totalSteps;
  private final boolean cos;
  private final boolean cycleMomentum;
  private final boolean useBeta1;
  private final List<Phase> phases;

  public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
    this(optimizer, maxLr, totalSteps, Options.defaults());
  }

  public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, Options o) {
    super(prepare(optimizer, maxLr, totalSteps, o), -1);
    this.totalSteps = totalSteps;
    this.cos = o.annealStrategy().equals("cos");
    this.cycleMomentum = o.cycleMomentum();
    this.useBeta1 = optimizer.paramGroups().get(0).options().containsKey("betas");
    double pct = o.pctStart();
    phases = o.threePhase()
        ? List.of(new Phase(pct * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            new Phase(2 * pct * totalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
            new Phase(totalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"))
        : List.of(new Phase(pct * totalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            new Phase(totalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"));
    initialStep();
  }

  // Sets the groups' initial_lr (before the base class reads it) and the momentum bounds.
  private static Optimizer prepare(Optimizer optimizer, double maxLr, int totalSteps, Options o) {
    if (totalSteps <= 0) throw new IllegalArgumentException("Expected positive integer total_steps, but got " + totalSteps);
    if (o.pctStart() < 0 || o.pctStart() > 1) throw new IllegalArgumentException("Expected float between 0 and 1 pct_start, but got " + o.pctStart());
    if (!o.annealStrategy().equals("cos") && !o.annealStrategy().equals("linear"))
      throw new IllegalArgumentException("anneal_strategy must by one of 'cos' or 'linear', instead got " + o.annealStrategy());
    for (ParamGroup g : optimizer.paramGroups()) {
      g.set("initial_lr", maxLr / o.divFactor());
      g.set("max_lr", maxLr);
      g.set("min_lr", maxLr / o.divFactor() / o.finalDivFactor());
      if (o.cycleMomentum()) {
        boolean betas = g.options().containsKey("betas");
        if (!betas && !g.options().containsKey("momentum"))
          throw new IllegalArgumentException("optimizer must support momentum with `cycle_momentum` option enabled");
        if (betas) g.set("betas", new double[] {o.maxMomentum(), g.getPair("betas")[1]});
        else g.set("momentum", o.maxMomentum());
        g.set("max_momentum", o.maxMomentum());
        g.set("base_momentum", o.baseMomentum());
      }
    }
    return optimizer;
  }

  private double anneal(double start, double end, double pct) {
    return cos ? end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
  }

  @Override
  protected double[] computeLr() {
    int stepNum = lastEpoch;
    if (stepNum > totalSteps)
      throw new IllegalStateException("Tried to step " + (stepNum + 1) + " times. The specified number of total steps is " + totalSteps);
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] lrs = new double[groups.size()];
    for (int gi = 0; gi < lrs.length; gi++) {
      ParamGroup g = groups.get(gi);
      double startStep = 0;
      for (int i = 0; i < phases.size(); i++) {
        Phase ph = phases.get(i);
        if (stepNum <= ph.endStep() || i == phases.size() - 1) {
          double pct = (stepNum - startStep) / (ph.endStep() - startStep);
          lrs[gi] = anneal(g.getDouble(ph.startLr()), g.getDouble(ph.endLr()), pct);
          if (cycleMomentum) {
            double m = anneal(g.getDouble(ph.startMomentum()), g.getDouble(ph.endMomentum()), pct);
            if (useBeta1) g.set("betas", new double[] {m, g.getPair("betas")[1]});
            else g.set("momentum", m);
          }
          break;
        }
        startStep = ph.endStep();
      }
    }
    return lrs;
  }
}
