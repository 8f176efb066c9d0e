package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;

/**
 * RMSprop (torch.optim.RMSprop, same update step for step), optionally centered and with momentum.
 * Options: lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, centered false, maximize false.
 */
public class RMSprop extends Optimizer {
  private static final Map<String, Object> DEFAULTS = Map.of("lr", 1e-2, "alpha", 0.99, "eps", 1e-8,
      "weight_decay", 0.0, "momentum", 0.0, "centered", false, "maximize", false);

  public RMSprop(Iterable<Tensor> params) {
    this(params, Map.of());
  }

  public RMSprop(Iterable<Tensor> params, double lr) {
    this(params, Map.of("lr", lr));
  }

  public RMSprop(Iterable<Tensor> params, Map<String, ?> options) {
    this(List.of(new ParamGroup(params)), options);
  }

  public RMSprop(List<ParamGroup> groups, Map<String, ?> options) {
    super(groups, DEFAULTS, options);
    for (ParamGroup g : paramGroups()) {
      FusedStep.check(g.lr() >= 0, "RMSprop: invalid learning rate: " + g.lr());
      FusedStep.check(g.getDouble("eps") >= 0, "RMSprop: invalid epsilon value: " + g.getDouble("eps"));
      FusedStep.check(g.getDouble("momentum") >= 0, "RMSprop: invalid momentum value: " + g.getDouble("momentum"));
      FusedStep.check(g.getDouble("alpha") >= 0, "RMSprop: invalid alpha value: " + g.getDouble("alpha"));
      FusedStep.check(g.getDouble("weight_decay") >= 0, "RMSprop: invalid weight_decay value: " + g.getDouble("weight_decay"));
    }
  }

  @Override
  public void step() {
    for (ParamGroup g : paramGroups()) {
      boolean centered = g.getBoolean("centered");
      double momentum = g.getDouble("momentum");
      FusedStep step = new FusedStep("rmsprop_step", 5, 0);
      for (Tensor p : g.params()) {
        Tensor grad = p.grad();
        if (grad == null) continue;
        Map<String, Object> s = state(p);
        if (!s.containsKey("step")) {
          s.put("step", 0.0);
          s.put("square_avg", Tensor.zerosLike(p));
          if (momentum > 0) s.put("momentum_buffer", Tensor.zerosLike(p));
          if (centered) s.put("grad_avg", Tensor.zerosLike(p));
        }
        s.put("step", (Double) s.get("step") + 1);
        Tensor gradAvg = centered ? (Tensor) s.get("grad_avg") : p;
        Tensor buf = momentum > 0 ? (Tensor) s.get("momentum_buffer") : p;
        step.add(new Tensor[] {p, grad, (Tensor) s.get("square_avg"), gradAvg, buf}, null);
      }
      step.run(new long[] {FusedStep.flag(centered), FusedStep.flag(g.getBoolean("maximize"))}, g.lr(),
          g.getDouble("alpha"), g.getDouble("eps"), g.getDouble("weight_decay"), momentum);
    }
  }
}
