// What the CUDA files share: checked runtime calls, the device's stream, and launch shapes.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

#include "kiln/error.h"

namespace kiln::cuda {

// Throws ErrorKind::Device (OutOfMemory for allocation failures) naming the call and CUDA's message.
void check_status(cudaError_t status, const char* what);
#define KILN_CUDA_CHECK(call) ::kiln::cuda::check_status((call), #call)
// After a kernel launch: a bad launch configuration surfaces here instead of at the next call.
#define KILN_CUDA_CHECK_LAUNCH(name) ::kiln::cuda::check_status(cudaGetLastError(), name)

// Kernels of device `index` all run on one stream, so work on a tensor is ordered after the work that made it,
// and the caching allocator may hand a freed block to the next op at once. Makes `index` the current device.
cudaStream_t stream(int index);
// The device the calling thread works on now (set by stream()).
int current_device();

constexpr int kThreads = 256;
// Blocks for n elements, one per kThreads, capped: kernels loop over what remains (grid-stride loops).
inline unsigned blocks_for(int64_t n) {
  const int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 65535 * 8 ? 65535 * 8 : b));
}

}  // namespace kiln::cuda
