// scatter_reduce along one dim: the target of each src element is found as in scatter (the output is
// viewed with a zero stride at dim and the index moves the pointer), then combined by the reduction.
#include <algorithm>
#include <limits>

#include "cpu/dispatch.h"
#include "cpu/indexing.h"
#include "cpu/loop.h"

namespace kiln::cpu {
namespace {

// t seen with index's shape and no movement along dim.
Tensor along_dim_view(const Tensor& t, const Tensor& index, int64_t dim) {
  Shape strides = t.strides();
  strides[dim] = 0;
  return t.as_strided(index.shape(), strides, t.offset());
}

template <class T>
T identity(ScatterReduceOp op) {
  if constexpr (std::is_same_v<T, bool>) {
    return op == ScatterReduceOp::Prod || op == ScatterReduceOp::Amin;
  } else {
    switch (op) {
      case ScatterReduceOp::Prod: return T(1);
      case ScatterReduceOp::Amax:
        return std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
      case ScatterReduceOp::Amin:
        return std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
      default: return T(0);
    }
  }
}

// NaN wins in amax and amin, as in PyTorch.
template <class T>
inline T combine(ScatterReduceOp op, T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return op == ScatterReduceOp::Prod || op == ScatterReduceOp::Amin ? (a && b) : (a || b);
  } else {
    switch (op) {
      case ScatterReduceOp::Prod: return a * b;
      case ScatterReduceOp::Amax: return b != b ? b : std::max(a, b);
      case ScatterReduceOp::Amin: return b != b ? b : std::min(a, b);
      default: return a + b;
    }
  }
}

// Walks index (and src) with the target pointer of each element; serial, since targets may repeat.
template <class Fn>
void for_each_target(const Tensor& out, int64_t dim, const Tensor& index, const Tensor* src, const char* op, Fn&& fn) {
  if (index.numel() == 0) return;
  const Tensor dst = along_dim_view(out, index, dim);
  const Tensor& second = src ? *src : index;
  const int64_t size = out.shape()[dim], step = out.strides()[dim] * static_cast<int64_t>(out.element_size());
  StridedLoop<3> loop({&index, &second, &dst});
  loop.run(
      [&](char** p, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          const int64_t j = *reinterpret_cast<const int64_t*>(p[0] + i * s[0]);
          KILN_CHECK(j >= 0 && j < size, Index, op, ": index ", j, " is out of bounds for dimension ", dim,
                     " with size ", size);
          fn(p[2] + i * s[2] + j * step, p[1] + i * s[1]);
        }
      },
      INT64_MAX / 4);
}

}  // namespace

void scatter_reduce_kernel(ScatterReduceOp op, const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for_each_target(out, dim, index, &src, "scatter_reduce", [&](char* target, const char* value) {
      T* t = reinterpret_cast<T*>(target);
      *t = combine<T>(op, *t, *reinterpret_cast<const T*>(value));
    });
  });
}

void scatter_identity_kernel(ScatterReduceOp op, const Tensor& out, int64_t dim, const Tensor& index) {
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = identity<T>(op);
    for_each_target(out, dim, index, nullptr, "scatter_reduce",
                    [&](char* target, const char*) { *reinterpret_cast<T*>(target) = v; });
  });
}

void scatter_mean_kernel(const Tensor& out, const Tensor& counts) {
  StridedLoop<2> loop({&out, &counts});
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      loop.run(
          [&](char** p, const int64_t* s, int64_t n) {
            for (int64_t i = 0; i < n; ++i) {
              T* o = reinterpret_cast<T*>(p[0] + i * s[0]);
              const int64_t c = std::max<int64_t>(*reinterpret_cast<const int64_t*>(p[1] + i * s[1]), 1);
              if constexpr (std::is_floating_point_v<T>) {
                *o = *o / static_cast<T>(c);
              } else {
                const T q = *o / c;
                *o = (*o % c != 0 && *o < 0) ? q - 1 : q;  // floor, as PyTorch's integer mean
              }
            }
          },
          kGrainCheap);
    }
  });
}

}  // namespace kiln::cpu
