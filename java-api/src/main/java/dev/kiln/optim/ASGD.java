package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Averaged stochastic gradient descent (torch.optim.ASGD, same update step for step). Options: lr 1e-2, lambd 1e-4,
 * alpha 0.75, t0 1e6, weight_decay 0, maximize false. Each parameter's state holds step, eta (its current learning
 * rate), mu (its averaging rate) and ax (its running average, which is what averaging SGD returns as the solution:
 * copy it into the parameter to evaluate the averaged model). eta and mu are float32 values held as Doubles, as
 * PyTorch keeps them in 0-dim float32 tensors whatever the parameter's dtype.
 *
 * <pre>{@code
 * Optimizer opt = new ASGD(model.parameters(), Map.of("lr", 0.05, "t0", 100.0));
 * }</pre>
 */
public class ASGD extends Optimizer {
  private static final Map<String, Object> DEFAULTS = Map.of("lr", 1e-2, "lambd", 1e-4, "alpha", 0.75, "t0", 1e6,
      "weight_decay", 0.0, "maximize", false);

  public ASGD(Iterable<Tensor> params) {
    this(params, Map.of());
  }

  public ASGD(Iterable<Tensor> params, double lr) {
    this(params, Map.of("lr", lr));
  }

  public ASGD(Iterable<Tensor> params, Map<String, ?> options) {
    this(List.of(new ParamGroup(params)), options);
  }

  public ASGD(List<ParamGroup> groups, Map<String, ?> options) {
    super(groups, DEFAULTS, options);
    for (ParamGroup g : paramGroups()) {
      FusedStep.check(g.lr() >= 0, "ASGD: invalid learning rate: " + g.lr());
      FusedStep.check(g.getDouble("weight_decay") >= 0, "ASGD: invalid weight_decay value: " + g.getDouble("weight_decay"));
    }
  }

  @Override
  public void step() {
    for (ParamGroup g : paramGroups()) {
      double lr = g.lr(), lambd = g.getDouble("lambd"), alpha = g.getDouble("alpha"), t0 = g.getDouble("t0");
      FusedStep step = new FusedStep("asgd_step", 3, 2);
      for (Tensor p : g.params()) {
        Tensor grad = p.grad();
        if (grad == null) continue;
        Map<String, Object> s = state(p);
        if (!s.containsKey("step")) {
          s.put("step", 0.0);
          s.put("eta", float32(lr));
          s.put("mu", 1.0);
          s.put("ax", Tensor.zerosLike(p));
        }
        // PyTorch counts in a float32 tensor (step_t += 1), and the new eta and mu go through torch.tensor.
        double t = float32(((Number) s.get("step")).doubleValue() + 1);
        s.put("step", t);
        step.add(new Tensor[] {p, grad, (Tensor) s.get("ax")}, null, ((Number) s.get("eta")).doubleValue(),
            ((Number) s.get("mu")).doubleValue());
        s.put("eta", float32(lr / Math.pow(1 + lambd * lr * t, alpha)));
        s.put("mu", float32(1 / (t - t0 > 1 ? t - t0 : 1))); // Python's max(1, step - t0): 1 unless strictly greater
      }
      step.run(new long[] {FusedStep.flag(g.getBoolean("maximize"))}, lambd, g.getDouble("weight_decay"));
    }
  }

  private static double float32(double x) {
    return (float) x;
  }
}
