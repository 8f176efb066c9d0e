// Elementwise math of two tensors beyond binary.cpp's arithmetic: maximum/minimum (NaN wins), fmod and
// remainder (C's fmod, and Python's sign rule), floor_divide, atan2, bitwise and logical ops, shifts; over the
// compute dtypes and the narrow integers (whose results equal int64's cast back).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <type_traits>

#include "cpu/dispatch.h"
#include "cpu/float32_chunks.h"
#include "cpu/loop.h"
#include "cpu/pointwise_math.h"
#include "cpu/simd.h"
#include "cpu/vec_trig.h"

namespace kiln::cpu {
namespace {

// C's truncated integer quotient of narrow integers, through a float division, which vectorizes (idiv does not:
// 6.5 ms for a uint8 image of 9.6M elements, 12 ms for int32). It is exact: a quotient that is not an integer
// lies at least 1 / |b| from one, while float32 rounds it by at most 2^-24 |a / b| <= 2^-9 / |b| for 16 bits,
// double by at most 2^-53 |a / b| <= 2^-22 / |b| for 32. In W, wide enough for the minimum over -1 (which wraps
// when cast back, as int64's result). int64 divides as it is, its minimum over -1 kept apart (it traps).
template <class T>
using quotient_t = std::conditional_t<(sizeof(T) <= 2), int32_t, int64_t>;
template <class T>
KILN_ALWAYS_INLINE quotient_t<T> trunc_div(T a, T b) {
  if constexpr (sizeof(T) <= 2) return static_cast<int32_t>(static_cast<float>(a) / static_cast<float>(b));
  else if constexpr (sizeof(T) == 4) return static_cast<int64_t>(static_cast<double>(a) / static_cast<double>(b));
  else return a / b;
}

// C's remainder of integers, the sign of a's (INT64_MIN % -1 would trap: 0).
template <class T>
KILN_ALWAYS_INLINE quotient_t<T> fmod_int(T a, T b) {
  using W = quotient_t<T>;
  if constexpr (sizeof(T) == 8) {
    if (b == T(-1)) return W(0);
  }
  return static_cast<W>(a - trunc_div(a, b) * b);
}

template <class T>
KILN_ALWAYS_INLINE T remainder_of(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T mod = std::fmod(a, b);
    return (mod != T(0) && ((b < T(0)) != (mod < T(0)))) ? mod + b : mod;
  } else {
    const auto r = fmod_int(a, b);
    return static_cast<T>((r != 0 && ((r < 0) != (b < T(0)))) ? r + b : r);
  }
}

// floor(a / b) as PyTorch computes it: from fmod, so that 1 // 0.1 is 9 (a / b rounds to 10), then to the
// nearest integer; b == 0 gives a / b. Integers: C's quotient, one less when it was rounded up; the minimum
// over -1 wraps (-(-128) is 128, which int8 holds as -128, as int64's result cast back).
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
    if constexpr (sizeof(T) == 8) {
      if (b == T(-1)) return static_cast<T>(0ULL - static_cast<uint64_t>(a));
    }
    const auto q = trunc_div(a, b);
    return static_cast<T>((a - q * b != 0 && ((a < T(0)) != (b < T(0)))) ? q - 1 : q);
  }
}

// Shifts as PyTorch 2 defines them: a count outside [0, 64) shifts everything out (left: 0; right: the sign).
KILN_ALWAYS_INLINE int64_t shift_left(int64_t a, int64_t b) {
  return (b < 0 || b >= 64) ? 0 : static_cast<int64_t>(static_cast<uint64_t>(a) << b);
}
KILN_ALWAYS_INLINE int64_t shift_right(int64_t a, int64_t b) { return a >> ((b < 0 || b >= 64) ? 63 : b); }
// The narrow integers shift as their int64 values would, cast back: as PyTorch's results for them.
template <class T>
KILN_ALWAYS_INLINE T shift_left_of(T a, T b) {
  return static_cast<T>(shift_left(a, b));
}
template <class T>
KILN_ALWAYS_INLINE T shift_right_of(T a, T b) {
  return static_cast<T>(shift_right(a, b));
}

// Calls body(f) with the element function; f returns T, or bool for the logical ops.
template <class T, class Body>
KILN_ALWAYS_INLINE void with_binary_math_fn(MathBinaryOp op, Body&& body) {
  // kInt: int64 and the narrow integers, computed as stored (their results are int64's cast back).
  constexpr bool kFloat = std::is_floating_point_v<T>, kBool = std::is_same_v<T, bool>, kInt = !kFloat && !kBool;
  switch (op) {
    case MathBinaryOp::Maximum:
      if constexpr (kFloat) return body([](T a, T b) { return (a != a || b != b) ? a + b : (a > b ? a : b); });
      else return body([](T a, T b) { return a > b ? a : b; });
    case MathBinaryOp::Minimum:
      if constexpr (kFloat) return body([](T a, T b) { return (a != a || b != b) ? a + b : (a < b ? a : b); });
      else return body([](T a, T b) { return a < b ? a : b; });
    case MathBinaryOp::Fmod:
      if constexpr (kFloat) return body([](T a, T b) { return std::fmod(a, b); });
      else if constexpr (kInt) return body([](T a, T b) { return static_cast<T>(fmod_int(a, b)); });
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
      if constexpr (kInt) return body([](T a, T b) { return shift_left_of(a, b); });
      break;
    case MathBinaryOp::RightShift:
      if constexpr (kInt) return body([](T a, T b) { return shift_right_of(a, b); });
      break;
    // & and | rather than && and ||: no branch on the data (a random mask mispredicted half of them, 30 ms for 16M).
    case MathBinaryOp::LogicalAnd: return body([](T a, T b) { return static_cast<bool>((a != T(0)) & (b != T(0))); });
    case MathBinaryOp::LogicalOr: return body([](T a, T b) { return static_cast<bool>((a != T(0)) | (b != T(0))); });
    case MathBinaryOp::LogicalXor: return body([](T a, T b) { return (a != T(0)) != (b != T(0)); });
  }
  fail(ErrorKind::Internal, "binary math kernel: op not defined for this dtype");
}

enum class Layout { Contiguous, ScalarA, ScalarB };

// float32 fmod, remainder, floor_divide and atan2 without the C library's scalar calls (fmodf, atan2f: 5-6x
// PyTorch's time on 16M elements). fmod in double, r = a - trunc(a / b) b, is exact while |a / b| < 2^29: a / b
// is an integer or at least 2^-24 from one (a and b are floats), while its rounding to double moves it by at most
// 2^-25, so trunc is right; q b then fits a double's 53 bits, and the difference is the true remainder, a float.
// Elements outside (b = 0, infinities, NaN, larger quotients; for atan2 zeros and infinities) set `slow`, and
// their block is computed again by the exact scalar functions: the same results as those throughout.
KILN_ALWAYS_INLINE float fmod_f32(float a, float b, int& slow) {
  const double da = a, db = b, q = std::trunc(da / db), r = da - q * db;
  slow |= !(std::fabs(q) < 536870912.0) | (r != r);
  return std::copysign(static_cast<float>(r), a);  // a zero remainder has a's sign
}

KILN_ALWAYS_INLINE float remainder_f32(float a, float b, int& slow) {
  const float mod = fmod_f32(a, b, slow);
  return (mod != 0.0f && ((b < 0.0f) != (mod < 0.0f))) ? mod + b : mod;
}

KILN_ALWAYS_INLINE float floor_divide_f32(float a, float b, int& slow) {  // floor_divide_of with fmod_f32
  const float mod = fmod_f32(a, b, slow);
  float d = (a - mod) / b;
  d = (mod != 0.0f && ((b < 0.0f) != (mod < 0.0f))) ? d - 1.0f : d;
  const float f = std::floor(d), rounded = d - f > 0.5f ? f + 1.0f : f, q = a / b;
  return d != 0.0f ? rounded : std::copysign(0.0f, q);
}

KILN_ALWAYS_INLINE float atan2_f32(float y, float x, int& slow) {
  const float ay = std::fabs(y), ax = std::fabs(x), inf = std::numeric_limits<float>::infinity();
  slow |= !((ay > 0.0f) & (ay < inf) & (ax > 0.0f) & (ax < inf));
  return vm::atan2_finite(y, x);
}

// o[i] = fast(a, b, slow) over blocks of kBlock elements, a block again by exact(a, b) where any was slow.
template <class Fast, class Exact, class A, class B>
KILN_ALWAYS_INLINE void blocks_with_fallback(float* o, int64_t n, A&& a, B&& b, Fast&& fast, Exact&& exact) {
  constexpr int64_t kBlock = 256;
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    const int64_t i1 = std::min(n, i0 + kBlock);
    int slow = 0;
    for (int64_t i = i0; i < i1; ++i) o[i] = fast(a(i), b(i), slow);
    if (slow)
      for (int64_t i = i0; i < i1; ++i) o[i] = exact(a(i), b(i));
  }
}

// The float32 fast forms of the costly ops; false for every other op and dtype.
template <class T>
KILN_ALWAYS_INLINE bool costly_f32(MathBinaryOp op, Layout layout, void* out, const T* a, const T* b, int64_t n) {
  if constexpr (!std::is_same_v<T, float>) {
    return false;
  } else {
    auto run = [&](auto fast, auto exact) {
      float* o = static_cast<float*>(out);
      if (layout == Layout::Contiguous)
        blocks_with_fallback(o, n, [a](int64_t i) { return a[i]; }, [b](int64_t i) { return b[i]; }, fast, exact);
      else if (layout == Layout::ScalarA)
        blocks_with_fallback(o, n, [av = *a](int64_t) { return av; }, [b](int64_t i) { return b[i]; }, fast, exact);
      else
        blocks_with_fallback(o, n, [a](int64_t i) { return a[i]; }, [bv = *b](int64_t) { return bv; }, fast, exact);
      return true;
    };
    switch (op) {
      case MathBinaryOp::Fmod:
        return run([](float x, float y, int& s) { return fmod_f32(x, y, s); }, [](float x, float y) { return std::fmod(x, y); });
      case MathBinaryOp::Remainder:
        return run([](float x, float y, int& s) { return remainder_f32(x, y, s); },
                   [](float x, float y) { return remainder_of(x, y); });
      case MathBinaryOp::FloorDivide:
        return run([](float x, float y, int& s) { return floor_divide_f32(x, y, s); },
                   [](float x, float y) { return floor_divide_of(x, y); });
      case MathBinaryOp::Atan2:
        return run([](float x, float y, int& s) { return atan2_f32(x, y, s); }, [](float x, float y) { return std::atan2(x, y); });
      default:
        return false;
    }
  }
}

template <class T>
KILN_ALWAYS_INLINE void binary_math_run_t(MathBinaryOp op, Layout layout, void* out, const void* a_, const void* b_,
                                          int64_t n) {
  const T* a = static_cast<const T*>(a_);
  const T* b = static_cast<const T*>(b_);
  if (costly_f32(op, layout, out, a, b, n)) return;
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
  dispatch_with_narrow_ints(t, [&](auto tag) { binary_math_run_t<decltype(tag)>(op, layout, out, a, b, n); });
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
  dispatch_with_narrow_ints(t, [&](auto tag) {
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
  if (!is_integral(t.dtype(), false)) fail(ErrorKind::Internal, "has_zero kernel: integers only");
  std::atomic<bool> found{false};
  StridedLoop<1> loop({&t});
  dispatch_with_narrow_ints(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    loop.run(
        [&](char** p, const int64_t* s, int64_t n) {
          bool zero = false;
          for (int64_t i = 0; i < n; ++i) zero |= *reinterpret_cast<const T*>(p[0] + i * s[0]) == 0;
          if (zero) found.store(true, std::memory_order_relaxed);
        },
        kGrainCheap);
  });
  return found.load();
}

}  // namespace kiln::cpu
