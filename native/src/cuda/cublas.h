// cuBLAS, opened at run time: a GPU jar needs only the driver, and uses cuBLAS where the machine has it
// (libcublas.so.13 or .12 on the loader's path). Declares the few entry points Kiln calls, by their C ABI.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

namespace kiln::cuda::cublas {

// Whether cuBLAS was found and works; KILN_CUBLAS=0 in the environment turns it off (Kiln's own kernel runs).
bool available();

// Row-major out[b] = alpha * a[b] @ b[b] + beta * out[b] for b < batch: a is n x k, b is k x m, out n x m with
// leading dimension m. ta/tb: the operand is stored transposed (column-major) with leading dimension lda/ldb.
// Strides between batch entries may be 0. Returns false when cuBLAS refused the call (sizes over int32).
template <class T>
bool gemm(cudaStream_t s, int64_t batch, int64_t n, int64_t m, int64_t k, T alpha, const T* a, bool ta, int64_t lda,
          int64_t stride_a, const T* b, bool tb, int64_t ldb, int64_t stride_b, T beta, T* out, int64_t stride_out);

}  // namespace kiln::cuda::cublas
