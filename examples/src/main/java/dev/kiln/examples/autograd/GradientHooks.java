package dev.kiln.examples.autograd;

import dev.kiln.Tensor;
import dev.kiln.autograd.RemovableHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A hook that inspects the gradient flowing into a weight and halves it: for sum(w * w) at w = [1, 2, 3]
 * the hook sees [2, 4, 6] and w.grad() becomes [1, 2, 3], as in PyTorch.
 */
public final class GradientHooks {
  /** The gradients the hook saw, then the weight's final gradient. */
  public static List<double[]> run() {
    Tensor w = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
    List<double[]> seen = new ArrayList<>();
    RemovableHandle handle = w.registerHook(grad -> {
      seen.add(grad.toDoubleArray());
      return grad.mul(0.5);
    });
    w.mul(w).sum().backward();
    handle.remove();
    seen.add(w.grad().toDoubleArray());
    return seen;
  }

  public static void main(String[] args) {
    List<double[]> r = run();
    System.out.println("the hook saw " + java.util.Arrays.toString(r.get(0)));
    System.out.println("w.grad() = " + java.util.Arrays.toString(r.get(1)));
  }

  private GradientHooks() {}
}
