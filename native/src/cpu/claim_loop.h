// Parallel loops whose items the pool's threads claim a few at a time, instead of parallel_for's even split
// decided up front: when another process slows one core, its thread takes fewer items rather than holding
// the whole op back. Results must not depend on which thread runs an item.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>

#include "thread_pool.h"

namespace kiln::cpu {

// Calls body(begin, end, worker_state) for consecutive ranges of `step` items of [0, n) until all are taken
// (the same ranges whether it runs in parallel or not); make_state() runs once per participating thread (a
// scratch buffer, say) before its first claim.
template <class MakeState, class Body>
void claim_loop(int64_t n, int64_t step, MakeState&& make_state, Body&& body) {
  if (n <= 0) return;
  step = std::max<int64_t>(step, 1);
  const int64_t claims = (n + step - 1) / step;
  if (claims < 2 || get_num_threads() < 2 || in_parallel_region()) {
    auto state = make_state();
    for (int64_t i = 0; i < n; i += step) body(i, std::min(n, i + step), state);  // the same ranges as in parallel
    return;
  }
  std::atomic<int64_t> next{0};
  parallel_for(std::min<int64_t>(claims, get_num_threads()), 1, [&](int64_t, int64_t) {
    auto state = make_state();
    for (int64_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < claims;)
      body(i * step, std::min(n, (i + 1) * step), state);
  });
}

}  // namespace kiln::cpu
