// gather and scatter along one dim. Indices are checked on the device before anything is written; a bad one
// raises the CPU's IndexException (the host reads back the first bad position: one synchronisation per call).
#include <type_traits>

#include "cpu/dispatch.h"
#include "cuda/kernels.h"
#include "cuda/strided.cuh"
#include "cuda_device.h"

namespace kiln::cuda {
namespace {

__global__ void find_bad_index(Plan<1> p, int64_t n, const int64_t* index, int64_t size, unsigned long long* first) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t off[1];
    offsets_of(p, i, off);
    const int64_t v = index[off[0]];
    if (v < 0 || v >= size) atomicMin(first, static_cast<unsigned long long>(i));
  }
}

// Throws the CPU kernels' IndexException if some index lies outside [0, size).
void check_indices(const Tensor& index, int64_t size, int64_t dim, const char* op) {
  const int64_t n = index.numel();
  if (n == 0) return;
  const int dev = index.device().index;
  const cudaStream_t s = stream(dev);
  Tensor flag = Tensor::empty({}, DType::Int64, index.device());
  auto* first = static_cast<unsigned long long*>(flag.raw_data());
  KILN_CUDA_CHECK(cudaMemsetAsync(first, 0xff, sizeof(unsigned long long), s));
  const Tensor* ts[1] = {&index};
  find_bad_index<<<blocks_for(n), kThreads, 0, s>>>(make_plan(ts), n, index.data<int64_t>(), size, first);
  KILN_CUDA_CHECK_LAUNCH(op);
  unsigned long long bad = 0;
  copy_bytes(&bad, Device::cpu(), first, index.device(), sizeof bad);
  if (bad == ~0ULL) return;
  // The element at row-major position `bad`, read back for the message.
  int64_t rest = static_cast<int64_t>(bad), offset = 0;
  for (int64_t d = index.dim() - 1; d >= 0; --d) {
    offset += (rest % index.shape()[d]) * index.strides()[d];
    rest /= index.shape()[d];
  }
  int64_t value = 0;
  copy_bytes(&value, Device::cpu(), index.data<int64_t>() + offset, index.device(), sizeof value);
  fail(ErrorKind::Index, op, ": index ", value, " is out of bounds for dimension ", dim, " with size ", size);
}

// t viewed with index's shape, stepping 0 along dim (the index supplies that coordinate).
Tensor along_index(const Tensor& t, const Tensor& index, int64_t dim) {
  Shape strides(t.strides());
  strides[dim] = 0;
  return t.as_strided(index.shape(), strides, t.offset());
}

template <class T>
void gather_t(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) {
  const Tensor src = along_index(in, index, dim);
  const int64_t xs = in.strides()[dim];
  T* o = out.data<T>();
  const int64_t* ix = index.data<int64_t>();
  const T* x = in.data<T>();
  const Tensor* ts[3] = {&out, &index, &src};
  for_each_element(ts, [=] __device__(const int64_t(&off)[3]) { o[off[0]] = x[off[2] + ix[off[1]] * xs]; }, "gather");
}

template <class T>
void scatter_t(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  const Tensor dst = along_index(out, index, dim);
  const Tensor from = src.as_strided(index.shape(), src.strides(), src.offset());
  const int64_t os = out.strides()[dim];
  T* o = out.data<T>();
  const int64_t* ix = index.data<int64_t>();
  const T* v = src.data<T>();
  const Tensor* ts[3] = {&index, &from, &dst};
  if (!accumulate) {
    // Two positions writing one element leave one of the two values, as PyTorch's CUDA scatter.
    for_each_element(ts, [=] __device__(const int64_t(&off)[3]) { o[off[2] + ix[off[0]] * os] = v[off[1]]; }, "scatter");
  } else if constexpr (std::is_same_v<T, bool>) {
    for_each_element(
        ts, [=] __device__(const int64_t(&off)[3]) { if (v[off[1]]) o[off[2] + ix[off[0]] * os] = true; }, "scatter_add");
  } else if constexpr (std::is_same_v<T, int64_t>) {
    for_each_element(
        ts,
        [=] __device__(const int64_t(&off)[3]) {
          atomicAdd(reinterpret_cast<unsigned long long*>(o + off[2] + ix[off[0]] * os),
                    static_cast<unsigned long long>(v[off[1]]));
        },
        "scatter_add");
  } else {
    for_each_element(ts, [=] __device__(const int64_t(&off)[3]) { atomicAdd(o + off[2] + ix[off[0]] * os, v[off[1]]); },
                     "scatter_add");
  }
}

}  // namespace

void gather(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) {
  if (out.numel() == 0) return;
  check_indices(index, in.shape()[dim], dim, "gather");
  // Moves elements only: float16 and bfloat16 as their bits, the narrow integers as stored (as on the CPU).
  cpu::dispatch_movable(out.dtype(), [&](auto tag) { gather_t<decltype(tag)>(out, in, dim, index); });
}

void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  if (index.numel() == 0) return;
  check_indices(index, out.shape()[dim], dim, accumulate ? "scatter_add" : "scatter");
  cpu::dispatch(out.dtype(), [&](auto tag) { scatter_t<decltype(tag)>(out, dim, index, src, accumulate); });
}

}  // namespace kiln::cuda
