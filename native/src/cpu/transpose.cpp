#include "cpu/transpose.h"

#include <algorithm>

#include "cpu/simd.h"
#include "cpu/transpose16.h"

namespace kiln::cpu {
namespace {

typedef float V8 __attribute__((vector_size(32)));
typedef float V8u __attribute__((vector_size(32), aligned(4), may_alias));  // rows at any float boundary

// r[i] <- the i-th column of the 8 x 8 block whose rows are r[0..7]: pairs, then quads, then halves interleaved,
// as GCC's generic shuffles that each ISA clone turns into its own instructions.
KILN_ALWAYS_INLINE void transpose8(V8* r) {
  V8 t[8], s[8];
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[2 * i + 1] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (int h = 0; h < 2; ++h)
    for (int i = 0; i < 2; ++i) {
      const V8 a = t[4 * h + i], b = t[4 * h + i + 2];
      s[4 * h + 2 * i] = __builtin_shufflevector(a, b, 0, 1, 8, 9, 4, 5, 12, 13);
      s[4 * h + 2 * i + 1] = __builtin_shufflevector(a, b, 2, 3, 10, 11, 6, 7, 14, 15);
    }
  for (int i = 0; i < 4; ++i) {
    r[i] = __builtin_shufflevector(s[i], s[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    r[i + 4] = __builtin_shufflevector(s[i], s[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

// Blocks of 8 x 8 through registers: rows past `rows` load as zeros (the padding up to rows_out comes out of the
// same stores), and only the columns left over and a last block of fewer than 8 output rows go element by
// element. The scalar loop it replaces ran the Fashion-MNIST CNN's step 5-8% slower on the AVX2 build (its
// stores jumped a whole row each).
KILN_SIMD void transpose8_blocks(const float* src, int64_t lds, int64_t rows, int64_t rows_out, int64_t cols,
                                 float* dst, int64_t ldd) {
  for (int64_t r0 = 0; r0 < rows_out; r0 += 8) {
    const int64_t live = std::clamp<int64_t>(rows - r0, 0, 8), out = std::min<int64_t>(8, rows_out - r0);
    int64_t c0 = 0;
    if (out == 8)
      for (; c0 + 8 <= cols; c0 += 8) {
        // Loads and stores of whole vectors: copies through memory (memcpy) came back as two halves that the
        // full-width load could not take from the store buffer, a stall that took half of the function's time.
        V8 r[8];
        for (int i = 0; i < 8; ++i) r[i] = i < live ? *reinterpret_cast<const V8u*>(src + (r0 + i) * lds + c0) : V8{};
        transpose8(r);
        for (int j = 0; j < 8; ++j) *reinterpret_cast<V8u*>(dst + (c0 + j) * ldd + r0) = r[j];
      }
    for (; c0 < cols; ++c0)
      for (int64_t i = 0; i < out; ++i) dst[c0 * ldd + r0 + i] = i < live ? src[(r0 + i) * lds + c0] : 0.0f;
  }
}

}  // namespace

void transpose_block(const float* src, int64_t lds, int64_t rows, int64_t rows_out, int64_t cols, float* dst,
                     int64_t ldd, bool stream) {
#ifdef KILN_HAS_AVX512
  if (avx512_supported()) return transpose_plane(src, lds, rows, rows_out, cols, dst, ldd, stream);
#endif
  (void)stream;
  transpose8_blocks(src, lds, rows, rows_out, cols, dst, ldd);
}

}  // namespace kiln::cpu
