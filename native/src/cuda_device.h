// The CUDA device as the rest of the core sees it. With -DKILN_CUDA=ON these live in cuda/; without it,
// cpu_only/cuda_absent.cpp defines them to say that this build has no CUDA.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kiln/allocator.h"
#include "kiln/device.h"

namespace kiln {

class Backend;
struct OpDef;

namespace cuda {

// Whether this build has CUDA kernels.
bool built();
// How many CUDA devices the driver shows: 0 without a driver or a GPU, and in builds without CUDA.
int device_count();
// Throws ErrorKind::Device naming why `device` cannot be used (no CUDA build, no GPU, index out of range).
void check_available(Device device);

// Device memory from the caching device allocator: *capacity receives the block's size, to pass back.
void* allocate(int index, size_t nbytes, size_t* capacity);
void release(int index, void* ptr, size_t capacity);
MemoryStats memory_stats(int index);
void empty_cache(int index);
// Waits until every kernel queued on the device has finished.
void synchronize(int index);

// Copies nbytes of contiguous memory, either side on the CPU or on a CUDA device. Returns when the
// destination holds the data (a copy to the host waits for the kernels before it).
void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes);

Backend& backend(int index);
// Whether the op has CUDA kernels for all it runs; call() refuses CUDA tensors for the others.
bool runs_on_cuda(const OpDef& op);

}  // namespace cuda
}  // namespace kiln
