package dev.kiln.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.ArgumentException;
import dev.kiln.DType;
import dev.kiln.Generator;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import org.junit.jupiter.api.Test;

/** The Attention and Distances APIs: definitions at a glance, masks, defaults and bad input. */
class AttentionDistancesTest {
  @Test
  void attentionOfOneKeyIsItsValue() {
    Tensor q = Tensor.rand(new Generator(1), DType.FLOAT64, 2, 3, 4), k = Tensor.rand(new Generator(2), DType.FLOAT64, 2, 1, 4);
    Tensor v = Tensor.rand(new Generator(3), DType.FLOAT64, 2, 1, 5);
    Tensor out = Attention.scaledDotProductAttention(q, k, v);
    assertArrayEquals(new long[] {2, 3, 5}, out.shape());
    assertArrayEquals(v.expand(2, 3, 5).contiguous().toDoubleArray(), out.toDoubleArray(), 1e-15);
  }

  @Test
  void causalAttentionLetsTheFirstQuerySeeTheFirstKeyOnly() {
    Tensor q = Tensor.rand(new Generator(4), DType.FLOAT64, 3, 2), k = Tensor.rand(new Generator(5), DType.FLOAT64, 3, 2);
    Tensor v = Tensor.of(new double[] {1, 10, 100}, 3, 1);
    Tensor out = Attention.scaledDotProductAttention(q, k, v, null, 0.0, true);
    assertEquals(1.0, out.toDoubleArray()[0], 1e-15);
    Tensor masked = Attention.scaledDotProductAttention(q, k, v,
        Tensor.of(new boolean[] {true, false, false, true, true, false, true, true, true}, 3, 3));
    assertArrayEquals(out.toDoubleArray(), masked.toDoubleArray(), 1e-15);
  }

  @Test
  void distancesAtAGlance() {
    Tensor a = Tensor.of(new double[] {1, 0, 0, 3}, 2, 2), b = Tensor.of(new double[] {0, 1, 0, 4}, 2, 2);
    assertArrayEquals(new double[] {0, 1}, Distances.cosineSimilarity(a, b).toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {Math.sqrt(2) - 0, 1}, Distances.pairwiseDistance(a, b, 2.0, 0.0, false).toDoubleArray(), 1e-15);
    assertArrayEquals(new double[] {2, 1}, Distances.pairwiseDistance(a, b, 1.0, 0.0, false).toDoubleArray(), 1e-15);
    assertArrayEquals(new long[] {2, 1}, Distances.pairwiseDistance(a, b, 2.0, 1e-6, true).shape());
  }

  @Test
  void badInputIsRefused() {
    Tensor q = Tensor.ones(2, 3), k = Tensor.ones(4, 5);
    ShapeException s = assertThrows(ShapeException.class, () -> Attention.scaledDotProductAttention(q, k, k));
    assertTrue(s.getMessage().contains("scaled_dot_product_attention") && s.getMessage().contains("[2, 3]"), s.getMessage());
    ArgumentException c = assertThrows(ArgumentException.class,
        () -> Attention.scaledDotProductAttention(q, q, q, Tensor.ones(2, 2), 0.0, true));
    assertTrue(c.getMessage().contains("is_causal"), c.getMessage());
    ShapeException d = assertThrows(ShapeException.class, () -> Distances.pairwiseDistance(q, k));
    assertTrue(d.getMessage().contains("pairwise_distance"), d.getMessage());
    assertThrows(dev.kiln.IndexException.class, () -> Distances.cosineSimilarity(q, q, 2));
  }
}
