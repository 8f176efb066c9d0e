// float16 <-> float32 over contiguous runs by the conversion instructions of AVX-512 (vcvtph2ps, vcvtps2ph), with
// the bits of half.h's portable conversions: the instructions round alike (to nearest even, to subnormals and
// infinities) and differ only on NaNs, which are fixed up (vcvtph2ps quiets a signalling NaN, half.h keeps it;
// vcvtps2ph keeps a NaN's payload, half.h and PyTorch give 0x7e00). The portable loops vectorize but take ~20
// instructions a vector each way, the most of float16 arithmetic's time (float32_chunks.h).
#pragma once
#include <cstdint>

namespace kiln::cpu {

// dst[i] = float(src[i]) for the float16 bits src, i < n; false (nothing done) where AVX-512 may not run.
bool half_to_float_avx512(float* dst, const uint16_t* src, int64_t n);

// dst[i] = the float16 bits of src[i], i < n; false where AVX-512 may not run.
bool float_to_half_avx512(uint16_t* dst, const float* src, int64_t n);

}  // namespace kiln::cpu
