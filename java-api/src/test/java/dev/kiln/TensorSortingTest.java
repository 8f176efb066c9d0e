package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** sort, argsort, topk, kthvalue, median, mode and unique beyond the fixtures: stability, records, large inputs. */
class TensorSortingTest {
  @Test
  void sortsAreStableHoweverLongTheRow() {
    long[] data = new long[1000];
    for (int i = 0; i < data.length; i++) data[i] = (i * 7919L) % 5;
    Tensor x = Tensor.of(data);
    long[] asc = x.argsort().toLongArray(), desc = x.argsort(0, true).toLongArray();
    for (int k = 1; k < data.length; k++) {
      long a = data[(int) asc[k - 1]], b = data[(int) asc[k]], c = data[(int) desc[k - 1]], d = data[(int) desc[k]];
      assertTrue(a < b || (a == b && asc[k - 1] < asc[k]), "ascending at " + k);
      assertTrue(c > d || (c == d && desc[k - 1] < desc[k]), "descending at " + k);
    }
    try (ValuesAndIndices s = x.sort(0, false, true)) {
      assertArrayEquals(asc, s.indices().toLongArray());
      assertEquals(0, s.values().toLongArray()[0]);
    }
  }

  @Test
  void nanSortsLastAndTopkTakesIt() {
    Tensor x = Tensor.of(new float[] {3, Float.NaN, 1, Float.NEGATIVE_INFINITY});
    assertArrayEquals(new long[] {3, 2, 0, 1}, x.argsort().toLongArray());
    assertArrayEquals(new long[] {1, 0}, x.topk(2).indices().toLongArray());
    assertArrayEquals(new long[] {3, 2}, x.topk(2, 0, false, true).indices().toLongArray());
    assertArrayEquals(new long[] {1, 0, 2, 3}, x.sort(0, true).indices().toLongArray());
  }

  @Test
  void selectionAlongDims() {
    Tensor x = Tensor.of(new double[] {3, 1, 4, 1.5, 9, 2, 6, 5}, 2, 4);
    try (ValuesAndIndices k = x.kthvalue(2, 1, true)) {
      assertArrayEquals(new long[] {2, 1}, k.values().shape());
      assertArrayEquals(new double[] {1.5, 5}, k.values().toDoubleArray());
      assertArrayEquals(new long[] {3, 3}, k.indices().toLongArray());
    }
    assertArrayEquals(new double[] {1.5, 5}, x.median(1).values().toDoubleArray());
    assertEquals(3.0, x.median().item());
    assertEquals(3.0, Tensor.of(new double[] {Double.NaN, 3, 1, 9}).nanmedian().item());
    assertTrue(Double.isNaN(Tensor.of(new double[] {Double.NaN, 3, 1, 9}).median().item()));
    try (ValuesAndIndices m = Tensor.of(new long[] {5, 4, 4, 5, 4}).mode()) {
      assertEquals(4, m.values().itemLong());
      assertEquals(4, m.indices().itemLong());
    }
  }

  @Test
  void uniqueReturnsWhatWasAskedFor() {
    Tensor x = Tensor.of(new long[] {3, 1, 2, 1, 5, 3}, 2, 3);
    assertArrayEquals(new long[] {1, 2, 3, 5}, x.unique().toLongArray());
    try (Unique u = x.unique(true, true, false)) {
      assertArrayEquals(new long[] {2, 3}, u.inverse().shape());
      assertArrayEquals(new long[] {2, 0, 1, 0, 3, 2}, u.inverse().toLongArray());
      assertNull(u.counts());
    }
    try (Unique u = x.unique(false, false, true)) { // Kiln always sorts
      assertArrayEquals(new long[] {1, 2, 3, 5}, u.values().toLongArray());
      assertNull(u.inverse());
      assertArrayEquals(new long[] {2, 1, 2, 1}, u.counts().toLongArray());
    }
    try (Unique u = Tensor.of(new long[] {1, 2, 1, 2, 0, 3}, 3, 2).unique(true, true, true, 0)) {
      assertArrayEquals(new long[] {0, 3, 1, 2}, u.values().toLongArray());
      assertArrayEquals(new long[] {1, 1, 0}, u.inverse().toLongArray());
      assertArrayEquals(new long[] {1, 2}, u.counts().toLongArray());
    }
  }

  @Test
  void largeSortsAndTopk() {
    Kiln.manualSeed(11);
    Tensor x = Tensor.randn(300, 2000);
    float[] sorted = x.sort(1).values().toFloatArray();
    for (int r = 0; r < 300; r++)
      for (int c = 1; c < 2000; c++) assertTrue(sorted[r * 2000 + c - 1] <= sorted[r * 2000 + c]);
    float[] top = x.topk(5, 1).values().toFloatArray();
    for (int r = 0; r < 300; r++) assertEquals(sorted[r * 2000 + 1999], top[r * 5]);
    assertArrayEquals(x.sort(0, true).values().toFloatArray(), x.t().contiguous().sort(1, true).values().t().contiguous()
        .toFloatArray());
  }
}
