#include "cpu/tanh_avx512.h"

#include "cpu/simd.h"
#include "cpu/vec_math.h"

#if defined(KILN_ISA_AVX512) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define KILN_TANH_AVX512 1
#endif

namespace kiln::cpu {

#if defined(KILN_TANH_AVX512)
namespace {

// GCC 12's intrinsics (abs, roundscale, min) start from a self-initialised "undefined" vector, which
// -Wmaybe-uninitialized flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define KILN_AVX512 __attribute__((target("avx512f"), always_inline)) inline

KILN_AVX512 __m512 splat(float v) { return _mm512_set1_ps(v); }

// vm::tanh for 16 lanes (see there for the method). Its products and sums stay unfused where it writes them so;
// exp_in_range's 2^n in two factors is exact wherever it does not overflow (2|x| is at most 100 here), as is
// vscalefps, and both overflow to +inf together.
KILN_AVX512 __m512 tanh16(__m512 x) {
  const __m512 a = _mm512_abs_ps(x);
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 p = splat(vm::kTanhPoly[0]);
#pragma GCC unroll 4
  for (int i = 1; i < 5; ++i) p = _mm512_add_ps(_mm512_mul_ps(p, z), splat(vm::kTanhPoly[i]));
  const __m512 small = _mm512_add_ps(x, _mm512_mul_ps(_mm512_mul_ps(x, z), p));
  // exp(min(2|x|, 100)): a NaN lane becomes 100 (vminps returns its second operand), and is replaced below.
  const __m512 t = _mm512_min_ps(_mm512_add_ps(a, a), splat(vm::kExpClampHi));
  const __m512 n = _mm512_roundscale_ps(_mm512_fmadd_ps(t, splat(vm::kLog2e), splat(0.5f)),
                                        _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  const __m512 r = _mm512_fnmadd_ps(n, splat(vm::kLn2Lo), _mm512_fnmadd_ps(n, splat(vm::kLn2Hi), t));
  __m512 q = splat(vm::kExpPoly[0]);
#pragma GCC unroll 8
  for (int i = 1; i < 6; ++i) q = _mm512_fmadd_ps(q, r, splat(vm::kExpPoly[i]));
  const __m512 e = _mm512_scalef_ps(_mm512_add_ps(_mm512_fmadd_ps(q, _mm512_mul_ps(r, r), r), splat(1.0f)), n);
  const __m512 large = _mm512_sub_ps(splat(1.0f), _mm512_div_ps(splat(2.0f), _mm512_add_ps(e, splat(1.0f))));
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN));
  const __m512 signed_large = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(large), sign));
  const __m512 y = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, splat(vm::kTanhSmall), _CMP_LT_OQ), signed_large, small);
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), y, x);
}

// Full vectors unmasked, then the tail.
__attribute__((target("avx512f"))) void forward(float* out, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, tanh16(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(out + i, m, tanh16(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

#pragma GCC diagnostic pop

}  // namespace
#endif

bool tanh_avx512(float* out, const float* x, int64_t n) {
#if defined(KILN_TANH_AVX512)
  if (!avx512_supported()) return false;
  forward(out, x, n);
  return true;
#else
  (void)out, (void)x, (void)n;
  return false;
#endif
}

}  // namespace kiln::cpu
