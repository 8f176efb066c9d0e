package dev.kiln;

import dev.kiln.internal.Core;

/**
 * Linear algebra of a Tensor: matrix products.
 * Part of {@link Tensor}'s API; split out by family to keep files small.
 */
public sealed interface TensorLinalg permits Tensor {
  /** Matrix product with torch.matmul's rules for 1-D, 2-D and batched (broadcast) operands. */
  default Tensor matmul(Tensor other) {
    return Calls.binary(self(), LinalgIds.MATMUL, other);
  }

  /** The product of two matrices. */
  default Tensor mm(Tensor other) {
    return Calls.binary(self(), LinalgIds.MM, other);
  }

  /** Batched product of [b, n, k] and [b, k, m] tensors. */
  default Tensor bmm(Tensor other) {
    return Calls.binary(self(), LinalgIds.BMM, other);
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorLinalg, resolved by name once. */
final class LinalgIds {
  static final int BMM = Core.op("bmm"),
      MATMUL = Core.op("matmul"),
      MM = Core.op("mm");

  private LinalgIds() {}
}
