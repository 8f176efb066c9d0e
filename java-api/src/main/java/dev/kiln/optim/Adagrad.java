package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Adagrad (torch.optim.Adagrad, same update step for step). Options: lr 1e-2, lr_decay 0, weight_decay 0,
 * initial_accumulator_value 0, eps 1e-10, maximize false.
 */
public class Adagrad extends Optimizer {
  private static final Map<String, Object> DEFAULTS = Map.of("lr", 1e-2, "lr_decay", 0.0, "weight_decay", 0.0,
      "initial_accumulator_value", 0.0, "eps", 1e-10, "maximize", false);

  public Adagrad(Iterable<Tensor> params) {
    this(params, Map.of());
  }

  public Adagrad(Iterable<Tensor> params, double lr) {
    this(params, Map.of("lr", lr));
  }

  public Adagrad(Iterable<Tensor> params, Map<String, ?> options) {
    this(List.of(new ParamGroup(params)), options);
  }

  public Adagrad(List<ParamGroup> groups, Map<String, ?> options) {
    super(groups, DEFAULTS, options);
    for (ParamGroup g : paramGroups()) {
      FusedStep.check(g.lr() >= 0, "Adagrad: invalid learning rate: " + g.lr());
      FusedStep.check(g.getDouble("lr_decay") >= 0, "Adagrad: invalid lr_decay value: " + g.getDouble("lr_decay"));
      FusedStep.check(g.getDouble("weight_decay") >= 0, "Adagrad: invalid weight_decay value: " + g.getDouble("weight_decay"));
      FusedStep.check(g.getDouble("initial_accumulator_value") >= 0,
          "Adagrad: invalid initial_accumulator_value value: " + g.getDouble("initial_accumulator_value"));
      FusedStep.check(g.getDouble("eps") >= 0, "Adagrad: invalid epsilon value: " + g.getDouble("eps"));
      // PyTorch creates the state when the optimizer is made, not at the first step.
      for (Tensor p : g.params()) {
        Map<String, Object> s = state(p);
        s.put("step", 0.0);
        s.put("sum", Tensor.zerosLike(p).add_(g.getDouble("initial_accumulator_value")));
      }
    }
  }

  @Override
  public void step() {
    for (ParamGroup g : paramGroups()) {
      FusedStep step = new FusedStep("adagrad_step", 3, 1);
      for (Tensor p : g.params()) {
        Tensor grad = p.grad();
        if (grad == null) continue;
        Map<String, Object> s = state(p);
        double t = (Double) s.get("step") + 1;
        s.put("step", t);
        double clr = g.lr() / (1 + (t - 1) * g.getDouble("lr_decay"));
        step.add(new Tensor[] {p, grad, (Tensor) s.get("sum")}, null, clr);
      }
      step.run(new long[] {FusedStep.flag(g.getBoolean("maximize"))}, g.getDouble("eps"), g.getDouble("weight_decay"));
    }
  }
}
