#include "cpu/softmax_avx512.h"

#include "cpu/row_max.h"
#include "cpu/simd.h"
#include "cpu/softmax_row.h"
#include "cpu/vec_math.h"

#if defined(KILN_ISA_AVX512) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define KILN_SOFTMAX_AVX512 1
#endif

namespace kiln::cpu {

#if defined(KILN_SOFTMAX_AVX512)
namespace {

// GCC 12's intrinsics (roundscale, max) start from a self-initialised "undefined" vector, which
// -Wmaybe-uninitialized flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define KILN_AVX512 __attribute__((target("avx512f"), always_inline)) inline

KILN_AVX512 __m512 splat(float v) { return _mm512_set1_ps(v); }

// vm::exp_nonpositive for 16 lanes: the clamps' selects are vmaxps with the same operand order (a NaN stays),
// rint a vroundscaleps (a NaN needs no guard here: vscalefps takes it), p 2^n one vscalefps, rounded once.
KILN_AVX512 __m512 exp_nonpositive16(__m512 x) {
  const __m512 xc = _mm512_max_ps(splat(-110.0f), x);
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, splat(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m512 r = _mm512_fnmadd_ps(n, splat(-2.12194440e-4f), _mm512_fnmadd_ps(n, splat(0.693359375f), xc));
  __m512 p = splat(vm::kExpPoly[0]);
#pragma GCC unroll 8
  for (int i = 1; i < 6; ++i) p = _mm512_fmadd_ps(p, r, splat(vm::kExpPoly[i]));
  p = _mm512_fmadd_ps(_mm512_fmadd_ps(p, r, splat(1.0f)), r, splat(1.0f));
  return _mm512_scalef_ps(p, n);
}

// softmax.cpp's softmax_row for float32, with the exps in intrinsics.
__attribute__((target("avx512f"))) void row(float* y, const float* x, int64_t n, bool log) {
  const float m = row_max(x, n);
  const __m512 mv = splat(m);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __builtin_prefetch(x + n + i, 0, 2);  // the next row, while the exps run (see softmax.cpp)
    _mm512_storeu_ps(y + i, exp_nonpositive16(_mm512_sub_ps(_mm512_loadu_ps(x + i), mv)));
  }
  if (i < n) {
    const __mmask16 k = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(y + i, k, exp_nonpositive16(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), mv)));
  }
  softmax_finish(y, x, n, m, log);
}

// cross_entropy.cpp's sum_exp for float32, lane for lane: two accumulators hold its 32 lanes, its tail is summed
// on its own from 0, and the lanes are combined by halves in its order.
__attribute__((target("avx512f"))) float sum_exp(const float* x, int64_t n, float m, float* e) {
  const __m512 mv = splat(m);
  __m512 low = _mm512_setzero_ps(), high = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __builtin_prefetch(x + n + i, 0, 2);  // the next row, as in row()
    __builtin_prefetch(x + n + i + 16, 0, 2);
    const __m512 a = exp_nonpositive16(_mm512_sub_ps(_mm512_loadu_ps(x + i), mv));
    const __m512 b = exp_nonpositive16(_mm512_sub_ps(_mm512_loadu_ps(x + i + 16), mv));
    if (e) {
      _mm512_storeu_ps(e + i, a);
      _mm512_storeu_ps(e + i + 16, b);
    }
    low = _mm512_add_ps(low, a);
    high = _mm512_add_ps(high, b);
  }
  alignas(64) float tail[32];
  const int64_t left = n - i;
  for (int64_t k = 0; k < left; k += 16) {
    const __mmask16 in = left - k >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (left - k)) - 1);
    const __m512 v = exp_nonpositive16(_mm512_sub_ps(_mm512_maskz_loadu_ps(in, x + i + k), mv));
    _mm512_mask_storeu_ps(tail + k, in, v);
    if (e) _mm512_mask_storeu_ps(e + i + k, in, v);
  }
  float tail_sum = 0;
  for (int64_t k = 0; k < left; ++k) tail_sum += tail[k];
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, _mm512_add_ps(low, high));
  for (int w = 8; w > 0; w /= 2)
    for (int j = 0; j < w; ++j) lanes[j] += lanes[j + w];
  return lanes[0] + tail_sum;
}

#pragma GCC diagnostic pop

}  // namespace
#endif

bool softmax_row_avx512(float* y, const float* x, int64_t n, bool log) {
#if defined(KILN_SOFTMAX_AVX512)
  if (!avx512_supported()) return false;
  row(y, x, n, log);
  return true;
#else
  (void)y, (void)x, (void)n, (void)log;
  return false;
#endif
}

bool sum_exp_avx512(const float* x, int64_t n, float m, float* e, float* sum) {
#if defined(KILN_SOFTMAX_AVX512)
  if (!avx512_supported()) return false;
  *sum = sum_exp(x, n, m, e);
  return true;
#else
  (void)x, (void)n, (void)m, (void)e, (void)sum;
  return false;
#endif
}

}  // namespace kiln::cpu
