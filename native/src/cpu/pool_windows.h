// Pooling windows along one dim, as PyTorch's CPU kernels place them (where a padded or dilated window starts,
// what an average divides by, adaptive windows in float), and max pooling's row update: shared by the 2-D and
// 3-D pooling kernels.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

#include "cpu/simd.h"

namespace kiln::cpu {

// PyTorch's adaptive windows (in float, as its kernels compute them).
inline int64_t start_index(int64_t o, int64_t out, int64_t in) {
  return static_cast<int64_t>(std::floor(static_cast<float>(o * in) / static_cast<float>(out)));
}
inline int64_t end_index(int64_t o, int64_t out, int64_t in) {
  return static_cast<int64_t>(std::ceil(static_cast<float>((o + 1) * in) / static_cast<float>(out)));
}

// The input window of each output position along one dim: [begin, end) by step, and for averages the size
// the window has with its padding counted.
struct Windows {
  std::vector<int64_t> begin, end, padded;
  int64_t step = 1;
};

// Max pooling's: padding never wins, so a window starts at its first in-range element (as PyTorch's does).
inline Windows max_windows(int64_t out, int64_t in, int64_t k, int64_t s, int64_t pad, int64_t d) {
  Windows w;
  w.step = d;
  for (int64_t o = 0; o < out; ++o) {
    int64_t b = o * s - pad;
    const int64_t e = std::min(b + (k - 1) * d + 1, in);
    while (b < 0) b += d;
    w.begin.push_back(b);
    w.end.push_back(e);
  }
  return w;
}

inline Windows avg_windows(int64_t out, int64_t in, int64_t k, int64_t s, int64_t pad) {
  Windows w;
  for (int64_t o = 0; o < out; ++o) {
    const int64_t b = o * s - pad, e = std::min(b + k, in + pad);
    w.padded.push_back(e - b);
    w.begin.push_back(std::max<int64_t>(b, 0));
    w.end.push_back(std::min(e, in));
  }
  return w;
}

inline Windows adaptive_windows(int64_t out, int64_t in) {
  Windows w;
  for (int64_t o = 0; o < out; ++o) {
    w.begin.push_back(start_index(o, out, in));
    w.end.push_back(end_index(o, out, in));
  }
  return w;
}

// The outputs o in [0, out) whose input o * stride + offset falls in [0, in).
inline std::pair<int64_t, int64_t> valid_outputs(int64_t out, int64_t in, int64_t stride, int64_t offset) {
  int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t end = in - offset <= 0 ? 0 : (in - offset + stride - 1) / stride;
  begin = std::min(begin, out);
  return {begin, std::clamp(end, begin, out)};
}

template <class T, class Step>
KILN_ALWAYS_INLINE void max_update_loop(T* m, int64_t* best, const T* src, int64_t n, Step step, int64_t idx0,
                                        int64_t idx_step) {
  for (int64_t i = 0; i < n; ++i) {
    const T v = src[i * static_cast<int64_t>(step)];
    const bool take = (v > m[i]) | (v != v);
    m[i] = take ? v : m[i];
    best[i] = take ? idx0 + i * idx_step : best[i];
  }
}

// m[i], best[i] = the larger of m[i] and src[i * step] (or a NaN), with its index idx0 + i * idx_step: one kernel
// offset of a row of max-pooling windows (pool.cpp, compiled per ISA).
void max_update(float* m, int64_t* best, const float* src, int64_t n, int64_t step, int64_t idx0, int64_t idx_step);
void max_update(double* m, int64_t* best, const double* src, int64_t n, int64_t step, int64_t idx0, int64_t idx_step);

}  // namespace kiln::cpu
