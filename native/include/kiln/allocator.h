// The caching allocator: tensors take memory from size-bucketed free lists instead of malloc/free per op.
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace kiln {

struct MemoryStats {
  int64_t live_bytes = 0;     // bytes in blocks handed out and not yet returned
  int64_t cached_bytes = 0;   // bytes in free blocks kept for reuse
  int64_t peak_live_bytes = 0;
  int64_t live_blocks = 0;
};

class CachingAllocator {
 public:
  static constexpr size_t kAlignment = 64;

  // The process-wide allocator for CPU memory.
  static CachingAllocator& cpu();

  // Returns a block of at least nbytes, 64-byte aligned; *capacity receives the block's size,
  // which must be passed back to release(). nbytes == 0 gives nullptr. Throws ErrorKind::OutOfMemory
  // when the system refuses even after the cache was emptied.
  void* allocate(size_t nbytes, size_t* capacity);
  void release(void* ptr, size_t capacity);

  MemoryStats stats() const;
  // Returns every cached block to the system.
  void empty_cache();
  // The most bytes the cache keeps; blocks released beyond it go back to the system.
  void set_cache_limit(size_t bytes);
  size_t cache_limit() const;

  // The block size a request of nbytes is rounded up to (exposed for tests).
  static size_t bucket_size(size_t nbytes);

 private:
  CachingAllocator();
  static int bucket_index(size_t bucket_bytes);
  void release_cache_locked();

  mutable std::mutex mutex_;
  std::vector<std::vector<void*>> free_lists_;
  MemoryStats stats_;
  size_t cache_limit_;
};

}  // namespace kiln
