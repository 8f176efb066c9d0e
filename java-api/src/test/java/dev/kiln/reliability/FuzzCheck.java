package dev.kiln.reliability;

import dev.kiln.DType;
import dev.kiln.KilnException;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one fuzz program in Kiln and in the reference and says how they differ (null when they agree): every
 * value (shape, dtype, elements), the step where the reference refuses (Kiln must raise a typed exception
 * naming the op there), and, for float64 programs, the gradients of a weighted sum of the last value against
 * central finite differences of the reference.
 */
final class FuzzCheck {
  private FuzzCheck() {}

  private static final double H = 1e-6;

  /** What the checks covered so far (the fuzz test prints it, so that a run shows it did more than start). */
  static int steps, refusals, gradientPrograms, gradientElements;

  static String check(FuzzProgram p) {
    List<RefTensor> ref = new ArrayList<>(), rounded = new ArrayList<>();
    List<RefTensor> leafRefs = p.referenceLeaves();
    for (int i = 0; i < p.leaves.size(); i++) {
      ref.add(FuzzProgram.view(leafRefs.get(i), p.leaves.get(i).layout()));
      rounded.add(ref.get(i));
    }
    RefTensor.RefError refused = null;
    for (FuzzProgram.Step s : p.steps) {
      try {
        ref.add(FuzzProgram.reference(s, ref));
        rounded.add(FuzzProgram.reference(s, rounded).roundedToItsDtype());
      } catch (RefTensor.RefError e) {
        refused = e;
        break;
      }
    }
    try (TensorScope scope = TensorScope.open()) {
      Tensor[] leaves = p.kilnLeaves();
      List<Tensor> values = new ArrayList<>();
      RuntimeException raised = null;
      try {
        p.runKiln(leaves, values);
      } catch (RuntimeException e) {
        raised = e;
      }
      steps += values.size() - p.leaves.size();
      String diff = compareValues(p, ref, rounded, values);
      if (diff != null) return diff;
      int failedStep = values.size() - p.leaves.size();
      if (refused != null || raised != null) {
        if (refused == null)
          return "Kiln raised at step " + failedStep + " where the reference gives a value: " + raised;
        if (raised == null)
          return "Kiln gave a value at step " + failedStep + " where PyTorch raises: " + refused.getMessage();
        String op = FuzzProgram.opName(p.steps.get(failedStep).kind());
        if (!(raised instanceof KilnException) || !String.valueOf(raised.getMessage()).contains(op))
          return "step " + failedStep + " raised " + raised + ", not a Kiln exception naming " + op;
        refusals++;
        return null;
      }
      return p.allFloat64() && !p.steps.isEmpty() ? compareGradients(p, leafRefs, leaves, values.get(values.size() - 1))
          : null;
    }
  }

  /**
   * Each value against the reference within rtol; a float32 one also within 4 times its distance from the reference
   * run with each step rounded to float32, which is how far float32 rounding alone can carry it (sin of a large
   * number, say).
   */
  private static String compareValues(FuzzProgram p, List<RefTensor> ref, List<RefTensor> rounded,
                                      List<Tensor> values) {
    boolean all64 = p.allFloat64();
    double rtol = all64 ? 1e-9 : 1e-3;
    for (int i = 0; i < values.size(); i++) {
      Tensor k = values.get(i);
      RefTensor r = ref.get(i);
      String step = i < p.leaves.size() ? "leaf view" : FuzzProgram.java(p.steps.get(i - p.leaves.size()));
      String where = "v" + i + " (" + step + "): ";
      if (!Arrays.equals(k.shape(), r.shape))
        return where + "shape " + Arrays.toString(k.shape()) + ", the reference " + Arrays.toString(r.shape);
      DType expected = r.float32 ? DType.FLOAT32 : DType.FLOAT64;
      if (k.dtype() != expected) return where + "dtype " + k.dtype() + ", expected " + expected;
      double[] kv = k.detach().to(DType.FLOAT64).contiguous().toDoubleArray(), rv = r.values();
      double[] r32 = rounded.get(i).values();
      boolean illConditioned = false;
      for (int e = 0; e < rv.length; e++) {
        double spread = Math.abs(r32[e] - rv[e]);
        // float32 programs are compared where float32 can hold every value of the reference
        if (!all64 && (!(Math.abs(rv[e]) < 1e30) || !Double.isFinite(r32[e]) && Double.isFinite(rv[e]))) continue;
        illConditioned |= !close(r32[e], rv[e], rtol);
        if (!close(kv[e], rv[e], rtol) && !(Math.abs(kv[e] - rv[e]) <= 4 * spread))
          return where + "element " + e + " is " + kv[e] + ", the reference " + rv[e];
      }
      // Where float32 rounding alone moved a value past the tolerance, what follows from it cannot be compared.
      if (illConditioned) return null;
    }
    return null;
  }

  static boolean close(double k, double r, double rtol) {
    if (Double.isNaN(r) || Double.isInfinite(r)) return Double.compare(k, r) == 0;
    return Math.abs(k - r) <= rtol * (1 + Math.abs(r));
  }

  /** Weights of the loss sum(out * w): fixed, varied, some zero and negative. */
  static double[] weights(long n) {
    double[] w = new double[(int) n];
    for (int i = 0; i < w.length; i++) w[i] = ((i * 7) % 11 - 4) / 4.0;
    return w;
  }

  private static String compareGradients(FuzzProgram p, List<RefTensor> leafRefs, Tensor[] leaves, Tensor out) {
    double[] w = weights(out.numel());
    Tensor loss = out.mul(Tensor.of(w, out.shape())).sum();
    double l0 = loss(p, leafRefs, w);
    // An infinite intermediate makes autograd's 0 * inf a NaN (in PyTorch too) where finite differences see 0.
    boolean finite = p.runReference(leafRefs).stream()
        .allMatch(r -> Arrays.stream(r.values()).allMatch(Double::isFinite));
    if (!finite || !Double.isFinite(l0) || !loss.requiresGrad()) return null;
    loss.backward();
    gradientPrograms++;
    for (int i = 0; i < leaves.length; i++) {
      Tensor g = leaves[i].grad();
      double[] kg = g == null ? new double[(int) leaves[i].numel()] : g.contiguous().toDoubleArray();
      double[] x = leafRefs.get(i).data;
      for (int e = 0; e < x.length; e++) {
        double keep = x[e];
        x[e] = keep + H;
        double up = loss(p, leafRefs, w);
        x[e] = keep - H;
        double down = loss(p, leafRefs, w);
        x[e] = keep;
        double forward = (up - l0) / H, backward = (l0 - down) / H, central = (up - down) / (2 * H);
        // A kink (relu, abs, a tie of amax) at this point: the one-sided differences disagree; no gradient to check.
        if (!Double.isFinite(central) || Math.abs(forward - backward) > 1e-3 * (1 + Math.abs(central))) continue;
        gradientElements++;
        double tol = 1e-4 * (1 + Math.abs(central)) + 1e-9 * (1 + Math.abs(l0)) / H;
        if (!(Math.abs(kg[e] - central) <= tol))
          return "gradient of l" + i + " element " + e + " is " + kg[e] + ", finite differences give " + central;
      }
    }
    return null;
  }

  private static double loss(FuzzProgram p, List<RefTensor> leafRefs, double[] w) {
    List<RefTensor> v = p.runReference(leafRefs);
    double[] out = v.get(v.size() - 1).values();
    double s = 0;
    for (int i = 0; i < out.length; i++) s += out[i] * w[i];
    return s;
  }
}
