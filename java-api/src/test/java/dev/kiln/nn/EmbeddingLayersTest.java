package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kiln.DType;
import dev.kiln.Kiln;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** Embedding, EmbeddingBag, CosineSimilarity and PairwiseDistance: initialization, fromPretrained, forwards, printing. */
class EmbeddingLayersTest {
  @Test
  void embeddingStartsStandardNormalWithAZeroPaddingRow() {
    Kiln.manualSeed(3);
    Embedding e = new Embedding(2000, 50, -1);
    assertEquals(1999, e.paddingIdx);
    double[] w = e.weight.toDoubleArray();
    double sum = 0, sq = 0;
    for (int i = 0; i < 1999 * 50; i++) {
      sum += w[i];
      sq += w[i] * w[i];
    }
    int n = 1999 * 50;
    assertEquals(0.0, sum / n, 0.02);
    assertEquals(1.0, sq / n - (sum / n) * (sum / n), 0.02);
    for (int i = 1999 * 50; i < 2000 * 50; i++) assertEquals(0.0, w[i]);
    assertTrue(e.weight.requiresGrad());
    assertEquals("Embedding(2000, 50, padding_idx=1999)", e.toString());
  }

  @Test
  void fromPretrainedSharesTheTableAndFreezesIt() {
    Tensor table = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
    Embedding e = Embedding.fromPretrained(table);
    assertFalse(e.weight.requiresGrad());
    assertArrayEquals(new double[] {5, 6, 1, 2}, e.call(Tensor.of(new long[] {2, 0})).toDoubleArray(), 0.0);
    assertTrue(Embedding.fromPretrained(table, false, null, null, 2.0, false).weight.requiresGrad());
    assertThrows(IllegalArgumentException.class, () -> Embedding.fromPretrained(Tensor.ones(3)));
    EmbeddingBag bag = EmbeddingBag.fromPretrained(table, true, null, 2.0, false, "sum", false, null);
    assertArrayEquals(new double[] {4, 6, 5, 6},
        bag.call(Tensor.of(new long[] {0, 1, 2}), Tensor.of(new long[] {0, 2})).toDoubleArray(), 0.0);
  }

  @Test
  void embeddingBagForwards() {
    EmbeddingBag bag = new EmbeddingBag(10, 4, "max");
    assertEquals("EmbeddingBag(10, 4, mode=max)", bag.toString());
    assertArrayEquals(new long[] {2, 4}, bag.call(Tensor.of(new long[] {1, 2, 3, 4}, 2, 2)).shape());
    assertArrayEquals(new long[] {3, 4}, bag.call(Tensor.of(new long[] {1, 2, 3}), Tensor.of(new long[] {0, 1, 1})).shape());
    assertThrows(IllegalArgumentException.class, () -> new EmbeddingBag(10, 4, "median"));
    assertThrows(IllegalArgumentException.class, () -> new Embedding(10, 4, 10));
  }

  @Test
  void distancesTakeTwoInputs() {
    Tensor a = Tensor.of(new double[] {3, 4}, 1, 2), b = Tensor.of(new double[] {4, 3}, 1, 2);
    assertEquals(24.0 / 25, new CosineSimilarity().call(a, b).item(), 1e-15);
    assertEquals(2.0, new PairwiseDistance(1.0, 0.0, false).call(a, b).item(), 1e-15);
    assertEquals("CosineSimilarity()", new CosineSimilarity(0, 1e-6).toString());
    assertEquals("PairwiseDistance()", new PairwiseDistance().toString());
  }
}
