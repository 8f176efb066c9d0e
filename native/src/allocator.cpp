// The CPU caching allocator. Block sizes are rounded up to one of four sizes per power of two (at most
// 25% over the request, and untouched pages cost no resident memory), so a training loop that makes the
// same shapes every step reuses the same blocks: no malloc, no page faults, no zeroing by the kernel.
#include "kiln/allocator.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "kiln/error.h"

namespace kiln {
namespace {

constexpr int kMinShift = 6;  // 64 bytes
constexpr int kStepsPerDoubling = 4;
constexpr int kNumBuckets = 64 * kStepsPerDoubling;

size_t default_cache_limit() {
  if (const char* env = std::getenv("KILN_CACHE_LIMIT_BYTES")) return static_cast<size_t>(std::strtoull(env, nullptr, 10));
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  size_t phys = pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : size_t(8) << 30;
  return phys / 8;
}

int floor_log2(size_t v) { return 63 - __builtin_clzll(v); }

// Blocks of this size and more ask for transparent huge pages (2 MB) where the kernel gives them only on request
// (THP "madvise", the default of many distributions): a streaming pass over a 64 MB tensor then walks 32 page
// table entries instead of 16,384 (row sums of 4096 x 4096 float32: medians of 5 processes each, alternating,
// 90 -> 98 GB/s through Kiln's sum; 75-88 -> 91-101 in a plain two-thread loop).
// A block costs at most one partly used huge page more; numpy asks for them from 4 MB as well.
constexpr size_t kHugePageBlock = size_t(4) << 20;

void advise_huge_pages(void* raw, size_t bytes) {
  if (bytes < kHugePageBlock) return;
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGE_SIZE));
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(raw) + page - 1) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(raw) + bytes) / page * page;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // a refusal changes nothing
}

}  // namespace

CachingAllocator::CachingAllocator() : free_lists_(kNumBuckets), cache_limit_(default_cache_limit()) {}

CachingAllocator& CachingAllocator::cpu() {
  static CachingAllocator* a = new CachingAllocator();  // never destroyed: tensors may outlive statics
  return *a;
}

size_t CachingAllocator::bucket_size(size_t nbytes) {
  if (nbytes <= (size_t(1) << kMinShift)) return size_t(1) << kMinShift;
  const int shift = floor_log2(nbytes - 1);  // 2^shift < nbytes <= 2^(shift+1)
  const size_t step = std::max<size_t>(size_t(1) << kMinShift, (size_t(1) << shift) / kStepsPerDoubling);
  return (nbytes + step - 1) / step * step;
}

int CachingAllocator::bucket_index(size_t bucket) {
  const int shift = floor_log2(bucket - 1);
  const size_t step = std::max<size_t>(size_t(1) << kMinShift, (size_t(1) << shift) / kStepsPerDoubling);
  const int sub = static_cast<int>((bucket - (size_t(1) << shift)) / step);  // 1..4 for large sizes
  return std::min(kNumBuckets - 1, shift * kStepsPerDoubling + sub);
}

void* CachingAllocator::allocate(size_t nbytes, size_t* capacity) {
  *capacity = 0;
  if (nbytes == 0) return nullptr;
  KILN_CHECK(nbytes <= (size_t(1) << 62), OutOfMemory, "allocate: cannot allocate ", nbytes, " bytes");
  const size_t bucket = bucket_size(nbytes);
  const int index = bucket_index(bucket);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& list = free_lists_[index];
    // A bucket index may hold two sizes when it saturates; only reuse an exact size.
    for (size_t i = list.size(); i-- > 0;) {
      void* p = list[i];
      size_t cap = *reinterpret_cast<size_t*>(static_cast<char*>(p) - kAlignment);
      if (cap != bucket) continue;
      list[i] = list.back();
      list.pop_back();
      stats_.cached_bytes -= static_cast<int64_t>(bucket);
      stats_.live_bytes += static_cast<int64_t>(bucket);
      stats_.live_blocks += 1;
      stats_.peak_live_bytes = std::max(stats_.peak_live_bytes, stats_.live_bytes);
      *capacity = bucket;
      return p;
    }
  }
  // A header before the block remembers its size (checked on reuse).
  void* raw = std::aligned_alloc(kAlignment, bucket + kAlignment);
  if (!raw) {
    empty_cache();
    raw = std::aligned_alloc(kAlignment, bucket + kAlignment);
  }
  if (!raw) {
    MemoryStats s = stats();
    fail(ErrorKind::OutOfMemory, cat_str("allocate: out of memory: cannot allocate ", nbytes, " bytes (", s.live_bytes,
                                         " bytes live, cache emptied)"));
  }
  advise_huge_pages(raw, bucket + kAlignment);
  *static_cast<size_t*>(raw) = bucket;
  void* p = static_cast<char*>(raw) + kAlignment;
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.live_bytes += static_cast<int64_t>(bucket);
  stats_.live_blocks += 1;
  stats_.peak_live_bytes = std::max(stats_.peak_live_bytes, stats_.live_bytes);
  *capacity = bucket;
  return p;
}

void CachingAllocator::release(void* ptr, size_t capacity) {
  if (!ptr) return;
  bool keep;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.live_bytes -= static_cast<int64_t>(capacity);
    stats_.live_blocks -= 1;
    keep = static_cast<size_t>(stats_.cached_bytes) + capacity <= cache_limit_;
    if (keep) {
      free_lists_[bucket_index(capacity)].push_back(ptr);
      stats_.cached_bytes += static_cast<int64_t>(capacity);
    }
  }
  if (!keep) std::free(static_cast<char*>(ptr) - kAlignment);
}

MemoryStats CachingAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_cache_locked();
}

void CachingAllocator::release_cache_locked() {
  for (auto& list : free_lists_) {
    for (void* p : list) std::free(static_cast<char*>(p) - kAlignment);
    list.clear();
  }
  stats_.cached_bytes = 0;
}

void CachingAllocator::set_cache_limit(size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  cache_limit_ = bytes;
  if (static_cast<size_t>(stats_.cached_bytes) > cache_limit_) release_cache_locked();
}

size_t CachingAllocator::cache_limit() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cache_limit_;
}

}  // namespace kiln
