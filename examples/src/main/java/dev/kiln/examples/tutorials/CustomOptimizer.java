package dev.kiln.examples.tutorials;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.Linear;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.Map;

/**
 * An optimizer of one's own: subclass Optimizer, declare the options with their defaults, and write step()
 * with tensor ops under noGrad, keeping per-parameter tensors in state(param) (they then go into the state
 * dict and checkpoints like a built-in optimizer's). Lion (Chen et al. 2023) moves each parameter by lr
 * times the sign of an interpolation between its momentum and its gradient. A PyTorch Optimizer written the
 * same way takes the same steps (tools/tutorials/custom_optimizer.py).
 */
public final class CustomOptimizer {
  /** Options: lr 1e-4, betas (0.9, 0.99), weight_decay 0. */
  public static final class Lion extends Optimizer {
    private static final Map<String, Object> DEFAULTS = Map.of("lr", 1e-4, "betas", new double[] {0.9, 0.99}, "weight_decay", 0.0);

    public Lion(Iterable<Tensor> params, Map<String, ?> options) {
      super(params, DEFAULTS, options);
    }

    @Override
    public void step() {
      try (ModeScope noGrad = Autograd.noGrad()) {
        for (ParamGroup group : paramGroups()) {
          double lr = group.lr(), weightDecay = group.getDouble("weight_decay");
          double[] betas = group.getPair("betas");
          for (Tensor p : group.params()) {
            Tensor grad = p.grad();
            if (grad == null) continue;
            Tensor momentum = (Tensor) state(p).computeIfAbsent("exp_avg", key -> Tensor.zerosLike(p));
            p.mul_(1 - lr * weightDecay);
            p.sub_(momentum.mul(betas[0]).add(grad.mul(1 - betas[0])).sign().mul(lr));
            momentum.mul_(betas[1]).add_(grad.mul(1 - betas[1]));
          }
        }
      }
    }
  }

  /** The loss before each step, the fitted line, and the optimizer's state dict. */
  public record Run(double[] losses, double weight, double bias, Map<String, Object> state) {}

  /** Fits y = 3x - 2 on 32 points of [-1, 1) with Linear(1, 1) from zero and Lion (lr 0.05). */
  public static Run run(int steps) {
    Tensor x = Tensor.arange(32).to(DType.FLOAT32).div(16).sub(1).view(32, 1);
    Tensor y = x.mul(3).sub(2);
    Linear model = new Linear(1, 1);
    try (ModeScope noGrad = Autograd.noGrad()) {
      model.weight.zero_();
      model.bias.zero_();
    }
    Lion opt = new Lion(model.parameters(), Map.of("lr", 0.05));
    double[] losses = new double[steps];
    for (int step = 0; step < steps; step++) {
      opt.zeroGrad();
      Tensor loss = model.call(x).sub(y).pow(2).mean();
      losses[step] = loss.item();
      loss.backward();
      opt.step();
    }
    return new Run(losses, model.weight.item(), model.bias.item(), opt.stateDict());
  }

  public static void main(String[] args) {
    Run r = run(200);
    for (int step : new int[] {0, 1, 10, 100, 199}) System.out.printf("step %3d  loss %.6f%n", step, r.losses()[step]);
    System.out.printf("w = %.4f  b = %.4f%n", r.weight(), r.bias());
    // The momentum tensors sit in the state dict under PyTorch's layout: state -> parameter index -> name.
    System.out.println("optimizer state: " + r.state().get("state"));
  }

  private CustomOptimizer() {}
}
