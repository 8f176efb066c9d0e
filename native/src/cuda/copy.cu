// Copies on one device, converting between any two dtypes bit-exactly as the CPU (cpu/convert.h is compiled
// for the device too).
#include "cpu/convert.h"
#include "cpu/dispatch.h"
#include "cuda/kernels.h"
#include "cuda/strided.cuh"

namespace kiln::cuda {

template <class To, class From>
void convert_copy(const Tensor& dst, const Tensor& src) {
  To* o = static_cast<To*>(dst.raw_data());
  const From* x = static_cast<const From*>(src.raw_data());
  const Tensor* ts[2] = {&dst, &src};
  for_each_element(ts, [=] __device__(const int64_t(&off)[2]) { o[off[0]] = cpu::convert<To>(x[off[1]]); }, "copy");
}

void copy_on_device(const Tensor& dst, const Tensor& src) {
  if (dst.numel() == 0) return;
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous() && dst.shape() == src.shape()) {
    KILN_CUDA_CHECK(cudaMemcpyAsync(dst.raw_data(), src.raw_data(), dst.numel() * dst.element_size(),
                                    cudaMemcpyDeviceToDevice, stream(dst.device().index)));
    return;
  }
  cpu::dispatch_all(dst.dtype(), [&](auto to_tag) {
    cpu::dispatch_all(src.dtype(), [&](auto from_tag) { convert_copy<decltype(to_tag), decltype(from_tag)>(dst, src); });
  });
}

}  // namespace kiln::cuda
