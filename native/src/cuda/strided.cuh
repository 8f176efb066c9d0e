// Elementwise launches over strided tensors: the host folds the shape into as few dims as the layouts allow,
// and each thread turns its linear index into one element offset per tensor.
#pragma once
#include <cstdint>

#include "cuda/runtime.h"
#include "kiln/tensor.h"

namespace kiln::cuda {

constexpr int kMaxDims = 16;

// NT tensors of one shape (broadcast inputs have zero strides), tensor 0 the output.
template <int NT>
struct Plan {
  int ndim = 0;
  bool linear = true;  // every tensor contiguous in the same order: offset == index
  int64_t size[kMaxDims];
  int64_t stride[NT][kMaxDims];  // in elements
};

template <int NT>
Plan<NT> make_plan(const Tensor* const (&ts)[NT]) {
  const Shape& shape = ts[0]->shape();
  Plan<NT> p;
  // Innermost dim first; merge dim d into the one inside it when every tensor steps across both as one.
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    if (shape[d] == 1) continue;
    if (p.ndim > 0) {
      bool merge = true;
      for (int k = 0; k < NT; ++k)
        merge = merge && ts[k]->strides()[d] == p.stride[k][p.ndim - 1] * p.size[p.ndim - 1];
      if (merge) {
        p.size[p.ndim - 1] *= shape[d];
        continue;
      }
    }
    KILN_CHECK(p.ndim < kMaxDims, NotImplemented, "CUDA kernels take tensors of up to ", kMaxDims,
               " non-mergeable dims, got shape ", shape_str(shape));
    p.size[p.ndim] = shape[d];
    for (int k = 0; k < NT; ++k) p.stride[k][p.ndim] = ts[k]->strides()[d];
    ++p.ndim;
  }
  p.linear = p.ndim <= 1;
  for (int k = 0; k < NT && p.ndim == 1; ++k) p.linear = p.linear && p.stride[k][0] == 1;
  return p;
}

template <int NT>
__device__ __forceinline__ void offsets_of(const Plan<NT>& p, int64_t i, int64_t (&off)[NT]) {
#pragma unroll
  for (int k = 0; k < NT; ++k) off[k] = 0;
  for (int d = 0; d < p.ndim; ++d) {  // dims are stored innermost first
    const int64_t c = i % p.size[d];
    i /= p.size[d];
#pragma unroll
    for (int k = 0; k < NT; ++k) off[k] += c * p.stride[k][d];
  }
}

template <int NT, class F>
__global__ void strided_kernel(Plan<NT> p, int64_t n, F f) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  if (p.linear) {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += step) {
      int64_t off[NT];
#pragma unroll
      for (int k = 0; k < NT; ++k) off[k] = i;
      f(off);
    }
  } else {
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n; i += step) {
      int64_t off[NT];
      offsets_of(p, i, off);
      f(off);
    }
  }
}

// Runs f(offsets) for every element of ts[0]'s shape on the device's stream; f is a __device__ lambda that
// reads and writes through base pointers it captured, at the element offsets it is given.
template <int NT, class F>
void for_each_element(const Tensor* const (&ts)[NT], F f, const char* name) {
  const int64_t n = ts[0]->numel();
  if (n == 0) return;
  const Plan<NT> plan = make_plan(ts);
  strided_kernel<NT><<<blocks_for(n), kThreads, 0, stream(ts[0]->device().index)>>>(plan, n, f);
  KILN_CUDA_CHECK_LAUNCH(name);
}

}  // namespace kiln::cuda
