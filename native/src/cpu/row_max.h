// The largest element of a contiguous row, for the row kernels that shift by it before exp (softmax,
// cross-entropy, logsumexp). A NaN is skipped: the exps that follow turn its row's results into NaN anyway.
#pragma once
#include <cstdint>
#include <limits>

#include "cpu/simd.h"

namespace kiln::cpu {

// 32 independent lanes: the compares vectorise in each ISA clone of the KILN_SIMD function that inlines this.
template <class T>
KILN_ALWAYS_INLINE T row_max(const T* x, int64_t n) {
  constexpr int kLanes = 32;
  T lanes[kLanes];
  for (int j = 0; j < kLanes; ++j) lanes[j] = -std::numeric_limits<T>::infinity();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] = x[i + j] > lanes[j] ? x[i + j] : lanes[j];
  T m = -std::numeric_limits<T>::infinity();
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  for (int j = 0; j < kLanes; ++j) m = lanes[j] > m ? lanes[j] : m;
  return m;
}

}  // namespace kiln::cpu
