// gather, scatter and index_add along one dim, by lines along dim (line_loop.h), each line one thread's.
#include "cpu/dispatch.h"
#include "cpu/indexing.h"
#include "cpu/kernels.h"
#include "cpu/line_loop.h"
#include "cpu/loop.h"
#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

// target[t] += v[t], per ISA for the floating types (index_add's rows).
KILN_SIMD void add_run(float* __restrict target, const float* __restrict v, int64_t n) {
  for (int64_t t = 0; t < n; ++t) target[t] += v[t];
}
KILN_SIMD void add_run(double* __restrict target, const double* __restrict v, int64_t n) {
  for (int64_t t = 0; t < n; ++t) target[t] += v[t];
}
template <class T>
void add_run(T* __restrict target, const T* __restrict v, int64_t n) {
  for (int64_t t = 0; t < n; ++t) {
    if constexpr (std::is_same_v<T, bool>) target[t] = target[t] || v[t];
    else target[t] = target[t] + v[t];
  }
}

inline int64_t checked_index(int64_t i, int64_t size, int64_t dim, const char* op) {
  KILN_CHECK(i >= 0 && i < size, Index, op, ": index ", i, " is out of bounds for dimension ", dim, " with size ", size);
  return i;
}

}  // namespace

// By lines along dim, as scatter: a line of index and out is read and written in order, where a strided loop over
// elements took a pointer step and a branch for each (gather over the last dim 1.6x slower than PyTorch 1.13).
void gather_kernel(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) {
  if (out.numel() == 0) return;
  const int64_t size = in.shape()[dim], n = index.shape()[dim];
  const int64_t os = out.strides()[dim], is = index.strides()[dim], xs = in.strides()[dim];
  LineLoop<3> loop({&out, &index, &in}, dim);
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* ob = out.data<T>();
    const int64_t* ib = index.data<int64_t>();
    const T* xb = in.data<T>();
    for_each_line_element(loop, n, kGrainCheap, [&](const std::array<int64_t, 3>& o, int64_t count, int64_t j) {
      T* __restrict dst = ob + o[0] + j * os;
      const int64_t* __restrict idx = ib + o[1] + j * is;
      const T* x = xb + o[2];
      for (int64_t t = 0; t < count; ++t) dst[t] = x[t + checked_index(idx[t], size, dim, "gather") * xs];
    });
  });
}

// Parallel over the lines along dim (for_each_line_element): two positions that may target one element lie on one
// line, which one thread walks in order, so duplicates resolve (scatter) and add up (scatter_add) as on one thread.
void scatter_kernel(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  if (index.numel() == 0) return;
  const int64_t size = out.shape()[dim], n = index.shape()[dim];
  const int64_t is = index.strides()[dim], ss = src.strides()[dim], os = out.strides()[dim];
  const char* op = accumulate ? "scatter_add" : "scatter";
  // Every index checked before the first write: a bad one leaves out (scatter_'s self) as it was.
  StridedLoop<1>({&index}).run(
      [&](char** p, const int64_t* st, int64_t m) {
        for (int64_t i = 0; i < m; ++i) checked_index(*reinterpret_cast<const int64_t*>(p[0] + i * st[0]), size, dim, op);
      },
      kGrainCheap);
  LineLoop<3> loop({&index, &src, &out}, dim);
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t* ib = index.data<int64_t>();
    const T* sb = src.data<T>();
    T* ob = out.data<T>();
    for_each_line_element(loop, n, kGrainCheap, [&](const std::array<int64_t, 3>& o, int64_t count, int64_t j) {
      const int64_t* idx = ib + o[0] + j * is;
      const T* v = sb + o[1] + j * ss;
      T* target = ob + o[2];
      for (int64_t t = 0; t < count; ++t) {
        T& e = target[t + idx[t] * os];
        if (!accumulate) e = v[t];
        else if constexpr (std::is_same_v<T, bool>) e = e || v[t];
        else e = e + v[t];
      }
    });
  });
}

void index_add_kernel(const Tensor& out, int64_t dim, const int64_t* offsets, const Tensor& values) {
  const int64_t n = values.shape()[dim], vs = values.strides()[dim];
  if (values.numel() == 0) return;
  LineLoop<2> loop({&values, &out}, dim);
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* vb = values.data<T>();
    T* ob = out.data<T>();
    // A block of adjacent lines is a row of out plus a row of values: a loop the compiler vectorizes.
    for_each_line_element(loop, n, kGrainCheap, [&](const std::array<int64_t, 2>& o, int64_t count, int64_t j) {
      T* target = ob + o[1] + offsets[j];
      const T* v = vb + o[0] + j * vs;
      if (count > 1) return add_run(target, v, count);
      if constexpr (std::is_same_v<T, bool>) *target = *target || *v;  // a line alone: no call per element
      else *target = *target + *v;
    });
  });
}

}  // namespace kiln::cpu
