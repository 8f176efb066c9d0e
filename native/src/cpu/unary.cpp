// Elementwise functions of one tensor: out = f(in), over the compute dtypes and, for the integer ops (neg, abs,
// relu, integer powers), the narrow integers (wrapping as int64's result cast back would).
#include <cmath>

#include "cpu/dispatch.h"
#include "cpu/float32_chunks.h"
#include "cpu/kernels.h"
#include "cpu/loop.h"
#include "cpu/sigmoid_tanh.h"
#include "cpu/tanh_avx512.h"
#include "cpu/simd.h"
#include "cpu/vec_math.h"

namespace kiln::cpu {
namespace {

template <class T>
KILN_ALWAYS_INLINE T int_pow(T base, int64_t exp) {
  if (exp < 0) return base == 1 ? 1 : base == -1 ? (exp % 2 == 0 ? 1 : -1) : 0;  // as binary.cpp's int_pow
  uint64_t result = 1, b = static_cast<uint64_t>(base);  // wraps on overflow like PyTorch, without UB
  while (exp > 0) {
    if (exp & 1) result *= b;
    b *= b;
    exp >>= 1;
  }
  return static_cast<T>(result);
}

// exp and log: vectorizable float32 versions (vec_math.h, vec_log.h), libm for float64 (tanh and sigmoid the same
// way: sigmoid_tanh.h).
template <class T>
KILN_ALWAYS_INLINE T exp_of(T x) {
  if constexpr (std::is_same_v<T, float>) return vm::exp(x);
  else return std::exp(x);
}
template <class T>
KILN_ALWAYS_INLINE T log_of(T x) {
  if constexpr (std::is_same_v<T, float>) return vm::log(x);
  else return std::log(x);
}
// Calls body(f) with the element function for op; the switch runs once per run, not per element.
template <class T, class Body>
KILN_ALWAYS_INLINE void with_unary_fn(UnaryOp op, double param, Body&& body) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::Neg: return body([](T x) { return -x; });
      case UnaryOp::Exp: return body([](T x) { return exp_of(x); });
      case UnaryOp::Log: return body([](T x) { return log_of(x); });
      case UnaryOp::Sqrt: return body([](T x) { return std::sqrt(x); });
      case UnaryOp::Abs: return body([](T x) { return std::fabs(x); });
      case UnaryOp::Relu: return body([](T x) { return x < T(0) ? T(0) : x; });  // keeps NaN, as PyTorch
      case UnaryOp::Sigmoid: return body([](T x) { return sigmoid_of(x); });
      case UnaryOp::Tanh: return body([](T x) { return tanh_of(x); });
      case UnaryOp::PowScalar: {
        const T p = static_cast<T>(param);
        if (param == 2.0) return body([](T x) { return x * x; });
        if (param == 3.0) return body([](T x) { return x * x * x; });
        if (param == 1.0) return body([](T x) { return x; });
        if (param == 0.5) return body([](T x) { return std::sqrt(x); });
        if (param == -1.0) return body([](T x) { return T(1) / x; });
        return body([p](T x) { return std::pow(x, p); });
      }
    }
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {  // int64 and the narrow integers
    switch (op) {
      case UnaryOp::Neg: return body([](T x) { return static_cast<T>(0ULL - static_cast<uint64_t>(x)); });
      case UnaryOp::Abs:
        if constexpr (std::is_unsigned_v<T>) return body([](T x) { return x; });
        else return body([](T x) { return x < 0 ? static_cast<T>(0ULL - static_cast<uint64_t>(x)) : x; });
      case UnaryOp::Relu:
        if constexpr (std::is_unsigned_v<T>) return body([](T x) { return x; });
        else return body([](T x) { return x < 0 ? T(0) : x; });
      case UnaryOp::PowScalar: {
        // Squares (square(), x ** 2) as one wrapping product in unsigned arithmetic of at least T's width, which
        // vectorizes; uint8 squares of a 9.6M-element image 4.7 -> ~0.3 ms.
        using U = std::conditional_t<(sizeof(T) <= 4), uint32_t, uint64_t>;
        if (param == 2.0) return body([](T x) { return static_cast<T>(static_cast<U>(x) * static_cast<U>(x)); });
        const int64_t e = static_cast<int64_t>(param);
        return body([e](T x) { return int_pow(x, e); });
      }
      default: break;
    }
  }
  fail(ErrorKind::Internal, "unary kernel: op not defined for this dtype");
}

template <class T>
KILN_ALWAYS_INLINE void unary_contiguous_t(UnaryOp op, T* out, const T* in, int64_t n, double param) {
  with_unary_fn<T>(op, param, [&](auto f) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
  });
}

KILN_SIMD void unary_contiguous(UnaryOp op, DType t, void* out, const void* in, int64_t n, double param) {
  if (op == UnaryOp::Tanh && t == DType::Float32 &&
      tanh_avx512(static_cast<float*>(out), static_cast<const float*>(in), n))
    return;
  switch (t) {
    case DType::Float32: return unary_contiguous_t(op, static_cast<float*>(out), static_cast<const float*>(in), n, param);
    case DType::Float64: return unary_contiguous_t(op, static_cast<double*>(out), static_cast<const double*>(in), n, param);
    case DType::Int64: return unary_contiguous_t(op, static_cast<int64_t*>(out), static_cast<const int64_t*>(in), n, param);
    case DType::Int32: return unary_contiguous_t(op, static_cast<int32_t*>(out), static_cast<const int32_t*>(in), n, param);
    case DType::Int16: return unary_contiguous_t(op, static_cast<int16_t*>(out), static_cast<const int16_t*>(in), n, param);
    case DType::Int8: return unary_contiguous_t(op, static_cast<int8_t*>(out), static_cast<const int8_t*>(in), n, param);
    case DType::UInt8: return unary_contiguous_t(op, static_cast<uint8_t*>(out), static_cast<const uint8_t*>(in), n, param);
    default: fail(ErrorKind::Internal, "unary kernel: unsupported dtype");
  }
}

bool is_costly(UnaryOp op) {
  return op == UnaryOp::Exp || op == UnaryOp::Log || op == UnaryOp::Sigmoid || op == UnaryOp::Tanh ||
         op == UnaryOp::PowScalar;
}

}  // namespace

void unary_kernel(UnaryOp op, const Tensor& out, const Tensor& in_any, double param) {
  const Tensor in = dense_input(in_any, out);
  const DType t = out.dtype();
  if (is_16bit_float(t))
    return unary_in_float32(out, in, is_costly(op) ? kGrainCostly : kGrainCheap, [&](float* o, const float* x, int64_t m) {
      unary_contiguous(op, DType::Float32, o, x, m, param);
    });
  StridedLoop<2> loop({&out, &in});
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      fail(ErrorKind::Internal, "unary kernel: bool is not supported");
    } else {
      loop.run_write_only(
          [&](char** p, const int64_t* s, int64_t n) {
            if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
              unary_contiguous(op, t, p[0], p[1], n, param);
              return;
            }
            with_unary_fn<T>(op, param, [&](auto f) {
              for (int64_t i = 0; i < n; ++i)
                *reinterpret_cast<T*>(p[0] + i * s[0]) = f(*reinterpret_cast<const T*>(p[1] + i * s[1]));
            });
          },
          is_costly(op) ? kGrainCostly : kGrainCheap);
    }
  });
}

}  // namespace kiln::cpu
