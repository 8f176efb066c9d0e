package dev.kiln.examples.tutorials;

import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.Linear;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.function.Function;

/**
 * Linear regression on y = 3x - 2 + noise, three ways: a gradient-descent loop written by hand, then the
 * same model as an nn.Linear trained by optim.SGD and by optim.Adam. All start from w = b = 0 and minimize
 * the mean squared error; the hand-written loop and SGD take the same steps. PyTorch fits the same data
 * to the same numbers (tools/tutorials/linear_regression.py).
 */
public final class LinearRegression {
  /** The loss before each step, and the line at the end. */
  public record Fit(double[] losses, double weight, double bias) {}

  /** 32 points, x evenly spaced on [-1, 1), y = 3x - 2 + 0.2 * standard normal noise from seed 0; shapes [32, 1]. */
  public static Tensor[] data() {
    Tensor x = Tensor.arange(32).to(DType.FLOAT32).div(16).sub(1).view(32, 1);
    try (Generator g = new Generator(0)) {
      Tensor noise = Tensor.randn(g, 32, 1);
      return new Tensor[] {x, x.mul(3).sub(2).add(noise.mul(0.2))};
    }
  }

  /** w and b as plain tensors; the update runs under noGrad so that it is not recorded. */
  public static Fit byHand(int steps, double lr) {
    Tensor[] xy = data();
    Tensor w = Tensor.scalar(0.0, DType.FLOAT32).requiresGrad(true);
    Tensor b = Tensor.scalar(0.0, DType.FLOAT32).requiresGrad(true);
    double[] losses = new double[steps];
    for (int step = 0; step < steps; step++) {
      Tensor loss = w.mul(xy[0]).add(b).sub(xy[1]).pow(2).mean();
      losses[step] = loss.item();
      loss.backward();
      try (ModeScope noGrad = Autograd.noGrad()) {
        w.sub_(w.grad().mul(lr));
        b.sub_(b.grad().mul(lr));
      }
      // Gradients accumulate across backward calls: clear them before the next one.
      w.setGrad(null);
      b.setGrad(null);
    }
    return new Fit(losses, w.item(), b.item());
  }

  public static Fit withSgd(int steps, double lr) {
    return withOptimizer(steps, params -> new SGD(params, lr));
  }

  public static Fit withAdam(int steps, double lr) {
    return withOptimizer(steps, params -> new Adam(params, lr));
  }

  /** The usual loop: zeroGrad, forward, loss, backward, step. */
  private static Fit withOptimizer(int steps, Function<Iterable<Tensor>, Optimizer> makeOptimizer) {
    Tensor[] xy = data();
    Linear model = new Linear(1, 1);
    try (ModeScope noGrad = Autograd.noGrad()) {
      // Start where the hand-written loop starts, instead of at random.
      model.weight.zero_();
      model.bias.zero_();
    }
    Optimizer opt = makeOptimizer.apply(model.parameters());
    double[] losses = new double[steps];
    for (int step = 0; step < steps; step++) {
      opt.zeroGrad();
      Tensor loss = model.call(xy[0]).sub(xy[1]).pow(2).mean();
      losses[step] = loss.item();
      loss.backward();
      opt.step();
    }
    return new Fit(losses, model.weight.item(), model.bias.item());
  }

  public static void main(String[] args) {
    print("by hand", byHand(100, 0.2));
    print("optim.SGD", withSgd(100, 0.2));
    print("optim.Adam", withAdam(100, 0.1));
  }

  private static void print(String name, Fit fit) {
    System.out.printf("%-10s loss %.6f -> %.6f   w = %.4f  b = %.4f%n", name, fit.losses()[0],
        fit.losses()[fit.losses().length - 1], fit.weight(), fit.bias());
  }

  private LinearRegression() {}
}
