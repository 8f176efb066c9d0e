// gelu (the erf form) over contiguous float32 runs with AVX-512 intrinsics, for the one step GCC cannot vectorize
// from vm::normal_cdf: exp's scaling by 2^n is one vscalefps here, against five instructions there. The same
// arithmetic otherwise, so the same bits (checked over every float32, and by test_isa_bits against the builds
// without AVX-512): 0.49 -> 0.44 ns an element on one core.
#pragma once
#include <cstdint>

namespace kiln::cpu {

// out = gelu(x) over n elements; false (nothing done) where AVX-512 may not run.
bool gelu_forward_avx512(float* out, const float* x, int64_t n);

// out = g * gelu'(x) over n elements; false where AVX-512 may not run.
bool gelu_backward_avx512(float* out, const float* g, const float* x, int64_t n);

}  // namespace kiln::cpu
