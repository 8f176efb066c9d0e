// float32 exp, tanh and sigmoid that the compiler can vectorize: branch-free (selects instead of
// branches), no library calls, bit casts for 2^n. Accurate to about 1 ulp (checked over a dense sweep
// in native/tests/test_vec_math.cpp). Range reduction x = n ln2 + r, |r| <= ln2 / 2; exp(r) and tanh
// near 0 by minimax polynomials (the classic Cephes coefficients).
#pragma once
#include <cstdint>
#include <cstring>

#include "cpu/simd.h"

namespace kiln::cpu::vm {

KILN_ALWAYS_INLINE float from_bits(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

KILN_ALWAYS_INLINE float exp(float x) {
  constexpr float kMax = 88.72283905206835f;   // above: +inf
  constexpr float kMin = -103.97207708f;       // below: 0 (past the smallest subnormal)
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
  // NaN takes the kMin branch too (it is returned as is below): no NaN reaches the int conversion or shifts.
  const float xc = x > kMin ? (x < kMax ? x : kMax) : kMin;
  const float n = __builtin_floorf(xc * kLog2e + 0.5f);
  const float r = xc - n * kLn2Hi - n * kLn2Lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // 2^n in two factors, so that results down in the subnormal range are exact.
  const int32_t ni = static_cast<int32_t>(n);
  const int32_t half = ni / 2;
  const float y = p * from_bits((half + 127) << 23) * from_bits((ni - half + 127) << 23);
  const float big = x > kMax ? __builtin_inff() : y;
  return x != x ? x : (x < kMin ? 0.0f : big);
}

KILN_ALWAYS_INLINE float tanh(float x) {
  const float a = x < 0 ? -x : x;
  // Small |x|: odd polynomial (no cancellation). Large: 1 - 2 / (exp(2|x|) + 1).
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = x + x * z * p;
  const float e = exp(2.0f * a);  // +inf for large |x|, giving exactly 1
  float large = 1.0f - 2.0f / (e + 1.0f);
  large = x < 0 ? -large : large;
  return x != x ? x : (a < 0.625f ? small : large);
}

KILN_ALWAYS_INLINE float sigmoid(float x) { return 1.0f / (1.0f + exp(-x)); }

}  // namespace kiln::cpu::vm
