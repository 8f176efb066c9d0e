package dev.kiln.examples.autograd;

import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;

/**
 * Fits y = theta * x to y = 2x on x = [1, 2, 3] with the mean squared error and plain gradient descent,
 * theta -= 0.1 * grad, from theta = 0. Reaches 2.0 as PyTorch does (losses 18.666666, 0.082963, ...).
 */
public final class LinearFit {
  /** Runs `steps` steps; returns the loss before each step and theta at the end (last entry). */
  public static double[] run(int steps) {
    Tensor x = Tensor.of(new float[] {1, 2, 3});
    Tensor y = x.mul(2);
    Tensor theta = Tensor.scalar(0.0).requiresGrad(true);
    double[] trace = new double[steps + 1];
    for (int step = 0; step < steps; step++) {
      Tensor loss = theta.mul(x).sub(y).pow(2).mean();
      loss.backward();
      trace[step] = loss.item();
      try (ModeScope noGrad = Autograd.noGrad()) {
        theta.sub_(theta.grad().mul(0.1));
      }
      theta.setGrad(null);
    }
    trace[steps] = theta.item();
    return trace;
  }

  public static void main(String[] args) {
    double[] trace = run(20);
    for (int step = 0; step < 20; step++) System.out.printf("step %2d  loss %.6f%n", step, trace[step]);
    System.out.printf("theta = %.6f%n", trace[20]);
  }

  private LinearFit() {}
}
