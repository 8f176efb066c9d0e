package dev.kiln.nn.functional;

import dev.kiln.Generator;
import dev.kiln.Tensor;
import dev.kiln.internal.Core;

/**
 * Scaled dot-product attention, as {@code torch.nn.functional.scaled_dot_product_attention} (PyTorch 2) defines
 * it: {@code softmax(query key^T * scale + mask) value} over query [..., L, E], key [..., S, E] and value [..., S,
 * Ev], batch dims broadcast.
 *
 * <pre>{@code
 * Tensor out = Attention.scaledDotProductAttention(q, k, v, null, 0.0, true);   // causal self-attention
 * }</pre>
 */
public final class Attention {
  private Attention() {}

  private static final int SDPA = Core.op("scaled_dot_product_attention");

  /** Attention without mask, dropout or causality; scale 1 / sqrt(E). */
  public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value) {
    return scaledDotProductAttention(query, key, value, null, 0.0, false, null, null);
  }

  public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor attnMask) {
    return scaledDotProductAttention(query, key, value, attnMask, 0.0, false, null, null);
  }

  public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor attnMask,
      double dropoutP, boolean isCausal) {
    return scaledDotProductAttention(query, key, value, attnMask, dropoutP, isCausal, null, null);
  }

  public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor attnMask,
      double dropoutP, boolean isCausal, Double scale) {
    return scaledDotProductAttention(query, key, value, attnMask, dropoutP, isCausal, scale, null);
  }

  /**
   * attnMask (null, or broadcast to [..., L, S]): bool, true where a query may attend; or floating, added to the
   * scores. isCausal lets query i attend keys 0..i only (attnMask must then be null). dropoutP drops attention
   * weights (scaling the rest) with the generator (null: the global one). scale null is 1 / sqrt(E).
   */
  public static Tensor scaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor attnMask,
      double dropoutP, boolean isCausal, Double scale, Generator generator) {
    OptionalTensors o = OptionalTensors.of(new Tensor[] {query, key, value}, attnMask);
    long gen = generator == null ? 0 : generator.handle();
    return o.call(SDPA, new long[] {o.mask, isCausal ? 1 : 0, gen}, dropoutP, scale == null ? Double.NaN : scale);
  }
}
