// AVX-512 16 x 16 float transposes in registers, for kernels that move data between channels-first tensors and
// channels-last working buffers (weight_grad_f32.cpp, winograd.cpp). Callers check avx512_supported() first and
// keep a portable path for other CPUs and compilers.
#pragma once

#include "cpu/simd.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#define KILN_HAS_AVX512 1
#define KILN_AVX512 __attribute__((target("avx512f")))

namespace kiln::cpu {

// GCC 12's shuffle intrinsics start from a self-initialised "undefined" vector, which -Wmaybe-uninitialized flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// r[i] <- the i-th column of the 16 x 16 block whose rows are r[0..15].
KILN_AVX512 inline __attribute__((always_inline)) void transpose16(__m512* r) {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]),
                  c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
    r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm512_shuffle_f32x4(r[i], r[4 + i], 0x88);
    t[4 + i] = _mm512_shuffle_f32x4(r[i], r[4 + i], 0xdd);
    t[8 + i] = _mm512_shuffle_f32x4(r[8 + i], r[12 + i], 0x88);
    t[12 + i] = _mm512_shuffle_f32x4(r[8 + i], r[12 + i], 0xdd);
  }
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
    r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xdd);
  }
}

// dst[c * ldd + r] = src[r * lds + c] for r < rows and c < cols, in 16 x 16 blocks; dst's entries for r from rows
// up to rows_out (at most rows rounded up to 16) are zeros. stream: dst's whole lines are written by streaming
// stores (stream_store.h; the caller fences), where dst and ldd keep them aligned.
KILN_AVX512 inline void transpose_plane(const float* src, int64_t lds, int64_t rows, int64_t rows_out, int64_t cols,
                                        float* dst, int64_t ldd, bool stream = false) {
  stream = stream && reinterpret_cast<uintptr_t>(dst) % 64 == 0 && ldd % 16 == 0;
  for (int64_t r0 = 0; r0 < rows_out; r0 += 16) {
    const int64_t live = std::min<int64_t>(16, rows - r0);
    const __mmask16 out_mask = static_cast<__mmask16>((1u << std::min<int64_t>(16, rows_out - r0)) - 1);
    for (int64_t c0 = 0; c0 < cols; c0 += 16) {
      const int64_t count = std::min<int64_t>(16, cols - c0);
      const __mmask16 mask = static_cast<__mmask16>((1u << count) - 1);
      __m512 r[16];
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i)
        r[i] = i < live ? _mm512_maskz_loadu_ps(mask, src + (r0 + i) * lds + c0) : _mm512_setzero_ps();
      transpose16(r);
      if (stream && out_mask == 0xFFFF)
        for (int64_t j = 0; j < count; ++j) _mm512_stream_ps(dst + (c0 + j) * ldd + r0, r[j]);
      else
        for (int64_t j = 0; j < count; ++j) _mm512_mask_storeu_ps(dst + (c0 + j) * ldd + r0, out_mask, r[j]);
    }
  }
}

#pragma GCC diagnostic pop

}  // namespace kiln::cpu
#endif
