#include "cpu/half_avx512.h"

#include <cstring>

#include "cpu/simd.h"

#if defined(KILN_ISA_AVX512) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define KILN_HALF_AVX512 1
#endif

namespace kiln::cpu {

#if defined(KILN_HALF_AVX512)
namespace {

// GCC 12's intrinsics start from a self-initialised "undefined" vector, which -Wmaybe-uninitialized flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define KILN_AVX512 __attribute__((target("avx512f"), always_inline)) inline

// 16 float16 values (as 16-bit lanes of h) widened. A NaN keeps its quiet bit (bit 9) as bit 22, where
// vcvtph2ps sets it: the lanes that are NaNs get bit 22 flipped when the half's bit 9 is clear.
KILN_AVX512 __m512 widen16(__m256i h) {
  const __m512 f = _mm512_cvtph_ps(h);
  const __m512i bits = _mm512_cvtepu16_epi32(h);
  const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(bits, _mm512_set1_epi32(0x7fff)),
                                                _mm512_set1_epi32(0x7c00));
  const __m512i flip = _mm512_slli_epi32(_mm512_andnot_si512(bits, _mm512_set1_epi32(0x200)), 13);
  return _mm512_castsi512_ps(_mm512_mask_xor_epi32(_mm512_castps_si512(f), nan, _mm512_castps_si512(f), flip));
}

// 16 floats rounded to float16 bits. A NaN lane is first replaced by the quiet NaN with its sign and no payload,
// which converts to 0x7e00 with that sign.
KILN_AVX512 __m256i narrow16(__m512 f) {
  const __mmask16 nan = _mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q);
  const __m512i quiet = _mm512_or_si512(_mm512_and_si512(_mm512_castps_si512(f), _mm512_set1_epi32(INT32_MIN)),
                                        _mm512_set1_epi32(0x7fc00000));
  return _mm512_cvtps_ph(_mm512_mask_mov_ps(f, nan, _mm512_castsi512_ps(quiet)),
                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

// Plain loads and stores but for a tail of fewer than 16 elements (masked loads are slow on some CPUs: Zen 4),
// which goes through a buffer (16-bit masks need AVX-512 BW; avx512_supported() promises only F).
__attribute__((target("avx512f"))) void widen(float* dst, const uint16_t* src, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(dst + i, widen16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i))));
  if (i < n) {
    uint16_t tail[16] = {};
    std::memcpy(tail, src + i, static_cast<size_t>(n - i) * sizeof(uint16_t));
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(dst + i, m, widen16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(tail))));
  }
}

__attribute__((target("avx512f"))) void narrow(uint16_t* dst, const float* src, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), narrow16(_mm512_loadu_ps(src + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    uint16_t tail[16];
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(tail), narrow16(_mm512_maskz_loadu_ps(m, src + i)));
    std::memcpy(dst + i, tail, static_cast<size_t>(n - i) * sizeof(uint16_t));
  }
}

#pragma GCC diagnostic pop

}  // namespace
#endif

bool half_to_float_avx512(float* dst, const uint16_t* src, int64_t n) {
#if defined(KILN_HALF_AVX512)
  if (!avx512_supported()) return false;
  widen(dst, src, n);
  return true;
#else
  (void)dst, (void)src, (void)n;
  return false;
#endif
}

bool float_to_half_avx512(uint16_t* dst, const float* src, int64_t n) {
#if defined(KILN_HALF_AVX512)
  if (!avx512_supported()) return false;
  narrow(dst, src, n);
  return true;
#else
  (void)dst, (void)src, (void)n;
  return false;
#endif
}

}  // namespace kiln::cpu
