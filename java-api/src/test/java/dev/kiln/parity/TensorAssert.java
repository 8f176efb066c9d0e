package dev.kiln.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.DType;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * Compares Kiln tensors with fixture tensors: dtype and shape exactly, values exactly for int64 and bool and
 * within a tolerance per floating dtype (NaN equals NaN, infinities must match exactly).
 */
final class TensorAssert {
  private TensorAssert() {}

  /** |actual - expected| <= ATOL + RTOL * |expected|, per dtype. */
  static final double F32_RTOL = 1e-5, F32_ATOL = 1e-6;
  static final double F64_RTOL = 1e-12, F64_ATOL = 1e-12;
  /** A little over one unit in the last place: 2^-10 for float16, 2^-7 for bfloat16. */
  static final double F16_RTOL = 1e-3, F16_ATOL = 1e-5;
  static final double BF16_RTOL = 8e-3, BF16_ATOL = 1e-5;

  static void assertMatches(Fixtures.TensorSpec expected, Tensor actual, String what) {
    assertMatches(expected, actual, what, expected.dtype());
  }

  /** As above, with the tolerance of dtype precision: a float64 gradient that flowed through float32 ops. */
  static void assertMatches(Fixtures.TensorSpec expected, Tensor actual, String what, DType precision) {
    assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
    assertArrayEquals(expected.shape(), actual.shape(), () -> what + ": shape " + Arrays.toString(actual.shape()));
    if (expected.data() == null) return; // empty(): the values are unspecified
    switch (expected.dtype()) {
      case FLOAT32 -> {
        double[] e = expected.doubles();
        for (int i = 0; i < e.length; i++) e[i] = (float) e[i];
        assertClose(e, actual.toDoubleArray(), F32_RTOL, F32_ATOL, what);
      }
      case FLOAT64 -> {
        boolean f32 = precision == DType.FLOAT32;
        double rtol = f32 ? F32_RTOL : F64_RTOL, atol = f32 ? F32_ATOL : F64_ATOL;
        assertClose(expected.doubles(), actual.toDoubleArray(), rtol, atol, what);
      }
      case FLOAT16 -> assertClose(expected.doubles(), actual.toDoubleArray(), F16_RTOL, F16_ATOL, what);
      case BFLOAT16 -> assertClose(expected.doubles(), actual.toDoubleArray(), BF16_RTOL, BF16_ATOL, what);
      case INT64, INT32, INT16, INT8, UINT8 -> assertArrayEquals(expected.longs(), actual.toLongArray(), what + ": values");
      case BOOL -> assertArrayEquals(expected.booleans(), actual.toBooleanArray(), what + ": values");
    }
  }

  static boolean close(double expected, double actual, double rtol, double atol) {
    if (Double.isNaN(expected) || Double.isNaN(actual)) return Double.isNaN(expected) && Double.isNaN(actual);
    if (Double.isInfinite(expected) || Double.isInfinite(actual)) return expected == actual;
    return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
  }

  static void assertClose(double[] expected, double[] actual, double rtol, double atol, String what) {
    assertEquals(expected.length, actual.length, what + ": number of values");
    for (int i = 0; i < expected.length; i++) {
      if (!close(expected[i], actual[i], rtol, atol)) {
        fail(what + ": value " + i + " is " + actual[i] + ", expected " + expected[i] + "\n  expected "
            + preview(Arrays.toString(expected)) + "\n  actual   " + preview(Arrays.toString(actual)));
      }
    }
  }

  /** Strides where they matter: dims of size 1 may have any stride, and empty tensors none. */
  static void assertStrides(long[] expected, Tensor actual, String what) {
    long[] shape = actual.shape(), stride = actual.stride();
    if (actual.numel() == 0) return;
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] > 1 && stride[d] != expected[d])
        fail(what + ": strides " + Arrays.toString(stride) + ", expected " + Arrays.toString(expected));
    }
  }

  /** The start of the memory a tensor views: equal for tensors that share storage. */
  static long storageBase(Tensor t) {
    return t.dataAddress() - t.storageOffset() * t.dtype().itemSize();
  }

  /** A tensor's dtype, shape and values, to check later that an op left it alone. */
  record Snapshot(DType dtype, long[] shape, Object values) {
    static Snapshot of(Tensor t) {
      Object values = switch (t.dtype()) {
        case FLOAT32, FLOAT64, FLOAT16, BFLOAT16 -> t.toDoubleArray();
        case INT64, INT32, INT16, INT8, UINT8 -> t.toLongArray();
        case BOOL -> t.toBooleanArray();
      };
      return new Snapshot(t.dtype(), t.shape(), values);
    }

    void assertUnchanged(Tensor t, String what) {
      Snapshot now = of(t);
      assertEquals(dtype, now.dtype, what + " changed dtype");
      assertArrayEquals(shape, now.shape, what + " changed shape");
      if (!Arrays.deepEquals(new Object[] {values}, new Object[] {now.values}))
        fail(what + " changed: " + preview(Arrays.deepToString(new Object[] {values})) + " -> "
            + preview(Arrays.deepToString(new Object[] {now.values})));
    }
  }

  private static String preview(String s) {
    return s.length() <= 400 ? s : s.substring(0, 400) + "...";
  }
}
