// Transposes of float planes, for kernels that move data between channels-first tensors and channels-last
// working buffers (winograd.cpp): 16 x 16 blocks in AVX-512 registers where the CPU has them (transpose16.h),
// else 8 x 8 blocks in whatever vectors the CPU has (AVX2, SSE2).
#pragma once
#include <cstdint>

namespace kiln::cpu {

// dst[c * ldd + r] = src[r * lds + c] for r < rows and c < cols; dst's entries for r from rows up to rows_out
// (at most rows rounded up to 16) are zeros. stream: for a dst past the last-level cache, the AVX-512 path
// writes dst's aligned whole lines by streaming stores; the caller then calls stream_fence().
void transpose_block(const float* src, int64_t lds, int64_t rows, int64_t rows_out, int64_t cols, float* dst,
                     int64_t ldd, bool stream = false);

}  // namespace kiln::cpu
