package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Resilient backpropagation (torch.optim.Rprop, same update step for step): each element moves by its own step
 * size against the sign of its gradient; the step size grows by etaplus while the sign holds, shrinks by etaminus
 * when it flips (and that step is skipped), and stays within step_sizes. Options: lr 1e-2 (the initial step size),
 * etas (0.5, 1.2), step_sizes (1e-6, 50), maximize false. Each parameter's state holds step, prev and step_size.
 *
 * <pre>{@code
 * Optimizer opt = new Rprop(model.parameters(), Map.of("etas", List.of(0.4, 1.3)));
 * }</pre>
 */
public class Rprop extends Optimizer {
  private static final Map<String, Object> DEFAULTS = Map.of("lr", 1e-2, "etas", new double[] {0.5, 1.2},
      "step_sizes", new double[] {1e-6, 50}, "maximize", false);

  public Rprop(Iterable<Tensor> params) {
    this(params, Map.of());
  }

  public Rprop(Iterable<Tensor> params, double lr) {
    this(params, Map.of("lr", lr));
  }

  public Rprop(Iterable<Tensor> params, Map<String, ?> options) {
    this(List.of(new ParamGroup(params)), options);
  }

  public Rprop(List<ParamGroup> groups, Map<String, ?> options) {
    super(groups, DEFAULTS, options);
    for (ParamGroup g : paramGroups()) {
      double[] etas = g.getPair("etas");
      g.getPair("step_sizes"); // not checked by PyTorch either, but it must be a pair
      FusedStep.check(g.lr() >= 0, "Rprop: invalid learning rate: " + g.lr());
      FusedStep.check(0 < etas[0] && etas[0] < 1 && 1 < etas[1], "Rprop: invalid eta values: " + etas[0] + ", " + etas[1]);
    }
  }

  @Override
  public void step() {
    for (ParamGroup g : paramGroups()) {
      double[] etas = g.getPair("etas"), sizes = g.getPair("step_sizes");
      FusedStep step = new FusedStep("rprop_step", 4, 0);
      for (Tensor p : g.params()) {
        Tensor grad = p.grad();
        if (grad == null) continue;
        Map<String, Object> s = state(p);
        if (!s.containsKey("step")) {
          s.put("step", 0.0);
          s.put("prev", Tensor.zerosLike(p));
          s.put("step_size", Tensor.zerosLike(p).fill_(g.lr()));
        }
        s.put("step", ((Number) s.get("step")).doubleValue() + 1);
        step.add(new Tensor[] {p, grad, (Tensor) s.get("prev"), (Tensor) s.get("step_size")}, null);
      }
      step.run(new long[] {FusedStep.flag(g.getBoolean("maximize"))}, etas[0], etas[1], sizes[0], sizes[1]);
    }
  }
}
