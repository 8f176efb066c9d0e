package dev.kiln.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ArgumentException;
import dev.kiln.DType;
import dev.kiln.DTypeException;
import dev.kiln.IndexException;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** The Embeddings API: lookups, padding, max_norm in place, bags, gradients and bad input. */
class EmbeddingsTest {
  private static Tensor table() {
    return Tensor.of(new double[] {3, 4, 1, 0, 0, 2, 6, 8}, 4, 2);
  }

  @Test
  void lookupAndPadding() {
    Tensor w = table().requiresGrad(true);
    Tensor idx = Tensor.of(new long[] {3, 1, 3, 0}, 2, 2);
    Tensor y = Embeddings.embedding(idx, w, -1); // padding -1 is row 3
    assertArrayEquals(new long[] {2, 2, 2}, y.shape());
    assertArrayEquals(new double[] {6, 8, 1, 0, 6, 8, 3, 4}, y.toDoubleArray(), 0.0);
    y.sum().backward();
    assertArrayEquals(new double[] {1, 1, 1, 1, 0, 0, 0, 0}, w.grad().toDoubleArray(), 0.0);
  }

  @Test
  void maxNormRenormalizesTheLookedUpRowsInPlace() {
    Tensor w = table();
    Tensor y = Embeddings.embedding(Tensor.of(new long[] {0, 2}), w, null, 1.0, 2.0, false);
    assertArrayEquals(new double[] {0.6, 0.8, 0, 1}, y.toDoubleArray(), 1e-6);
    // row 0 (norm 5) and row 2 (norm 2) scaled; row 3 (norm 10) was not looked up
    assertArrayEquals(new double[] {0.6, 0.8, 1, 0, 0, 1, 6, 8}, w.toDoubleArray(), 1e-6);
  }

  @Test
  void bagsBySumMeanAndMax() {
    Tensor w = table(), idx = Tensor.of(new long[] {0, 3, 1, 2}), offsets = Tensor.of(new long[] {0, 2, 2});
    assertArrayEquals(new double[] {4.5, 6, 0, 0, 0.5, 1}, Embeddings.embeddingBag(idx, w, offsets).toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {9, 12, 0, 0, 1, 2},
        Embeddings.embeddingBag(idx, w, offsets, "sum").toDoubleArray(), 0.0);
    assertArrayEquals(new double[] {6, 8, 0, 0, 1, 2},
        Embeddings.embeddingBag(idx, w, offsets, "max").toDoubleArray(), 0.0);
    Tensor psw = Tensor.of(new double[] {2, 1, 1, -1});
    assertArrayEquals(new double[] {12, 16, 0, 0, 1, -2},
        Embeddings.embeddingBag(idx, w, offsets, null, 2.0, false, "sum", psw, false, null).toDoubleArray(), 0.0);
  }

  @Test
  void badInputIsRefused() {
    Tensor w = table();
    IndexException e = assertThrows(IndexException.class, () -> Embeddings.embedding(Tensor.of(new long[] {4}), w));
    assertTrue(e.getMessage().contains("embedding") && e.getMessage().contains("index out of range"), e.getMessage());
    DTypeException d = assertThrows(DTypeException.class, () -> Embeddings.embedding(Tensor.of(new double[] {1}), w));
    assertTrue(d.getMessage().contains("'indices'"), d.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Embeddings.embedding(Tensor.of(new long[] {0}), w, 4));
    assertThrows(IllegalArgumentException.class,
        () -> Embeddings.embeddingBag(Tensor.of(new long[] {0}), w, Tensor.of(new long[] {0}), "median"));
    ArgumentException n = assertThrows(ArgumentException.class, () -> Embeddings.embeddingBag(
        Tensor.of(new long[] {0}), w, Tensor.of(new long[] {0}), null, 2.0, false, "mean", Tensor.ones(1).to(DType.FLOAT64),
        false, null));
    assertTrue(n.getMessage().contains("per_sample_weights is only supported for mode='sum'"), n.getMessage());
    assertArrayEquals(table().toDoubleArray(), w.toDoubleArray(), 0.0);
    assertNull(w.grad());
    assertEquals(DType.FLOAT64, w.dtype());
  }
}
