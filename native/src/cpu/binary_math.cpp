// Elementwise math of two tensors beyond binary.cpp's arithmetic: maximum/minimum (NaN wins), fmod and
// remainder (C's fmod, and Python's sign rule), floor_divide, atan2, bitwise and logical ops, shifts.
#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>

#include "cpu/dispatch.h"
#include "cpu/float32_chunks.h"
#include "cpu/loop.h"
#include "cpu/pointwise_math.h"
#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

template <class T>
KILN_ALWAYS_INLINE T remainder_of(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T mod = std::fmod(a, b);
    return (mod != T(0) && ((b < T(0)) != (mod < T(0)))) ? mod + b : mod;
  } else {
    const T r = b == T(-1) ? T(0) : a % b;  // INT64_MIN % -1 would trap
    return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
  }
}

// floor(a / b) as PyTorch computes it: from fmod, so that 1 // 0.1 is 9 (a / b rounds to 10), then to the
// nearest integer; b == 0 gives a / b. Integers: C's quotient, one less when it was rounded up.
template <class T>
KILN_ALWAYS_INLINE T floor_divide_of(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    const T mod = std::fmod(a, b);
    T d = (a - mod) / b;
    d = (mod != T(0) && ((b < T(0)) != (mod < T(0)))) ? d - T(1) : d;
    const T f = std::floor(d);
    const T rounded = d - f > T(0.5) ? f + T(1) : f;
    const T q = a / b;
    return b == T(0) ? q : (d != T(0) ? rounded : std::copysign(T(0), q));
  } else {
    if (b == T(-1)) return static_cast<T>(T(0) - static_cast<std::make_unsigned_t<T>>(a));  // INT64_MIN wraps
    const T q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
  }
}

// Shifts as PyTorch 2 defines them: a count outside [0, 64) shifts everything out (left: 0; right: the sign).
KILN_ALWAYS_INLINE int64_t shift_left(int64_t a, int64_t b) {
  return (b < 0 || b >= 64) ? 0 : static_cast<int64_t>(static_cast<uint64_t>(a) << b);
}
KILN_ALWAYS_INLINE int64_t shift_right(int64_t a, int64_t b) { return a >> ((b < 0 || b >= 64) ? 63 : b); }

// Calls body(f) with the element function; f returns T, or bool for the logical ops.
template <class T, class Body>
KILN_ALWAYS_INLINE void with_binary_math_fn(MathBinaryOp op, Body&& body) {
  constexpr bool kFloat = std::is_floating_point_v<T>, kInt = std::is_same_v<T, int64_t>, kBool = std::is_same_v<T, bool>;
  switch (op) {
    case MathBinaryOp::Maximum:
      if constexpr (kFloat) return body([](T a, T b) { return (a != a || b != b) ? a + b : (a > b ? a : b); });
      else return body([](T a, T b) { return a > b ? a : b; });
    case MathBinaryOp::Minimum:
      if constexpr (kFloat) return body([](T a, T b) { return (a != a || b != b) ? a + b : (a < b ? a : b); });
      else return body([](T a, T b) { return a < b ? a : b; });
    case MathBinaryOp::Fmod:
      if constexpr (kFloat) return body([](T a, T b) { return std::fmod(a, b); });
      else if constexpr (kInt) return body([](T a, T b) { return b == T(-1) ? T(0) : a % b; });
      break;
    case MathBinaryOp::Remainder:
      if constexpr (!kBool) return body([](T a, T b) { return remainder_of(a, b); });
      break;
    case MathBinaryOp::FloorDivide:
      if constexpr (!kBool) return body([](T a, T b) { return floor_divide_of(a, b); });
      break;
    case MathBinaryOp::Atan2:
      if constexpr (kFloat) return body([](T a, T b) { return std::atan2(a, b); });
      break;
    case MathBinaryOp::BitwiseAnd:
      if constexpr (kBool) return body([](T a, T b) { return static_cast<bool>(a & b); });
      else if constexpr (kInt) return body([](T a, T b) { return static_cast<T>(a & b); });
      break;
    case MathBinaryOp::BitwiseOr:
      if constexpr (kBool) return body([](T a, T b) { return static_cast<bool>(a | b); });
      else if constexpr (kInt) return body([](T a, T b) { return static_cast<T>(a | b); });
      break;
    case MathBinaryOp::BitwiseXor:
      if constexpr (kBool) return body([](T a, T b) { return static_cast<bool>(a ^ b); });
      else if constexpr (kInt) return body([](T a, T b) { return static_cast<T>(a ^ b); });
      break;
    case MathBinaryOp::LeftShift:
      if constexpr (kInt) return body([](T a, T b) { return shift_left(a, b); });
      break;
    case MathBinaryOp::RightShift:
      if constexpr (kInt) return body([](T a, T b) { return shift_right(a, b); });
      break;
    case MathBinaryOp::LogicalAnd: return body([](T a, T b) { return (a != T(0)) && (b != T(0)); });
    case MathBinaryOp::LogicalOr: return body([](T a, T b) { return (a != T(0)) || (b != T(0)); });
    case MathBinaryOp::LogicalXor: return body([](T a, T b) { return (a != T(0)) != (b != T(0)); });
  }
  fail(ErrorKind::Internal, "binary math kernel: op not defined for this dtype");
}

enum class Layout { Contiguous, ScalarA, ScalarB };

template <class T>
KILN_ALWAYS_INLINE void binary_math_run_t(MathBinaryOp op, Layout layout, void* out, const void* a_, const void* b_,
                                          int64_t n) {
  const T* a = static_cast<const T*>(a_);
  const T* b = static_cast<const T*>(b_);
  with_binary_math_fn<T>(op, [&](auto f) {
    using R = decltype(f(T{}, T{}));
    R* o = static_cast<R*>(out);
    if (layout == Layout::Contiguous) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
    } else if (layout == Layout::ScalarA) {
      const T av = *a;
      for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
    } else {
      const T bv = *b;
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
    }
  });
}

KILN_SIMD void binary_math_run(MathBinaryOp op, DType t, Layout layout, void* out, const void* a, const void* b,
                               int64_t n) {
  dispatch(t, [&](auto tag) { binary_math_run_t<decltype(tag)>(op, layout, out, a, b, n); });
}

bool is_costly(MathBinaryOp op) {
  return op == MathBinaryOp::Fmod || op == MathBinaryOp::Remainder || op == MathBinaryOp::FloorDivide ||
         op == MathBinaryOp::Atan2;
}

}  // namespace

void binary_math_kernel(MathBinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  const DType t = a.dtype();
  if (is_16bit_float(out.dtype()))  // float32_chunks.h
    return binary_in_float32(out, a, b, DType::Float32, is_costly(op) ? kGrainCostly : kGrainCheap,
                             [&](void* o, const float* x, const float* y, bool x_scalar, bool y_scalar, int64_t m) {
                               const Layout layout = x_scalar ? Layout::ScalarA : y_scalar ? Layout::ScalarB : Layout::Contiguous;
                               binary_math_run(op, DType::Float32, layout, o, x, y, m);
                             });
  StridedLoop<3> loop({&out, &a, &b});
  dispatch(t, [&](auto tag) {
    using T = decltype(tag);
    const int64_t os = static_cast<int64_t>(out.element_size()), is = sizeof(T);
    loop.run_write_only(
        [&](char** p, const int64_t* s, int64_t n) {
          if (s[0] == os && s[1] == is && s[2] == is) return binary_math_run(op, t, Layout::Contiguous, p[0], p[1], p[2], n);
          if (s[0] == os && s[1] == 0 && s[2] == is) return binary_math_run(op, t, Layout::ScalarA, p[0], p[1], p[2], n);
          if (s[0] == os && s[1] == is && s[2] == 0) return binary_math_run(op, t, Layout::ScalarB, p[0], p[1], p[2], n);
          with_binary_math_fn<T>(op, [&](auto f) {
            using R = decltype(f(T{}, T{}));
            for (int64_t i = 0; i < n; ++i)
              *reinterpret_cast<R*>(p[0] + i * s[0]) =
                  f(*reinterpret_cast<const T*>(p[1] + i * s[1]), *reinterpret_cast<const T*>(p[2] + i * s[2]));
          });
        },
        is_costly(op) ? kGrainCostly : kGrainCheap);
  });
}

bool has_zero_kernel(const Tensor& t) {
  if (t.dtype() != DType::Int64) fail(ErrorKind::Internal, "has_zero kernel: int64 only");
  std::atomic<bool> found{false};
  StridedLoop<1> loop({&t});
  loop.run(
      [&](char** p, const int64_t* s, int64_t n) {
        bool zero = false;
        for (int64_t i = 0; i < n; ++i) zero |= *reinterpret_cast<const int64_t*>(p[0] + i * s[0]) == 0;
        if (zero) found.store(true, std::memory_order_relaxed);
      },
      kGrainCheap);
  return found.load();
}

}  // namespace kiln::cpu
