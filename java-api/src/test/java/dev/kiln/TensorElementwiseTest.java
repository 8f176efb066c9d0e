package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Elementwise ops beyond the fixtures: in-place forms return their tensor, inputs that alias the output,
 * large (multi-threaded) tensors against Java's own math, and which Java overload gives which dtype.
 */
class TensorElementwiseTest {
  @Test
  void inPlaceFormsReturnTheirTensor() {
    Tensor x = Tensor.of(new float[] {1, 4, 9});
    assertSame(x, x.add_(1L));
    assertSame(x, x.sub_(1.0));
    assertSame(x, x.mul_(Tensor.scalar(2.0)));
    assertSame(x, x.div_(2.0));
    assertSame(x, x.sqrt_());
    assertSame(x, x.pow_(2.0));
    assertSame(x, x.neg_().abs_().relu_());
    assertSame(x, x.exp_().log_());
    assertSame(x, x.copy_(Tensor.of(new double[] {1, 2, 3})));
    assertArrayEquals(new float[] {1, 2, 3}, x.toFloatArray());
    assertSame(x, x.fill_(true).zero_());
    assertArrayEquals(new float[] {0, 0, 0}, x.toFloatArray());
  }

  @Test
  void anInputMayBeTheOutput() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    x.add_(x);
    assertArrayEquals(new float[] {2, 4, 6, 8}, x.toFloatArray());
    x.mul_(x.t()); // reads x.t() as it was before the write
    assertArrayEquals(new float[] {4, 24, 24, 64}, x.toFloatArray());
    x.copy_(x.t());
    assertArrayEquals(new float[] {4, 24, 24, 64}, x.toFloatArray());
    Tensor y = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    y.copy_(y.t());
    assertArrayEquals(new float[] {1, 3, 2, 4}, y.toFloatArray());
    Tensor z = Tensor.arange(6).to(DType.FLOAT64);
    z.narrow(0, 1, 5).copy_(z.narrow(0, 0, 5)); // overlapping, shifted: a copy of the source is read
    assertArrayEquals(new double[] {0, 0, 1, 2, 3, 4}, z.toDoubleArray());
  }

  @Test
  void scalarOverloadsFollowPyTorchPromotion() {
    Tensor ints = Tensor.of(new long[] {1, 2, 3});
    assertEquals(DType.INT64, ints.add(2L).dtype());
    assertEquals(DType.FLOAT32, ints.add(2.0).dtype());
    assertEquals(DType.FLOAT32, ints.div(2L).dtype());
    assertEquals(DType.INT64, ints.pow(2L).dtype());
    Tensor bools = Tensor.of(new boolean[] {true, false});
    assertEquals(DType.INT64, bools.add(1L).dtype());
    assertEquals(DType.FLOAT32, bools.mul(1.5).dtype());
    Tensor doubles = Tensor.of(new double[] {1});
    assertEquals(DType.FLOAT64, doubles.add(Tensor.scalar(1.0)).dtype()); // a 0-dim float32 does not narrow it
    assertEquals(DType.FLOAT64, Tensor.of(new float[] {1}).add(Tensor.of(new double[] {1})).dtype());
    assertEquals(DType.BOOL, doubles.lt(2L).dtype());
  }

  private static void checkLarge(UnaryOperator<Tensor> op, DoubleUnaryOperator reference, double tolerance) {
    int n = 300_007; // several chunks for the thread pool
    double[] data = new double[n];
    for (int i = 0; i < n; i++) data[i] = ((i * 7919L) % 2001) / 100.0 - 10.0;
    double[] out = op.apply(Tensor.of(data)).toDoubleArray();
    for (int i = 0; i < n; i += 1) {
      double e = reference.applyAsDouble(data[i]);
      assertEquals(e, out[i], tolerance * Math.max(1, Math.abs(e)), "element " + i + " of f(" + data[i] + ")");
    }
  }

  @Test
  void largeTensorsMatchJavasMath() {
    checkLarge(Tensor::exp, Math::exp, 1e-14);
    checkLarge(Tensor::tanh, Math::tanh, 1e-14);
    checkLarge(Tensor::sigmoid, v -> 1 / (1 + Math.exp(-v)), 1e-14);
    checkLarge(Tensor::abs, Math::abs, 0);
    checkLarge(Tensor::relu, v -> Math.max(v, 0), 0);
    checkLarge(t -> t.mul(t).add(1L), v -> v * v + 1, 0);
    checkLarge(t -> t.pow(3L), v -> v * v * v, 1e-15);
    checkLarge(t -> t.abs().sqrt(), v -> Math.sqrt(Math.abs(v)), 1e-15);
  }

  @Test
  void resultsDoNotDependOnTheNumberOfThreads() {
    int threads = Kiln.getNumThreads();
    Kiln.manualSeed(11);
    Tensor x = Tensor.randn(1000, 301), y = Tensor.randn(301);
    try {
      Kiln.setNumThreads(1);
      float[] serial = x.mul(y).sigmoid().add(x.exp()).toFloatArray();
      Kiln.setNumThreads(Math.max(2, threads));
      assertArrayEquals(serial, x.mul(y).sigmoid().add(x.exp()).toFloatArray());
    } finally {
      Kiln.setNumThreads(threads);
    }
  }

  @Test
  void largeBroadcastsAndStridedInputs() {
    Tensor rows = Tensor.arange(1000).to(DType.FLOAT64).view(1000, 1);
    Tensor cols = Tensor.arange(500).to(DType.FLOAT64);
    double[] sum = rows.add(cols).toDoubleArray();
    double[] diff = rows.t().sub(cols.unsqueeze(1)).t().toDoubleArray(); // strided operands and output order
    for (int i = 0; i < 1000; i++) {
      for (int j = 0; j < 500; j++) {
        assertEquals(i + j, sum[i * 500 + j]);
        assertEquals(i - j, diff[i * 500 + j]);
      }
    }
  }

  @Test
  void largeWhereCopyAndComparisonsOnStridedTensors() {
    int n = 500_000;
    Tensor a = Tensor.arange(n).to(DType.FLOAT32);
    float[] w = Tensor.where(a.lt(250_000.0), a, a.neg()).toFloatArray();
    for (int i = 0; i < n; i++) assertEquals(i < 250_000 ? i : -i, w[i], "where at " + i);
    Tensor m = Tensor.arange(n).view(1000, 500).to(DType.FLOAT64).t(); // [500, 1000], m[i][j] = 500j + i
    Tensor dst = Tensor.zeros(DType.INT64, 500, 1000).copy_(m);
    long[] dv = dst.toLongArray();
    for (int i = 0; i < 500; i++) for (int j = 0; j < 1000; j++) assertEquals(j * 500L + i, dv[i * 1000 + j]);
    for (boolean eq : m.eq(dst).toBooleanArray()) assertTrue(eq);
  }

  @Test
  void largeInPlaceOpsThroughViews() {
    Tensor base = Tensor.zeros(DType.FLOAT64, 1000, 1000);
    base.t().slice(0, 0, 1000, 2).add_(Tensor.arange(1000).to(DType.FLOAT64)); // even columns += row index
    double[] b = base.toDoubleArray();
    for (int i = 0; i < 1000; i++)
      for (int j = 0; j < 1000; j++) assertEquals(j % 2 == 0 ? i : 0, b[i * 1000 + j], "at " + i + "," + j);
    Tensor x = Tensor.arange(1_000_000).to(DType.FLOAT32);
    x.narrow(0, 1, 999_999).copy_(x.narrow(0, 0, 999_999)); // overlapping: reads the values before the write
    float[] xv = x.toFloatArray();
    for (int i = 1; i < 1_000_000; i++) assertEquals(i - 1, xv[i], "at " + i);
  }

  @Test
  void whereMethodFormKeepsItsOperandOrder() {
    Tensor cond = Tensor.of(new boolean[] {true, false});
    Tensor x = Tensor.of(new long[] {1, 2}), y = Tensor.of(new long[] {10, 20});
    assertArrayEquals(new long[] {1, 20}, x.where(cond, y).toLongArray());
    assertArrayEquals(new long[] {1, 20}, Tensor.where(cond, x, y).toLongArray());
  }
}
