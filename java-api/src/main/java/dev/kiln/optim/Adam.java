package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Adam (torch.optim.Adam, same update step for step), with amsgrad, weight decay and maximize. Options:
 * lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, amsgrad false, maximize false.
 */
public class Adam extends Optimizer {
  static final Map<String, Object> DEFAULTS = Map.of("lr", 1e-3, "betas", new double[] {0.9, 0.999}, "eps", 1e-8,
      "weight_decay", 0.0, "amsgrad", false, "maximize", false);

  private final boolean decoupled;

  public Adam(Iterable<Tensor> params) {
    this(params, Map.of());
  }

  public Adam(Iterable<Tensor> params, double lr) {
    this(params, Map.of("lr", lr));
  }

  public Adam(Iterable<Tensor> params, Map<String, ?> options) {
    this(List.of(new ParamGroup(params)), options, DEFAULTS, false);
  }

  public Adam(List<ParamGroup> groups, Map<String, ?> options) {
    this(groups, options, DEFAULTS, false);
  }

  Adam(List<ParamGroup> groups, Map<String, ?> options, Map<String, Object> defaults, boolean decoupled) {
    super(groups, defaults, options);
    this.decoupled = decoupled;
    for (ParamGroup g : paramGroups()) {
      double[] betas = g.getPair("betas");
      FusedStep.check(g.lr() >= 0, name() + ": invalid learning rate: " + g.lr());
      FusedStep.check(g.getDouble("eps") >= 0, name() + ": invalid epsilon value: " + g.getDouble("eps"));
      FusedStep.check(betas[0] >= 0 && betas[0] < 1, name() + ": invalid beta parameter at index 0: " + betas[0]);
      FusedStep.check(betas[1] >= 0 && betas[1] < 1, name() + ": invalid beta parameter at index 1: " + betas[1]);
      FusedStep.check(g.getDouble("weight_decay") >= 0, name() + ": invalid weight_decay value: " + g.getDouble("weight_decay"));
    }
  }

  @Override
  public void step() {
    for (ParamGroup g : paramGroups()) {
      double[] betas = g.getPair("betas");
      boolean amsgrad = g.getBoolean("amsgrad");
      double lr = g.lr();
      FusedStep step = new FusedStep("adam_step", 5, 2);
      for (Tensor p : g.params()) {
        Tensor grad = p.grad();
        if (grad == null) continue;
        Map<String, Object> s = state(p);
        if (!s.containsKey("step")) {
          s.put("step", 0.0);
          s.put("exp_avg", Tensor.zerosLike(p));
          s.put("exp_avg_sq", Tensor.zerosLike(p));
          if (amsgrad) s.put("max_exp_avg_sq", Tensor.zerosLike(p));
        }
        double t = (Double) s.get("step") + 1;
        s.put("step", t);
        double biasCorrection1 = 1 - Math.pow(betas[0], t);
        double biasCorrection2 = 1 - Math.pow(betas[1], t);
        Tensor max = amsgrad ? (Tensor) s.get("max_exp_avg_sq") : p;
        step.add(new Tensor[] {p, grad, (Tensor) s.get("exp_avg"), (Tensor) s.get("exp_avg_sq"), max}, null,
            lr / biasCorrection1, Math.sqrt(biasCorrection2));
      }
      step.run(new long[] {FusedStep.flag(amsgrad), FusedStep.flag(g.getBoolean("maximize")), FusedStep.flag(decoupled)},
          lr, betas[0], betas[1], g.getDouble("eps"), g.getDouble("weight_decay"));
    }
  }
}
