package dev.kiln;

import dev.kiln.internal.Core;

/**
 * Linear algebra of a Tensor: matrix products, products with an added term. {@link Tensor#einsum} is a static
 * method of Tensor.
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

  /** The product of this matrix and a vector. {@code a.mv(v)} is {@code a.matmul(v)} for a 2-D a, 1-D v. */
  default Tensor mv(Tensor vector) {
    return Calls.binary(self(), LinalgIds.MV, vector);
  }

  /** The inner product of two 1-D tensors of one dtype, as a 0-dim tensor. */
  default Tensor dot(Tensor other) {
    return Calls.binary(self(), LinalgIds.DOT, other);
  }

  /** The outer product of two 1-D tensors: {@code out[i][j] = this[i] * other[j]} (dtypes promote). */
  default Tensor outer(Tensor other) {
    return Calls.binary(self(), LinalgIds.OUTER, other);
  }

  /** {@code this + mat1 @ mat2}, this broadcast to the product's shape; one GEMM. */
  default Tensor addmm(Tensor mat1, Tensor mat2) {
    return addmm(mat1, mat2, 1, 1);
  }

  /**
   * {@code beta * this + alpha * (mat1 @ mat2)}; with beta 0 this tensor's values (NaN included) are ignored.
   * For integer tensors beta and alpha must be integral. {@code bias.addmm(x, w.t(), 1, 1)}
   */
  default Tensor addmm(Tensor mat1, Tensor mat2, double beta, double alpha) {
    return Calls.ternaryReals(self(), LinalgIds.ADDMM, mat1, mat2, beta, alpha);
  }

  /** {@code this + mat @ vec}. */
  default Tensor addmv(Tensor mat, Tensor vec) {
    return addmv(mat, vec, 1, 1);
  }

  /** {@code beta * this + alpha * (mat @ vec)}. */
  default Tensor addmv(Tensor mat, Tensor vec, double beta, double alpha) {
    return Calls.ternaryReals(self(), LinalgIds.ADDMV, mat, vec, beta, alpha);
  }

  /** {@code this + batch1 @ batch2} over [b, n, k] and [b, k, m] batches. */
  default Tensor baddbmm(Tensor batch1, Tensor batch2) {
    return baddbmm(batch1, batch2, 1, 1);
  }

  /** {@code beta * this + alpha * bmm(batch1, batch2)}. */
  default Tensor baddbmm(Tensor batch1, Tensor batch2, double beta, double alpha) {
    return Calls.ternaryReals(self(), LinalgIds.BADDBMM, batch1, batch2, beta, alpha);
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorLinalg, resolved by name once. */
final class LinalgIds {
  static final int BMM = Core.op("bmm"),
      MATMUL = Core.op("matmul"),
      MM = Core.op("mm"),
      MV = Core.op("mv"),
      DOT = Core.op("dot"),
      OUTER = Core.op("outer"),
      ADDMM = Core.op("addmm"),
      ADDMV = Core.op("addmv"),
      BADDBMM = Core.op("baddbmm"),
      EINSUM = Core.op("einsum");

  private LinalgIds() {}
}
