// Elementwise math of one tensor: logarithms and exponentials, trigonometric and hyperbolic functions, erf,
// rounding, sign; the tests (isnan, ...) and parameterised ones (round to decimals, nan_to_num, clamp with
// scalar bounds). The float32 logarithms and exponentials, trigonometric and hyperbolic functions and their
// inverses, and erf are the vectorizable forms of vec_*.h; the rest (erfinv, every float64 one) is the C library.
// sign, bitwise_not, clamp and the tests take the narrow integers as stored too.
#include <cmath>
#include <limits>

#include "cpu/dispatch.h"
#include "cpu/erfinv.h"
#include "cpu/float32_chunks.h"
#include "cpu/kernels.h"
#include "cpu/loop.h"
#include "cpu/pointwise_math.h"
#include "cpu/simd.h"
#include "cpu/vec_log.h"
#include "cpu/vec_math.h"
#include "cpu/vec_trig.h"

namespace kiln::cpu {
namespace {

template <class T>
constexpr bool is_f32 = std::is_same_v<T, float>;

// Element functions with a float32 form that vectorizes. sin, cos and tan are valid up to vm::kTrigMax: the
// contiguous path fixes larger arguments afterwards (trig_fixup), the strided one calls sin_any.
template <class T>
KILN_ALWAYS_INLINE T log1p_of(T x) {
  if constexpr (is_f32<T>) return vm::log1p(x);
  else return std::log1p(x);
}
template <class T>
KILN_ALWAYS_INLINE T expm1_of(T x) {
  if constexpr (is_f32<T>) return vm::expm1(x);
  else return std::expm1(x);
}
template <class T>
KILN_ALWAYS_INLINE T erf_of(T x) {
  if constexpr (is_f32<T>) return vm::erf(x);
  else return std::erf(x);
}
template <class T>
KILN_ALWAYS_INLINE T sin_of(T x) {
  if constexpr (is_f32<T>) return vm::sin(x);
  else return std::sin(x);
}
template <class T>
KILN_ALWAYS_INLINE T cos_of(T x) {
  if constexpr (is_f32<T>) return vm::cos(x);
  else return std::cos(x);
}
template <class T>
KILN_ALWAYS_INLINE T tan_of(T x) {
  if constexpr (is_f32<T>) return vm::tan(x);
  else return std::tan(x);
}

template <class T>
KILN_ALWAYS_INLINE T asin_of(T x) {
  if constexpr (is_f32<T>) return vm::asin(x);
  else return std::asin(x);
}
template <class T>
KILN_ALWAYS_INLINE T acos_of(T x) {
  if constexpr (is_f32<T>) return vm::acos(x);
  else return std::acos(x);
}
template <class T>
KILN_ALWAYS_INLINE T sinh_of(T x) {
  if constexpr (is_f32<T>) return vm::sinh(x);
  else return std::sinh(x);
}
template <class T>
KILN_ALWAYS_INLINE T cosh_of(T x) {
  if constexpr (is_f32<T>) return vm::cosh(x);
  else return std::cosh(x);
}
template <class T>
KILN_ALWAYS_INLINE T atan_of(T x) {
  if constexpr (is_f32<T>) return vm::atan(x);
  else return std::atan(x);
}

// sign as PyTorch: (0 < x) - (x < 0), so NaN and -0.0 give 0.
template <class T>
KILN_ALWAYS_INLINE T sign_of(T x) {
  return static_cast<T>(static_cast<int>(T(0) < x) - static_cast<int>(x < T(0)));
}

// Calls body(f) with the element function of op for T; the switch runs once per run.
template <class T, class Body>
KILN_ALWAYS_INLINE void with_math_fn(MathOp op, Body&& body) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case MathOp::Log1p: return body([](T x) { return log1p_of(x); });
      case MathOp::Expm1: return body([](T x) { return expm1_of(x); });
      case MathOp::Log2: return body([](T x) { return vm::log2(x); });
      case MathOp::Log10: return body([](T x) { return vm::log10(x); });
      case MathOp::Exp2: return body([](T x) { return vm::exp2(x); });
      case MathOp::Rsqrt: return body([](T x) { return T(1) / std::sqrt(x); });
      case MathOp::Reciprocal: return body([](T x) { return T(1) / x; });
      case MathOp::Sin: return body([](T x) { return sin_of(x); });
      case MathOp::Cos: return body([](T x) { return cos_of(x); });
      case MathOp::Tan: return body([](T x) { return tan_of(x); });
      case MathOp::Asin: return body([](T x) { return asin_of(x); });
      case MathOp::Acos: return body([](T x) { return acos_of(x); });
      case MathOp::Atan: return body([](T x) { return atan_of(x); });
      case MathOp::Sinh: return body([](T x) { return sinh_of(x); });
      case MathOp::Cosh: return body([](T x) { return cosh_of(x); });
      case MathOp::Asinh: return body([](T x) { return vm::asinh(x); });
      case MathOp::Acosh: return body([](T x) { return vm::acosh(x); });
      case MathOp::Atanh: return body([](T x) { return vm::atanh(x); });
      case MathOp::Erf: return body([](T x) { return erf_of(x); });
      case MathOp::Erfinv: return body([](T x) { return static_cast<T>(erfinv(static_cast<double>(x), is_f32<T> ? 1 : 4)); });
      case MathOp::Sign: return body([](T x) { return sign_of(x); });
      case MathOp::Floor: return body([](T x) { return __builtin_floor(x); });
      case MathOp::Ceil: return body([](T x) { return __builtin_ceil(x); });
      case MathOp::Round: return body([](T x) { return static_cast<T>(__builtin_roundeven(x)); });
      case MathOp::Trunc: return body([](T x) { return __builtin_trunc(x); });
      case MathOp::Frac: return body([](T x) { return x - static_cast<T>(__builtin_trunc(x)); });
      default: break;
    }
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {  // int64 and the narrow integers
    switch (op) {
      case MathOp::Sign: return body([](T x) { return sign_of(x); });
      case MathOp::BitwiseNot: return body([](T x) { return static_cast<T>(~x); });
      default: break;
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (op == MathOp::BitwiseNot) return body([](T x) { return !x; });
  }
  fail(ErrorKind::Internal, "math kernel: op not defined for this dtype");
}

bool is_trig(MathOp op) { return op == MathOp::Sin || op == MathOp::Cos || op == MathOp::Tan; }

// float32 sin/cos/tan over a contiguous run, in blocks: note the arguments beyond kTrigMax (before the vector
// loop, which may overwrite them in place), then recompute those with the C library.
KILN_ALWAYS_INLINE void trig_contiguous(MathOp op, float* out, const float* in, int64_t n) {
  constexpr int64_t kBlock = 256;
  for (int64_t base = 0; base < n; base += kBlock) {
    const int64_t m = std::min(kBlock, n - base);
    int32_t far = 0;
    for (int64_t i = 0; i < m; ++i) far += std::fabs(in[base + i]) > vm::kTrigMax;
    float saved[kBlock];
    int32_t where[kBlock];
    int32_t k = 0;
    if (far > 0)
      for (int64_t i = 0; i < m; ++i)
        if (std::fabs(in[base + i]) > vm::kTrigMax) {
          saved[k] = in[base + i];
          where[k++] = static_cast<int32_t>(i);
        }
    if (op == MathOp::Sin)
      for (int64_t i = 0; i < m; ++i) out[base + i] = vm::sin(in[base + i]);
    else if (op == MathOp::Cos)
      for (int64_t i = 0; i < m; ++i) out[base + i] = vm::cos(in[base + i]);
    else
      for (int64_t i = 0; i < m; ++i) out[base + i] = vm::tan(in[base + i]);
    for (int32_t j = 0; j < k; ++j)
      out[base + where[j]] = op == MathOp::Sin ? std::sin(saved[j]) : op == MathOp::Cos ? std::cos(saved[j]) : std::tan(saved[j]);
  }
}

template <class T>
KILN_ALWAYS_INLINE void math_contiguous_t(MathOp op, T* out, const T* in, int64_t n) {
  if constexpr (is_f32<T>) {
    if (is_trig(op)) return trig_contiguous(op, out, in, n);
  }
  with_math_fn<T>(op, [&](auto f) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
  });
}

KILN_SIMD void math_contiguous(MathOp op, DType t, void* out, const void* in, int64_t n) {
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    math_contiguous_t(op, static_cast<T*>(out), static_cast<const T*>(in), n);
  });
}

bool is_cheap(MathOp op) {
  return op == MathOp::Sign || op == MathOp::Floor || op == MathOp::Ceil || op == MathOp::Round ||
         op == MathOp::Trunc || op == MathOp::Frac || op == MathOp::Reciprocal || op == MathOp::BitwiseNot;
}

// Runs f over out = f(in) for any layout; contiguous runs go to `contiguous`.
template <class T, class R, class F, class C>
void unary_loop(const Tensor& out, const Tensor& in_any, int64_t grain, F f, C contiguous) {
  const Tensor in = dense_input(in_any, out);
  StridedLoop<2> loop({&out, &in});
  loop.run_write_only(
      [&](char** p, const int64_t* s, int64_t n) {
        if (s[0] == sizeof(R) && s[1] == sizeof(T)) return contiguous(p[0], p[1], n);
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<R*>(p[0] + i * s[0]) = f(*reinterpret_cast<const T*>(p[1] + i * s[1]));
      },
      grain);
}

// ---- Parameterised ops and tests: their contiguous loops, compiled per ISA.

template <class T>
KILN_ALWAYS_INLINE T round_decimals_of(T x, T scale, bool negative) {
  return negative ? static_cast<T>(__builtin_roundeven(x / scale)) * scale
                  : static_cast<T>(__builtin_roundeven(x * scale)) / scale;
}

template <class T>
KILN_ALWAYS_INLINE T nan_to_num_of(T x, T nan, T posinf, T neginf) {
  return x != x ? nan : (x == std::numeric_limits<T>::infinity() ? posinf : (x == -std::numeric_limits<T>::infinity() ? neginf : x));
}

template <class T>
KILN_ALWAYS_INLINE T clamp_of(T x, bool has_lo, T lo, bool has_hi, T hi) {
  const T a = has_lo && x < lo ? lo : x;  // std::max(x, lo): a NaN bound never wins
  return has_hi && hi < a ? hi : a;       // std::min(a, hi)
}

template <class T>
KILN_ALWAYS_INLINE bool test_of(TestOp op, T x) {
  if constexpr (std::is_floating_point_v<T>) {
    constexpr T inf = std::numeric_limits<T>::infinity();
    switch (op) {
      case TestOp::IsNan: return x != x;
      case TestOp::IsInf: return x == inf || x == -inf;
      case TestOp::IsPosInf: return x == inf;
      case TestOp::IsNegInf: return x == -inf;
      case TestOp::IsFinite: return x == x && x != inf && x != -inf;
      case TestOp::Signbit: return std::signbit(x);
      case TestOp::LogicalNot: return x == T(0);
    }
  } else {
    switch (op) {
      case TestOp::IsFinite: return true;
      case TestOp::Signbit: return x < T(0);
      case TestOp::LogicalNot: return x == T(0);
      default: return false;
    }
  }
  return false;
}

KILN_SIMD void round_decimals_contiguous(DType t, void* out, const void* in, int64_t n, double scale, bool negative) {
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T sc = static_cast<T>(scale);
      for (int64_t i = 0; i < n; ++i) static_cast<T*>(out)[i] = round_decimals_of(static_cast<const T*>(in)[i], sc, negative);
    }
  });
}

KILN_SIMD void nan_to_num_contiguous(DType t, void* out, const void* in, int64_t n, double nan, double posinf, double neginf) {
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T a = static_cast<T>(nan), b = static_cast<T>(posinf), c = static_cast<T>(neginf);
      for (int64_t i = 0; i < n; ++i) static_cast<T*>(out)[i] = nan_to_num_of(static_cast<const T*>(in)[i], a, b, c);
    }
  });
}

KILN_SIMD void clamp_contiguous(DType t, void* out, const void* in, int64_t n, const Scalar* lo, const Scalar* hi) {
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      const T l = lo ? lo->to<T>() : T(0), h = hi ? hi->to<T>() : T(0);
      const bool has_lo = lo != nullptr, has_hi = hi != nullptr;
      for (int64_t i = 0; i < n; ++i) static_cast<T*>(out)[i] = clamp_of(static_cast<const T*>(in)[i], has_lo, l, has_hi, h);
    }
  });
}

KILN_SIMD void test_contiguous(TestOp op, DType t, bool* out, const void* in, int64_t n) {
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in);
    switch (op) {  // one loop per op, so that each vectorizes
#define KILN_TEST_LOOP(name) \
  case TestOp::name:         \
    for (int64_t i = 0; i < n; ++i) out[i] = test_of(TestOp::name, x[i]); \
    break;
      KILN_TEST_LOOP(IsNan)
      KILN_TEST_LOOP(IsInf)
      KILN_TEST_LOOP(IsPosInf)
      KILN_TEST_LOOP(IsNegInf)
      KILN_TEST_LOOP(IsFinite)
      KILN_TEST_LOOP(Signbit)
      KILN_TEST_LOOP(LogicalNot)
#undef KILN_TEST_LOOP
    }
  });
}

}  // namespace

void math_kernel(MathOp op, const Tensor& out, const Tensor& in) {
  const DType t = out.dtype();
  if (is_16bit_float(t))
    return unary_in_float32(out, in, is_cheap(op) ? kGrainCheap : kGrainCostly, [&](float* o, const float* x, int64_t m) {
      math_contiguous(op, DType::Float32, o, x, m);
    });
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    with_math_fn<T>(op, [&](auto f) {
      auto element = [&](T x) {
        if constexpr (is_f32<T>) {
          if (op == MathOp::Sin) return vm::sin_any(x);
          if (op == MathOp::Cos) return vm::cos_any(x);
          if (op == MathOp::Tan) return vm::tan_any(x);
        }
        return static_cast<T>(f(x));
      };
      unary_loop<T, T>(out, in, is_cheap(op) ? kGrainCheap : kGrainCostly, element,
                       [&](char* o, const char* i, int64_t n) { math_contiguous(op, t, o, i, n); });
    });
  });
}

void round_decimals_kernel(const Tensor& out, const Tensor& in, int64_t decimals) {
  const bool negative = decimals < 0;
  const double scale = std::pow(10.0, static_cast<double>(negative ? -decimals : decimals));
  const DType t = out.dtype();
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T sc = static_cast<T>(scale);
      unary_loop<T, T>(out, in, kGrainCheap, [&](T x) { return round_decimals_of(x, sc, negative); },
                       [&](char* o, const char* i, int64_t n) { round_decimals_contiguous(t, o, i, n, scale, negative); });
    } else {
      fail(ErrorKind::Internal, "round kernel: floating dtypes only");
    }
  });
}

void nan_to_num_kernel(const Tensor& out, const Tensor& in, double nan, double posinf, double neginf) {
  const DType t = out.dtype();
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T a = static_cast<T>(nan), b = static_cast<T>(posinf), c = static_cast<T>(neginf);
      unary_loop<T, T>(out, in, kGrainCheap, [&](T x) { return nan_to_num_of(x, a, b, c); },
                       [&](char* o, const char* i, int64_t n) { nan_to_num_contiguous(t, o, i, n, nan, posinf, neginf); });
    } else {
      fail(ErrorKind::Internal, "nan_to_num kernel: floating dtypes only");
    }
  });
}

void clamp_scalar_kernel(const Tensor& out, const Tensor& in, const Scalar* lo, const Scalar* hi) {
  const DType t = out.dtype();
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      const T l = lo ? lo->to<T>() : T(0), h = hi ? hi->to<T>() : T(0);
      unary_loop<T, T>(out, in, kGrainCheap, [&](T x) { return clamp_of(x, lo != nullptr, l, hi != nullptr, h); },
                       [&](char* o, const char* i, int64_t n) { clamp_contiguous(t, o, i, n, lo, hi); });
    } else {
      fail(ErrorKind::Internal, "clamp kernel: bool is not supported");
    }
  });
}

void test_kernel(TestOp op, const Tensor& out, const Tensor& in) {
  const DType t = in.dtype();
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    unary_loop<T, bool>(out, in, kGrainCheap, [&](T x) { return test_of(op, x); },
                        [&](char* o, const char* i, int64_t n) { test_contiguous(op, t, reinterpret_cast<bool*>(o), i, n); });
  });
}

}  // namespace kiln::cpu
