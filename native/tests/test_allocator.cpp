// The caching allocator: bucket sizes, block reuse, live/cached accounting, cache limit, alignment.
#include <cstdint>
#include <cstring>

#include "fixtures.h"
#include "kiln/allocator.h"

using namespace kiln;

namespace {

CachingAllocator& cpu_alloc() { return CachingAllocator::cpu(); }

// Empties the cache on entry and restores the cache limit on exit, so each case starts from a known state.
class CleanCache {
 public:
  CleanCache() : limit_(cpu_alloc().cache_limit()) { cpu_alloc().empty_cache(); }
  ~CleanCache() { cpu_alloc().set_cache_limit(limit_); }
  CleanCache(const CleanCache&) = delete;
  CleanCache& operator=(const CleanCache&) = delete;

 private:
  size_t limit_;
};

struct Block {
  void* ptr;
  size_t capacity;
};

Block take(size_t nbytes) {
  Block b{nullptr, 0};
  b.ptr = cpu_alloc().allocate(nbytes, &b.capacity);
  return b;
}

void give(const Block& b) { cpu_alloc().release(b.ptr, b.capacity); }

void bad_bucket(int line, size_t n, size_t b) {
  test::fail_at(__FILE__, line, "bucket_size(" + std::to_string(n) + ") = " + std::to_string(b));
}

}  // namespace

TEST(bucket_size_known_values) {
  CHECK_EQ(CachingAllocator::bucket_size(1), size_t(64));
  CHECK_EQ(CachingAllocator::bucket_size(64), size_t(64));
  CHECK_EQ(CachingAllocator::bucket_size(65), size_t(128));
  CHECK_EQ(CachingAllocator::bucket_size(129), size_t(192));
  CHECK_EQ(CachingAllocator::bucket_size(257), size_t(320));
  CHECK_EQ(CachingAllocator::bucket_size(1000), size_t(1024));
  CHECK_EQ(CachingAllocator::bucket_size(1025), size_t(1280));
  CHECK_EQ(CachingAllocator::bucket_size(4096), size_t(4096));
  CHECK_EQ(CachingAllocator::bucket_size(4097), size_t(5120));
  CHECK_EQ(CachingAllocator::bucket_size(size_t(1) << 30), size_t(1) << 30);
}

TEST(bucket_size_is_at_least_the_request_and_at_most_25_percent_over) {
  auto check = [](size_t n) {
    const size_t b = CachingAllocator::bucket_size(n);
    if (b < n || b % 64 != 0 || CachingAllocator::bucket_size(b) != b) bad_bucket(__LINE__, n, b);
    // Small requests round to a multiple of 64 bytes; from 256 bytes on, at most 25% is added.
    if (n <= 256 ? b - n >= 64 : 4 * b > 5 * n) bad_bucket(__LINE__, n, b);
  };
  for (size_t n = 1; n <= (size_t(1) << 16); ++n) check(n);
  for (int s = 16; s < 48; ++s)
    for (size_t n : {(size_t(1) << s) - 1, size_t(1) << s, (size_t(1) << s) + 1, (size_t(3) << s) / 2 + 7}) check(n);
}

TEST(bucket_size_is_monotonic) {
  size_t prev = 0;
  for (size_t n = 1; n <= 100000; ++n) {
    const size_t b = CachingAllocator::bucket_size(n);
    CHECK(b >= prev);
    prev = b;
  }
}

TEST(zero_bytes_give_nullptr) {
  CleanCache clean;
  const MemoryStats before = cpu_alloc().stats();
  const Block b = take(0);
  CHECK(b.ptr == nullptr);
  CHECK_EQ(b.capacity, size_t(0));
  give(b);
  const MemoryStats after = cpu_alloc().stats();
  CHECK_EQ(after.live_bytes, before.live_bytes);
  CHECK_EQ(after.live_blocks, before.live_blocks);
  CHECK_EQ(after.cached_bytes, int64_t(0));
  // An empty tensor holds no block at all.
  const Tensor t = zeros({0, 3});
  CHECK_EQ(t.storage()->nbytes(), size_t(0));
  CHECK_EQ(cpu_alloc().stats().live_bytes, before.live_bytes);
}

TEST(blocks_are_64_byte_aligned_and_fully_usable) {
  CleanCache clean;
  for (size_t n : {size_t(1), size_t(63), size_t(64), size_t(65), size_t(100), size_t(1000), size_t(4097),
                   size_t(1) << 20}) {
    const Block b = take(n);
    CHECK(b.ptr != nullptr);
    CHECK_EQ(reinterpret_cast<uintptr_t>(b.ptr) % CachingAllocator::kAlignment, uintptr_t(0));
    CHECK_EQ(b.capacity, CachingAllocator::bucket_size(n));
    std::memset(b.ptr, 0xab, b.capacity);  // the whole capacity is ours (ASan checks this)
    give(b);
  }
  CHECK_EQ(reinterpret_cast<uintptr_t>(zeros({3}).raw_data()) % 64, uintptr_t(0));
}

TEST(a_freed_block_is_reused) {
  CleanCache clean;
  const Block a = take(1000);
  give(a);
  const Block b = take(1000);
  CHECK(b.ptr == a.ptr);
  give(b);
  // Another request in the same bucket gets the same block too.
  const Block c = take(1001);
  CHECK(c.ptr == a.ptr);
  CHECK_EQ(c.capacity, size_t(1024));
  // A request in another bucket does not.
  const Block d = take(2000);
  CHECK(d.ptr != a.ptr);
  give(c);
  give(d);
}

TEST(live_and_cached_bytes_are_counted) {
  CleanCache clean;
  const MemoryStats s0 = cpu_alloc().stats();
  CHECK_EQ(s0.cached_bytes, int64_t(0));
  const Block a = take(3000);  // bucket 3072
  CHECK_EQ(a.capacity, size_t(3072));
  MemoryStats s = cpu_alloc().stats();
  CHECK_EQ(s.live_bytes, s0.live_bytes + 3072);
  CHECK_EQ(s.live_blocks, s0.live_blocks + 1);
  CHECK_EQ(s.cached_bytes, int64_t(0));
  CHECK(s.peak_live_bytes >= s.live_bytes);
  give(a);
  s = cpu_alloc().stats();
  CHECK_EQ(s.live_bytes, s0.live_bytes);
  CHECK_EQ(s.live_blocks, s0.live_blocks);
  CHECK_EQ(s.cached_bytes, int64_t(3072));
  const Block b = take(2900);  // same bucket: comes from the cache
  s = cpu_alloc().stats();
  CHECK_EQ(s.live_bytes, s0.live_bytes + 3072);
  CHECK_EQ(s.cached_bytes, int64_t(0));
  give(b);
}

TEST(tensors_take_their_bytes_from_the_allocator) {
  CleanCache clean;
  const int64_t live0 = cpu_alloc().stats().live_bytes;
  {
    const Tensor t = empty({1000}, DType::Float32);
    CHECK_EQ(cpu_alloc().stats().live_bytes, live0 + int64_t(CachingAllocator::bucket_size(4000)));
    const Tensor v = transpose(view(t, {10, 100}), 0, 1);  // a view takes nothing more
    CHECK_EQ(cpu_alloc().stats().live_bytes, live0 + int64_t(CachingAllocator::bucket_size(4000)));
  }
  CHECK_EQ(cpu_alloc().stats().live_bytes, live0);
  CHECK_EQ(cpu_alloc().stats().cached_bytes, int64_t(CachingAllocator::bucket_size(4000)));
}

TEST(empty_cache_returns_cached_blocks) {
  CleanCache clean;
  const Block a = take(500), b = take(70000);
  const int64_t live = cpu_alloc().stats().live_bytes;
  give(a);
  give(b);
  CHECK_EQ(cpu_alloc().stats().cached_bytes, int64_t(a.capacity + b.capacity));
  cpu_alloc().empty_cache();
  CHECK_EQ(cpu_alloc().stats().cached_bytes, int64_t(0));
  CHECK_EQ(cpu_alloc().stats().live_bytes, live - int64_t(a.capacity + b.capacity));
}

TEST(cache_limit_bounds_the_cache) {
  CleanCache clean;
  cpu_alloc().set_cache_limit(2048);
  CHECK_EQ(cpu_alloc().cache_limit(), size_t(2048));
  const Block a = take(1024), b = take(1024), c = take(1024);
  give(a);
  give(b);
  CHECK_EQ(cpu_alloc().stats().cached_bytes, int64_t(2048));  // exactly at the limit: kept
  give(c);
  CHECK_EQ(cpu_alloc().stats().cached_bytes, int64_t(2048));  // over it: returned to the system
  // Lowering the limit below what is cached empties the cache.
  cpu_alloc().set_cache_limit(1024);
  CHECK_EQ(cpu_alloc().stats().cached_bytes, int64_t(0));
  cpu_alloc().set_cache_limit(0);
  give(take(64));
  CHECK_EQ(cpu_alloc().stats().cached_bytes, int64_t(0));
}

TEST(oversized_requests_throw_out_of_memory) {
  size_t cap = 123;
  CHECK_THROWS(cpu_alloc().allocate((size_t(1) << 62) + 1, &cap), OutOfMemory, "cannot allocate");
  CHECK_EQ(cap, size_t(0));
  CHECK_THROWS(Tensor::empty({int64_t(1) << 61}, DType::Float64), OutOfMemory, "more than 2^64 bytes");
  CHECK_THROWS(Tensor::empty({int64_t(1) << 60}, DType::Float64), OutOfMemory, "cannot allocate");
}
