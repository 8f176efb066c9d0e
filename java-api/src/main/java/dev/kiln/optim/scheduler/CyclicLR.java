package dev.kiln.optim.scheduler;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Cycles the learning rate between baseLr and maxLr, stepSizeUp steps up and stepSizeDown steps down
 * (torch.optim.lr_scheduler.CyclicLR, the CLR policy): "triangular" keeps the amplitude, "triangular2" halves it
 * every cycle, "exp_range" scales it by gamma^iteration, or a scale function of the cycle number or the
 * iteration. With cycleMomentum, the momentum cycles the other way between maxMomentum and baseMomentum; as in
 * PyTorch 1.13 the optimizer must have a "momentum" option (SGD, RMSprop: Adam is refused). Step it after every
 * batch.
 *
 * <pre>{@code
 * var scheduler = new CyclicLR(sgd, 0.01, 0.1, CyclicLR.Options.defaults().withStepSizeUp(500).withMode("triangular2"));
 * }</pre>
 */
public class CyclicLR extends LRScheduler {
  /**
   * The options, with PyTorch's defaults. stepSizeDown null: as stepSizeUp. scaleFn null: mode's function (then
   * scaleMode is mode's, "cycle" or "iterations"); a scaleFn is evaluated on the cycle number (scaleMode "cycle")
   * or on the iteration (any other scaleMode). baseMomentums and maxMomentums, when not null, give one value per
   * group in place of baseMomentum and maxMomentum.
   */
  public record Options(int stepSizeUp, Integer stepSizeDown, String mode, double gamma, DoubleUnaryOperator scaleFn,
                        String scaleMode, boolean cycleMomentum, double baseMomentum, double maxMomentum,
                        double[] baseMomentums, double[] maxMomentums) {
    public static Options defaults() {
      return new Options(2000, null, "triangular", 1.0, null, "cycle", true, 0.8, 0.9, null, null);
    }

    public Options withStepSizeUp(int v) {
      return new Options(v, stepSizeDown, mode, gamma, scaleFn, scaleMode, cycleMomentum, baseMomentum, maxMomentum, baseMomentums, maxMomentums);
    }

    public Options withStepSizeDown(Integer v) {
      return new Options(stepSizeUp, v, mode, gamma, scaleFn, scaleMode, cycleMomentum, baseMomentum, maxMomentum, baseMomentums, maxMomentums);
    }

    public Options withMode(String v) {
      return new Options(stepSizeUp, stepSizeDown, v, gamma, scaleFn, scaleMode, cycleMomentum, baseMomentum, maxMomentum, baseMomentums, maxMomentums);
    }

    public Options withGamma(double v) {
      return new Options(stepSizeUp, stepSizeDown, mode, v, scaleFn, scaleMode, cycleMomentum, baseMomentum, maxMomentum, baseMomentums, maxMomentums);
    }

    public Options withScaleFn(DoubleUnaryOperator v) {
      return new Options(stepSizeUp, stepSizeDown, mode, gamma, v, scaleMode, cycleMomentum, baseMomentum, maxMomentum, baseMomentums, maxMomentums);
    }

    public Options withScaleMode(String v) {
      return new Options(stepSizeUp, stepSizeDown, mode, gamma, scaleFn, v, cycleMomentum, baseMomentum, maxMomentum, baseMomentums, maxMomentums);
    }

    public Options withCycleMomentum(boolean v) {
      return new Options(stepSizeUp, stepSizeDown, mode, gamma, scaleFn, scaleMode, v, baseMomentum, maxMomentum, baseMomentums, maxMomentums);
    }

    public Options withBaseMomentum(double v) {
      return new Options(stepSizeUp, stepSizeDown, mode, gamma, scaleFn, scaleMode, cycleMomentum, v, maxMomentum, null, maxMomentums);
    }

    public Options withMaxMomentum(double v) {
      return new Options(stepSizeUp, stepSizeDown, mode, gamma, scaleFn, scaleMode, cycleMomentum, baseMomentum, v, baseMomentums, null);
    }

    /** One base momentum per group. */
    public Options withBaseMomentums(double[] v) {
      return new Options(stepSizeUp, stepSizeDown, mode, gamma, scaleFn, scaleMode, cycleMomentum, baseMomentum, maxMomentum, v.clone(), maxMomentums);
    }

    /** One max momentum per group. */
    public Options withMaxMomentums(double[] v) {
      return new Options(stepSizeUp, stepSizeDown, mode, gamma, scaleFn, scaleMode, cycleMomentum, baseMomentum, maxMomentum, baseMomentums, v.clone());
    }
  }

  private double[] maxLrs;
  private double totalSize;
  private double stepRatio;
  private String mode;
  private double gamma;
  private final DoubleUnaryOperator customScaleFn;
  private String scaleMode;
  private boolean cycleMomentum;
  private double[] baseMomentums;
  private double[] maxMomentums;

  /** PyTorch's defaults: triangular, 2000 steps up and down, momentum cycled between 0.8 and 0.9. */
  public CyclicLR(Optimizer optimizer, double baseLr, double maxLr) {
    this(optimizer, baseLr, maxLr, Options.defaults());
  }

  /** The same bounds for every group. */
  public CyclicLR(Optimizer optimizer, double baseLr, double maxLr, Options o) {
    this(optimizer, filled(optimizer, baseLr), filled(optimizer, maxLr), o);
  }

  /** One baseLr and one maxLr per group. */
  public CyclicLR(Optimizer optimizer, double[] baseLrs, double[] maxLrs, Options o) {
    super(prepare(optimizer, baseLrs, maxLrs, o), -1);
    this.maxLrs = maxLrs.clone();
    double up = o.stepSizeUp(), down = o.stepSizeDown() != null ? o.stepSizeDown() : up;
    this.totalSize = up + down;
    this.stepRatio = up / totalSize;
    this.mode = o.mode();
    this.gamma = o.gamma();
    this.customScaleFn = o.scaleFn();
    this.scaleMode = o.scaleFn() != null ? o.scaleMode() : mode.equals("exp_range") ? "iterations" : "cycle";
    this.cycleMomentum = o.cycleMomentum();
    if (cycleMomentum) {
      List<ParamGroup> groups = optimizer.paramGroups();
      baseMomentums = new double[groups.size()];
      for (int i = 0; i < baseMomentums.length; i++) baseMomentums[i] = groups.get(i).getDouble("momentum");
      maxMomentums = o.maxMomentums() != null ? o.maxMomentums().clone() : filled(optimizer, o.maxMomentum());
    }
    initialStep(); // with the groups' initial_lr as base rates, as PyTorch's first step
    System.arraycopy(baseLrs, 0, this.baseLrs, 0, baseLrs.length);
  }

  // PyTorch's checks and group updates, in its order, before the base class reads initial_lr.
  private static Optimizer prepare(Optimizer optimizer, double[] baseLrs, double[] maxLrs, Options o) {
    List<ParamGroup> groups = optimizer.paramGroups();
    checkCount("base_lr", groups.size(), baseLrs);
    for (int i = 0; i < groups.size(); i++) groups.get(i).set("lr", baseLrs[i]);
    checkCount("max_lr", groups.size(), maxLrs);
    double up = o.stepSizeUp(), down = o.stepSizeDown() != null ? o.stepSizeDown() : up;
    if (up + down == 0) throw new ArithmeticException("float division by zero"); // step_size_up / total_size
    if (!List.of("triangular", "triangular2", "exp_range").contains(o.mode()) && o.scaleFn() == null)
      throw new IllegalArgumentException("mode is invalid and scale_fn is None");
    if (o.cycleMomentum()) {
      if (!groups.get(0).options().containsKey("momentum"))
        throw new IllegalArgumentException("optimizer must support momentum with `cycle_momentum` option enabled");
      double[] base = o.baseMomentums() != null ? o.baseMomentums() : filled(optimizer, o.baseMomentum());
      checkCount("base_momentum", groups.size(), base);
      for (int i = 0; i < groups.size(); i++) groups.get(i).set("momentum", base[i]);
      if (o.maxMomentums() != null) checkCount("max_momentum", groups.size(), o.maxMomentums());
    }
    return optimizer;
  }

  private static void checkCount(String name, int groups, double[] values) {
    if (values.length != groups)
      throw new IllegalArgumentException("expected " + groups + " values for " + name + ", got " + values.length);
  }

  private static double[] filled(Optimizer optimizer, double value) {
    double[] all = new double[optimizer.paramGroups().size()];
    Arrays.fill(all, value);
    return all;
  }

  private double scaleFn(double x) {
    if (customScaleFn != null) return customScaleFn.applyAsDouble(x);
    return switch (mode) {
      case "triangular" -> 1.0;
      case "triangular2" -> 1 / Math.pow(2.0, x - 1);
      default -> Math.pow(gamma, x);
    };
  }

  /** The rates at the current batch; with cycleMomentum it also sets each group's momentum, as PyTorch's get_lr. */
  @Override
  protected double[] computeLr() {
    double cycle = Math.floor(1 + lastEpoch / totalSize);
    double x = 1. + lastEpoch / totalSize - cycle;
    double scaleFactor = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
    double scale = scaleFn(scaleMode.equals("cycle") ? cycle : lastEpoch);
    double[] lrs = new double[baseLrs.length];
    for (int i = 0; i < lrs.length; i++) lrs[i] = baseLrs[i] + (maxLrs[i] - baseLrs[i]) * scaleFactor * scale;
    if (cycleMomentum) {
      List<ParamGroup> groups = optimizer.paramGroups();
      for (int i = 0; i < groups.size(); i++)
        groups.get(i).set("momentum", maxMomentums[i] - (maxMomentums[i] - baseMomentums[i]) * scaleFactor * scale);
    }
    return lrs;
  }

  /** The base state with PyTorch's other entries (the scale function itself is not saved). */
  @Override
  public Map<String, Object> stateDict() {
    Map<String, Object> s = super.stateDict();
    s.put("max_lrs", maxLrs.clone());
    s.put("total_size", totalSize);
    s.put("step_ratio", stepRatio);
    s.put("mode", mode);
    s.put("gamma", gamma);
    s.put("scale_mode", scaleMode);
    s.put("cycle_momentum", cycleMomentum);
    if (cycleMomentum) {
      s.put("base_momentums", baseMomentums.clone());
      s.put("max_momentums", maxMomentums.clone());
    }
    return s;
  }

  @Override
  public void loadStateDict(Map<String, Object> state) {
    super.loadStateDict(state);
    if (state.containsKey("max_lrs")) maxLrs = doubles(state.get("max_lrs"));
    if (state.containsKey("total_size")) totalSize = ((Number) state.get("total_size")).doubleValue();
    if (state.containsKey("step_ratio")) stepRatio = ((Number) state.get("step_ratio")).doubleValue();
    if (state.containsKey("mode")) mode = (String) state.get("mode");
    if (state.containsKey("gamma")) gamma = ((Number) state.get("gamma")).doubleValue();
    if (state.containsKey("scale_mode")) scaleMode = (String) state.get("scale_mode");
    if (state.containsKey("cycle_momentum")) cycleMomentum = (Boolean) state.get("cycle_momentum");
    if (state.containsKey("base_momentums")) baseMomentums = doubles(state.get("base_momentums"));
    if (state.containsKey("max_momentums")) maxMomentums = doubles(state.get("max_momentums"));
  }
}
