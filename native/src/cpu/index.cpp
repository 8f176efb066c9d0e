// gather and scatter along one dim. The input (or output) is viewed with a zero stride at `dim`, so one
// strided loop walks index, data and target together; the index then moves the pointer along dim.
#include "cpu/dispatch.h"
#include "cpu/kernels.h"
#include "cpu/loop.h"

namespace kiln::cpu {
namespace {

// t seen with index's shape and no movement along dim (index's sizes never exceed t's off dim).
Tensor along_dim_view(const Tensor& t, const Tensor& index, int64_t dim) {
  Shape strides = t.strides();
  strides[dim] = 0;
  return t.as_strided(index.shape(), strides, t.offset());
}

inline int64_t checked_index(int64_t i, int64_t size, int64_t dim, const char* op) {
  KILN_CHECK(i >= 0 && i < size, Index, op, ": index ", i, " is out of bounds for dimension ", dim, " with size ", size);
  return i;
}

}  // namespace

void gather_kernel(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) {
  if (out.numel() == 0) return;
  const Tensor src = along_dim_view(in, index, dim);
  const int64_t size = in.shape()[dim];
  StridedLoop<3> loop({&out, &index, &src});
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t step = in.strides()[dim] * static_cast<int64_t>(sizeof(T));
    loop.run(
        [&](char** p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            int64_t j = checked_index(*reinterpret_cast<const int64_t*>(p[1] + i * s[1]), size, dim, "gather");
            *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const T*>(p[2] + i * s[2] + j * step);
          }
        },
        kGrainCheap);
  });
}

void scatter_kernel(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  if (index.numel() == 0) return;
  const Tensor dst = along_dim_view(out, index, dim);
  const int64_t size = out.shape()[dim];
  StridedLoop<3> loop({&index, &src, &dst});
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t step = out.strides()[dim] * static_cast<int64_t>(sizeof(T));
    // Serial: two positions may target the same element.
    loop.run(
        [&](char** p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            int64_t j = checked_index(*reinterpret_cast<const int64_t*>(p[0] + i * s[0]), size, dim,
                                      accumulate ? "scatter_add" : "scatter");
            T* target = reinterpret_cast<T*>(p[2] + i * s[2] + j * step);
            const T v = *reinterpret_cast<const T*>(p[1] + i * s[1]);
            if (accumulate) {
              if constexpr (std::is_same_v<T, bool>) *target = *target || v;
              else *target = *target + v;
            } else {
              *target = v;
            }
          }
        },
        INT64_MAX / 4);
  });
}

}  // namespace kiln::cpu
