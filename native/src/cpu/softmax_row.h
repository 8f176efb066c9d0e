// The passes of a contiguous softmax row that every ISA path shares (softmax.cpp's portable loops and
// softmax_avx512.cpp's): the sum in fixed lanes and the final scale, so that each path gives the same bits; and
// the exp of rows shifted by their maximum (softmax, cross-entropy).
#pragma once
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "cpu/simd.h"
#include "cpu/vec_math.h"

namespace kiln::cpu {

// exp(x - max), x - max <= 0 (or NaN): float32 takes vm::exp_nonpositive, fewer instructions than exp.
template <class T>
KILN_ALWAYS_INLINE T exp_shifted(T d) {
  if constexpr (std::is_same_v<T, float>) return vm::exp_nonpositive(d);
  else return vm::exp(d);
}

constexpr int kSumLanes = 32;  // independent partial sums: enough to hide the latency of vector adds

// sum(a[i] * b[i]), or sum(a[i]) when b is null, in kSumLanes partial sums combined in a fixed order.
template <class T>
KILN_ALWAYS_INLINE T row_sum(const T* a, const T* b, int64_t n) {
  T lanes[kSumLanes] = {};
  int64_t i = 0;
  if (b) {
    for (; i + kSumLanes <= n; i += kSumLanes)
      for (int j = 0; j < kSumLanes; ++j) lanes[j] += a[i + j] * b[i + j];
  } else {
    for (; i + kSumLanes <= n; i += kSumLanes)
      for (int j = 0; j < kSumLanes; ++j) lanes[j] += a[i + j];
  }
  for (int w = kSumLanes / 2; w > 0; w /= 2)
    for (int j = 0; j < w; ++j) lanes[j] += lanes[j + w];
  T s = lanes[0];
  for (; i < n; ++i) s += b ? a[i] * b[i] : a[i];
  return s;
}

// After the exp pass (y = exp(x - m)): softmax scales y by 1 / sum(y); log_softmax writes (x - m) - log(sum(y)),
// in this order as PyTorch: folding m + log(s) first would round away the small results of rows with large values.
template <class T>
KILN_ALWAYS_INLINE void softmax_finish(T* y, const T* x, int64_t n, T m, bool log) {
  const T s = row_sum<T>(y, nullptr, n);
  if (log) {
    const T ls = std::log(s);
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - m) - ls;
  } else {
    const T inv = T(1) / s;
    for (int64_t i = 0; i < n; ++i) y[i] *= inv;
  }
}

}  // namespace kiln::cpu
