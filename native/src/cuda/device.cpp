// The CUDA device: which GPUs there are, one stream per device, and copies between host and device.
#include <cuda_runtime_api.h>

#include <array>
#include <mutex>

#include "cuda/runtime.h"
#include "cuda_device.h"

namespace kiln::cuda {

constexpr int kMaxDevices = 64;

void check_status(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return;
  cudaGetLastError();  // clears a sticky launch error so that the next call does not report it again
  const ErrorKind kind = status == cudaErrorMemoryAllocation ? ErrorKind::OutOfMemory : ErrorKind::Device;
  fail(kind, "CUDA error in ", what, ": ", cudaGetErrorName(status), " (", cudaGetErrorString(status), ")");
}

bool built() { return true; }

int device_count() {
  // No driver or no GPU is not an error: there are simply no CUDA devices.
  static const int count = [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      cudaGetLastError();
      return 0;
    }
    return n;
  }();
  return count;
}

void check_available(Device device) {
  const int n = device_count();
  KILN_CHECK(n > 0, Device, "device ", device.str(), " is not available: no CUDA GPU was found (is the NVIDIA driver installed?)");
  KILN_CHECK(device.index >= 0 && device.index < n, Device, "device ", device.str(), " is not available: there ",
             n == 1 ? "is 1 CUDA device" : cat_str("are ", n, " CUDA devices"));
}

int current_device() {
  int d = 0;
  KILN_CUDA_CHECK(cudaGetDevice(&d));
  return d;
}

cudaStream_t stream(int index) {
  static std::array<cudaStream_t, kMaxDevices> streams{};
  static std::array<std::once_flag, kMaxDevices> made;
  KILN_CHECK(index >= 0 && index < kMaxDevices, Device, "cuda:", index, " is out of range");
  thread_local int current = -1;
  if (current != index) {
    KILN_CUDA_CHECK(cudaSetDevice(index));
    current = index;
  }
  std::call_once(made[index], [&] { KILN_CUDA_CHECK(cudaStreamCreateWithFlags(&streams[index], cudaStreamNonBlocking)); });
  return streams[index];
}

void synchronize(int index) { KILN_CUDA_CHECK(cudaStreamSynchronize(stream(index))); }

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, size_t nbytes) {
  if (nbytes == 0) return;
  if (dst_device.is_cpu() && src_device.is_cpu()) {
    fail(ErrorKind::Internal, "cuda::copy_bytes: both sides are on the CPU");
  } else if (dst_device.is_cpu()) {
    // The stream orders the copy after the kernels that wrote src; the host waits for it to land.
    const cudaStream_t s = stream(src_device.index);
    KILN_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToHost, s));
    KILN_CUDA_CHECK(cudaStreamSynchronize(s));
  } else if (src_device.is_cpu()) {
    // Pageable host memory: the call returns once src has been staged, so the caller may reuse it at once.
    const cudaStream_t s = stream(dst_device.index);
    KILN_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyHostToDevice, s));
    KILN_CUDA_CHECK(cudaStreamSynchronize(s));
  } else if (dst_device == src_device) {
    KILN_CUDA_CHECK(cudaMemcpyAsync(dst, src, nbytes, cudaMemcpyDeviceToDevice, stream(dst_device.index)));
  } else {
    // Between GPUs: the source's work must be done before the copy, which runs on the destination's stream.
    synchronize(src_device.index);
    KILN_CUDA_CHECK(cudaMemcpyPeerAsync(dst, dst_device.index, src, src_device.index, nbytes, stream(dst_device.index)));
    synchronize(dst_device.index);
  }
}

}  // namespace kiln::cuda
