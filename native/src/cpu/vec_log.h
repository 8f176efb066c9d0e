// float32 log2, log10, exp2, asinh, acosh and atanh that the compiler can vectorize, computed in double as
// vec_trig.h's are: the float results are correctly rounded but for rare ties. glibc's scalar forms took 2 to 11
// ns an element (16M floats on two cores: log10 69 ms, asinh 115, atanh 183; PyTorch 1.13: 48, 103, 198).
//
// The logarithms share one: u = m 2^e with m in [sqrt(1/2), sqrt(2)), log(m) = 2 atanh(s) for s = (m - 1) /
// (m + 1), |s| <= 0.172, by its series to s^13 (relative error under 2e-12). Near 0, asinh(x) and atanh(x) round
// to x itself below |x| = 2^-12 (their next terms, x^3/6 and x^3/3, are under a quarter ulp there); above it
// the double logarithm of 1 + O(x) keeps 40 bits of the result.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "cpu/vec_math.h"

namespace kiln::cpu::vm {
namespace log_detail {

constexpr double kLn2 = 0.6931471805599453, kLog2e = 1.4426950408889634;
constexpr double kLog10Of2 = 0.30102999566398120, kLog10e = 0.43429448190325176;

KILN_ALWAYS_INLINE uint64_t bits_of(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

KILN_ALWAYS_INLINE double double_of(uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

// log(m) for u = m 2^e (u positive, finite and normal), with e in *e. The exponent field becomes a double by
// sitting under 2^52's exponent (2^52 + field), so no int64 conversion is needed, which AVX2 lacks.
KILN_ALWAYS_INLINE double log_mantissa(double u, double* e) {
  constexpr double kSqrt2 = 1.4142135623730951, kShift = 4503599627370496.0;  // 2^52
  const uint64_t bits = bits_of(u);
  const double field = double_of((bits >> 52) | bits_of(kShift)) - kShift;
  const double m1 = double_of((bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull);  // [1, 2)
  const bool high = m1 > kSqrt2;
  const double m = high ? 0.5 * m1 : m1;
  *e = field - (high ? 1022.0 : 1023.0);
  const double s = (m - 1.0) / (m + 1.0), z = s * s;
  constexpr double kInverseOdd[] = {1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3, 1.0};
  double p = 1.0 / 13;
  for (double c : kInverseOdd) p = p * z + c;
  return 2.0 * s * p;
}

// log(u) for u positive, finite and normal.
KILN_ALWAYS_INLINE double log(double u) {
  double e;
  const double lm = log_mantissa(u, &e);
  return e * kLn2 + lm;
}

// The special values of a logarithm of x: -inf at 0, NaN below 0 and for NaN, +inf at +inf; r elsewhere.
KILN_ALWAYS_INLINE float log_specials(float x, float r) {
  constexpr float kInf = __builtin_inff();
  r = x == kInf ? kInf : r;
  r = x == 0.0f ? -kInf : r;
  r = x < 0.0f ? __builtin_nanf("") : r;  // separate selects, as vm::log's: GCC vectorizes these
  return x != x ? x : r;
}

// An argument the logarithm can take: x itself when positive and finite, else 1 (its result is replaced).
KILN_ALWAYS_INLINE double safe_argument(double x) {
  const double a = x > 0.0 ? x : 1.0;
  return a < 1e300 ? a : 1.0;  // also NaN -> 1
}

}  // namespace log_detail

// log2 and log10 keep exact results exact: e is added whole (log2(8) = 3), log10(1000) rounds to 3.
KILN_ALWAYS_INLINE float log2(float x) {
  double e;
  const double lm = log_detail::log_mantissa(log_detail::safe_argument(x), &e);
  return log_detail::log_specials(x, static_cast<float>(e + lm * log_detail::kLog2e));
}

KILN_ALWAYS_INLINE float log10(float x) {
  double e;
  const double lm = log_detail::log_mantissa(log_detail::safe_argument(x), &e);
  return log_detail::log_specials(x, static_cast<float>(e * log_detail::kLog10Of2 + lm * log_detail::kLog10e));
}

// 2^x = 2^n 2^f, n = round(x), f = x - n exact in [-1/2, 1/2]. x is clamped to [-160, 130] first (2^n stays a
// normal double; the float conversion then overflows to inf or rounds to a subnormal or 0 as it should).
KILN_ALWAYS_INLINE float exp2(float x) {
  const double d = x, c = d < -160.0 ? -160.0 : (d > 130.0 ? 130.0 : d);
  const double n = std::nearbyint(c);
  const double r = hyperbolic_detail::exp_near_zero((c - n) * log_detail::kLn2) * hyperbolic_detail::pow2(n);
  return x != x ? x : static_cast<float>(r);
}

// asinh(x) = sign(x) log(|x| + sqrt(x^2 + 1)); x^2 cannot overflow in double.
KILN_ALWAYS_INLINE float asinh(float x) {
  constexpr float kInf = __builtin_inff();
  constexpr double kSmall = 1.0 / 4096;  // 2^-12
  const double a = std::fabs(static_cast<double>(x));
  const double u = log_detail::safe_argument(a + std::sqrt(a * a + 1.0));
  const double r = a < kSmall ? a : log_detail::log(u);
  const float f = std::fabs(x) == kInf ? kInf : static_cast<float>(r);
  return x != x ? x : std::copysign(f, x);
}

// acosh(x) = log(x + sqrt(x^2 - 1)) for x >= 1 (x^2 - 1 is exact in double), NaN below 1.
KILN_ALWAYS_INLINE float acosh(float x) {
  constexpr float kInf = __builtin_inff();
  const double d = x;
  const double u = log_detail::safe_argument(d + std::sqrt(d >= 1.0 ? d * d - 1.0 : 0.0));
  float r = static_cast<float>(log_detail::log(u));
  r = x == kInf ? kInf : r;
  r = x < 1.0f ? __builtin_nanf("") : r;
  return x != x ? x : r;
}

// atanh(x) = sign(x) log((1 + |x|) / (1 - |x|)) / 2 (both sums exact in double): +-inf at +-1, NaN beyond.
KILN_ALWAYS_INLINE float atanh(float x) {
  constexpr float kInf = __builtin_inff();
  constexpr double kSmall = 1.0 / 4096;  // 2^-12
  const double a = std::fabs(static_cast<double>(x));
  const double u = log_detail::safe_argument((1.0 + a) / (1.0 - a));
  float r = static_cast<float>(a < kSmall ? a : 0.5 * log_detail::log(u));
  r = a == 1.0 ? kInf : r;
  r = a > 1.0 ? __builtin_nanf("") : r;
  return x != x ? x : std::copysign(r, x);
}

// float64 through libm, so that a template can call these for either type.
KILN_ALWAYS_INLINE double log2(double x) { return std::log2(x); }
KILN_ALWAYS_INLINE double log10(double x) { return std::log10(x); }
KILN_ALWAYS_INLINE double exp2(double x) { return std::exp2(x); }
KILN_ALWAYS_INLINE double asinh(double x) { return std::asinh(x); }
KILN_ALWAYS_INLINE double acosh(double x) { return std::acosh(x); }
KILN_ALWAYS_INLINE double atanh(double x) { return std::atanh(x); }

}  // namespace kiln::cpu::vm
