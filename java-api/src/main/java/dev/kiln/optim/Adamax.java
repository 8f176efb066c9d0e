package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Adamax, Adam with the infinity norm (torch.optim.Adamax, same update step for step). Options: lr 2e-3,
 * betas (0.9, 0.999), eps 1e-8, weight_decay 0, maximize false.
 */
public class Adamax extends Optimizer {
  private static final Map<String, Object> DEFAULTS = Map.of("lr", 2e-3, "betas", new double[] {0.9, 0.999},
      "eps", 1e-8, "weight_decay", 0.0, "maximize", false);

  public Adamax(Iterable<Tensor> params) {
    this(params, Map.of());
  }

  public Adamax(Iterable<Tensor> params, Map<String, ?> options) {
    this(List.of(new ParamGroup(params)), options);
  }

  public Adamax(List<ParamGroup> groups, Map<String, ?> options) {
    super(groups, DEFAULTS, options);
    for (ParamGroup g : paramGroups()) {
      double[] betas = g.getPair("betas");
      FusedStep.check(g.lr() >= 0, "Adamax: invalid learning rate: " + g.lr());
      FusedStep.check(g.getDouble("eps") >= 0, "Adamax: invalid epsilon value: " + g.getDouble("eps"));
      FusedStep.check(betas[0] >= 0 && betas[0] < 1, "Adamax: invalid beta parameter at index 0: " + betas[0]);
      FusedStep.check(betas[1] >= 0 && betas[1] < 1, "Adamax: invalid beta parameter at index 1: " + betas[1]);
      FusedStep.check(g.getDouble("weight_decay") >= 0, "Adamax: invalid weight_decay value: " + g.getDouble("weight_decay"));
    }
  }

  @Override
  public void step() {
    for (ParamGroup g : paramGroups()) {
      double[] betas = g.getPair("betas");
      FusedStep step = new FusedStep("adamax_step", 4, 1);
      for (Tensor p : g.params()) {
        Tensor grad = p.grad();
        if (grad == null) continue;
        Map<String, Object> s = state(p);
        if (!s.containsKey("step")) {
          s.put("step", 0.0);
          s.put("exp_avg", Tensor.zerosLike(p));
          s.put("exp_inf", Tensor.zerosLike(p));
        }
        double t = (Double) s.get("step") + 1;
        s.put("step", t);
        step.add(new Tensor[] {p, grad, (Tensor) s.get("exp_avg"), (Tensor) s.get("exp_inf")}, null,
            g.lr() / (1 - Math.pow(betas[0], t)));
      }
      step.run(new long[] {FusedStep.flag(g.getBoolean("maximize"))}, betas[0], betas[1], g.getDouble("eps"),
          g.getDouble("weight_decay"));
    }
  }
}
