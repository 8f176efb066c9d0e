// float32 exp, tanh and sigmoid that the compiler can vectorize: branch-free (selects instead of
// branches), no library calls, bit casts for 2^n. Accurate to about 1 ulp (checked over a dense sweep
// in native/tests/test_vec_math.cpp). Range reduction x = n ln2 + r, |r| <= ln2 / 2; exp(r) and tanh
// near 0 by minimax polynomials (the classic Cephes coefficients).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "cpu/simd.h"

namespace kiln::cpu::vm {

KILN_ALWAYS_INLINE float from_bits(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

// a * b + c, rounded once when Fused. The kernels build without FMA contraction, so that every ISA clone and
// the strided loops give the same bits; a function that wants the speed of FMA asks for it here, and gets the
// same bits everywhere too (the x86-64 baseline clone calls libm's fmaf, which rounds once as well).
template <bool Fused>
KILN_ALWAYS_INLINE float madd(float a, float b, float c) {
  if constexpr (Fused) return __builtin_fmaf(a, b, c);
  else return a * b + c;
}

constexpr float kExpMax = 88.72283905206835f;  // exp above: +inf
constexpr float kExpMin = -103.97207708f;      // exp below: 0 (past the smallest subnormal)

// Horner's rule over coefficients given highest power first: c[0] x^(N-1) + ... + c[N-1], with fused multiply-adds
// unless Fused is false.
template <bool Fused = true, std::size_t N>
KILN_ALWAYS_INLINE float horner(const float (&c)[N], float x) {
  float p = c[0];
#pragma GCC unroll 16
  for (std::size_t i = 1; i < N; ++i) p = madd<Fused>(p, x, c[i]);
  return p;
}

// exp(r) = 1 + r + r^2 P(r) for |r| <= ln2 / 2: P's coefficients (Cephes'), highest power first.
constexpr float kExpPoly[] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                              4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
// The range reduction x = n ln2 + r: log2(e), and ln2 in two parts (Cephes'; the high part exact in 9 bits).
constexpr float kLog2e = 1.44269504088896341f, kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;

// exp's range reduction and polynomial: x = n ln2 + r, |r| <= ln2 / 2; returns exp(r), with n in *n. Fused
// multiply-adds: exp on 1M floats (in cache, two cores) 34 -> 44 GB/s, as accurate (test_vec_math).
KILN_ALWAYS_INLINE float exp_reduced(float x, int32_t* n) {
  const float nf = __builtin_floorf(madd<true>(x, kLog2e, 0.5f));
  const float r = madd<true>(-nf, kLn2Lo, madd<true>(-nf, kLn2Hi, x));
  const float p = horner(kExpPoly, r);
  *n = static_cast<int32_t>(nf);
  return madd<true>(p, r * r, r) + 1.0f;
}

// exp(x) for x in [kExpMin, kExpMax]: no clamping, no special values (the callers add what they need).
KILN_ALWAYS_INLINE float exp_in_range(float x) {
  int32_t n;
  const float p = exp_reduced(x, &n);
  // 2^n in two factors, so that results down in the subnormal range are exact (n >> 1: an arithmetic shift,
  // cheaper than n / 2 and as exact, since only the final product can round).
  const int32_t half = n >> 1;
  return p * from_bits((half + 127) << 23) * from_bits((n - half + 127) << 23);
}

// exp(x) for x <= 0, -inf or NaN, in fewer instructions than exp, for the row kernels that shift by their
// maximum (softmax): x clamped at -110 (exp rounds to 0 below kExpMin) by a max that keeps a NaN, n = rint(x log2e)
// kept from the NaN (no int of a NaN), Horner's rule to the end, and 2^n in one factor: p 2^(n + 64) is a normal
// number (n >= -159), exact, and its product with 2^-64 rounds once, as vscalefps would. Within 1 ulp, as exp
// (test_vec_math), but not always its bits.
KILN_ALWAYS_INLINE float exp_nonpositive(float x) {
  const float xc = x < -110.0f ? -110.0f : x;
  const float w = xc * kLog2e;
  const float n = __builtin_rintf(w > -160.0f ? w : -160.0f);
  const float r = madd<true>(-n, kLn2Lo, madd<true>(-n, kLn2Hi, xc));
  const float p = madd<true>(madd<true>(horner(kExpPoly, r), r, 1.0f), r, 1.0f);
  return p * from_bits((static_cast<int32_t>(n) + 127 + 64) << 23) * 0x1p-64f;
}

// Past kExpMax and kExpMin, exp_in_range rounds to +inf and to +0 by itself, as long as both factors of its 2^n
// stay normal numbers, which they do for x in [kExpClampLo, kExpClampHi]; every float between these and
// kExpMax or kExpMin is checked (test_vec_math). Clamping to them in place of the selects for inf and 0 takes exp
// from 32 to 23 cycles a 16-float vector (one Zen 4 core, in cache), with the same bits for every float.
constexpr float kExpClampHi = 100.0f, kExpClampLo = -110.0f;

// x clamped to [kExpClampLo, kExpClampHi], a NaN to kExpClampLo (no int of a NaN in exp_reduced).
KILN_ALWAYS_INLINE float exp_clamp(float x) {
  const float lo = x > kExpClampLo ? x : kExpClampLo;
  return lo < kExpClampHi ? lo : kExpClampHi;
}

KILN_ALWAYS_INLINE float exp(float x) {
  const float y = exp_in_range(exp_clamp(x));
  return x != x ? x : y;
}

// float64 through libm, so that a template can call vm::exp for either type.
KILN_ALWAYS_INLINE double exp(double x) { return std::exp(x); }

// tanh(x) = x + x^3 P(x^2) for |x| < kTanhSmall: P's coefficients, highest power first.
constexpr float kTanhPoly[] = {-5.70498872745e-3f, 2.06390887954e-2f, -5.37397155531e-2f, 1.33314422036e-1f,
                               -3.33332819422e-1f};
constexpr float kTanhSmall = 0.625f;

// tanh_avx512.cpp computes the same, operation for operation.
KILN_ALWAYS_INLINE float tanh(float x) {
  const float a = x < 0 ? -x : x;
  // Small |x|: odd polynomial (no cancellation). Large: 1 - 2 / (exp(2|x|) + 1).
  const float z = x * x;
  const float small = x + x * z * horner<false>(kTanhPoly, z);
  const float e = exp_in_range(exp_clamp(2.0f * a));  // +inf for large |x|, giving exactly 1 (a NaN: below)
  float large = 1.0f - 2.0f / (e + 1.0f);
  large = x < 0 ? -large : large;
  return x != x ? x : (a < kTanhSmall ? small : large);
}

KILN_ALWAYS_INLINE float sigmoid(float x) { return 1.0f / (1.0f + exp(-x)); }

}  // namespace kiln::cpu::vm

// ---- log, log1p, expm1, erf and erfc for the activations (softplus, log_sigmoid, mish, elu, gelu), in the
// same style: branch-free, within a few ulp (native/tests/test_vec_math_special.cpp).
namespace kiln::cpu::vm {

KILN_ALWAYS_INLINE int32_t to_bits(float f) {
  int32_t i;
  std::memcpy(&i, &f, sizeof i);
  return i;
}

// Cephes logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)), log(m) by a polynomial in m - 1.
KILN_ALWAYS_INLINE float log(float x) {
  constexpr float kMinNormal = 1.17549435e-38f, kInf = __builtin_inff();
  const bool subnormal = x < kMinNormal;
  const float xs = subnormal ? x * 33554432.0f : x;  // 2^25: subnormals become normal
  const int32_t bits = to_bits(xs);
  int32_t e = ((bits >> 23) & 0xff) - 126 - (subnormal ? 25 : 0);
  float m = from_bits((bits & 0x807fffff) | 0x3f000000);  // [0.5, 1)
  const bool low = m < 0.707106781186547524f;
  e = low ? e - 1 : e;
  m = low ? m + m - 1.0f : m - 1.0f;
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
  const float fe = static_cast<float>(e);
  float y = p * m * z;
  y = y + -2.12194440e-4f * fe;
  y = y + -0.5f * z;
  float r = m + y;
  r = r + 0.693359375f * fe;
  r = x == kInf ? kInf : r;
  r = x == 0.0f ? -kInf : r;
  r = x < 0.0f ? __builtin_nanf("") : r;  // separate selects: a || here stops GCC vectorizing log(exp(x))
  return x != x ? x : r;
}

// float64 through libm, so that a template can call vm::log for either type.
KILN_ALWAYS_INLINE double log(double x) { return std::log(x); }

// log(1 + y) = log(u) corrected by the rounding error of u = 1 + y.
KILN_ALWAYS_INLINE float log1p(float y) {
  constexpr float kInf = __builtin_inff();
  const float u = 1.0f + y;
  const float r = log(u) - ((u - 1.0f) - y) / u;
  const float exact = u == 1.0f ? y : r;  // tiny y: log1p(y) = y, which keeps -0.0
  return y != y ? y : (u == kInf ? kInf : (u == 0.0f ? -kInf : exact));
}

// exp(x) - 1: a polynomial near 0, where exp(x) - 1 would cancel.
KILN_ALWAYS_INLINE float expm1(float x) {
  float q = 2.4973133750320247e-05f;
  q = q * x + 1.9943360253815018e-04f;
  q = q * x + 1.3888613894411130e-03f;
  q = q * x + 8.3332398838223000e-03f;
  q = q * x + 4.1666667270544480e-02f;
  q = q * x + 1.6666666786234818e-01f;
  const float small = x + x * x * (0.5f + x * q);
  const float a = x < 0 ? -x : x;
  const float r = a < 0.5f ? small : exp(x) - 1.0f;
  return x == 0.0f ? x : r;  // -0.0 stays -0.0
}

// erf(x) = x + x Q(x^2) on |x| <= 1, Q(u) = erf(sqrt(u)) / sqrt(u) - 1 (least-squares fit, 1.3e-9); adding x
// last keeps the rounding of the polynomial small against the result.
KILN_ALWAYS_INLINE float erf_small(float x) {
  const float u = x * x;
  float q = 7.87132085230402e-05f;
  q = q * u - 8.015116837691433e-04f;
  q = q * u + 5.188840598441463e-03f;
  q = q * u - 2.6854051379910593e-02f;
  q = q * u + 1.128359002030696e-01f;
  q = q * u - 3.7612626235411273e-01f;
  q = q * u + 1.283791657930655e-01f;
  return x + x * q;
}

// exp(hi + lo) for |lo| much smaller than |hi|, without rounding hi + lo first: the reduction subtracts
// n ln2 from hi exactly (Cody-Waite), then adds lo.
KILN_ALWAYS_INLINE float exp_hi_lo(float hi, float lo) {
  const float s = hi + lo;
  const float sc = s >= -103.97207708f ? (s > 88.72283905206835f ? 88.72283905206835f : s) : -103.97207708f;
  const float n = __builtin_floorf(sc * kLog2e + 0.5f);
  const float r = ((hi - n * kLn2Hi) + lo) - n * kLn2Lo;
  const float p = horner<false>(kExpPoly, r) * r * r + r + 1.0f;
  const int32_t ni = static_cast<int32_t>(n);
  const int32_t half = ni >> 1;
  const float y = p * from_bits((half + 127) << 23) * from_bits((ni - half + 127) << 23);
  return s < -103.97207708f ? 0.0f : (s > 88.72283905206835f ? __builtin_inff() : y);
}

// erfc(a) = t exp(R(t) - a^2), t = 1 / (1 + a/2), for a >= 0.5 (the Numerical Recipes form; R fitted anew on
// a in [0.5, 10.1], absolute error 1.6e-9). Beyond 10.1 the result underflows to 0.
KILN_ALWAYS_INLINE float erfc_tail(float a) {
  const float t = 1.0f / (1.0f + 0.5f * a);
  float r = 2.457265701909425e-02f;
  r = r * t + 1.421117336683181e-01f;
  r = r * t - 9.721826326118549e-01f;
  r = r * t + 1.9479779243759894f;
  r = r * t - 1.713501139761506f;
  r = r * t + 6.883710379116985e-01f;
  r = r * t - 3.6259633448873196e-01f;
  r = r * t + 1.434171911885131e-01f;
  r = r * t + 3.6676689481529173e-01f;
  r = r * t + 1.0006455973808026f;
  r = r * t - 1.265534172463374f;
  // a^2 = ah^2 + (a + ah)(a - ah), with ah = a to 12 bits: ah^2 is exact, and exp gets -a^2 + r unrounded.
  const float ah = from_bits(to_bits(a) & static_cast<int32_t>(0xfffff000));
  const float y = t * exp_hi_lo(-(ah * ah), r - (a + ah) * (a - ah));
  return a > 10.5f ? 0.0f : y;  // and no inf - inf for a = inf
}

KILN_ALWAYS_INLINE float erf(float x) {
  const float a = x < 0 ? -x : x;
  float big = 1.0f - erfc_tail(a);
  big = x < 0 ? -big : big;
  return x != x ? x : (a < 1.0f ? erf_small(x) : big);
}

KILN_ALWAYS_INLINE float erfc(float x) {
  const float a = x < 0 ? -x : x;
  const float tail = erfc_tail(a);
  const float r = x < 0.5f ? (x > -1.0f ? 1.0f - erf_small(x) : 2.0f - tail) : tail;
  return x != x ? x : r;
}

// gelu (the erf form) and its derivative from the normal tail q = Phi(-s), s = |x|: gelu(x) = x Phi(x) is
// max(x, 0) - s q for either sign, with no cancellation, and Phi(x) is q or 1 - q. q = M(s) exp(-s^2 / 2), M the
// Mills ratio Phi(-s) exp(s^2 / 2) as a rational function of degree 4 over 5 (minimax relative fit on s in
// [0, 14.5], 6e-9; 2e-8 with float coefficients). Its coefficients are all positive, so Horner's rule cannot
// cancel: M is within 2-6 ulp everywhere, 0.5-1 on average. Past s = 14.5 s is clamped: gelu is then x or -0, and
// q and the density round to 0. exp(-s^2 / 2) = 2^w for w = -s^2 log2(e) / 2, as 2^n 2^(w - n) with n = rint(w)
// and 2^(w - n) by a polynomial (2e-9). The rounding of w limits the far tail (x < -4) to a relative error of
// about x^2 2^-24. Fused multiply-adds throughout (gelu is bound by its arithmetic). gelu_avx512.cpp runs the same
// operations, with the same bits for every float (checked over all 2^32). Against the form of sessions 4-28
// (erfc(|x| / sqrt 2) as t exp(-x^2 / 2) P(t), t = 1 / (1 + |x| / (2 sqrt 2)), P of degree 10, exp by Cody-Waite):
// 27 -> 18 multiplies and fused multiply-adds a vector, no blends for the sign, and half the error (mean and max).
namespace gelu_detail {

constexpr float kTailMax = 14.5f;
constexpr float kHalfLog2e = 0.72134752044448170368f;  // log2(e) / 2
constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

// M(s) = N(s) / D(s), coefficients highest power first; D is monic, and N(0) = D(0) / 2 (exact), so M(0) = 1/2.
constexpr float kMillsN[] = {3.989469111e-01f, 3.938105583e+00f, 1.775881958e+01f, 4.247869873e+01f};
constexpr float kMillsD[] = {9.871992111e+00f, 4.550025177e+01f, 1.165443039e+02f, 1.622867432e+02f, 9.691790771e+01f};

KILN_ALWAYS_INLINE float mills_ratio(float s) {
  const float n = madd<true>(horner(kMillsN, s), s, 0.5f * kMillsD[4]);
  float d = s + kMillsD[0];
#pragma GCC unroll 16
  for (int i = 1; i < 5; ++i) d = madd<true>(d, s, kMillsD[i]);
  return n / d;
}

// 2^f for f in [-1/2, 1/2], highest power first.
constexpr float kExp2[] = {1.535336172e-04f, 1.339887448e-03f, 9.618437359e-03f, 5.550332471e-02f,
                           2.402264791e-01f, 6.931472029e-01f, 1.0f};

// Phi(-s) for s >= 0 (a NaN is taken as kTailMax), and exp(-s^2 / 2) in *gauss.
KILN_ALWAYS_INLINE float normal_tail(float s, float* gauss) {
  const float sc = s < kTailMax ? s : kTailMax;
  const float w = (sc * sc) * -kHalfLog2e;
  const float n = __builtin_rintf(w);
  // p 2^n rounded once, as vscalefps does: n >= -152, so p 2^(n + 64) is a normal number (exact) and only the
  // product with 2^-64 rounds.
  const float e = horner(kExp2, w - n) * from_bits((static_cast<int32_t>(n) + 127 + 64) << 23) * 0x1p-64f;
  *gauss = e;
  return mills_ratio(sc) * e;
}

}  // namespace gelu_detail

// x Phi(x). NaN, +-0 and +inf give themselves, -inf NaN (as PyTorch's x (1 + erf) / 2: -inf * 0).
KILN_ALWAYS_INLINE float gelu_erf(float x) {
  const float s = __builtin_fabsf(x);
  float gauss;
  const float q = gelu_detail::normal_tail(s, &gauss);
  const float r = madd<true>(-s, q, x > -0.0f ? x : -0.0f);  // -0 for x < 0, so that an underflow keeps its sign
  constexpr float kInf = __builtin_inff();
  return x != x || x == 0.0f || x == kInf ? x : (x == -kInf ? from_bits(static_cast<int32_t>(0xffc00000u)) : r);
}

// g gelu'(x) = g (Phi(x) + x exp(-x^2 / 2) / sqrt(2 pi)).
KILN_ALWAYS_INLINE float gelu_erf_grad(float g, float x) {
  float gauss;
  const float q = gelu_detail::normal_tail(__builtin_fabsf(x), &gauss);
  const float cdf = x < 0.0f ? q : 1.0f - q;
  return g * madd<true>(x, gelu_detail::kInvSqrt2Pi * gauss, cdf);
}

// ---- sinh and cosh, in double: exp(a) for a = |x| as 2^n exp(r), r = a - n ln2 in [-ln2/2, ln2/2], exp(r) by its
// Taylor series to r^10 (relative error under 1e-11), 2^n made from bits (n + 1023 in the low bits of a double
// offset by 2^52, so that no double-to-int64 conversion is needed, which AVX2 lacks). Below |x| = 0.5 sinh is its
// own series to x^11 (no cancellation of e - 1/e). The float results are correctly rounded but for rare ties;
// glibc's scalar sinhf took ~10 ns an element.
namespace hyperbolic_detail {

// exp(r) for |r| <= ln2 / 2 by its Taylor series to r^10.
KILN_ALWAYS_INLINE double exp_near_zero(double r) {
  constexpr double kInverseFactorials[] = {1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24,
                                           1.0 / 6,      0.5,          1.0,          1.0};  // 1/9! .. 1/0!
  double p = 1.0 / 3628800;
  for (double c : kInverseFactorials) p = p * r + c;
  return p;
}

// 2^n for an integral n in [-1022, 1023].
KILN_ALWAYS_INLINE double pow2(double n) {
  constexpr double kShift = 4503599627370496.0;  // 2^52
  const double biased = n + 1023.0 + kShift;
  uint64_t bits;  // unsigned: the shift drops biased's own exponent bits, with no overflow
  std::memcpy(&bits, &biased, sizeof bits);
  bits <<= 52;  // the low bits held n + 1023: now the exponent field of 2^n
  double scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return scale;
}

KILN_ALWAYS_INLINE double exp_of_abs(double a) {  // a in [0, 100]
  constexpr double kLog2e = 1.4426950408889634, kLn2 = 0.6931471805599453;
  const double n = std::nearbyint(a * kLog2e);
  return exp_near_zero(a - n * kLn2) * pow2(n);
}

}  // namespace hyperbolic_detail

KILN_ALWAYS_INLINE float sinh(float x) {
  const double a0 = std::fabs(static_cast<double>(x)), a = a0 < 100.0 ? a0 : 100.0;  // sinh(100) overflows float
  const double z = a * a;
  constexpr double kOddInverseFactorials[] = {1.0 / 362880, 1.0 / 5040, 1.0 / 120, 1.0 / 6};  // 1/9! .. 1/3!
  double s = 1.0 / 39916800;
  for (double c : kOddInverseFactorials) s = s * z + c;
  const double e = hyperbolic_detail::exp_of_abs(a);
  const double r = a < 0.5 ? a + a * z * s : 0.5 * e - 0.5 / e;
  return x != x ? x : std::copysign(static_cast<float>(r), x);
}

KILN_ALWAYS_INLINE float cosh(float x) {
  const double a0 = std::fabs(static_cast<double>(x)), a = a0 < 100.0 ? a0 : 100.0;
  const double e = hyperbolic_detail::exp_of_abs(a);
  return x != x ? x : static_cast<float>(0.5 * e + 0.5 / e);
}

}  // namespace kiln::cpu::vm
