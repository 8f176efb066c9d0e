// The exp pass of contiguous float32 softmax and log_softmax rows with AVX-512 intrinsics: vm::exp_nonpositive
// operation for operation, its 2^n one vscalefps and its clamps two vmaxps (GCC vectorizes the scalar form's
// selects into compares and blends, and its 2^n into integer shifts and two products: ~2x the instructions). The
// max and the passes after the exps are the shared ones (row_max.h, softmax_row.h), so each row gives the bits of
// softmax.cpp's portable loop (test_softmax, test_isa_bits).
#pragma once
#include <cstdint>

namespace kiln::cpu {

// y = softmax(x) (log_softmax when log) of one row of n elements; false (nothing done) where AVX-512 may not run.
bool softmax_row_avx512(float* y, const float* x, int64_t n, bool log);

}  // namespace kiln::cpu
