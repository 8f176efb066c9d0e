// Batched matrix products: cuBLAS where it is found (cublas.h), else Kiln's tiled kernel, which also serves
// int64 and operands of layouts cuBLAS cannot read.
#include <type_traits>

#include "cuda/cublas.h"
#include "cuda/kernels.h"
#include "cuda/runtime.h"

namespace kiln::cuda {
namespace {

constexpr int kTile = 64, kDepth = 16, kPer = 4;  // a block makes a 64 x 64 tile, each thread 4 x 4 of it

// out[b] = alpha * a[b] @ b[b] + beta * out[b]; a, b of any strides; out contiguous [batch, n, m].
template <class T>
__global__ void __launch_bounds__(256) gemm_tiled(int64_t n, int64_t m, int64_t k, T alpha, const T* a, int64_t sab,
                                                  int64_t sa0, int64_t sa1, const T* b, int64_t sbb, int64_t sb0,
                                                  int64_t sb1, T beta, T* out) {
  __shared__ T as[kDepth][kTile + 1];
  __shared__ T bs[kDepth][kTile + 1];
  const int64_t batch = blockIdx.z;
  const int64_t row0 = static_cast<int64_t>(blockIdx.y) * kTile, col0 = static_cast<int64_t>(blockIdx.x) * kTile;
  const int tr = threadIdx.x / 16, tc = threadIdx.x % 16;
  a += batch * sab;
  b += batch * sbb;
  T acc[kPer][kPer] = {};
  for (int64_t k0 = 0; k0 < k; k0 += kDepth) {
    for (int i = threadIdx.x; i < kDepth * kTile; i += blockDim.x) {
      const int kk = i / kTile, rr = i % kTile;
      const int64_t r = row0 + rr, c = col0 + rr, kx = k0 + kk;
      as[kk][rr] = (r < n && kx < k) ? a[r * sa0 + kx * sa1] : T(0);
      bs[kk][rr] = (c < m && kx < k) ? b[kx * sb0 + c * sb1] : T(0);
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kDepth; ++kk) {
      T av[kPer], bv[kPer];
#pragma unroll
      for (int i = 0; i < kPer; ++i) av[i] = as[kk][tr + 16 * i];
#pragma unroll
      for (int j = 0; j < kPer; ++j) bv[j] = bs[kk][tc + 16 * j];
#pragma unroll
      for (int i = 0; i < kPer; ++i)
#pragma unroll
        for (int j = 0; j < kPer; ++j) acc[i][j] += av[i] * bv[j];
    }
    __syncthreads();
  }
  T* o = out + batch * n * m;
#pragma unroll
  for (int i = 0; i < kPer; ++i) {
    const int64_t r = row0 + tr + 16 * i;
    if (r >= n) continue;
#pragma unroll
    for (int j = 0; j < kPer; ++j) {
      const int64_t c = col0 + tc + 16 * j;
      if (c < m) o[r * m + c] = beta == T(0) ? alpha * acc[i][j] : alpha * acc[i][j] + beta * o[r * m + c];
    }
  }
}

// How cuBLAS can read a matrix of rows x cols with strides (s0, s1): row-major (s1 == 1) or transposed
// (s0 == 1), with its leading dimension; a dim of size 1 may have any stride.
struct BlasLayout {
  bool ok = false, transposed = false;
  int64_t ld = 0;
};
BlasLayout blas_layout(int64_t rows, int64_t cols, int64_t s0, int64_t s1) {
  if (s1 == 1 || cols == 1) {
    const int64_t ld = rows == 1 ? (cols > 1 ? cols : 1) : s0;
    if (ld >= (cols > 1 ? cols : 1)) return {true, false, ld};
  }
  if (s0 == 1 || rows == 1) {
    const int64_t ld = cols == 1 ? (rows > 1 ? rows : 1) : s1;
    if (ld >= (rows > 1 ? rows : 1)) return {true, true, ld};
  }
  return {};
}

template <class T>
void gemm_typed(const Tensor& out, const Tensor& a, const Tensor& b, T alpha, T beta) {
  const int64_t batch = out.shape()[0], n = out.shape()[1], m = out.shape()[2], k = a.shape()[2];
  const cudaStream_t s = stream(out.device().index);
  if constexpr (std::is_floating_point_v<T>) {
    const BlasLayout la = blas_layout(n, k, a.strides()[1], a.strides()[2]);
    const BlasLayout lb = blas_layout(k, m, b.strides()[1], b.strides()[2]);
    const int64_t sab = batch == 1 ? 0 : a.strides()[0], sbb = batch == 1 ? 0 : b.strides()[0];
    if (la.ok && lb.ok &&
        cublas::gemm<T>(s, batch, n, m, k, alpha, a.data<T>(), la.transposed, la.ld, sab, b.data<T>(), lb.transposed,
                        lb.ld, sbb, beta, out.data<T>(), n * m))
      return;
  }
  KILN_CHECK(batch <= 65535, NotImplemented, "matmul: CUDA batches of more than 65535 matrices without cuBLAS");
  const dim3 grid(static_cast<unsigned>((m + kTile - 1) / kTile), static_cast<unsigned>((n + kTile - 1) / kTile),
                  static_cast<unsigned>(batch));
  gemm_tiled<T><<<grid, 256, 0, s>>>(n, m, k, alpha, a.data<T>(), a.strides()[0], a.strides()[1], a.strides()[2],
                                     b.data<T>(), b.strides()[0], b.strides()[1], b.strides()[2], beta, out.data<T>());
  KILN_CUDA_CHECK_LAUNCH("matmul");
}

}  // namespace

void gemm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  if (out.numel() == 0) return;
  if (a.shape()[2] == 0) {  // an empty inner dim: the product is all zeros (times beta of what was there)
    if (beta == 1) return;
    KILN_CHECK(beta == 0, NotImplemented, "gemm: an empty inner dim with beta ", beta, " on CUDA");
    fill(out, Scalar(int64_t(0)));
    return;
  }
  switch (out.dtype()) {
    case DType::Float32: return gemm_typed<float>(out, a, b, float(alpha), float(beta));
    case DType::Float64: return gemm_typed<double>(out, a, b, alpha, beta);
    case DType::Int64: return gemm_typed<int64_t>(out, a, b, static_cast<int64_t>(alpha), static_cast<int64_t>(beta));
    default: fail(ErrorKind::DType, "matmul: not implemented for '", dtype_name(out.dtype()), "'");
  }
}

void matmul(const Tensor& out, const Tensor& a, const Tensor& b) { gemm(out, a, b, 1, 0); }

}  // namespace kiln::cuda
