// float32 erf that the compiler can vectorize, accurate to about 1 ulp (test_vec_math.cpp). |x| < 1:
// x P(x^2) (as x + x (P(x^2) - 1)); 1 <= |x| < 3.92: 1 - exp(-x^2) Q(1/x) (absolute error below half an ulp of the result);
// beyond, +-1. P and Q are minimax fits (relative error 1.2e-9 and 1.3e-8) made for Kiln with Lawson's
// algorithm in double.
#pragma once
#include "cpu/vec_math.h"

namespace kiln::cpu::vm {

KILN_ALWAYS_INLINE float erf(float x) {
  const float a = x < 0 ? -x : x;
  // Small: erf(x) = x P(x^2).
  const float z = x * x;
  float p = 7.853857862510916e-05f;
  p = p * z - 8.010192812789307e-04f;
  p = p * z + 5.188327627409825e-03f;
  p = p * z - 2.685381192869274e-02f;
  p = p * z + 1.128358514935253e-01f;
  p = p * z - 3.761262582446121e-01f;
  p = p * z + 1.28379165726846e-01f;  // P - 1: x + x (P - 1) keeps the rounding of the large part exact
  const float small = x + x * p;
  // Large: erfc(a) = exp(-a^2) Q(1/a).
  const float ac = a < 1.0f ? 1.0f : (a > 3.92f ? 3.92f : a);
  const float t = 1.0f / ac;
  float q = 2.9517896645554e-02f;
  q = q * t - 1.728989105752018e-01f;
  q = q * t + 4.2134734621648134e-01f;
  q = q * t - 5.130602672102605e-01f;
  q = q * t + 2.171286575141591e-01f;
  q = q * t + 2.426324675504608e-01f;
  q = q * t - 3.8044851066706187e-01f;
  q = q * t + 2.1610480913094338e-02f;
  q = q * t + 5.616251470552263e-01f;
  q = q * t + 1.292743501281356e-04f;
  const float large = 1.0f - exp(-(ac * ac)) * q;
  const float mag = a < 3.92f ? large : 1.0f;
  const float signed_large = x < 0 ? -mag : mag;
  return x != x ? x : (a < 1.0f ? small : signed_large);
}

}  // namespace kiln::cpu::vm
