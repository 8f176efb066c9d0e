package dev.kiln.examples.autograd;

import dev.kiln.Tensor;
import dev.kiln.autograd.Function;
import dev.kiln.autograd.FunctionContext;

/**
 * A custom autograd Function: exp(min(x, limit)) with a hand-written backward. Where x is below the limit
 * the gradient is exp(x); above it the output is constant, so the gradient is 0.
 */
public final class ClampedExp extends Function {
  private final double limit;

  public ClampedExp(double limit) {
    this.limit = limit;
  }

  @Override
  public Tensor forward(FunctionContext ctx, Tensor... inputs) {
    Tensor x = inputs[0];
    Tensor below = x.lt(limit);
    Tensor y = Tensor.where(below, x, Tensor.scalar(limit, x.dtype())).exp();
    ctx.saveForBackward(y, below);
    return y;
  }

  @Override
  public Tensor[] backward(FunctionContext ctx, Tensor... gradOutputs) {
    Tensor[] saved = ctx.savedTensors();
    return new Tensor[] {gradOutputs[0].mul(saved[0]).mul(saved[1])};
  }

  /** The values and gradients of sum(ClampedExp(2)(x)) at x = [0, 1, 2.5, 4]. */
  public static double[][] run() {
    Tensor x = Tensor.of(new double[] {0, 1, 2.5, 4}).requiresGrad(true);
    Tensor y = new ClampedExp(2).apply(x);
    y.sum().backward();
    return new double[][] {y.toDoubleArray(), x.grad().toDoubleArray()};
  }

  public static void main(String[] args) {
    double[][] r = run();
    System.out.println("clamped exp: " + java.util.Arrays.toString(r[0]));
    System.out.println("gradient:    " + java.util.Arrays.toString(r[1]));
  }
}
