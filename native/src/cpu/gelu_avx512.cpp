#include "cpu/gelu_avx512.h"

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

// vm::gelu_detail::normal_tail(|x|, gauss) for 16 lanes, operation for operation (see there for the method); s
// gets |x|.
KILN_AVX512 __m512 normal_tail16(__m512 x, __m512* s, __m512* gauss) {
  namespace gd = vm::gelu_detail;
  *s = _mm512_abs_ps(x);
  const __m512 sc = _mm512_min_ps(*s, splat(gd::kTailMax));  // s < max ? s : max, so a NaN becomes max
  __m512 num = splat(gd::kMillsN[0]);
#pragma GCC unroll 16
  for (int i = 1; i < 4; ++i) num = _mm512_fmadd_ps(num, sc, splat(gd::kMillsN[i]));
  num = _mm512_fmadd_ps(num, sc, splat(0.5f * gd::kMillsD[4]));
  __m512 den = _mm512_add_ps(sc, splat(gd::kMillsD[0]));
#pragma GCC unroll 16
  for (int i = 1; i < 5; ++i) den = _mm512_fmadd_ps(den, sc, splat(gd::kMillsD[i]));
  const __m512 w = _mm512_mul_ps(_mm512_mul_ps(sc, sc), splat(-gd::kHalfLog2e));
  const __m512 n = _mm512_roundscale_ps(w, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m512 f = _mm512_sub_ps(w, n);
  __m512 e = splat(gd::kExp2[0]);
#pragma GCC unroll 16
  for (int i = 1; i < 7; ++i) e = _mm512_fmadd_ps(e, f, splat(gd::kExp2[i]));
  *gauss = _mm512_scalef_ps(e, n);  // e 2^n, rounded once
  return _mm512_mul_ps(_mm512_div_ps(num, den), *gauss);
}

// vm::gelu_erf for 16 lanes.
KILN_AVX512 __m512 gelu16(__m512 x) {
  __m512 s, gauss;
  const __m512 q = normal_tail16(x, &s, &gauss);
  const __m512 r = _mm512_fnmadd_ps(s, q, _mm512_max_ps(x, splat(-0.0f)));  // x > -0 ? x : -0
  // The special values by class (one token a class, four bits each): NaN, +-0 and +inf give x, -inf the default
  // NaN (0xffc00000), finite nonzero x (classes +1, negative, positive) r.
  constexpr int kTokens = 0x00130111;
  return _mm512_fixupimm_ps(r, x, _mm512_set1_epi32(kTokens), 0);
}

// vm::gelu_erf_grad for 16 lanes.
KILN_AVX512 __m512 gelu_grad16(__m512 g, __m512 x) {
  __m512 s, gauss;
  const __m512 q = normal_tail16(x, &s, &gauss);
  const __m512 cdf = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, splat(0.0f), _CMP_LT_OQ),
                                          _mm512_sub_ps(splat(1.0f), q), q);
  const __m512 density = _mm512_mul_ps(splat(vm::gelu_detail::kInvSqrt2Pi), gauss);
  return _mm512_mul_ps(g, _mm512_fmadd_ps(x, density, cdf));
}

// The mask of the lanes of the vector at element i that are below n.
KILN_AVX512 __mmask16 lanes(int64_t i, int64_t n) {
  return static_cast<__mmask16>((1u << (n - i)) - 1);
}

// Full vectors unmasked (the mask costs ~8% in this loop), then the tail.
__attribute__((target("avx512f"))) void forward(float* out, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, gelu16(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = lanes(i, n);
    _mm512_mask_storeu_ps(out + i, m, gelu16(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

__attribute__((target("avx512f"))) void backward(float* out, const float* g, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(out + i, gelu_grad16(_mm512_loadu_ps(g + i), _mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = lanes(i, n);
    _mm512_mask_storeu_ps(out + i, m, gelu_grad16(_mm512_maskz_loadu_ps(m, g + i), _mm512_maskz_loadu_ps(m, x + i)));
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
