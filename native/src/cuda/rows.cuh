// What the row kernels share (softmax, cross_entropy): a warp per row, reduced with shuffles, and the float32 /
// float64 dispatch of the floating-only kernels.
#pragma once
#include <cfloat>

#include "cuda/runtime.h"
#include "kiln/tensor.h"

namespace kiln::cuda {

constexpr int kWarp = 32;
constexpr int kRowsPerBlock = kThreads / kWarp;

template <class T>
__device__ __forceinline__ T warp_sum(T v) {
#pragma unroll
  for (int o = kWarp / 2; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// The largest value of the warp's; NaN wins, as the CPU's row_max.
template <class T>
__device__ __forceinline__ T warp_max(T v) {
#pragma unroll
  for (int o = kWarp / 2; o > 0; o /= 2) {
    const T u = __shfl_xor_sync(0xffffffffu, v, o);
    v = (u > v || u != u) ? u : v;
  }
  return v;
}

template <class T>
__device__ __forceinline__ T neg_inf() {
  return -static_cast<T>(INFINITY);
}

// Blocks for `rows` rows of one warp each.
inline unsigned blocks_for_rows(int64_t rows) {
  const int64_t b = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 65535 * 8 ? 65535 * 8 : b));
}

// f(T{}) for float32 or float64 tensors; other dtypes are the op layer's to refuse.
template <class F>
void floating(DType t, const char* op, F&& f) {
  if (t == DType::Float32) return f(float{});
  if (t == DType::Float64) return f(double{});
  fail(ErrorKind::DType, op, ": not implemented for '", dtype_name(t), "' on CUDA");
}

}  // namespace kiln::cuda
