// float32 tanh over contiguous runs with AVX-512 intrinsics: vm::tanh operation for operation, its 2^n one
// vscalefps (GCC builds it from integer shifts and two products) and its selects two masked blends. The same bits
// as the portable form (checked over every float32, and by test_isa_bits against the builds without AVX-512).
#pragma once
#include <cstdint>

namespace kiln::cpu {

// out = tanh(x) over n elements; false (nothing done) where AVX-512 may not run.
bool tanh_avx512(float* out, const float* x, int64_t n);

}  // namespace kiln::cpu
