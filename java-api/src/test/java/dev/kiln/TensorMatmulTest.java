package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Matrix products against a plain Java triple loop, for sizes and layouts the fixtures do not reach: large
 * matrices (OpenBLAS's threads), operands BLAS cannot read in place, and int64.
 */
class TensorMatmulTest {
  /** out[b][i][j] = sum_k a[b][i][k] * w[b][k][j] over row-major arrays. */
  private static double[] reference(double[] a, double[] w, int batch, int n, int k, int m) {
    double[] out = new double[batch * n * m];
    for (int b = 0; b < batch; b++)
      for (int i = 0; i < n; i++)
        for (int p = 0; p < k; p++) {
          double av = a[(b * n + i) * k + p];
          for (int j = 0; j < m; j++) out[(b * n + i) * m + j] += av * w[(b * k + p) * m + j];
        }
    return out;
  }

  private static void assertClose(double[] expected, double[] actual, double tolerance) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++)
      assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])), "element " + i);
  }

  @Test
  void theJavadocExample() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    Tensor b = a.matmul(a.t()).add(1);
    assertArrayEquals(new float[] {6, 12, 12, 26}, b.toFloatArray());
    assertEquals("tensor([[ 6., 12.],\n        [12., 26.]])", b.toString());
  }

  @Test
  void largeProductsMatchAPlainLoop() {
    Kiln.manualSeed(21);
    for (int[] s : new int[][] {{1, 130, 70, 90}, {3, 64, 257, 33}, {1, 1, 500, 1}, {2, 200, 1, 150}}) {
      int batch = s[0], n = s[1], k = s[2], m = s[3];
      Tensor a = Tensor.randn(DType.FLOAT64, batch, n, k), w = Tensor.randn(DType.FLOAT64, batch, k, m);
      double[] expected = reference(a.toDoubleArray(), w.toDoubleArray(), batch, n, k, m);
      assertClose(expected, a.bmm(w).toDoubleArray(), 1e-12);
      assertClose(expected, a.matmul(w).toDoubleArray(), 1e-12);
      assertClose(expected, a.to(DType.FLOAT32).matmul(w.to(DType.FLOAT32)).toDoubleArray(), 1e-4);
      if (batch == 1) assertClose(expected, a.squeeze(0).mm(w.squeeze(0)).toDoubleArray(), 1e-12);
    }
  }

  @Test
  void operandsInAnyLayout() {
    Kiln.manualSeed(22);
    Tensor a = Tensor.randn(DType.FLOAT64, 12, 40), w = Tensor.randn(DType.FLOAT64, 40, 9);
    double[] expected = reference(a.toDoubleArray(), w.toDoubleArray(), 1, 12, 40, 9);
    // The same values laid out differently: transposed, every other column of a wider tensor, inside a larger one.
    List<UnaryOperator<Tensor>> layouts = List.of(t -> t, t -> t.t().contiguous().t(),
        t -> t.unsqueeze(2).expand(-1, -1, 2).contiguous().view(t.size(0), 2 * t.size(1)).slice(1, 0, 2 * t.size(1), 2),
        t -> Tensor.zeros(t.dtype(), t.size(0) + 2, t.size(1) + 3).narrow(0, 1, t.size(0)).narrow(1, 2, t.size(1)).copy_(t));
    for (UnaryOperator<Tensor> la : layouts) {
      for (UnaryOperator<Tensor> lw : layouts) {
        Tensor x = la.apply(a), y = lw.apply(w);
        assertClose(expected, x.matmul(y).toDoubleArray(), 1e-12);
        assertClose(expected, x.to(DType.FLOAT32).mm(y.to(DType.FLOAT32)).toDoubleArray(), 1e-4);
      }
    }
  }

  @Test
  void int64ProductsAreExactAndWrapLikePyTorch() {
    long[] a = new long[6 * 7], w = new long[7 * 5];
    for (int i = 0; i < a.length; i++) a[i] = (i * 31L) % 17 - 8;
    for (int i = 0; i < w.length; i++) w[i] = (i * 13L) % 11 - 5;
    long[] out = Tensor.of(a, 6, 7).matmul(Tensor.of(w, 7, 5)).toLongArray();
    for (int i = 0; i < 6; i++)
      for (int j = 0; j < 5; j++) {
        long e = 0;
        for (int p = 0; p < 7; p++) e += a[i * 7 + p] * w[p * 5 + j];
        assertEquals(e, out[i * 5 + j]);
      }
    Tensor big = Tensor.of(new long[] {Long.MAX_VALUE, 2}, 1, 2);
    assertEquals(Long.MAX_VALUE * 3 + 2 * 2, big.matmul(Tensor.of(new long[] {3, 2}, 2, 1)).itemLong());
  }

  @Test
  void shapesForEachFormOfMatmul() {
    assertArrayEquals(new long[0], Tensor.ones(4).matmul(Tensor.ones(4)).shape());
    assertArrayEquals(new long[] {3}, Tensor.ones(3, 4).matmul(Tensor.ones(4)).shape());
    assertArrayEquals(new long[] {5}, Tensor.ones(4).matmul(Tensor.ones(4, 5)).shape());
    assertArrayEquals(new long[] {2, 3}, Tensor.ones(2, 3, 4).matmul(Tensor.ones(4)).shape());
    assertArrayEquals(new long[] {2, 5}, Tensor.ones(4).matmul(Tensor.ones(2, 4, 5)).shape());
    assertArrayEquals(new long[] {7, 2, 3, 5}, Tensor.ones(7, 1, 3, 4).matmul(Tensor.ones(2, 4, 5)).shape());
  }

  @Test
  void mismatchedShapesNameTheOpAndTheShapes() {
    ShapeException e = assertThrows(ShapeException.class, () -> Tensor.ones(2, 3).mm(Tensor.ones(4, 5)));
    assertEquals("mm: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)", e.getMessage());
    e = assertThrows(ShapeException.class, () -> Tensor.ones(2, 3).matmul(Tensor.ones(4, 5)));
    assertEquals("matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)", e.getMessage());
    e = assertThrows(ShapeException.class, () -> Tensor.ones(2, 3, 4).bmm(Tensor.ones(3, 4, 5)));
    assertTrue(e.getMessage().startsWith("bmm:") && e.getMessage().contains("[2, 3, 4]"), e.getMessage());
    e = assertThrows(ShapeException.class, () -> Tensor.ones(3).mm(Tensor.ones(3, 1)));
    assertTrue(e.getMessage().startsWith("mm:") && e.getMessage().contains("2-D"), e.getMessage());
    e = assertThrows(ShapeException.class, () -> Tensor.scalar(1.0).matmul(Tensor.ones(1)));
    assertTrue(e.getMessage().startsWith("matmul:"), e.getMessage());
    DTypeException d = assertThrows(DTypeException.class, () -> Tensor.ones(2, 2).mm(Tensor.ones(DType.FLOAT64, 2, 2)));
    assertTrue(d.getMessage().contains("float32") && d.getMessage().contains("float64"), d.getMessage());
    d = assertThrows(DTypeException.class, () -> Tensor.ones(DType.BOOL, 2, 2).matmul(Tensor.ones(DType.BOOL, 2, 2)));
    assertTrue(d.getMessage().startsWith("matmul:") && d.getMessage().contains("bool"), d.getMessage());
  }
}
