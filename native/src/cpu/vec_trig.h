// float32 sin, cos and tan that the compiler can vectorize, after Cephes' sinf/cosf but computed in double: x
// is reduced by multiples of pi/4 given in two parts (the first with 32 bits, so q * kPiOver4Hi is exact for
// q < 2^21), then Cephes' minimax polynomials for sin and cos on [-pi/4, pi/4]. The double reduction keeps
// results near the zeros of sin and cos accurate; about 1 ulp for |x| <= kTrigMax (test_vec_math.cpp).
// Beyond it callers take the C library (see sin_any, cos_any, tan_any).
#pragma once
#include <cmath>
#include <cstdint>

#include "cpu/vec_math.h"

namespace kiln::cpu::vm {

constexpr float kTrigMax = 1048576.0f;  // 2^20

namespace trig_detail {

// |x| reduced to y in [-pi/4, pi/4]; octant j in 0..7 says which polynomial and sign apply.
KILN_ALWAYS_INLINE void reduce(float a, double* y, int32_t* j) {
  constexpr double kFourOverPi = 1.2732395447351628;
  constexpr double kPiOver4Hi = 0.7853981633670628, kPiOver4Lo = 3.038550253253096e-11;
  int32_t q = static_cast<int32_t>(static_cast<double>(a) * kFourOverPi);
  q = (q + 1) & ~1;  // round up to even: y in [-pi/4, pi/4]
  const double fq = static_cast<double>(q);
  *y = (static_cast<double>(a) - fq * kPiOver4Hi) - fq * kPiOver4Lo;
  *j = q & 7;
}

KILN_ALWAYS_INLINE double sin_poly(double y) {
  const double z = y * y;
  double p = -1.9515295891e-4;
  p = p * z + 8.3321608736e-3;
  p = p * z - 1.6666654611e-1;
  return p * z * y + y;
}

KILN_ALWAYS_INLINE double cos_poly(double y) {
  const double z = y * y;
  double p = 2.443315711809948e-5;
  p = p * z - 1.388731625493765e-3;
  p = p * z + 4.166664568298827e-2;
  return p * z * z - 0.5 * z + 1.0;
}

}  // namespace trig_detail

// Valid for |x| <= kTrigMax (and NaN); larger arguments give unspecified values. Signs are flipped with bit
// operations on the octant: GCC does not vectorize the same logic written with bools.
KILN_ALWAYS_INLINE float sin(float x) {
  const float a = x < 0 ? -x : x;
  const float ac = a <= kTrigMax ? a : 0.0f;  // NaN -> 0: never converted to int
  double y;
  int32_t j;
  trig_detail::reduce(ac, &y, &j);
  const double v = (j & 2) != 0 ? trig_detail::cos_poly(y) : trig_detail::sin_poly(y);
  const int32_t flip = ((j >> 2) ^ static_cast<int32_t>(static_cast<uint32_t>(to_bits(x)) >> 31)) & 1;  // j >= 4, x < 0
  const float r = from_bits(to_bits(static_cast<float>(v)) ^ (flip << 31));
  return x != x ? x : (x == 0.0f ? x : r);  // keeps -0.0
}

KILN_ALWAYS_INLINE float cos(float x) {
  const float a = x < 0 ? -x : x;
  const float ac = a <= kTrigMax ? a : 0.0f;  // NaN -> 0: never converted to int
  double y;
  int32_t j;
  trig_detail::reduce(ac, &y, &j);
  const double v = (j & 2) != 0 ? trig_detail::sin_poly(y) : trig_detail::cos_poly(y);
  const int32_t flip = ((j + 2) >> 2) & 1;  // j == 2 or j == 4
  const float r = from_bits(to_bits(static_cast<float>(v)) ^ (flip << 31));
  return x != x ? x : r;
}

// tan from the same reduction: sin/cos of y, or -cos/sin in the odd quarter-periods (tan(y + pi/2) = -1/tan(y)),
// divided in double.
KILN_ALWAYS_INLINE float tan(float x) {
  const float a = x < 0 ? -x : x;
  const float ac = a <= kTrigMax ? a : 0.0f;  // NaN -> 0: never converted to int
  double y;
  int32_t j;
  trig_detail::reduce(ac, &y, &j);
  const double s = trig_detail::sin_poly(y), c = trig_detail::cos_poly(y);
  const double v = (j & 2) != 0 ? -c / s : s / c;
  const int32_t flip = static_cast<int32_t>(static_cast<uint32_t>(to_bits(x)) >> 31);
  const float r = from_bits(to_bits(static_cast<float>(v)) ^ (flip << 31));
  return x != x ? x : (x == 0.0f ? x : r);
}

// For any x, scalar: the vector form where it is valid, the C library beyond.
namespace trig_detail {

// atan(a) for a >= 0 (or +inf) in double: a is reduced to t in [-tan(pi/8), tan(pi/8)] by atan(a) = pi/2 +
// atan(-1/a) above tan(3pi/8) and pi/4 + atan((a - 1) / (a + 1)) above tan(pi/8) (one division, its operands
// selected), then atan(t) = t + t z Q(z), z = t^2, Q a least-squares fit of degree 5 (relative error 2.4e-11).
KILN_ALWAYS_INLINE double atan_of_abs(double a) {
  constexpr double kTan3PiOver8 = 2.414213562373095, kTanPiOver8 = 0.41421356237309503;
  constexpr double kPiOver2 = 1.5707963267948966, kPiOver4 = 0.78539816339744831;
  const bool big = a > kTan3PiOver8, mid = a > kTanPiOver8;
  const double num = big ? -1.0 : mid ? a - 1.0 : a, den = big ? a : mid ? a + 1.0 : 1.0;
  const double t = num / den, z = t * t, base = big ? kPiOver2 : mid ? kPiOver4 : 0.0;
  double q = 0.047387768025015306;
  q = q * z - 0.084734841769413982;
  q = q * z + 0.1104413712221821;
  q = q * z - 0.14281956632059986;
  q = q * z + 0.19999901780730966;
  q = q * z - 0.33333332468496979;
  return base + (t + t * z * q);
}

}  // namespace trig_detail

// atan in double (trig_detail::atan_of_abs): the float result is the correctly rounded one but for rare ties,
// where glibc's scalar atanf took ~7 ns an element. Infinities give +-pi/2, NaN stays NaN, -0 stays -0.
KILN_ALWAYS_INLINE float atan(float x) {
  return std::copysign(static_cast<float>(trig_detail::atan_of_abs(std::fabs(static_cast<double>(x)))), x);
}

// atan2(y, x) for finite, non-zero y and x (the caller takes the C library's for the rest): the angle of the
// smaller magnitude over the larger, in double, moved to its octant. Correctly rounded but for rare ties, as atan.
KILN_ALWAYS_INLINE float atan2_finite(float y, float x) {
  constexpr double kPi = 3.141592653589793, kPiOver2 = 1.5707963267948966;
  const double ay = std::fabs(static_cast<double>(y)), ax = std::fabs(static_cast<double>(x));
  const bool steep = ay > ax;
  const double base = trig_detail::atan_of_abs(steep ? ax / ay : ay / ax);
  const double angle = steep ? kPiOver2 - base : base;
  return std::copysign(static_cast<float>(x < 0 ? kPi - angle : angle), y);
}

namespace trig_detail {

// asin(t) for t = |x| reduced to [0, 0.5], in double: p = asin(s) for s = |x| where |x| <= 0.5 (small), else for
// s = sqrt((1 - |x|) / 2), from which asin(|x|) = pi/2 - 2p. asin(s) = s + s z R(z), z = s^2, R a least-squares
// fit of degree 6 (relative error 1.7e-11). |x| > 1 makes the square root's argument negative: NaN.
KILN_ALWAYS_INLINE double asin_part(double a, bool* small) {
  *small = a <= 0.5;
  const double z = *small ? a * a : (1.0 - a) * 0.5, s = *small ? a : std::sqrt(z);
  double r = 0.034613745146492861;
  r = r * z + 0.007535580992582897;
  r = r * z + 0.024596793238336655;
  r = r * z + 0.030113637565733892;
  r = r * z + 0.04465990342100834;
  r = r * z + 0.074999490130678567;
  r = r * z + 0.16666667182269898;
  return s + s * z * r;
}

}  // namespace trig_detail

// asin and acos in double from one reduction (trig_detail::asin_part): the float results are correctly rounded
// but for rare ties, where glibc's scalar asinf and acosf took ~4.5 and ~5 ns an element.
KILN_ALWAYS_INLINE float asin(float x) {
  constexpr double kPiOver2 = 1.5707963267948966;
  bool small;
  const double p = trig_detail::asin_part(std::fabs(static_cast<double>(x)), &small);
  return std::copysign(static_cast<float>(small ? p : kPiOver2 - 2.0 * p), x);
}

KILN_ALWAYS_INLINE float acos(float x) {
  constexpr double kPi = 3.141592653589793, kPiOver2 = 1.5707963267948966;
  bool small;
  const double p = trig_detail::asin_part(std::fabs(static_cast<double>(x)), &small);
  return static_cast<float>(small ? kPiOver2 - std::copysign(p, static_cast<double>(x)) : x > 0 ? 2.0 * p : kPi - 2.0 * p);
}

inline float sin_any(float x) { return std::fabs(x) <= kTrigMax ? sin(x) : std::sin(x); }
inline float cos_any(float x) { return std::fabs(x) <= kTrigMax ? cos(x) : std::cos(x); }
inline float tan_any(float x) { return std::fabs(x) <= kTrigMax ? tan(x) : std::tan(x); }

}  // namespace kiln::cpu::vm
