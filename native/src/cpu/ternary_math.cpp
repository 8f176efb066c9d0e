// Elementwise ops of three tensors: lerp (PyTorch's two-sided formula), addcmul, addcdiv (in PyTorch's
// order of operations: self + (value * t1) * t2) and clamp with tensor bounds (NaN anywhere gives NaN; the narrow
// integers as stored).
#include <cmath>
#include <limits>

#include "cpu/dispatch.h"
#include "cpu/loop.h"
#include "cpu/pointwise_math.h"
#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

// Exact at both ends: self + w (end - self) for |w| < 0.5, end - (end - self)(1 - w) otherwise.
template <class T>
KILN_ALWAYS_INLINE T lerp_of(T self, T end, T w) {
  return (w < T(0.5) && w > T(-0.5)) ? self + w * (end - self) : end - (end - self) * (T(1) - w);
}

template <class T>
KILN_ALWAYS_INLINE T clamp_of(T x, T lo, T hi) {
  if constexpr (std::is_floating_point_v<T>) {
    // Selects without an early return, so that the loop vectorizes (with branches: 73 ms for 4096^2, PyTorch
    // 30). A NaN x fails both compares and stays; a NaN bound makes the result NaN.
    const T a = x < lo ? lo : x, r = hi < a ? hi : a;
    return (lo != lo) | (hi != hi) ? std::numeric_limits<T>::quiet_NaN() : r;
  } else {
    const T a = x < lo ? lo : x;
    return hi < a ? hi : a;
  }
}

enum class Op3 { Lerp, Addcmul, Addcdiv, Clamp };

template <class T>
KILN_ALWAYS_INLINE T apply3(Op3 op, T a, T b, T c, T v) {
  switch (op) {
    case Op3::Lerp: return lerp_of(a, b, c);
    case Op3::Addcmul: return static_cast<T>(a + v * b * c);
    case Op3::Addcdiv: return static_cast<T>(a + v * b / c);
    case Op3::Clamp: return clamp_of(a, b, c);
  }
  return a;
}

// Integer addcmul wraps like PyTorch's int64 arithmetic, without undefined behaviour.
KILN_ALWAYS_INLINE int64_t addcmul_int(int64_t a, int64_t b, int64_t c, int64_t v) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(v) * static_cast<uint64_t>(b) *
                                                            static_cast<uint64_t>(c));
}

template <class T>
KILN_ALWAYS_INLINE void run3_contiguous_t(Op3 op, T* o, const T* a, const T* b, const T* c, T v, int64_t n) {
  switch (op) {  // one loop per op, so that each vectorizes
    case Op3::Lerp:
      if constexpr (std::is_floating_point_v<T>)
        for (int64_t i = 0; i < n; ++i) o[i] = lerp_of(a[i], b[i], c[i]);
      break;
    case Op3::Addcmul:
      if constexpr (std::is_same_v<T, int64_t>)
        for (int64_t i = 0; i < n; ++i) o[i] = addcmul_int(a[i], b[i], c[i], v);
      else
        for (int64_t i = 0; i < n; ++i) o[i] = a[i] + v * b[i] * c[i];
      break;
    case Op3::Addcdiv:
      if constexpr (std::is_floating_point_v<T>)
        for (int64_t i = 0; i < n; ++i) o[i] = a[i] + v * b[i] / c[i];
      break;
    case Op3::Clamp:
      for (int64_t i = 0; i < n; ++i) o[i] = clamp_of(a[i], b[i], c[i]);
      break;
  }
}

KILN_SIMD void run3_contiguous(Op3 op, DType t, void* o, const void* a, const void* b, const void* c, double v_real,
                               int64_t v_int, int64_t n) {
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      const T v = std::is_floating_point_v<T> ? static_cast<T>(v_real) : static_cast<T>(v_int);
      run3_contiguous_t(op, static_cast<T*>(o), static_cast<const T*>(a), static_cast<const T*>(b),
                        static_cast<const T*>(c), v, n);
    }
  });
}

void run3(Op3 op, const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c, Scalar value) {
  StridedLoop<4> loop({&out, &a, &b, &c});
  const DType t = out.dtype();
  const double v_real = value.to_double();
  // Only integer kernels read v_int; for them the op layer checked that the value fits (a float value truncates).
  const int64_t v_int = is_floating(t) ? 0 : value.to_int();
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      fail(ErrorKind::Internal, "ternary kernel: bool is not supported");
    } else {
      const T v = std::is_floating_point_v<T> ? static_cast<T>(v_real) : static_cast<T>(v_int);
      loop.run_write_only(
          [&](char** p, const int64_t* s, int64_t n) {
            constexpr int64_t e = sizeof(T);
            if (s[0] == e && s[1] == e && s[2] == e && s[3] == e)
              return run3_contiguous(op, t, p[0], p[1], p[2], p[3], v_real, v_int, n);
            for (int64_t i = 0; i < n; ++i) {
              const T x = *reinterpret_cast<const T*>(p[1] + i * s[1]), y = *reinterpret_cast<const T*>(p[2] + i * s[2]),
                      z = *reinterpret_cast<const T*>(p[3] + i * s[3]);
              T r;
              if constexpr (std::is_same_v<T, int64_t>) r = op == Op3::Addcmul ? addcmul_int(x, y, z, v) : apply3(op, x, y, z, v);
              else r = apply3(op, x, y, z, v);
              *reinterpret_cast<T*>(p[0] + i * s[0]) = r;
            }
          },
          kGrainCheap);
    }
  });
}

}  // namespace

void lerp_kernel(const Tensor& out, const Tensor& self, const Tensor& end, const Tensor& weight) {
  run3(Op3::Lerp, out, self, end, weight, Scalar(0.0));
}

void lerp_scalar_kernel(const Tensor& out, const Tensor& self, const Tensor& end, double weight) {
  // The weight as a broadcast operand of the tensors' dtype (float32 weights round as PyTorch's opmath does).
  const Tensor w = Tensor::scalar(Scalar(weight), out.dtype());
  run3(Op3::Lerp, out, self, end, w.as_strided(out.shape(), Shape(out.shape().size(), 0), 0), Scalar(0.0));
}

void addcmul_kernel(const Tensor& out, const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  run3(Op3::Addcmul, out, self, t1, t2, value);
}

void addcdiv_kernel(const Tensor& out, const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  run3(Op3::Addcdiv, out, self, t1, t2, value);
}

void clamp_tensor_kernel(const Tensor& out, const Tensor& x, const Tensor& lo, const Tensor& hi) {
  run3(Op3::Clamp, out, x, lo, hi, Scalar(0.0));
}

}  // namespace kiln::cpu
