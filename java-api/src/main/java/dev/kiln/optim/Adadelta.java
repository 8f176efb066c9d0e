package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Adadelta (torch.optim.Adadelta, same update step for step). Options: lr 1, rho 0.9, eps 1e-6,
 * weight_decay 0, maximize false.
 */
public class Adadelta extends Optimizer {
  private static final Map<String, Object> DEFAULTS = Map.of("lr", 1.0, "rho", 0.9, "eps", 1e-6, "weight_decay", 0.0,
      "maximize", false);

  public Adadelta(Iterable<Tensor> params) {
    this(params, Map.of());
  }

  public Adadelta(Iterable<Tensor> params, Map<String, ?> options) {
    this(List.of(new ParamGroup(params)), options);
  }

  public Adadelta(List<ParamGroup> groups, Map<String, ?> options) {
    super(groups, DEFAULTS, options);
    for (ParamGroup g : paramGroups()) {
      FusedStep.check(g.lr() >= 0, "Adadelta: invalid learning rate: " + g.lr());
      FusedStep.check(g.getDouble("rho") >= 0 && g.getDouble("rho") <= 1, "Adadelta: invalid rho value: " + g.getDouble("rho"));
      FusedStep.check(g.getDouble("eps") >= 0, "Adadelta: invalid epsilon value: " + g.getDouble("eps"));
      FusedStep.check(g.getDouble("weight_decay") >= 0, "Adadelta: invalid weight_decay value: " + g.getDouble("weight_decay"));
    }
  }

  @Override
  public void step() {
    for (ParamGroup g : paramGroups()) {
      FusedStep step = new FusedStep("adadelta_step", 4, 0);
      for (Tensor p : g.params()) {
        Tensor grad = p.grad();
        if (grad == null) continue;
        Map<String, Object> s = state(p);
        if (!s.containsKey("step")) {
          s.put("step", 0.0);
          s.put("square_avg", Tensor.zerosLike(p));
          s.put("acc_delta", Tensor.zerosLike(p));
        }
        s.put("step", (Double) s.get("step") + 1);
        step.add(new Tensor[] {p, grad, (Tensor) s.get("square_avg"), (Tensor) s.get("acc_delta")}, null);
      }
      step.run(new long[] {FusedStep.flag(g.getBoolean("maximize"))}, g.lr(), g.getDouble("rho"), g.getDouble("eps"),
          g.getDouble("weight_decay"));
    }
  }
}
