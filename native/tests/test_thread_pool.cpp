// The kernel thread pool: parallel_for coverage, nesting, exceptions and resizing.
#include <atomic>
#include <stdexcept>
#include <thread>

#include "fixtures.h"

using namespace kiln;
using test::ThreadCount;

namespace {

// Runs parallel_for(n, grain) and checks every index in [0, n) was visited exactly once, by chunks that
// each hold at least `grain` indices (or all of them).
void check_coverage(int64_t n, int64_t grain) {
  std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
  for (auto& h : hits) h.store(0);
  std::atomic<int64_t> small_chunks{0}, calls{0};
  parallel_for(n, grain, [&](int64_t begin, int64_t end) {
    ++calls;
    if (end - begin < grain && end - begin != n) ++small_chunks;
    for (int64_t i = begin; i < end; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
  });
  for (int64_t i = 0; i < n; ++i)
    if (hits[static_cast<size_t>(i)].load() != 1)
      test::fail_at(__FILE__, __LINE__,
                    "index " + std::to_string(i) + " of " + std::to_string(n) + " (grain " + std::to_string(grain) +
                        ") visited " + std::to_string(hits[static_cast<size_t>(i)].load()) + " times");
  CHECK_EQ(small_chunks.load(), int64_t(0));
  CHECK(calls.load() <= get_num_threads());
  if (n > 0) CHECK(calls.load() >= 1);
}

}  // namespace

TEST(parallel_for_covers_the_range_exactly_once) {
  for (int threads : {1, 2, 3, 4}) {
    ThreadCount count(threads);
    for (int64_t n : {0, 1, 2, 7, 100, 1000, 4097, 100003})
      for (int64_t grain : {1, 2, 3, 64, 1000, 50000}) check_coverage(n, grain);
  }
}

TEST(parallel_for_uses_several_threads_for_large_work) {
  ThreadCount count(2);
  std::atomic<int64_t> calls{0};
  parallel_for(1000, 10, [&](int64_t, int64_t) { ++calls; });
  CHECK_EQ(calls.load(), int64_t(2));  // one chunk per thread, the caller included
  calls = 0;
  parallel_for(19, 10, [&](int64_t, int64_t) { ++calls; });  // under two grains: runs inline
  CHECK_EQ(calls.load(), int64_t(1));
}

TEST(parallel_for_with_nothing_to_do_calls_nothing) {
  bool called = false;
  parallel_for(0, 1, [&](int64_t, int64_t) { called = true; });
  parallel_for(-5, 1, [&](int64_t, int64_t) { called = true; });
  CHECK(!called);
}

TEST(nested_parallel_for_runs_inline) {
  ThreadCount count(3);
  CHECK(!in_parallel_region());
  std::atomic<int64_t> inner_calls{0}, total{0}, foreign{0};
  parallel_for(3000, 100, [&](int64_t begin, int64_t end) {
    if (!in_parallel_region()) ++foreign;
    const std::thread::id me = std::this_thread::get_id();
    parallel_for(1000, 1, [&](int64_t b, int64_t e) {
      ++inner_calls;
      if (std::this_thread::get_id() != me || b != 0 || e != 1000) ++foreign;
      total += e - b;
    });
    (void)begin;
    (void)end;
  });
  CHECK_EQ(foreign.load(), int64_t(0));
  CHECK_EQ(inner_calls.load(), int64_t(3));  // one inline call per outer chunk
  CHECK_EQ(total.load(), int64_t(3000));
  CHECK(!in_parallel_region());
}

TEST(an_exception_in_a_chunk_reaches_the_caller) {
  ThreadCount count(3);
  for (int round = 0; round < 20; ++round) {
    bool caught = false;
    try {
      parallel_for(300, 1, [&](int64_t begin, int64_t end) {
        if (begin <= 250 && 250 < end) throw std::runtime_error("chunk failed");
      });
    } catch (const std::runtime_error& e) {
      caught = std::string(e.what()) == "chunk failed";
    }
    CHECK(caught);
    // The pool is still usable afterwards.
    check_coverage(10000, 7);
  }
  CHECK_THROWS(parallel_for(100, 1, [](int64_t, int64_t) { fail(ErrorKind::Index, "index 5 is out of range"); }), Index,
               "index 5 is out of range");
  CHECK(!in_parallel_region());
}

TEST(set_num_threads_resizes_the_pool) {
  const int before = get_num_threads();
  for (int n : {1, 2, 3, 1, 3}) {
    set_num_threads(n);
    CHECK_EQ(get_num_threads(), n);
    check_coverage(50000, 100);
    // Kernels keep working at every size.
    CHECK_VALUES(sum(ones({300, 700}), {0}, true), 0, std::vector<double>(700, 300.0));
  }
  set_num_threads(before);
  CHECK_EQ(get_num_threads(), before);
  CHECK_THROWS(set_num_threads(0), Argument, "set_num_threads: expected a positive number of threads, got 0");
  CHECK_EQ(get_num_threads(), before);
}

TEST(set_num_threads_is_refused_inside_a_parallel_region) {
  // With one thread too, where the range is one chunk run by the caller (it once deadlocked there).
  for (int threads : {2, 1}) {
    ThreadCount count(threads);
    CHECK_THROWS(parallel_for(100, 1, [](int64_t, int64_t) { set_num_threads(3); }), Argument,
                 "set_num_threads: cannot be called from inside a parallel region");
    CHECK_EQ(get_num_threads(), threads);
    CHECK(!in_parallel_region());
    check_coverage(1000, 1);
  }
}

TEST(callers_on_other_threads_are_served) {
  ThreadCount count(2);
  std::atomic<int> bad{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c)
    callers.emplace_back([&bad] {
      for (int round = 0; round < 50; ++round) {
        std::vector<int> hits(5000, 0);
        parallel_for(5000, 10, [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) ++hits[static_cast<size_t>(i)];
        });
        for (int h : hits) bad += h != 1;
      }
    });
  for (auto& t : callers) t.join();
  CHECK_EQ(bad.load(), 0);
}
