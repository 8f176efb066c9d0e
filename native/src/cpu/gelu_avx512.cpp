#include "cpu/gelu_avx512.h"

#include "cpu/activation_fns.h"
#include "cpu/simd.h"
#include "cpu/vec_math.h"

#if defined(KILN_ISA_AVX512) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define KILN_GELU_AVX512 1
#endif

namespace kiln::cpu {

#if defined(KILN_GELU_AVX512)
namespace {

// GCC 12's intrinsics (abs, roundscale, min) start from a self-initialised "undefined" vector, which
// -Wmaybe-uninitialized flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define KILN_AVX512 __attribute__((target("avx512f"), always_inline)) inline

KILN_AVX512 __m512 splat(float v) { return _mm512_set1_ps(v); }

// vm::normal_cdf(x, gauss) for 16 lanes, operation for operation (see there for the method).
KILN_AVX512 __m512 normal_cdf16(__m512 x, __m512* gauss) {
  const __m512 a = _mm512_mul_ps(_mm512_abs_ps(x), splat(0.70710678118654752440f));
  const __m512 t = _mm512_div_ps(splat(1.0f), _mm512_fmadd_ps(splat(0.5f), a, splat(1.0f)));
  __m512 half_p = splat(0.5f * 3.529966989551346e-02f);
  half_p = _mm512_fmadd_ps(half_p, t, splat(0.5f * -1.8812295809263455e-01f));
  half_p = _mm512_fmadd_ps(half_p, t, splat(0.5f * 3.734855714121868e-01f));
  half_p = _mm512_fmadd_ps(half_p, t, splat(0.5f * -2.7715850603075287e-01f));
  half_p = _mm512_fmadd_ps(half_p, t, splat(0.5f * -3.4323164934657854e-02f));
  half_p = _mm512_fmadd_ps(half_p, t, splat(0.5f * 4.3526674313223636e-02f));
  half_p = _mm512_fmadd_ps(half_p, t, splat(0.5f * 5.132250201125796e-02f));
  half_p = _mm512_fmadd_ps(half_p, t, splat(0.5f * 1.86615711300775e-01f));
  half_p = _mm512_fmadd_ps(half_p, t, splat(0.5f * 2.4499583521714896e-01f));
  half_p = _mm512_fmadd_ps(half_p, t, splat(0.5f * 2.8227095112827966e-01f));
  half_p = _mm512_fmadd_ps(half_p, t, splat(0.5f * 2.82087718161015e-01f));
  const __m512 a2 = _mm512_mul_ps(a, a);
  const __m512 a2c = _mm512_min_ps(a2, splat(-vm::kExpMin));  // a2 < -kExpMin ? a2 : -kExpMin (NaN too)
  // vm::exp_nonpositive(-a2c): n = floor(-a2c log2e + 1/2), r = (-a2c - n ln2hi) - n ln2lo.
  const __m512 n = _mm512_roundscale_ps(_mm512_fnmadd_ps(a2c, splat(1.44269504088896341f), splat(0.5f)),
                                        _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  const __m512 r = _mm512_fnmadd_ps(n, splat(-2.12194440e-4f), _mm512_fnmsub_ps(n, splat(0.693359375f), a2c));
  __m512 p = splat(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, splat(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, splat(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, splat(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, splat(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, splat(5.0000001201e-1f));
  p = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), splat(1.0f));
  const __m512 e = _mm512_scalef_ps(p, n);  // p 2^n, rounded once, as the two products there
  *gauss = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a2, splat(-vm::kExpMin), _CMP_NGT_UQ), e);
  const __m512 half_tp = _mm512_mul_ps(t, half_p);
  const __m512 below = _mm512_mul_ps(half_tp, e), above = _mm512_fnmadd_ps(half_tp, e, splat(1.0f));
  const __m512 phi = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, splat(0.0f), _CMP_LT_OQ), above, below);
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), phi, x);
}

// The mask of the lanes of the vector at element i that are below n.
KILN_AVX512 __mmask16 lanes(int64_t i, int64_t n) {
  return n - i >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (n - i)) - 1);
}

__attribute__((target("avx512f"))) void forward(float* out, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = lanes(i, n);
    const __m512 xv = _mm512_maskz_loadu_ps(m, x + i);
    __m512 gauss;
    _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(xv, normal_cdf16(xv, &gauss)));
  }
}

// act::GeluErf::bwd: g * (cdf + x * (1/sqrt(2 pi) * gauss)).
__attribute__((target("avx512f"))) void backward(float* out, const float* g, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 m = lanes(i, n);
    const __m512 xv = _mm512_maskz_loadu_ps(m, x + i), gv = _mm512_maskz_loadu_ps(m, g + i);
    __m512 gauss;
    const __m512 cdf = normal_cdf16(xv, &gauss);
    const __m512 density = _mm512_mul_ps(xv, _mm512_mul_ps(splat(act::GeluErf<float>::kInvSqrt2Pi), gauss));
    _mm512_mask_storeu_ps(out + i, m, _mm512_mul_ps(gv, _mm512_add_ps(cdf, density)));
  }
}

#pragma GCC diagnostic pop

}  // namespace
#endif

bool gelu_forward_avx512(float* out, const float* x, int64_t n) {
#if defined(KILN_GELU_AVX512)
  if (!avx512_supported()) return false;
  forward(out, x, n);
  return true;
#else
  (void)out, (void)x, (void)n;
  return false;
#endif
}

bool gelu_backward_avx512(float* out, const float* g, const float* x, int64_t n) {
#if defined(KILN_GELU_AVX512)
  if (!avx512_supported()) return false;
  backward(out, g, x, n);
  return true;
#else
  (void)out, (void)g, (void)x, (void)n;
  return false;
#endif
}

}  // namespace kiln::cpu
