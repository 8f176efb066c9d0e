package dev.kiln.examples.tutorials;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.autograd.Autograd;
import dev.kiln.autograd.ModeScope;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Tanh;

/**
 * Second-order gradients: Autograd.grad with createGraph records the backward pass itself, so the gradient
 * it returns can be differentiated again. First Newton's method, x -= f'(x) / f''(x), with both
 * derivatives from autograd; then a Hessian-vector product of a network's loss, H v = d(grad . v)/dparams,
 * without ever forming H. In float64; PyTorch gives the same numbers (tools/tutorials/second_order.py).
 */
public final class SecondOrderGradients {
  /** The iterates of Newton's method on f(x) = x^4 - 3x^2 + x from x = 2: a local minimum at 1.1309. */
  public static double[] newton(int steps) {
    Tensor x = Tensor.scalar(2.0, DType.FLOAT64).requiresGrad(true);
    double[] iterates = new double[steps];
    for (int step = 0; step < steps; step++) {
      Tensor f = x.pow(4).sub(x.pow(2).mul(3)).add(x);
      Tensor d1 = Autograd.grad(f, x, true)[0];  // 4x^3 - 6x + 1, with a graph of its own
      Tensor d2 = Autograd.grad(d1, x)[0];       // 12x^2 - 6
      try (ModeScope noGrad = Autograd.noGrad()) {
        x.sub_(d1.div(d2));
      }
      iterates[step] = x.item();
    }
    return iterates;
  }

  /** The loss of a 2-3-1 tanh network on four points, its gradient and H v, each flattened over the parameters. */
  public record Hvp(double loss, double[] gradient, double[] hessianTimesV) {}

  public static Hvp hessianVectorProduct() {
    Sequential model = new Sequential(new Linear(2, 3), new Tanh(), new Linear(3, 1));
    model.to(DType.FLOAT64);
    // Fixed weights, to compare with PyTorch; the keys are PyTorch's names for a Sequential's parameters.
    model.loadStateDict(java.util.Map.of(
        "0.weight", Tensor.of(new double[] {0.5, -0.3, 0.8, 0.2, -0.6, 0.4}, 3, 2),
        "0.bias", Tensor.of(new double[] {0.1, 0, -0.1}),
        "2.weight", Tensor.of(new double[] {0.7, -0.5, 0.3}, 1, 3),
        "2.bias", Tensor.of(new double[] {0.2})));
    Tensor x = Tensor.of(new double[] {1, 0, 0, 1, 1, 1, -1, 0.5}, 4, 2);
    Tensor y = Tensor.of(new double[] {1, -1, 0.5, 0}, 4, 1);
    Tensor[] p = model.parameters().toArray(new Tensor[0]);
    Tensor loss = model.call(x).sub(y).pow(2).mean();
    // retainGraph and createGraph: the gradients keep a graph back to the parameters.
    Tensor[] grads = Autograd.grad(new Tensor[] {loss}, p, null, true, true, false);
    // Any direction v, one tensor per parameter: here 0, 0.1, 0.2, ... in each.
    Tensor gradDotV = Tensor.scalar(0.0, DType.FLOAT64);
    for (int i = 0; i < p.length; i++) {
      Tensor v = Tensor.arange(DType.FLOAT64, 0, p[i].numel(), 1).div(10).view(p[i].shape());
      gradDotV = gradDotV.add(grads[i].mul(v).sum());
    }
    Tensor[] hv = Autograd.grad(gradDotV, p);
    return new Hvp(loss.item(), flatten(grads), flatten(hv));
  }

  private static double[] flatten(Tensor[] tensors) {
    int n = 0;
    for (Tensor t : tensors) n += (int) t.numel();
    double[] out = new double[n];
    int offset = 0;
    for (Tensor t : tensors) {
      double[] d = t.toDoubleArray();
      System.arraycopy(d, 0, out, offset, d.length);
      offset += d.length;
    }
    return out;
  }

  public static void main(String[] args) {
    double[] iterates = newton(6);
    for (int step = 0; step < iterates.length; step++) System.out.printf("newton step %d: x = %.15f%n", step + 1, iterates[step]);
    Hvp h = hessianVectorProduct();
    System.out.printf("loss %.6f%ngradient %s%nH v      %s%n", h.loss(), java.util.Arrays.toString(h.gradient()),
        java.util.Arrays.toString(h.hessianTimesV()));
  }

  private SecondOrderGradients() {}
}
