package dev.kiln.optim;

import dev.kiln.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Rectified Adam (torch.optim.RAdam, same update step for step): plain momentum while the variance
 * estimate is unreliable, rectified Adam after. Options: lr 1e-3, betas (0.9, 0.999), eps 1e-8,
 * weight_decay 0.
 */
public class RAdam extends Optimizer {
  private static final Map<String, Object> DEFAULTS = Map.of("lr", 1e-3, "betas", new double[] {0.9, 0.999},
      "eps", 1e-8, "weight_decay", 0.0);

  public RAdam(Iterable<Tensor> params) {
    this(params, Map.of());
  }

  public RAdam(Iterable<Tensor> params, Map<String, ?> options) {
    this(List.of(new ParamGroup(params)), options);
  }

  public RAdam(List<ParamGroup> groups, Map<String, ?> options) {
    super(groups, DEFAULTS, options);
    for (ParamGroup g : paramGroups()) {
      double[] betas = g.getPair("betas");
      FusedStep.check(g.lr() >= 0, "RAdam: invalid learning rate: " + g.lr());
      FusedStep.check(g.getDouble("eps") >= 0, "RAdam: invalid epsilon value: " + g.getDouble("eps"));
      FusedStep.check(betas[0] >= 0 && betas[0] < 1, "RAdam: invalid beta parameter at index 0: " + betas[0]);
      FusedStep.check(betas[1] >= 0 && betas[1] < 1, "RAdam: invalid beta parameter at index 1: " + betas[1]);
      FusedStep.check(g.getDouble("weight_decay") >= 0, "RAdam: invalid weight_decay value: " + g.getDouble("weight_decay"));
    }
  }

  @Override
  public void step() {
    for (ParamGroup g : paramGroups()) {
      double[] betas = g.getPair("betas");
      double rhoInf = 2 / (1 - betas[1]) - 1;
      FusedStep step = new FusedStep("radam_step", 4, 3);
      for (Tensor p : g.params()) {
        Tensor grad = p.grad();
        if (grad == null) continue;
        Map<String, Object> s = state(p);
        if (!s.containsKey("step")) {
          s.put("step", 0.0);
          s.put("exp_avg", Tensor.zerosLike(p));
          s.put("exp_avg_sq", Tensor.zerosLike(p));
        }
        double t = (Double) s.get("step") + 1;
        s.put("step", t);
        double bc1 = 1 - Math.pow(betas[0], t), bc2 = 1 - Math.pow(betas[1], t);
        double rhoT = rhoInf - 2 * t * Math.pow(betas[1], t) / bc2;
        boolean rectified = rhoT > 5;
        double rect = rectified ? Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
        step.add(new Tensor[] {p, grad, (Tensor) s.get("exp_avg"), (Tensor) s.get("exp_avg_sq")},
            FusedStep.flag(rectified), bc1, bc2, rect);
      }
      step.run(new long[0], g.lr(), betas[0], betas[1], g.getDouble("eps"), g.getDouble("weight_decay"));
    }
  }
}
