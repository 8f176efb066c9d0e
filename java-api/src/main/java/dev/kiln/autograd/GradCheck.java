package dev.kiln.autograd;

import dev.kiln.DType;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks analytical gradients against central finite differences (torch.autograd.gradcheck), with
 * PyTorch's defaults: eps 1e-6, atol 1e-5, rtol 1e-3, float64 inputs. gradgradcheck does the same for the
 * gradients of the gradients.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(DType.FLOAT64, 3, 4).requiresGrad(true);
 * GradCheck.gradcheck(in -> new Tensor[] {in[0].tanh().sum(1)}, x);   // throws GradcheckError on a mismatch
 * }</pre>
 */
public final class GradCheck {
  private GradCheck() {}

  public static final double EPS = 1e-6;
  public static final double ATOL = 1e-5;
  public static final double RTOL = 1e-3;

  /** The function under check: tensors in, tensors out. */
  @FunctionalInterface
  public interface TensorFunction {
    Tensor[] apply(Tensor... inputs);
  }

  /** A gradient that disagrees with finite differences. */
  public static final class GradcheckError extends AssertionError {
    private static final long serialVersionUID = 1L;

    GradcheckError(String message) {
      super(message);
    }
  }

  /** Checks d(fn(inputs))/d(inputs) for the inputs that require grad; returns true or throws. */
  public static boolean gradcheck(TensorFunction fn, Tensor... inputs) {
    return gradcheck(fn, EPS, ATOL, RTOL, inputs);
  }

  public static boolean gradcheck(TensorFunction fn, double eps, double atol, double rtol, Tensor... inputs) {
    for (Tensor in : inputs)
      if (in.requiresGrad() && in.dtype() != DType.FLOAT64)
        throw new IllegalArgumentException("gradcheck: inputs that require grad must be float64, got " + in.dtype());
    try (TensorScope scope = TensorScope.open()) {
      // Analytical first: the finite differences perturb the inputs in place, which would invalidate the
      // tensors the graph saved.
      Tensor[] outputs = fn.apply(inputs);
      double[][][][] analytical = new double[outputs.length][inputs.length][][];
      for (int o = 0; o < outputs.length; o++) {
        if (!outputs[o].requiresGrad()) continue;
        for (int i = 0; i < inputs.length; i++)
          if (inputs[i].requiresGrad()) analytical[o][i] = analyticalJacobian(outputs[o], inputs, i);
      }
      for (int o = 0; o < outputs.length; o++) {
        if (!outputs[o].dtype().isFloatingPoint()) continue;
        for (int i = 0; i < inputs.length; i++) {
          if (!inputs[i].requiresGrad()) continue;
          double[][] numerical = numericalJacobian(fn, inputs, i, o, eps);
          double[][] a = analytical[o][i] != null ? analytical[o][i] : new double[numerical.length][numerical.length == 0 ? 0 : numerical[0].length];
          compare(numerical, a, atol, rtol, "output " + o + " with respect to input " + i);
        }
      }
    }
    return true;
  }

  /**
   * Checks the second derivatives: gradcheck of (inputs, v) -> d(fn(inputs))/d(inputs) . v, with random
   * vectors v, computed with createGraph.
   */
  public static boolean gradgradcheck(TensorFunction fn, Tensor... inputs) {
    return gradgradcheck(fn, EPS, ATOL, RTOL, inputs);
  }

  public static boolean gradgradcheck(TensorFunction fn, double eps, double atol, double rtol, Tensor... inputs) {
    Tensor[] probe;
    try (TensorScope scope = TensorScope.open()) {
      Tensor[] outputs = fn.apply(inputs);
      probe = new Tensor[outputs.length];
      dev.kiln.Generator g = new dev.kiln.Generator(1234);
      for (int o = 0; o < outputs.length; o++)
        probe[o] = scope.keep(Tensor.randn(g, DType.FLOAT64, outputs[o].shape()).requiresGrad(true));
      g.close();
    }
    int n = inputs.length;
    TensorFunction firstOrder = all -> {
      Tensor[] in = java.util.Arrays.copyOfRange(all, 0, n);
      Tensor[] v = java.util.Arrays.copyOfRange(all, n, all.length);
      Tensor[] outputs = fn.apply(in);
      List<Tensor> differentiable = new ArrayList<>();
      List<Tensor> used = new ArrayList<>();
      for (Tensor t : in) if (t.requiresGrad()) differentiable.add(t);
      List<Tensor> outs = new ArrayList<>();
      for (int o = 0; o < outputs.length; o++) {
        if (!outputs[o].requiresGrad()) continue;
        outs.add(outputs[o]);
        used.add(v[o]);
      }
      if (outs.isEmpty()) return new Tensor[0];
      Tensor[] grads = Autograd.grad(outs.toArray(new Tensor[0]), differentiable.toArray(new Tensor[0]),
          used.toArray(new Tensor[0]), true, true, true);
      for (int k = 0; k < grads.length; k++) if (grads[k] == null) grads[k] = Tensor.zerosLike(differentiable.get(k));
      return grads;
    };
    Tensor[] all = new Tensor[n + probe.length];
    System.arraycopy(inputs, 0, all, 0, n);
    System.arraycopy(probe, 0, all, n, probe.length);
    try {
      return gradcheck(firstOrder, eps, atol, rtol, all);
    } finally {
      for (Tensor p : probe) p.close();
    }
  }

  // Column j: (f(x + eps e_j) - f(x - eps e_j)) / 2 eps, perturbing input i in place.
  private static double[][] numericalJacobian(TensorFunction fn, Tensor[] inputs, int i, int o, double eps) {
    Tensor x = inputs[i];
    int n = (int) x.numel();
    double[][] columns = new double[n][];
    Tensor flat;
    try (ModeScope g = Autograd.noGrad()) {
      flat = x.view(-1);
    }
    for (int j = 0; j < n; j++) {
      double[] plus, minus;
      // Perturb under noGrad (x is a leaf that requires grad); evaluate with grad on, since fn may
      // differentiate itself (gradgradcheck's inner function does).
      try (TensorScope scope = TensorScope.open()) {
        Tensor element = flat.narrow(0, j, 1);
        perturb(element, eps);
        plus = fn.apply(inputs)[o].toDoubleArray();
        perturb(element, -2 * eps);
        minus = fn.apply(inputs)[o].toDoubleArray();
        perturb(element, eps);
      }
      double[] col = new double[plus.length];
      for (int k = 0; k < col.length; k++) col[k] = (plus[k] - minus[k]) / (2 * eps);
      columns[j] = col;
    }
    flat.close();
    return columns;
  }

  private static void perturb(Tensor element, double delta) {
    try (ModeScope g = Autograd.noGrad()) {
      element.add_(delta);
    }
  }

  // Row k: the gradient of output element k with respect to input i, by backward with a one-hot seed.
  private static double[][] analyticalJacobian(Tensor output, Tensor[] inputs, int i) {
    int m = (int) output.numel();
    int n = (int) inputs[i].numel();
    double[][] columns = new double[n][m];
    for (int k = 0; k < m; k++) {
      try (TensorScope scope = TensorScope.open()) {
        double[] seed = new double[m];
        seed[k] = 1;
        Tensor v = Tensor.of(seed).reshape(output.shape()).to(output.dtype());
        Tensor[] g = Autograd.grad(new Tensor[] {output}, new Tensor[] {inputs[i]}, new Tensor[] {v}, true, false, true);
        double[] row = g[0] == null ? new double[n] : g[0].toDoubleArray();
        for (int j = 0; j < n; j++) columns[j][k] = row[j];
      }
    }
    return columns;
  }

  private static void compare(double[][] numerical, double[][] analytical, double atol, double rtol, String what) {
    for (int j = 0; j < numerical.length; j++)
      for (int k = 0; k < numerical[j].length; k++) {
        double a = analytical[j][k], n = numerical[j][k];
        if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n)))
          throw new GradcheckError("Jacobian mismatch for " + what + " at (input element " + j + ", output element " + k
              + "): numerical " + n + ", analytical " + a);
      }
  }
}
