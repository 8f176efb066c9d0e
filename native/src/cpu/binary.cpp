// Elementwise functions of two tensors: arithmetic (out has the inputs' dtype) and comparisons (out is Bool), over
// the compute dtypes and the narrow integers (whose sums and products wrap as int64's cast back would).
#include <cmath>

#include "cpu/dispatch.h"
#include "cpu/float32_chunks.h"
#include "cpu/kernels.h"
#include "cpu/loop.h"
#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

// Integer power by squaring; negative exponents give 0 unless the base is 1 or -1, as in PyTorch.
KILN_ALWAYS_INLINE int64_t int_pow(int64_t base, int64_t exp) {
  if (exp < 0) return base == 1 ? 1 : base == -1 ? (exp % 2 == 0 ? 1 : -1) : 0;
  uint64_t result = 1, b = static_cast<uint64_t>(base);
  while (exp > 0) {
    if (exp & 1) result *= b;
    b *= b;
    exp >>= 1;
  }
  return static_cast<int64_t>(result);
}

// Calls body(f) with the element function; f returns T for arithmetic and bool for comparisons.
template <class T, class Body>
KILN_ALWAYS_INLINE void with_binary_fn(BinaryOp op, Body&& body) {
  switch (op) {
    case BinaryOp::Add:
      if constexpr (std::is_same_v<T, bool>) return body([](T a, T b) { return static_cast<bool>(a | b); });
      else if constexpr (std::is_integral_v<T>)  // wraps on overflow like PyTorch, without UB
        return body([](T a, T b) { return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b)); });
      else return body([](T a, T b) { return a + b; });
    case BinaryOp::Sub:
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
        return body([](T a, T b) { return static_cast<T>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b)); });
      else if constexpr (!std::is_same_v<T, bool>) return body([](T a, T b) { return a - b; });
      break;
    case BinaryOp::Mul:
      if constexpr (std::is_same_v<T, bool>) return body([](T a, T b) { return static_cast<bool>(a & b); });
      else if constexpr (std::is_integral_v<T>)
        return body([](T a, T b) { return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b)); });
      else return body([](T a, T b) { return a * b; });
    case BinaryOp::Div:
      if constexpr (std::is_floating_point_v<T>) return body([](T a, T b) { return a / b; });
      break;
    case BinaryOp::Pow:
      if constexpr (std::is_floating_point_v<T>) return body([](T a, T b) { return std::pow(a, b); });
      else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
        return body([](T a, T b) { return static_cast<T>(int_pow(a, b)); });
      break;
    case BinaryOp::Eq: return body([](T a, T b) { return a == b; });
    case BinaryOp::Ne: return body([](T a, T b) { return a != b; });
    case BinaryOp::Lt: return body([](T a, T b) { return a < b; });
    case BinaryOp::Le: return body([](T a, T b) { return a <= b; });
    case BinaryOp::Gt: return body([](T a, T b) { return a > b; });
    case BinaryOp::Ge: return body([](T a, T b) { return a >= b; });
  }
  fail(ErrorKind::Internal, "binary kernel: op not defined for this dtype");
}

// How a run's operands are laid out: both contiguous, or one a broadcast scalar.
enum class Layout { Contiguous, ScalarA, ScalarB };

Layout layout_of(bool a_scalar, bool b_scalar) {
  return a_scalar ? Layout::ScalarA : b_scalar ? Layout::ScalarB : Layout::Contiguous;
}

template <class T>
KILN_ALWAYS_INLINE void binary_run_t(BinaryOp op, Layout layout, void* out, const void* a_, const void* b_, int64_t n) {
  const T* a = static_cast<const T*>(a_);
  const T* b = static_cast<const T*>(b_);
  with_binary_fn<T>(op, [&](auto f) {
    using R = decltype(f(T{}, T{}));
    R* o = static_cast<R*>(out);
    switch (layout) {
      case Layout::Contiguous:
        for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
        break;
      case Layout::ScalarA: {
        const T av = *a;
        for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
        break;
      }
      case Layout::ScalarB: {
        const T bv = *b;
        for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
        break;
      }
    }
  });
}

KILN_SIMD void binary_run(BinaryOp op, DType t, Layout layout, void* out, const void* a, const void* b, int64_t n) {
  switch (t) {
    case DType::Bool: return binary_run_t<bool>(op, layout, out, a, b, n);
    case DType::Int64: return binary_run_t<int64_t>(op, layout, out, a, b, n);
    case DType::Float32: return binary_run_t<float>(op, layout, out, a, b, n);
    case DType::Float64: return binary_run_t<double>(op, layout, out, a, b, n);
    case DType::Int32: return binary_run_t<int32_t>(op, layout, out, a, b, n);
    case DType::Int16: return binary_run_t<int16_t>(op, layout, out, a, b, n);
    case DType::Int8: return binary_run_t<int8_t>(op, layout, out, a, b, n);
    case DType::UInt8: return binary_run_t<uint8_t>(op, layout, out, a, b, n);
    default: unsupported_kernel_dtype(t);
  }
}

}  // namespace

void binary_kernel(BinaryOp op, const Tensor& out, const Tensor& a_any, const Tensor& b_any) {
  const Tensor a = dense_input(a_any, out), b = dense_input(b_any, out);  // transposed operands: 56 -> 9 ms (4096^2)
  const DType t = a.dtype();
  if (is_16bit_float(out.dtype()) || is_16bit_float(t) || is_16bit_float(b.dtype()))  // float32_chunks.h
    return binary_in_float32(out, a, b, is_comparison(op) ? DType::Bool : DType::Float32, kGrainCheap,
                             [&](void* o, const float* x, const float* y, bool x_scalar, bool y_scalar, int64_t m) {
                               binary_run(op, DType::Float32, layout_of(x_scalar, y_scalar), o, x, y, m);
                             });
  StridedLoop<3> loop({&out, &a, &b});
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    const int64_t out_size = static_cast<int64_t>(out.element_size());
    const int64_t in_size = sizeof(T);
    loop.run_write_only(
        [&](char** p, const int64_t* s, int64_t n) {
          if (s[0] == out_size && s[1] == in_size && s[2] == in_size)
            return binary_run(op, t, Layout::Contiguous, p[0], p[1], p[2], n);
          if (s[0] == out_size && s[1] == 0 && s[2] == in_size)
            return binary_run(op, t, Layout::ScalarA, p[0], p[1], p[2], n);
          if (s[0] == out_size && s[1] == in_size && s[2] == 0)
            return binary_run(op, t, Layout::ScalarB, p[0], p[1], p[2], n);
          with_binary_fn<T>(op, [&](auto f) {
            using R = decltype(f(T{}, T{}));
            for (int64_t i = 0; i < n; ++i)
              *reinterpret_cast<R*>(p[0] + i * s[0]) =
                  f(*reinterpret_cast<const T*>(p[1] + i * s[1]), *reinterpret_cast<const T*>(p[2] + i * s[2]));
          });
        },
        kGrainCheap);
  });
}

}  // namespace kiln::cpu
