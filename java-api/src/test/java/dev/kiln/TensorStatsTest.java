package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Statistics, norms, logical reductions and amax/amin beyond the fixtures: the Java overloads, result records and
 * dtypes, large inputs against exact answers, and results independent of the thread count.
 */
class TensorStatsTest {
  private static final double[] DATA = {1, 2, 3, 4, 6, 8};

  @Test
  void varianceOverloadsMapToCorrections() {
    Tensor x = Tensor.of(DATA, 2, 3);
    assertEquals(6.8, x.var().item(), 1e-12);
    assertEquals(34.0 / 6, x.var(false).item(), 1e-12);
    assertArrayEquals(new double[] {1, 4}, x.var(1).toDoubleArray(), 1e-12);
    assertArrayEquals(new double[] {2.25, 4, 6.25}, x.var(new int[] {0}, false, false).toDoubleArray(), 1e-12);
    assertArrayEquals(new double[] {2, 8}, x.var(new int[] {1}, 2.0, false).toDoubleArray(), 1e-12);
    assertArrayEquals(new long[] {2, 1}, x.std(new int[] {1}, true, true).shape());
    assertEquals(Math.sqrt(6.8), x.std().item(), 1e-12);
    try (VarMean vm = x.varMean(new int[] {1}, 1.0, true); StdMean sm = x.stdMean()) {
      assertArrayEquals(new double[] {1, 4}, vm.var().toDoubleArray(), 1e-12);
      assertArrayEquals(new double[] {2, 6}, vm.mean().toDoubleArray(), 1e-12);
      assertArrayEquals(new long[] {2, 1}, vm.mean().shape());
      assertEquals(Math.sqrt(6.8), sm.std().item(), 1e-12);
      assertEquals(4.0, sm.mean().item(), 1e-12);
    }
  }

  @Test
  void productsKeepFloatsAndWidenIntegers() {
    assertEquals(DType.INT64, Tensor.of(new boolean[] {true, true}).prod().dtype());
    assertEquals(DType.FLOAT64, Tensor.of(new long[] {2, 3}).prod(DType.FLOAT64).dtype());
    assertEquals(6.0, Tensor.of(new long[] {2, 3}).prod(DType.FLOAT64).item());
    assertArrayEquals(new double[] {6, 192}, Tensor.of(DATA, 2, 3).prod(1).toDoubleArray());
    assertArrayEquals(new long[] {1, 3}, Tensor.of(DATA, 2, 3).prod(0, true).shape());
    assertEquals(DType.INT64, Tensor.of(new float[] {1.5f, 2.5f}).prod(0, false, DType.INT64).dtype());
  }

  @Test
  void normsByNameAndOrder() {
    Tensor x = Tensor.of(new float[] {3, -4, 0, 1}, 2, 2);
    assertEquals(Math.sqrt(26), x.norm().item(), 1e-6);
    assertEquals(Math.sqrt(26), x.norm("fro").item(), 1e-6);
    assertArrayEquals(new float[] {5, 1}, x.norm("fro", new int[] {1}, false).toFloatArray(), 1e-6f);
    assertEquals(8.0, x.norm(1).item());
    assertEquals(3.0, x.norm(0).item());
    assertEquals(4.0, x.norm(Double.POSITIVE_INFINITY).item());
    assertEquals(0.0, x.norm(Double.NEGATIVE_INFINITY).item());
    assertArrayEquals(new float[] {3, 4}, x.vectorNorm(Double.POSITIVE_INFINITY, new int[] {0}, false).toFloatArray());
    assertEquals(DType.FLOAT64, x.norm(2, new int[] {0}, false, DType.FLOAT64).dtype());
    assertEquals(DType.FLOAT64, x.vectorNorm(2, new int[0], false, DType.FLOAT64).dtype());
    assertThrows(NotImplementedException.class, () -> x.norm("nuc"));
    assertThrows(IllegalArgumentException.class, () -> x.norm("max"));
    assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 2, 2).norm("fro", new int[] {0, 1, 2}, false));
    // Squares accumulate in double: no overflow where float32 squares would overflow.
    assertEquals(1e20, Tensor.of(new float[] {1e20f}).norm().item(), 1e14);
  }

  @Test
  void logicalReductionsGiveBoolsAndCounts() {
    Tensor x = Tensor.of(new double[] {0, 1, Double.NaN, 2}, 2, 2);
    assertEquals(DType.BOOL, x.all().dtype());
    assertTrue(!x.all().toBooleanArray()[0] && x.any().toBooleanArray()[0]);
    assertArrayEquals(new boolean[] {false, true}, x.all(1).toBooleanArray());
    assertArrayEquals(new long[] {1, 2}, x.any(0, true).shape());
    assertArrayEquals(new boolean[] {true, true}, x.any(new int[] {0}, false).toBooleanArray());
    assertEquals(DType.INT64, x.countNonzero().dtype());
    assertEquals(3, x.countNonzero().itemLong());
    assertArrayEquals(new long[] {1, 2}, x.countNonzero(1).toLongArray());
    assertTrue(Tensor.zeros(0).all().toBooleanArray()[0]);
  }

  @Test
  void extremesAndNanAwareSums() {
    Tensor x = Tensor.arange(24).to(DType.FLOAT32).view(2, 3, 4);
    assertArrayEquals(new float[] {15, 19, 23}, x.amax(0, 2).toFloatArray());
    assertArrayEquals(new long[] {2, 1, 4}, x.amin(new int[] {1}, true).shape());
    assertEquals(0.0, x.amin().item());
    Tensor n = Tensor.of(new double[] {1, Double.NaN, 2, Double.NaN}, 2, 2);
    assertEquals(3.0, n.nansum().item());
    assertArrayEquals(new double[] {1, 2}, n.nansum(1).toDoubleArray());
    assertArrayEquals(new double[] {1.5, Double.NaN}, n.nanmean(new int[] {0}, false).toDoubleArray());
    double lse = Math.log(Math.exp(2) + Math.exp(3));
    assertArrayEquals(new double[] {lse, lse}, Tensor.of(new double[] {2, 3, 2, 3}, 2, 2).logsumexp(1).toDoubleArray(), 1e-12);
    assertArrayEquals(new long[] {1, 1}, Tensor.of(new double[] {2, 3, 2, 3}, 2, 2).logsumexp(new int[] {0, 1}, true).shape());
  }

  @Test
  void largeStatisticsAreAccurateAndThreadIndependent() {
    int n = 1_000_003;
    double[] data = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) sum += data[i] = ((i * 7919L) % 2001) / 64.0 - 15.5;
    double mean = sum / n, m2 = 0;
    for (double v : data) m2 += (v - mean) * (v - mean);
    Tensor x = Tensor.of(data);
    assertEquals(m2 / (n - 1), x.var().item(), 1e-9 * m2 / n);
    assertEquals(Math.sqrt(m2 + n * mean * mean), x.norm().item(), 1e-6);
    int threads = Kiln.getNumThreads();
    Tensor m = Tensor.randn(700, 1300);
    try {
      Kiln.setNumThreads(1);
      float[][] serial = {m.var().toFloatArray(), m.std(0).toFloatArray(), m.norm(3, 1).toFloatArray(),
          m.logsumexp().toFloatArray(), m.logsumexp(0).toFloatArray(), m.prod(1).toFloatArray()};
      Kiln.setNumThreads(Math.max(2, threads));
      float[][] parallel = {m.var().toFloatArray(), m.std(0).toFloatArray(), m.norm(3, 1).toFloatArray(),
          m.logsumexp().toFloatArray(), m.logsumexp(0).toFloatArray(), m.prod(1).toFloatArray()};
      for (int i = 0; i < serial.length; i++) assertArrayEquals(serial[i], parallel[i], "result " + i);
    } finally {
      Kiln.setNumThreads(threads);
    }
  }
}
