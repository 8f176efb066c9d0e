package dev.kiln.examples.tutorials;

import dev.kiln.Tensor;
import dev.kiln.optim.SGD;
import java.util.List;
import java.util.Map;

/**
 * SGD with and without momentum on an ill-conditioned quadratic, f(x) = (x0^2 + 100 x1^2) / 2 from (1, 1).
 * The learning rate must stay below 2/100 for the steep direction, which makes plain SGD crawl along the
 * flat one (282 steps to f < 1e-4); momentum 0.8 gets there in 41, and 0.9 overshoots and needs 77.
 * PyTorch takes the same steps (tools/tutorials/sgd_momentum.py).
 */
public final class SgdMomentum {
  /** f before each of `steps` steps of SGD with learning rate 0.015 and the given momentum. */
  public static double[] run(double momentum, int steps) {
    Tensor curvature = Tensor.of(new float[] {1, 100});
    Tensor x = Tensor.of(new float[] {1, 1}).requiresGrad(true);
    SGD opt = new SGD(List.of(x), Map.of("lr", 0.015, "momentum", momentum));
    double[] f = new double[steps];
    for (int step = 0; step < steps; step++) {
      opt.zeroGrad();
      Tensor loss = curvature.mul(x).mul(x).sum().mul(0.5);
      f[step] = loss.item();
      loss.backward();
      opt.step();
    }
    return f;
  }

  /** The first step at which f is below the threshold, or -1. */
  public static int stepsTo(double threshold, double[] f) {
    for (int step = 0; step < f.length; step++) if (f[step] < threshold) return step;
    return -1;
  }

  public static void main(String[] args) {
    for (double momentum : new double[] {0, 0.8, 0.9}) {
      double[] f = run(momentum, 300);
      System.out.printf("momentum %.1f: f after 10 steps %.6f, after 100 %.3e; f < 1e-4 after %d steps%n",
          momentum, f[10], f[100], stepsTo(1e-4, f));
    }
  }

  private SgdMomentum() {}
}
