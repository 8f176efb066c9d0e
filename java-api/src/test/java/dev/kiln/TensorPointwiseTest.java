package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The math functions, rounding, clamping and logic ops beyond the fixtures: in-place forms return their
 * tensor, large (multi-threaded, vectorized) tensors against Java's own math, and bad input (a typed exception
 * naming the op and the shapes or dtypes; the inputs unchanged).
 */
class TensorPointwiseTest {
  @Test
  void inPlaceFormsReturnTheirTensor() {
    Tensor x = Tensor.of(new float[] {0.25f, 0.5f, 0.75f});
    assertSame(x, x.sin_().asin_().log1p_().expm1_());
    assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f}, x.toFloatArray(), 1e-6f);
    assertSame(x, x.clamp_(0.3, 0.6).clampMin_(0.4).clampMax_(Tensor.scalar(0.55)).nanToNum_());
    assertArrayEquals(new float[] {0.4f, 0.5f, 0.55f}, x.toFloatArray(), 1e-7f);
    assertSame(x, x.mul_(10L).round_().floor_().frac_().lerp_(Tensor.ones(3), 0.5).addcmul_(x, x, 1L));
    assertArrayEquals(new float[] {0.75f, 0.75f, 0.75f}, x.toFloatArray());
    Tensor i = Tensor.of(new long[] {5, 0});
    assertSame(i, i.bitwiseAnd_(6L).bitwiseLeftShift_(1L).remainder_(5L).logicalNot_());
    assertArrayEquals(new long[] {0, 1}, i.toLongArray());
  }

  @Test
  void largeTensorsMatchJavasMath() {
    int n = 200_003; // several threads' worth, and a tail after the vector loop
    float[] v = new float[n];
    for (int k = 0; k < n; k++) v[k] = (float) ((k % 20011) / 10000.0 - 1.0);
    Tensor x = Tensor.of(v);
    check(x, Tensor::sin, Math::sin, v, 2e-7);
    check(x, Tensor::cos, Math::cos, v, 2e-7);
    check(x, Tensor::expm1, Math::expm1, v, 2e-7);
    check(x.add(1.5), Tensor::log1p, Math::log1p, x.add(1.5).toFloatArray(), 2e-7);
    check(x.add(1.5), Tensor::log, Math::log, x.add(1.5).toFloatArray(), 2e-7);
    check(x, Tensor::atan, Math::atan, v, 2e-7);
    check(x.transpose(0, 0), Tensor::tanh, Math::tanh, v, 2e-7);
  }

  private static void check(Tensor x, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, float[] in, double tol) {
    float[] got = op.apply(x).toFloatArray();
    for (int k = 0; k < in.length; k++) {
      double want = ref.applyAsDouble(in[k]);
      assertTrue(Math.abs(got[k] - want) <= tol * Math.max(1, Math.abs(want)), "at " + in[k] + ": " + got[k] + " vs " + want);
    }
  }

  @Test
  void javaOverloadsFollowPyTorchPromotion() {
    Tensor ints = Tensor.of(new long[] {1, 5, -3});
    assertEquals(DType.FLOAT32, ints.sin().dtype());
    assertEquals(DType.INT64, ints.clamp(0L, 2L).dtype());
    assertEquals(DType.FLOAT32, ints.clamp(0.5, 2.0).dtype());
    assertEquals(DType.INT64, ints.floorDivide(2L).dtype());
    assertArrayEquals(new long[] {0, 2, -2}, ints.floorDivide(2L).toLongArray());
    assertArrayEquals(new long[] {1, 1, 1}, ints.remainder(2L).toLongArray());
    assertArrayEquals(new long[] {1, 1, -1}, ints.fmod(2L).toLongArray());
    assertEquals(DType.FLOAT32, ints.fmod(2.5).dtype());
    assertEquals(DType.BOOL, ints.logicalAnd(Tensor.of(new float[] {1, 0, 2})).dtype());
    assertEquals(DType.INT64, Tensor.of(new boolean[] {true}).bitwiseOr(2L).dtype());
    assertEquals(DType.INT64, Tensor.of(new boolean[] {true}).square().dtype());
    assertArrayEquals(new long[] {1, 5, -3}, ints.round().toLongArray());
  }

  private static <T extends Throwable> void assertError(Class<T> type, Executable call, String... parts) {
    T e = assertThrows(type, call);
    for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention " + p);
  }

  @Test
  void badInputIsATypedErrorAndChangesNothing() {
    Tensor f = Tensor.of(new float[] {1, 2, 3});
    Tensor i = Tensor.of(new long[] {4, 5, 6});
    assertError(ShapeException.class, () -> f.maximum(Tensor.ones(2)), "maximum:", "[3]", "[2]");
    assertError(ShapeException.class, () -> f.atan2_(Tensor.ones(2, 3)), "atan2:", "[3]", "[2, 3]");
    assertError(ShapeException.class, () -> f.clamp(Tensor.ones(2), null), "clamp:", "[3]", "[2]");
    assertError(ShapeException.class, () -> f.lerp(Tensor.ones(4), 0.5), "lerp:", "[3]", "[4]");
    assertError(DTypeException.class, i::sin_, "sin:", "float32", "int64");
    assertError(DTypeException.class, () -> i.clamp_(0.5, 1.5), "clamp:", "float32", "int64");
    assertError(DTypeException.class, () -> f.bitwiseAnd(f), "bitwise_and:", "float32");
    assertError(DTypeException.class, i::frac, "frac:", "int64");
    assertError(DTypeException.class, () -> f.lerp(Tensor.ones(DType.FLOAT64, 3), 0.5), "lerp:", "float64");
    assertError(DTypeException.class, () -> f.addcdiv(i, i), "addcdiv:", "int64");
    assertError(ArgumentException.class, () -> i.fmod(Tensor.of(new long[] {1, 0, 1})), "fmod:", "ZeroDivisionError");
    assertError(ArgumentException.class, () -> i.remainder_(0L), "remainder:", "ZeroDivisionError");
    assertError(ArgumentException.class, () -> Tensor.of(new byte[] {1}, DType.INT8).clamp(0L, 300L), "clamp:", "int8_t");
    assertError(ArgumentException.class, () -> f.clamp((Tensor) null, null), "clamp:", "'min' or 'max'");
    assertArrayEquals(new float[] {1, 2, 3}, f.toFloatArray());
    assertArrayEquals(new long[] {4, 5, 6}, i.toLongArray());
  }

  @Test
  void autogradThroughInPlaceMath() {
    Tensor leaf = Tensor.of(new double[] {0.5, -1.0}).requiresGrad(true);
    Tensor y = leaf.mul(1.0).sin_().clamp_(-0.5, 0.5);
    y.sum().backward();
    assertArrayEquals(new double[] {Math.cos(0.5), 0.0}, leaf.grad().toDoubleArray(), 1e-12);
    assertEquals("ClampBackward0", y.gradFn().name());
  }
}
