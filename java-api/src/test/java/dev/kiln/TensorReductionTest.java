package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reductions beyond the fixtures: output dtypes and shapes, the two-tensor results, large inputs, threads. */
class TensorReductionTest {
  @Test
  void sumKeepsFloatsAndWidensIntegersAndBools() {
    assertEquals(DType.INT64, Tensor.of(new boolean[] {true, true, false}).sum().dtype());
    assertEquals(2, Tensor.of(new boolean[] {true, true, false}).sum().itemLong());
    assertEquals(DType.INT64, Tensor.of(new long[] {1, 2}).sum(0).dtype());
    assertEquals(DType.FLOAT64, Tensor.of(new double[] {1, 2}).mean().dtype());
    assertEquals(DType.FLOAT32, Tensor.ones(2, 2).sum(new int[] {0, 1}, true).dtype());
  }

  @Test
  void keepdimKeepsReducedDimsAsOnes() {
    Tensor x = Tensor.ones(2, 3, 4);
    assertArrayEquals(new long[] {2, 1, 4}, x.sum(1, true).shape());
    assertArrayEquals(new long[] {2, 4}, x.sum(1).shape());
    assertArrayEquals(new long[] {1, 3, 1}, x.mean(new int[] {0, -1}, true).shape());
    assertArrayEquals(new long[] {3}, x.mean(0, 2).shape());
    assertArrayEquals(new long[0], x.sum().shape());
    assertArrayEquals(new long[] {2, 3, 1}, x.max(2, true).values().shape());
    assertArrayEquals(new long[] {1, 3, 4}, x.argmin(0, true).shape());
  }

  @Test
  void maxAlongADimGivesValuesAndInt64Indices() {
    Tensor x = Tensor.of(new float[] {3, 9, 1, 7, 2, 8}, 2, 3);
    try (ValuesAndIndices m = x.max(1)) {
      assertArrayEquals(new float[] {9, 8}, m.values().toFloatArray());
      assertEquals(DType.INT64, m.indices().dtype());
      assertArrayEquals(new long[] {1, 2}, m.indices().toLongArray());
    }
    ValuesAndIndices m = x.min(0);
    assertArrayEquals(new float[] {3, 2, 1}, m.values().toFloatArray());
    assertArrayEquals(new long[] {0, 1, 0}, m.indices().toLongArray());
    m.close();
    assertTrue(m.values().isClosed() && m.indices().isClosed(), "closing the pair closes both tensors");
    assertEquals(1, x.argmax().itemLong());
    assertEquals(2, x.argmin().itemLong());
  }

  @Test
  void largeSumsAreAccurate() {
    int n = 1_000_003;
    float[] data = new float[n];
    double exact = 0;
    for (int i = 0; i < n; i++) {
      data[i] = ((i * 7919L) % 2001) / 64f - 15.5f; // exact in float32
      exact += data[i];
    }
    Tensor x = Tensor.of(data);
    // float32 accumulates in double, where these sums are exact: the only error is the final rounding
    assertEquals((float) exact, (float) x.sum().item());
    assertEquals(exact / n, x.mean().item(), 1e-6);
    Tensor m = x.narrow(0, 0, 1_000_000).view(1000, 1000);
    double[] rows = m.sum(1).toDoubleArray(), cols = m.sum(0).toDoubleArray();
    double[] rowsExact = new double[1000], colsExact = new double[1000];
    for (int i = 0; i < 1_000_000; i++) {
      rowsExact[i / 1000] += data[i];
      colsExact[i % 1000] += data[i];
    }
    for (int i = 0; i < 1000; i++) {
      assertEquals((float) rowsExact[i], (float) rows[i], "row " + i);
      assertEquals((float) colsExact[i], (float) cols[i], "column " + i);
    }
  }

  @Test
  void resultsDoNotDependOnTheNumberOfThreads() {
    int threads = Kiln.getNumThreads();
    Kiln.manualSeed(3);
    Tensor x = Tensor.randn(700, 1300);
    try {
      Kiln.setNumThreads(1);
      float[][] serial = {x.sum().toFloatArray(), x.sum(0).toFloatArray(), x.mean(1).toFloatArray(),
          x.t().sum(1).toFloatArray(), x.max().toFloatArray(), x.argmax(0).to(DType.FLOAT32).toFloatArray()};
      Kiln.setNumThreads(Math.max(2, threads));
      float[][] parallel = {x.sum().toFloatArray(), x.sum(0).toFloatArray(), x.mean(1).toFloatArray(),
          x.t().sum(1).toFloatArray(), x.max().toFloatArray(), x.argmax(0).to(DType.FLOAT32).toFloatArray()};
      for (int i = 0; i < serial.length; i++) assertArrayEquals(serial[i], parallel[i], "result " + i);
    } finally {
      Kiln.setNumThreads(threads);
    }
  }

  @Test
  void tiesAndNaNsAcrossThreadChunksGiveTheFirstIndex() {
    Tensor ones = Tensor.ones(1_000_000);
    assertEquals(0, ones.argmax().itemLong());
    assertEquals(0, ones.argmin().itemLong());
    assertArrayEquals(new long[] {0, 0, 0}, Tensor.ones(3, 400_000).argmax(1).toLongArray());
    assertArrayEquals(new long[] {0, 0, 0}, Tensor.ones(400_000, 3).argmax(0).toLongArray());
    assertArrayEquals(new long[] {0, 0, 0}, Tensor.ones(400_000, 3).max(0).indices().toLongArray());
    assertArrayEquals(new long[] {0, 0, 0}, Tensor.ones(3, 400_000).min(1).indices().toLongArray());
    float[] d = new float[1_000_000];
    d[100] = 5;
    d[700_000] = Float.NaN;
    d[900_000] = Float.NaN;
    Tensor x = Tensor.of(d);
    assertTrue(Double.isNaN(x.max().item()) && Double.isNaN(x.min().item()));
    assertEquals(700_000, x.argmax().itemLong());
    assertEquals(700_000, x.argmin().itemLong());
    Tensor m = x.view(1000, 1000);
    assertEquals(700, m.argmax(0).toLongArray()[0]);
    assertEquals(700, m.max(0).indices().toLongArray()[0]);
    assertTrue(Double.isNaN(m.sum(0).toDoubleArray()[0]));
    assertEquals(0, m.argmin(0).toLongArray()[1]); // a column without NaN: the first of its zeros
  }

  @Test
  void reducingAMiddleDimOfALargeTensor() {
    Tensor x = Tensor.arange(2 * 50_000 * 3).to(DType.FLOAT64).view(2, 50_000, 3); // x[a][b][c] = 150000a + 3b + c
    double[] s = x.sum(1).toDoubleArray(), mx = x.max(1).values().toDoubleArray();
    long[] ix = x.argmax(1).toLongArray();
    for (int a = 0; a < 2; a++) {
      for (int c = 0; c < 3; c++) {
        assertEquals(50_000.0 * (150_000 * a + c) + 3.0 * 49_999 * 50_000 / 2, s[a * 3 + c], "sum at " + a + "," + c);
        assertEquals(150_000 * a + 3 * 49_999 + c, mx[a * 3 + c]);
        assertEquals(49_999, ix[a * 3 + c]);
      }
    }
    long[] ints = x.to(DType.INT64).sum(new int[] {0, 2}, false).narrow(0, 0, 5).toLongArray();
    for (int b = 0; b < 5; b++) assertEquals(3 * 150_000 + 18L * b + 6, ints[b], "int64 sum at " + b);
  }

  @Test
  void emptyReductions() {
    assertEquals(0.0, Tensor.zeros(0).sum().item());
    assertTrue(Double.isNaN(Tensor.zeros(0).mean().item()));
    assertArrayEquals(new float[] {0, 0}, Tensor.zeros(2, 0).sum(1).toFloatArray());
  }

  @Test
  void reductionErrorsNameTheOpAndTheProblem() {
    Tensor ints = Tensor.of(new long[] {1, 2, 3});
    DTypeException d = assertThrows(DTypeException.class, ints::mean);
    assertTrue(d.getMessage().startsWith("mean:") && d.getMessage().contains("int64"), d.getMessage());
    IndexException i = assertThrows(IndexException.class, () -> Tensor.ones(2, 3).sum(2));
    assertTrue(i.getMessage().startsWith("sum:") && i.getMessage().contains("[-2, 1]"), i.getMessage());
    i = assertThrows(IndexException.class, () -> Tensor.ones(2, 3).argmax(-3));
    assertTrue(i.getMessage().startsWith("argmax:"), i.getMessage());
    ArgumentException a = assertThrows(ArgumentException.class, () -> Tensor.ones(2, 3).sum(0, -2));
    assertTrue(a.getMessage().startsWith("sum:") && a.getMessage().contains("multiple times"), a.getMessage());
    a = assertThrows(ArgumentException.class, () -> Tensor.zeros(0).max());
    assertTrue(a.getMessage().startsWith("max:"), a.getMessage());
    i = assertThrows(IndexException.class, () -> Tensor.zeros(3, 0).min(1));
    assertTrue(i.getMessage().startsWith("min:") && i.getMessage().contains("non-zero size"), i.getMessage());
    assertThrows(DTypeException.class, () -> Tensor.of(new boolean[] {true}).argmax());
  }
}
