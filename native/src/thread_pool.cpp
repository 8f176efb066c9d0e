// The kernel thread pool. A job is a range split into chunks; chunks are claimed through one atomic word
// that carries the job's generation in its high bits, so a worker that wakes late can never claim a chunk
// of a newer job with an older job's function.
#include "thread_pool.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "kiln/error.h"

namespace kiln {
namespace {

thread_local bool tl_in_parallel = false;

int default_threads() {
  if (const char* env = std::getenv("KILN_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return n;
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

inline void cpu_relax() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#endif
}

class Pool {
 public:
  Pool() { start(default_threads()); }
  ~Pool() { stop(); }

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int n) {
    std::lock_guard<std::mutex> job(job_mutex_);
    stop();
    start(n);
  }

  void run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    const int64_t max_chunks = std::max<int64_t>(1, n / std::max<int64_t>(grain, 1));
    const int64_t chunks = std::min<int64_t>(max_chunks, size());
    if (chunks <= 1) return run_inline(n, fn);  // too little work to split
    std::unique_lock<std::mutex> job(job_mutex_, std::try_to_lock);
    if (!job.owns_lock()) return run_inline(n, fn);  // another thread holds the pool
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fn_.store(&fn, std::memory_order_relaxed);
      n_.store(n, std::memory_order_relaxed);
      chunks_.store(chunks, std::memory_order_relaxed);
      error_ = nullptr;
      done_.store(0, std::memory_order_relaxed);
      ++generation_;
      claim_.store(generation_ << 32, std::memory_order_release);
    }
    wake_.notify_all();
    work(generation_);
    // Wait for the chunks other threads claimed: spin briefly (chunks are even), then sleep.
    for (int spin = 0; done_.load(std::memory_order_acquire) < chunks && spin < 20000; ++spin) cpu_relax();
    if (done_.load(std::memory_order_acquire) < chunks) {
      std::unique_lock<std::mutex> lock(mutex_);
      finished_.wait(lock, [&] { return done_.load(std::memory_order_acquire) >= chunks; });
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void start(int n) {
    stopping_ = false;
    for (int i = 1; i < std::max(1, n); ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  // Runs the whole range on this thread, marked as a parallel region like a worker's chunk, so that
  // nested parallel_for calls stay inline and set_num_threads is refused instead of deadlocking.
  static void run_inline(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
    const bool was_parallel = tl_in_parallel;
    tl_in_parallel = true;
    try {
      fn(0, n);
    } catch (...) {
      tl_in_parallel = was_parallel;
      throw;
    }
    tl_in_parallel = was_parallel;
  }

  // Claims and runs chunks of the job with this generation until none are left.
  void work(uint64_t generation) {
    bool was_parallel = tl_in_parallel;
    tl_in_parallel = true;
    for (;;) {
      uint64_t word = claim_.load(std::memory_order_acquire);
      if ((word >> 32) != generation) break;
      // The job's fields are read after a matching generation; a newer job may overwrite them at any
      // time, which the compare-and-swap below detects (they are atomics so that the read is defined).
      const int64_t chunks = chunks_.load(std::memory_order_relaxed), n = n_.load(std::memory_order_relaxed);
      const auto* fn = fn_.load(std::memory_order_relaxed);
      int64_t chunk = static_cast<int64_t>(word & 0xffffffffu);
      if (chunk >= chunks) break;
      if (!claim_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel)) continue;
      int64_t begin = n * chunk / chunks, end = n * (chunk + 1) / chunks;
      try {
        (*fn)(begin, end);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks) {
        std::lock_guard<std::mutex> lock(mutex_);
        finished_.notify_all();
      }
    }
    tl_in_parallel = was_parallel;
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      // A short spin catches back-to-back jobs without a futex wake-up; then the worker sleeps.
      for (int spin = 0; spin < 4000 && generation_snapshot() == seen; ++spin) cpu_relax();
      uint64_t gen;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        gen = seen = generation_;
      }
      work(gen);
    }
  }

  uint64_t generation_snapshot() { return claim_.load(std::memory_order_relaxed) >> 32; }

  std::vector<std::thread> workers_;
  std::mutex job_mutex_;  // one job at a time
  std::mutex mutex_;
  std::condition_variable wake_, finished_;
  bool stopping_ = false;
  uint64_t generation_ = 0;
  std::atomic<uint64_t> claim_{0};
  std::atomic<int64_t> done_{0};
  std::atomic<const std::function<void(int64_t, int64_t)>*> fn_{nullptr};
  std::atomic<int64_t> n_{0}, chunks_{0};
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destruction order
  return *p;
}

}  // namespace

int get_num_threads() { return pool().size(); }

void set_num_threads(int n) {
  KILN_CHECK(n >= 1, Argument, "set_num_threads: expected a positive number of threads, got ", n);
  KILN_CHECK(!tl_in_parallel, Argument, "set_num_threads: cannot be called from inside a parallel region");
  pool().resize(n);
}

bool in_parallel_region() { return tl_in_parallel; }

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  if (tl_in_parallel || n < 2 * grain) {
    fn(0, n);
    return;
  }
  pool().run(n, grain, fn);
}

}  // namespace kiln
