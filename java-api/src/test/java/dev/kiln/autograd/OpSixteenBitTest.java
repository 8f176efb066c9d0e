package dev.kiln.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.DTypeException;
import dev.kiln.Tensor;
import dev.kiln.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every differentiable op (the gradcheck samples of OpGradCheckTest) on float16 and bfloat16 inputs: the result has
 * that dtype and the values of the op computed on float32 copies, within the rounding of the 16-bit dtypes (a
 * sample chains a few ops, each rounded), or the op refuses the dtype with a DTypeException. Before, most ops'
 * kernels read 16-bit storage as float32 or float64: garbage, or writes past the output's end.
 */
class OpSixteenBitTest {
  private static final Map<String, List<GradSamples.Sample>> SAMPLES = GradSamples.all();

  /**
   * The ops that may refuse 16-bit inputs: rrelu's noise is written in the input's dtype and fractional pooling's
   * random samples read in it; embedding_bag's kernels take float32 and float64; batch_norm refuses running
   * statistics of another dtype than its input (a sample's are float64), as PyTorch does. Any other refusal fails.
   */
  private static final TreeSet<String> REFUSED = new TreeSet<>(List.of("rrelu_with_noise", "fractional_max_pool2d",
      "fractional_max_pool3d", "embedding_bag", "batch_norm"));

  /** The ops whose samples ask for their result's dtype. */
  private static final TreeSet<String> EXPLICIT_DTYPE = new TreeSet<>(List.of("to", "_to_copy"));

  @TestFactory
  Stream<DynamicTest> everyDifferentiableOp() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String op : OpGradCheckTest.differentiableOps())
      for (GradSamples.Sample s : SAMPLES.getOrDefault(op, List.of()))
        for (DType t : List.of(DType.FLOAT16, DType.BFLOAT16))
          tests.add(DynamicTest.dynamicTest(op + (s.label().isEmpty() ? "" : " (" + s.label() + ")") + " in " + t,
              () -> check(op, s, t)));
    return tests.stream();
  }

  @Test
  void refusalsAreOpsOfTheTable() {
    assertTrue(SAMPLES.keySet().containsAll(REFUSED), "ops without a sample in REFUSED: " + REFUSED);
  }

  private static void check(String op, GradSamples.Sample s, DType t) {
    try (TensorScope scope = TensorScope.open()) {
      Tensor[] given = s.inputs().get();
      Tensor[] narrow = new Tensor[given.length], wide = new Tensor[given.length];
      for (int i = 0; i < given.length; i++) {
        Tensor x = given[i].detach();
        narrow[i] = x.dtype().isFloatingPoint() ? x.to(t) : x;
        wide[i] = x.dtype().isFloatingPoint() ? narrow[i].to(DType.FLOAT32) : x;
      }
      Tensor[] got;
      try {
        got = s.fn().apply(narrow);
      } catch (DTypeException e) {
        assertTrue(REFUSED.contains(op), op + " refused " + t + ": " + e.getMessage());
        return;
      }
      Tensor[] want = s.fn().apply(wide);
      assertEquals(want.length, got.length, op);
      for (int k = 0; k < got.length; k++) {
        if (!want[k].dtype().isFloatingPoint()) continue;
        DType expected = EXPLICIT_DTYPE.contains(op) ? want[k].dtype() : t;
        assertEquals(expected, got[k].dtype(), op + ": output " + k);
        compare(op + " in " + t + ", output " + k, got[k].to(DType.FLOAT64).toDoubleArray(),
            want[k].to(expected).to(DType.FLOAT64).toDoubleArray(), t == DType.BFLOAT16 ? 0.08 : 0.02);
      }
    }
  }

  /** Equal within tol of the larger of |want| and a tenth of the largest |want| (rounding in chained ops). */
  private static void compare(String what, double[] got, double[] want, double tol) {
    assertEquals(want.length, got.length, what);
    double scale = 0;
    for (double w : want) if (Double.isFinite(w)) scale = Math.max(scale, Math.abs(w));
    for (int i = 0; i < got.length; i++) {
      if (Double.isNaN(want[i]) && Double.isNaN(got[i])) continue;
      if (want[i] == got[i]) continue;
      double bound = tol * Math.max(Math.abs(want[i]), 0.1 * scale) + 1e-3;
      assertTrue(Math.abs(got[i] - want[i]) <= bound,
          what + ": element " + i + " is " + got[i] + ", want " + want[i] + " (of " + got.length + ")");
    }
  }
}
