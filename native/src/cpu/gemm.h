// GEMM for the op families that call BLAS directly (linalg, conv): batched strided products with alpha and
// beta, row-major GEMMs on raw pointers for kernels, and a guard that keeps OpenBLAS on one thread while the
// core's pool already fills the cores.
#pragma once
#include <cstdint>

#include "kiln/tensor.h"

namespace kiln::cpu {

// out[i] = alpha * a[i] @ b[i] + beta * out[i] for [B, n, k] x [B, k, m] -> [B, n, m]. out is contiguous;
// a and b may have any strides (copied only when BLAS cannot read them in place). beta == 0 ignores what out
// held (NaN included), as BLAS does. Float32, float64 and int64 (alpha and beta then truncated to integers,
// as PyTorch converts them).
void gemm_kernel(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta);

// Row-major C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C, op(X) = X or X^T; ld* are row strides.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t lda,
          const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

// The same product with OpenBLAS single-threaded, computed in fixed blocks of C's columns (or rows, when C is
// tall) when large, which the core's pool threads claim: where OpenBLAS's own threads would compete with the
// pool's (and, on a shared machine, with other processes: they ran a 1024^3 sgemm 1.5-2x slower than one thread
// under load here). From inside the pool the blocks run in turn. The blocks depend on the sizes only, so results
// do not depend on the thread count (OpenBLAS's Haswell kernels round differently for different partitions).
void gemm_parallel(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                   int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm_parallel(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
                   int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc);

// How many rows a row-major product [rows x k] x [k x n] (no transposes) may have for OpenBLAS to run it
// without packing its operands: the AVX-512 kernels (SkylakeX, Cooperlake, SapphireRapids) take products of at
// most 10^6 multiply-adds straight from memory. For small products that is the faster path (8 x 128 x 512:
// ~190 GFLOP/s on one core, against ~90-125 packed at 16-32 rows). 0 where the loaded kernels have no such path.
int64_t unpacked_gemm_rows(int64_t n, int64_t k);

// While one is alive (on any thread), OpenBLAS runs each GEMM on its calling thread: for GEMMs issued from
// the core's pool, whose threads already occupy the cores (OpenBLAS's own threads would oversubscribe them).
class SingleThreadedBlas {
 public:
  SingleThreadedBlas();
  ~SingleThreadedBlas();
  SingleThreadedBlas(const SingleThreadedBlas&) = delete;
  SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;
};

}  // namespace kiln::cpu
