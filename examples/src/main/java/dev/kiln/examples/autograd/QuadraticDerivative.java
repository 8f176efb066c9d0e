package dev.kiln.examples.autograd;

import dev.kiln.Tensor;

/** d/dx (x^2 + 2x + 1) at x = 3, by backward: prints 8.0, as PyTorch does. */
public final class QuadraticDerivative {
  public static double run() {
    Tensor x = Tensor.scalar(3.0).requiresGrad(true);
    Tensor y = x.pow(2).add(x.mul(2)).add(1);
    y.backward();
    return x.grad().item();
  }

  public static void main(String[] args) {
    System.out.println("dy/dx at x = 3: " + run());
  }

  private QuadraticDerivative() {}
}
