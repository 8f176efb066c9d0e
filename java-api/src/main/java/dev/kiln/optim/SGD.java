package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum, weight decay and maximize
 * (torch.optim.SGD, same update step for step). Options: lr (required), momentum 0, dampening 0,
 * weight_decay 0, nesterov false, maximize false.
 */
public class SGD extends Optimizer {
  private static final Map<String, Object> DEFAULTS = Map.of("lr", Double.NaN, "momentum", 0.0, "dampening", 0.0,
      "weight_decay", 0.0, "nesterov", false, "maximize", false);

  public SGD(Iterable<Tensor> params, double lr) {
    this(params, Map.of("lr", lr));
  }

  public SGD(Iterable<Tensor> params, Map<String, ?> options) {
    super(params, DEFAULTS, options);
    validate();
  }

  public SGD(List<ParamGroup> groups, Map<String, ?> options) {
    super(groups, DEFAULTS, options);
    validate();
  }

  private void validate() {
    for (ParamGroup g : paramGroups()) {
      FusedStep.check(g.lr() >= 0, "SGD: invalid learning rate: " + g.lr() + " (lr is required)");
      FusedStep.check(g.getDouble("momentum") >= 0, "SGD: invalid momentum value: " + g.getDouble("momentum"));
      FusedStep.check(g.getDouble("weight_decay") >= 0, "SGD: invalid weight_decay value: " + g.getDouble("weight_decay"));
      FusedStep.check(!g.getBoolean("nesterov") || (g.getDouble("momentum") > 0 && g.getDouble("dampening") == 0),
          "SGD: Nesterov momentum requires a momentum and zero dampening");
    }
  }

  @Override
  public void step() {
    for (ParamGroup g : paramGroups()) {
      double momentum = g.getDouble("momentum");
      FusedStep step = new FusedStep("sgd_step", 3, 0);
      for (Tensor p : g.params()) {
        Tensor grad = p.grad();
        if (grad == null) continue;
        Map<String, Object> s = state(p);
        boolean first = momentum != 0 && !s.containsKey("momentum_buffer");
        if (first) s.put("momentum_buffer", Tensor.zerosLike(p));
        Tensor buf = momentum != 0 ? (Tensor) s.get("momentum_buffer") : p;
        step.add(new Tensor[] {p, grad, buf}, FusedStep.flag(first));
      }
      step.run(new long[] {FusedStep.flag(g.getBoolean("nesterov")), FusedStep.flag(g.getBoolean("maximize"))},
          g.lr(), momentum, g.getDouble("dampening"), g.getDouble("weight_decay"));
    }
  }
}
