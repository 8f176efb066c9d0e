package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Adam with Nesterov momentum (torch.optim.NAdam, same update step for step). Options: lr 2e-3, betas
 * (0.9, 0.999), eps 1e-8, weight_decay 0, momentum_decay 4e-3.
 */
public class NAdam extends Optimizer {
  private static final Map<String, Object> DEFAULTS = Map.of("lr", 2e-3, "betas", new double[] {0.9, 0.999},
      "eps", 1e-8, "weight_decay", 0.0, "momentum_decay", 4e-3);

  public NAdam(Iterable<Tensor> params) {
    this(params, Map.of());
  }

  public NAdam(Iterable<Tensor> params, Map<String, ?> options) {
    this(List.of(new ParamGroup(params)), options);
  }

  public NAdam(List<ParamGroup> groups, Map<String, ?> options) {
    super(groups, DEFAULTS, options);
    for (ParamGroup g : paramGroups()) {
      double[] betas = g.getPair("betas");
      FusedStep.check(g.lr() >= 0, "NAdam: invalid learning rate: " + g.lr());
      FusedStep.check(g.getDouble("eps") >= 0, "NAdam: invalid epsilon value: " + g.getDouble("eps"));
      FusedStep.check(betas[0] >= 0 && betas[0] < 1, "NAdam: invalid beta parameter at index 0: " + betas[0]);
      FusedStep.check(betas[1] >= 0 && betas[1] < 1, "NAdam: invalid beta parameter at index 1: " + betas[1]);
      FusedStep.check(g.getDouble("weight_decay") >= 0, "NAdam: invalid weight_decay value: " + g.getDouble("weight_decay"));
      FusedStep.check(g.getDouble("momentum_decay") >= 0, "NAdam: invalid momentum_decay value: " + g.getDouble("momentum_decay"));
    }
  }

  @Override
  public void step() {
    for (ParamGroup g : paramGroups()) {
      double[] betas = g.getPair("betas");
      double lr = g.lr(), decay = g.getDouble("momentum_decay");
      FusedStep step = new FusedStep("nadam_step", 4, 3);
      for (Tensor p : g.params()) {
        Tensor grad = p.grad();
        if (grad == null) continue;
        Map<String, Object> s = state(p);
        if (!s.containsKey("step")) {
          s.put("step", 0.0);
          s.put("mu_product", 1.0);
          s.put("exp_avg", Tensor.zerosLike(p));
          s.put("exp_avg_sq", Tensor.zerosLike(p));
        }
        double t = (Double) s.get("step") + 1;
        s.put("step", t);
        double mu = betas[0] * (1 - 0.5 * Math.pow(0.96, t * decay));
        double muNext = betas[0] * (1 - 0.5 * Math.pow(0.96, (t + 1) * decay));
        // PyTorch keeps mu_product in a float32 tensor: multiply in float32 to follow it.
        float muProduct = (float) ((Double) s.get("mu_product") * mu);
        s.put("mu_product", (double) muProduct);
        float muProductNext = (float) ((float) (muProduct * mu) * muNext);
        step.add(new Tensor[] {p, grad, (Tensor) s.get("exp_avg"), (Tensor) s.get("exp_avg_sq")}, null,
            1 - Math.pow(betas[1], t), -lr * (1 - mu) / (1 - muProduct), -lr * muNext / (1 - muProductNext));
      }
      step.run(new long[0], betas[0], betas[1], g.getDouble("eps"), g.getDouble("weight_decay"));
    }
  }
}
