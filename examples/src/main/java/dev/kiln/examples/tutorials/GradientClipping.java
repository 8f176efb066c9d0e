package dev.kiln.examples.tutorials;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.Linear;
import dev.kiln.nn.utils.ClipGrad;
import dev.kiln.optim.SGD;
import java.util.List;
import java.util.function.Consumer;

/**
 * Gradient clipping inside a training loop, between backward and step: by norm (all gradients scaled
 * together so that their total 2-norm is at most 10, keeping their direction) and by value (each element
 * clamped to [-5, 5], which also turns the direction). Fits y = 3x - 2 on x in [-10, 10), where the first
 * gradients have a norm of about 200. PyTorch gives the same norms (tools/tutorials/gradient_clipping.py).
 */
public final class GradientClipping {
  /** Per step: the loss, and the total gradient norm before and after clipping; then the fitted line. */
  public record Run(double[] losses, double[] normsBefore, double[] normsAfter, double weight, double bias) {}

  public static Run byNorm(int steps, double maxNorm) {
    // clipGradNorm returns the total norm it saw, before scaling.
    return train(steps, params -> ClipGrad.clipGradNorm(params, maxNorm));
  }

  public static Run byValue(int steps, double clipValue) {
    return train(steps, params -> ClipGrad.clipGradValue(params, clipValue));
  }

  private static Run train(int steps, Consumer<List<Tensor>> clip) {
    Tensor x = Tensor.arange(32).to(DType.FLOAT32).mul(0.625).sub(10).view(32, 1);
    Tensor y = x.mul(3).sub(2);
    Linear model = new Linear(1, 1);
    try (ModeScope noGrad = Autograd.noGrad()) {
      model.weight.zero_();
      model.bias.zero_();
    }
    SGD opt = new SGD(model.parameters(), 0.02);
    double[] losses = new double[steps], before = new double[steps], after = new double[steps];
    for (int step = 0; step < steps; step++) {
      opt.zeroGrad();
      Tensor loss = model.call(x).sub(y).pow(2).mean();
      losses[step] = loss.item();
      loss.backward();
      before[step] = totalNorm(model.parameters());
      clip.accept(model.parameters());
      after[step] = totalNorm(model.parameters());
      opt.step();
    }
    return new Run(losses, before, after, model.weight.item(), model.bias.item());
  }

  /** The 2-norm of all gradients together, as clipGradNorm measures it. */
  static double totalNorm(List<Tensor> params) {
    double sum = 0;
    for (Tensor p : params) sum += p.grad().pow(2).sum().item();
    return Math.sqrt(sum);
  }

  public static void main(String[] args) {
    print("clip by norm (max 10)", byNorm(100, 10));
    print("clip by value (5)", byValue(100, 5));
  }

  private static void print(String name, Run run) {
    System.out.println(name);
    for (int step : new int[] {0, 1, 2, 10, 20, 99})
      System.out.printf("  step %2d  loss %10.4f  gradient norm %8.4f -> %8.4f%n", step, run.losses()[step],
          run.normsBefore()[step], run.normsAfter()[step]);
    System.out.printf("  w = %.4f  b = %.4f%n", run.weight(), run.bias());
  }

  private GradientClipping() {}
}
