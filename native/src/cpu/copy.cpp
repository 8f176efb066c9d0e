// Copies with dtype conversion, fills, and where(cond, a, b): the kernels that handle every storage dtype.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

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

// Contiguous runs of where, as bits of the element's width; either value operand may be one element broadcast over
// the run (a scalar zero, as in relu's backward and masked_fill). A mask of the condition blends the two: GCC turns
// `c ? x[i] : y[i]` back into a load through a selected pointer, which it does not vectorise.
template <class T, bool kScalarA, bool kScalarB>
KILN_ALWAYS_INLINE void where_contiguous_t(void* out, const bool* c, const void* a, const void* b, int64_t n) {
  using U = std::conditional_t<sizeof(T) == 1, uint8_t,
                               std::conditional_t<sizeof(T) == 2, uint16_t,
                                                  std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
  static_assert(sizeof(U) == sizeof(T));
  U* o = static_cast<U*>(out);  // may be b itself (masked_fill_): no __restrict
  const U* x = static_cast<const U*>(a);
  const U* y = static_cast<const U*>(b);
  // A broadcast value is read once, before the loop, and ivdep says o overlaps no other element: without both,
  // GCC kept the loop scalar when one side was broadcast, 7x slower (relu's backward: where(out <= 0, 0, grad)).
  const uint8_t* m = reinterpret_cast<const uint8_t*>(c);  // GCC does not vectorise a bool widened to U
  const U xs = kScalarA ? x[0] : U(0), ys = kScalarB ? y[0] : U(0);
  // o is either b itself or apart from every operand: element i reads and writes nothing another i touches.
#pragma GCC ivdep
  for (int64_t i = 0; i < n; ++i) {
    const U mask = U(U(0) - U(m[i]));  // all ones where c[i]
    o[i] = U(((kScalarA ? xs : x[i]) & mask) | ((kScalarB ? ys : y[i]) & U(~mask)));
  }
}

KILN_SIMD void where_contiguous(DType t, void* out, const bool* c, const void* a, bool a_scalar, const void* b,
                                bool b_scalar, int64_t n) {
  dispatch_all(t, [&](auto tag) {
    using T = decltype(tag);
    if (a_scalar && b_scalar) where_contiguous_t<T, true, true>(out, c, a, b, n);
    else if (a_scalar) where_contiguous_t<T, true, false>(out, c, a, b, n);
    else if (b_scalar) where_contiguous_t<T, false, true>(out, c, a, b, n);
    else where_contiguous_t<T, false, false>(out, c, a, b, n);
  });
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
    loop.run_write_only(
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
    loop.run_write_only(
        [&](char** p, const int64_t* s, int64_t n) {
          const bool dense_or_scalar = (s[2] == sizeof(T) || s[2] == 0) && (s[3] == sizeof(T) || s[3] == 0);
          if (s[0] == sizeof(T) && s[1] == 1 && dense_or_scalar)
            return where_contiguous(t, p[0], reinterpret_cast<const bool*>(p[1]), p[2], s[2] == 0, p[3], s[3] == 0, n);
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const bool*>(p[1] + i * s[1])
                                                         ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                         : *reinterpret_cast<const T*>(p[3] + i * s[3]);
        },
        kGrainCheap);
  });
}

}  // namespace kiln::cpu
