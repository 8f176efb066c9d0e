// Copies with dtype conversion, fills, and where(cond, a, b): the kernels that handle every storage dtype.
#include <cmath>
#include <cstring>
#include <limits>

#include "cpu/convert.h"
#include "cpu/dispatch.h"
#include "cpu/kernels.h"
#include "cpu/loop.h"
#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

template <class To, class From>
KILN_ALWAYS_INLINE void convert_contiguous_t(void* dst, const void* src, int64_t n) {
  To* d = static_cast<To*>(dst);
  const From* s = static_cast<const From*>(src);
  for (int64_t i = 0; i < n; ++i) d[i] = convert<To>(s[i]);
}

KILN_SIMD void convert_contiguous(DType to, DType from, void* dst, const void* src, int64_t n) {
  dispatch_all(to, [&](auto to_tag) {
    using To = decltype(to_tag);
    dispatch_all(from, [&](auto from_tag) { convert_contiguous_t<To, decltype(from_tag)>(dst, src, n); });
  });
}

template <class T>
KILN_ALWAYS_INLINE void where_contiguous_t(void* out, const bool* c, const void* a, const void* b, int64_t n) {
  T* o = static_cast<T*>(out);
  const T* x = static_cast<const T*>(a);
  const T* y = static_cast<const T*>(b);
  for (int64_t i = 0; i < n; ++i) o[i] = c[i] ? x[i] : y[i];
}

KILN_SIMD void where_contiguous(DType t, void* out, const bool* c, const void* a, const void* b, int64_t n) {
  dispatch_all(t, [&](auto tag) { where_contiguous_t<decltype(tag)>(out, c, a, b, n); });
}

}  // namespace

void copy_kernel(const Tensor& dst, const Tensor& src) {
  StridedLoop<2> loop({&dst, &src});
  const DType to = dst.dtype(), from = src.dtype();
  const int64_t ds = static_cast<int64_t>(dst.element_size()), ss = static_cast<int64_t>(src.element_size());
  loop.run(
      [&](char** p, const int64_t* s, int64_t n) {
        if (s[0] == ds && s[1] == ss) {
          if (to == from) std::memcpy(p[0], p[1], static_cast<size_t>(n * ds));
          else convert_contiguous(to, from, p[0], p[1], n);
          return;
        }
        dispatch_all(to, [&](auto to_tag) {
          using To = decltype(to_tag);
          dispatch_all(from, [&](auto from_tag) {
            using From = decltype(from_tag);
            for (int64_t i = 0; i < n; ++i)
              *reinterpret_cast<To*>(p[0] + i * s[0]) = convert<To>(*reinterpret_cast<const From*>(p[1] + i * s[1]));
          });
        });
      },
      kGrainCheap);
}

void fill_kernel(const Tensor& dst, Scalar value) {
  StridedLoop<1> loop({&dst});
  dispatch_all(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = scalar_as<T>(value);
    loop.run(
        [&](char** p, const int64_t* s, int64_t n) {
          if (s[0] == sizeof(T)) {
            T* d = reinterpret_cast<T*>(p[0]);
            std::fill(d, d + n, v);
          } else {
            for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
          }
        },
        kGrainCheap);
  });
}

void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  StridedLoop<4> loop({&out, &cond, &a, &b});
  const DType t = out.dtype();
  dispatch_all(t, [&](auto tag) {
    using T = decltype(tag);
    loop.run(
        [&](char** p, const int64_t* s, int64_t n) {
          if (s[0] == sizeof(T) && s[1] == 1 && s[2] == sizeof(T) && s[3] == sizeof(T))
            return where_contiguous(t, p[0], reinterpret_cast<const bool*>(p[1]), p[2], p[3], n);
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const bool*>(p[1] + i * s[1])
                                                         ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                         : *reinterpret_cast<const T*>(p[3] + i * s[3]);
        },
        kGrainCheap);
  });
}

}  // namespace kiln::cpu
