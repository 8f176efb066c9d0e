// gelu (the erf form) over contiguous float32 runs with AVX-512 intrinsics, for the steps GCC cannot vectorize
// as well from vm::gelu_erf: the scaling by 2^n is one vscalefps here (five instructions there), and the special
// values one vfixupimmps (three compares and blends). The same arithmetic otherwise, so the same bits (checked
// over every float32, and by test_isa_bits against the builds without AVX-512).
#pragma once
#include <cstdint>

namespace kiln::cpu {

// out = gelu(x) over n elements; false (nothing done) where AVX-512 may not run.
bool gelu_forward_avx512(float* out, const float* x, int64_t n);

// out = g * gelu'(x) over n elements; false where AVX-512 may not run.
bool gelu_backward_avx512(float* out, const float* g, const float* x, int64_t n);

}  // namespace kiln::cpu
