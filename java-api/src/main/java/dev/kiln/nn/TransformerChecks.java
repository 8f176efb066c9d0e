package dev.kiln.nn;

import dev.kiln.DType;
import dev.kiln.DTypeException;
import dev.kiln.ShapeException;
import dev.kiln.Tensor;
import java.util.Arrays;

/**
 * The argument checks of the Transformer modules, made before any work so that a bad sequence or mask is named
 * with the module and the argument it came in (PyTorch's names: src_mask, tgt_key_padding_mask, ...).
 */
final class TransformerChecks {
  private TransformerChecks() {}

  /** A sequence [L, N, E] ([N, L, E] batch first) or unbatched [L, E], whose E must be dModel. */
  static void sequence(String module, String name, Tensor x, int dModel) {
    if (x == null) throw new IllegalArgumentException(module + ": " + name + " must not be null");
    if (x.dim() != 2 && x.dim() != 3)
      throw new ShapeException(module + ": expected " + name + " to be 2-D (unbatched) or 3-D, got shape " + shape(x));
    if (x.size(-1) != dModel)
      throw new ShapeException(module + ": the feature number of " + name + " must be equal to d_model (" + dModel
          + "), got shape " + shape(x));
  }

  /** The memory a decoder attends to: the target's rank and batch, dModel features. */
  static void memory(String module, Tensor tgt, Tensor memory, int dModel, boolean batchFirst) {
    sequence(module, "memory", memory, dModel);
    if (memory.dim() != tgt.dim() || tgt.dim() == 3 && batch(memory, batchFirst) != batch(tgt, batchFirst))
      throw new ShapeException(module + ": tgt " + shape(tgt) + " and memory " + shape(memory)
          + " must both be batched with the same batch size, or both unbatched");
  }

  /** Sequence length: dim 1 of a batch-first batch, else dim 0. */
  static long length(Tensor x, boolean batchFirst) {
    return x.dim() == 3 && batchFirst ? x.size(1) : x.size(0);
  }

  /** Batch size, 0 for an unbatched input. */
  static long batch(Tensor x, boolean batchFirst) {
    return x.dim() != 3 ? 0 : batchFirst ? x.size(0) : x.size(1);
  }

  /** An attention mask: bool or float, [L, S] or [N * nhead, L, S] (N 1 unbatched). */
  static void attnMask(String module, String name, Tensor mask, long tgtLen, long srcLen, long batch, int nhead) {
    if (mask == null) return;
    dtype(module, name, mask);
    long heads = Math.max(batch, 1) * nhead;
    boolean ok = mask.dim() == 2 && mask.size(0) == tgtLen && mask.size(1) == srcLen
        || mask.dim() == 3 && mask.size(0) == heads && mask.size(1) == tgtLen && mask.size(2) == srcLen;
    if (!ok)
      throw new ShapeException(module + ": expected " + name + " of shape [" + tgtLen + ", " + srcLen + "] or ["
          + heads + ", " + tgtLen + ", " + srcLen + "], got " + shape(mask));
  }

  /** A key padding mask: bool or float, [N, S], or [S] for an unbatched input. */
  static void paddingMask(String module, String name, Tensor mask, long batch, long srcLen) {
    if (mask == null) return;
    dtype(module, name, mask);
    boolean ok = batch == 0 ? mask.dim() == 1 && mask.size(0) == srcLen
        : mask.dim() == 2 && mask.size(0) == batch && mask.size(1) == srcLen;
    if (!ok)
      throw new ShapeException(module + ": expected " + name + " of shape "
          + (batch == 0 ? "[" + srcLen + "]" : "[" + batch + ", " + srcLen + "]") + ", got " + shape(mask));
  }

  private static void dtype(String module, String name, Tensor mask) {
    if (mask.dtype() != DType.BOOL && !mask.dtype().isFloatingPoint())
      throw new DTypeException(module + ": only bool and floating types of " + name + " are supported, got "
          + mask.dtype());
  }

  /** d_model must split evenly over the heads. */
  static void heads(String module, int dModel, int nhead) {
    if (dModel < 1 || nhead < 1 || dModel % nhead != 0)
      throw new IllegalArgumentException(module + ": d_model (" + dModel + ") must be positive and divisible by nhead ("
          + nhead + ")");
  }

  static String shape(Tensor x) {
    return Arrays.toString(x.shape());
  }
}
