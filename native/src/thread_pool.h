// One pool of threads for the core's kernels, sized to the cores. Idle workers sleep (no busy-waiting
// beyond a short spin), and a parallel_for issued from inside a worker runs inline, so nesting never
// oversubscribes.
#pragma once
#include <cstdint>
#include <functional>

namespace kiln {

int get_num_threads();
void set_num_threads(int n);  // n >= 1; includes the calling thread
bool in_parallel_region();

// Calls fn(begin, end) over [0, n) in chunks of at least `grain`; the calling thread takes part.
// Exceptions thrown by fn are rethrown on the calling thread.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace kiln
