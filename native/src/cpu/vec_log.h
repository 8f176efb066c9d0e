// float32 log, log1p and expm1 that the compiler can vectorize (branch-free, no library calls, bit casts),
// accurate to about 1 ulp (checked over dense sweeps in native/tests/test_vec_math.cpp). log splits x into
// 2^e * m with m in [sqrt(1/2), sqrt(2)) and evaluates log(m) by Cephes' minimax polynomial; log1p adds the
// rounding error of 1 + x back as a first-order correction; expm1 reduces x = k ln2 + r and evaluates
// expm1(r) with exp's polynomial, so small results keep their relative accuracy.
#pragma once
#include <cstdint>
#include <cstring>

#include "cpu/vec_math.h"

namespace kiln::cpu::vm {

KILN_ALWAYS_INLINE int32_t to_bits(float f) {
  int32_t i;
  std::memcpy(&i, &f, sizeof i);
  return i;
}

KILN_ALWAYS_INLINE float log(float x) {
  constexpr float kInf = __builtin_inff();
  // Subnormals: scale into the normal range first (2^23), and take 23 off the exponent.
  const bool tiny = x < 1.17549435e-38f;
  const float xs = tiny ? x * 8388608.0f : x;
  const int32_t bits = to_bits(xs);
  float e = static_cast<float>(((bits >> 23) & 0xff) - 126) - (tiny ? 23.0f : 0.0f);
  float m = from_bits((bits & 0x007fffff) | 0x3f000000);  // in [0.5, 1)
  const bool small = m < 0.707106781186547524f;
  e = small ? e - 1.0f : e;
  m = small ? (m - 1.0f) + m : m - 1.0f;  // now log(1 + m), m in [sqrt(1/2) - 1, sqrt(2) - 1)
  const float z = m * m;
  float p = 7.0376836292e-2f;
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  float y = p * m * z;
  y = y + e * -2.12194440e-4f;
  y = y - 0.5f * z;
  const float r = (m + y) + e * 0.693359375f;
  // Special cases: log(0) = -inf, log(negative) = NaN, log(inf) = inf, NaN stays NaN.
  const float special = x == 0.0f ? -kInf : (x < 0.0f ? __builtin_nanf("") : x);
  return (x > 0.0f && x < kInf) ? r : special;
}

KILN_ALWAYS_INLINE float log1p(float x) {
  // u = 1 + x rounded; log1p(x) = log(u) + (x - (u - 1)) / u to first order in the rounding error of u.
  const float u = 1.0f + x;
  const float c = (x - (u - 1.0f)) / u;
  const float r = log(u) + c;
  // Tiny x: u == 1 and the answer is x itself (keeps -0.0); -1 gives -inf, +inf gives inf, x < -1 NaN.
  const float tiny_or_special = (u == 1.0f || x == __builtin_inff()) ? x : r;
  return (x <= -1.0f) ? (x == -1.0f ? -__builtin_inff() : __builtin_nanf("")) : tiny_or_special;
}

KILN_ALWAYS_INLINE float expm1(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
  // Inside [-17, 10] reduce x = k ln2 + r, |r| <= ln2 / 2, and use 2^k (expm1(r) + 1) - 1 =
  // 2^k expm1(r) + (2^k - 1), both exact scalings; outside, exp(x) - 1 is as accurate.
  const float xc = x >= -17.0f ? (x <= 10.0f ? x : 10.0f) : -17.0f;  // NaN -> -17: never converted to int
  const float k = __builtin_floorf(xc * kLog2e + 0.5f);
  const float r = xc - k * kLn2Hi - k * kLn2Lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float em1 = p * r * r + r;
  const float t = from_bits((static_cast<int32_t>(k) + 127) << 23);  // k in [-25, 15]: a normal power of 2
  const float reduced = t * em1 + (t - 1.0f);
  const float inner = k == 0.0f ? em1 : reduced;
  const float outer = exp(x) - 1.0f;  // -1 for very negative x, inf past the overflow threshold
  const float r2 = (x >= -17.0f && x <= 10.0f) ? inner : outer;
  return (x != x || x == 0.0f) ? x : r2;  // NaN stays NaN, -0.0 stays -0.0
}

}  // namespace kiln::cpu::vm
