// The caching device allocator: freed blocks go to per-device, size-bucketed free lists and are handed out
// again, so a training step calls cudaMalloc only while the cache warms up and never cudaFree. Blocks round up
// as the CPU allocator's (kiln/allocator.h: at most 25% over the request), and all kernels of a device run on
// its one stream, so a block freed by one op is safe for the next op's kernels at once.
#include <cuda_runtime_api.h>

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "cuda/runtime.h"
#include "cuda_device.h"

namespace kiln::cuda {
namespace {

struct DeviceCache {
  std::mutex mutex;
  std::map<size_t, std::vector<void*>> free_blocks;  // by block size
  MemoryStats stats;

  // Returns every cached block to the driver. Called with the mutex held.
  void release_cached(int index) {
    if (free_blocks.empty()) return;
    stream(index);  // makes index the current device
    KILN_CUDA_CHECK(cudaDeviceSynchronize());
    for (auto& [size, blocks] : free_blocks)
      for (void* p : blocks) KILN_CUDA_CHECK(cudaFree(p));
    free_blocks.clear();
    stats.cached_bytes = 0;
  }
};

DeviceCache& cache(int index) {
  static std::mutex mutex;
  static std::vector<std::unique_ptr<DeviceCache>> caches;
  std::lock_guard<std::mutex> lock(mutex);
  if (caches.size() <= static_cast<size_t>(index)) caches.resize(index + 1);
  if (!caches[index]) caches[index] = std::make_unique<DeviceCache>();
  return *caches[index];
}

}  // namespace

void* allocate(int index, size_t nbytes, size_t* capacity) {
  *capacity = 0;
  if (nbytes == 0) return nullptr;
  const size_t size = CachingAllocator::bucket_size(nbytes);
  DeviceCache& c = cache(index);
  std::lock_guard<std::mutex> lock(c.mutex);
  void* p = nullptr;
  auto it = c.free_blocks.find(size);
  if (it != c.free_blocks.end() && !it->second.empty()) {
    p = it->second.back();
    it->second.pop_back();
    c.stats.cached_bytes -= static_cast<int64_t>(size);
  } else {
    stream(index);
    cudaError_t status = cudaMalloc(&p, size);
    if (status == cudaErrorMemoryAllocation) {  // the cache may hold what is missing: give it back and retry
      cudaGetLastError();
      c.release_cached(index);
      status = cudaMalloc(&p, size);
    }
    if (status != cudaSuccess) {
      cudaGetLastError();
      fail(status == cudaErrorMemoryAllocation ? ErrorKind::OutOfMemory : ErrorKind::Device, "CUDA out of memory: ",
           "tried to allocate ", size, " bytes on cuda:", index, " (", c.stats.live_bytes, " bytes in use by Kiln)");
    }
  }
  *capacity = size;
  c.stats.live_bytes += static_cast<int64_t>(size);
  c.stats.live_blocks += 1;
  if (c.stats.live_bytes > c.stats.peak_live_bytes) c.stats.peak_live_bytes = c.stats.live_bytes;
  return p;
}

void release(int index, void* ptr, size_t capacity) {
  if (ptr == nullptr) return;
  DeviceCache& c = cache(index);
  std::lock_guard<std::mutex> lock(c.mutex);
  c.free_blocks[capacity].push_back(ptr);
  c.stats.live_bytes -= static_cast<int64_t>(capacity);
  c.stats.live_blocks -= 1;
  c.stats.cached_bytes += static_cast<int64_t>(capacity);
}

MemoryStats memory_stats(int index) {
  DeviceCache& c = cache(index);
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

void empty_cache(int index) {
  DeviceCache& c = cache(index);
  std::lock_guard<std::mutex> lock(c.mutex);
  c.release_cached(index);
}

}  // namespace kiln::cuda
