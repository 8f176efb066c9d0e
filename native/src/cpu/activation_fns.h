// What each activation computes for one element: the forward f(x) and the backward g * f'(x), as PyTorch's
// CPU kernels compute them (same branches and edge conventions), with float32 through the vectorizable
// functions of vec_math.h and float64 through libm. Parameters arrive as doubles and are rounded to the
// element type first, as PyTorch rounds its Scalar arguments. The loops live in activation.cpp.
#pragma once
#include <cmath>
#include <type_traits>

#include "cpu/simd.h"
#include "cpu/vec_math.h"

namespace kiln::cpu::act {

template <class T>
constexpr bool is_f32 = std::is_same_v<T, float>;

template <class T>
KILN_ALWAYS_INLINE T exp_of(T x) {
  if constexpr (is_f32<T>) return vm::exp(x);
  else return std::exp(x);
}
template <class T>
KILN_ALWAYS_INLINE T expm1_of(T x) {
  if constexpr (is_f32<T>) return vm::expm1(x);
  else return std::expm1(x);
}
template <class T>
KILN_ALWAYS_INLINE T log1p_of(T x) {
  if constexpr (is_f32<T>) return vm::log1p(x);
  else return std::log1p(x);
}
template <class T>
KILN_ALWAYS_INLINE T tanh_of(T x) {
  if constexpr (is_f32<T>) return vm::tanh(x);
  else return std::tanh(x);
}
template <class T>
KILN_ALWAYS_INLINE T erfc_of(T x) {
  if constexpr (is_f32<T>) return vm::erfc(x);
  else return std::erfc(x);
}
template <class T>
KILN_ALWAYS_INLINE T sigmoid_of(T x) {
  return T(1) / (T(1) + exp_of(-x));
}

// x when beta x > threshold, else log(1 + exp(beta x)) / beta.
template <class T>
struct Softplus {
  T beta, threshold;
  KILN_ALWAYS_INLINE T fwd(T x) const {
    const T z = x * beta;
    return z > threshold ? x : log1p_of(exp_of(z)) / beta;
  }
  // PyTorch writes sigmoid(z) as e / (e + 1) with e = exp(z), which is NaN once e overflows.
  KILN_ALWAYS_INLINE T bwd(T g, T x) const {
    const T z = x * beta;
    return z > threshold ? g : g * sigmoid_of(z);
  }
};

// x Phi(x), Phi the standard normal CDF, as 0.5 erfc(-x / sqrt 2): no cancellation for negative x. float32 takes
// Phi and exp(-x^2 / 2) from one exp (vm::gelu_erf).
template <class T>
struct GeluErf {
  static constexpr T kSqrtHalf = T(0.70710678118654752440);
  static constexpr T kInvSqrt2Pi = T(0.39894228040143267794);
  KILN_ALWAYS_INLINE T fwd(T x) const {
    if constexpr (is_f32<T>) return vm::gelu_erf(x);
    else return x * (T(0.5) * std::erfc(-(x * kSqrtHalf)));
  }
  KILN_ALWAYS_INLINE T bwd(T g, T x) const {
    if constexpr (is_f32<T>) {
      return vm::gelu_erf_grad(g, x);
    } else {
      const T cdf = T(0.5) * std::erfc(-(x * kSqrtHalf));
      const T pdf = kInvSqrt2Pi * std::exp(x * x * T(-0.5));
      return g * (cdf + x * pdf);
    }
  }
};

// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
template <class T>
struct GeluTanh {
  static constexpr T kBeta = T(0.79788456080286535588), kKappa = T(0.044715);
  KILN_ALWAYS_INLINE T fwd(T x) const {
    const T inner = kBeta * (x + kKappa * (x * x * x));
    return T(0.5) * x * (T(1) + tanh_of(inner));
  }
  KILN_ALWAYS_INLINE T bwd(T g, T x) const {
    const T x_sq = x * x;
    const T t = tanh_of(kBeta * (x + kKappa * (x_sq * x)));
    const T left = T(0.5) * (T(1) + t);
    const T right = T(0.5) * x * (T(1) - t * t) * kBeta * (T(1) + T(3) * kKappa * x_sq);
    return g * (left + right);
  }
};

template <class T>
struct Silu {
  KILN_ALWAYS_INLINE T fwd(T x) const { return x / (T(1) + exp_of(-x)); }
  KILN_ALWAYS_INLINE T bwd(T g, T x) const {
    const T s = sigmoid_of(x);
    return g * s * (T(1) + x * (T(1) - s));
  }
};

// x tanh(softplus(x)) from one exp: with e = exp(x) and n = e (e + 2), tanh(log(1 + e)) = n / (n + 2) and
// 1 - tanh^2 = 4 (n + 1) / (n + 2)^2. Past kClamp both are 1 and 0 to the last bit.
template <class T>
struct Mish {
  static constexpr T kClamp = is_f32<T> ? T(20) : T(40);
  KILN_ALWAYS_INLINE T fwd(T x) const {
    const T e = exp_of(x < kClamp ? x : kClamp);
    const T n = e * (e + T(2));
    return x * (x > kClamp ? T(1) : n / (n + T(2)));
  }
  KILN_ALWAYS_INLINE T bwd(T g, T x) const {
    const bool big = x > kClamp;
    const T e = exp_of(big ? kClamp : x);
    const T n = e * (e + T(2)), d = n + T(2);
    const T tsp = big ? T(1) : n / d;
    const T sech2 = big ? T(0) : T(4) * (n + T(1)) / (d * d);
    const T s = big ? T(1) : e / (T(1) + e);
    return g * (tsp + x * s * sech2);
  }
};

template <class T>
struct LeakyRelu {
  T slope;
  KILN_ALWAYS_INLINE T fwd(T x) const { return x > T(0) ? x : x * slope; }
  KILN_ALWAYS_INLINE T bwd(T g, T x) const { return x > T(0) ? g : g * slope; }
};

// scale x for x > 0, else scale alpha (exp(input_scale x) - 1); elu, selu and celu.
template <class T>
struct Elu {
  T negcoef, poscoef, negiptcoef;
  KILN_ALWAYS_INLINE T fwd(T x) const { return x <= T(0) ? expm1_of(x * negiptcoef) * negcoef : x * poscoef; }
  KILN_ALWAYS_INLINE T bwd(T g, T x) const {
    return x <= T(0) ? g * negiptcoef * negcoef * exp_of(x * negiptcoef) : g * poscoef;
  }
};

// clamp(x, min_val, max_val); NaN passes through; with min_val > max_val every element is max_val.
template <class T>
struct Hardtanh {
  T lo, hi;
  KILN_ALWAYS_INLINE T fwd(T x) const {
    const T t = x < lo ? lo : x;
    return t > hi ? hi : t;
  }
  KILN_ALWAYS_INLINE T bwd(T g, T x) const { return x <= lo || x >= hi ? T(0) : g; }
};

template <class T>
KILN_ALWAYS_INLINE T relu6_of(T y) {
  const T t = y < T(0) ? T(0) : y;
  return t > T(6) ? T(6) : t;
}

template <class T>
struct Hardsigmoid {
  KILN_ALWAYS_INLINE T fwd(T x) const { return relu6_of(x + T(3)) / T(6); }
  KILN_ALWAYS_INLINE T bwd(T g, T x) const { return x > T(-3) && x < T(3) ? g / T(6) : T(0); }
};

template <class T>
struct Hardswish {
  KILN_ALWAYS_INLINE T fwd(T x) const { return x * relu6_of(x + T(3)) / T(6); }
  KILN_ALWAYS_INLINE T bwd(T g, T x) const { return x < T(-3) ? T(0) : (x <= T(3) ? g * (x / T(3) + T(0.5)) : g); }
};

template <class T>
struct Softsign {
  KILN_ALWAYS_INLINE T fwd(T x) const { return x / (T(1) + std::fabs(x)); }
  KILN_ALWAYS_INLINE T bwd(T g, T x) const {
    const T d = T(1) + std::fabs(x);
    return g / (d * d);
  }
};

// min(x, 0) - log(1 + exp(-|x|)).
template <class T>
struct LogSigmoid {
  KILN_ALWAYS_INLINE T fwd(T x) const {
    const T z = exp_of(-std::fabs(x));
    return (x < T(0) ? x : T(0)) - log1p_of(z);
  }
  KILN_ALWAYS_INLINE T bwd(T g, T x) const {
    const T z = exp_of(-std::fabs(x));
    const T q = z / (T(1) + z);
    return g * (x < T(0) ? T(1) - q : q);
  }
};

}  // namespace kiln::cpu::act
