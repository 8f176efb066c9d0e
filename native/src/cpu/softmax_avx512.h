// The exp pass of contiguous float32 softmax, log_softmax and cross-entropy rows with AVX-512 intrinsics:
// vm::exp_nonpositive operation for operation, its 2^n one vscalefps and its clamps two vmaxps (GCC vectorizes the
// scalar form's selects into compares and blends, and its 2^n into integer shifts and two products: ~2x the
// instructions). The max and the passes after the exps are the shared ones (row_max.h, softmax_row.h), so each row
// gives the bits of softmax.cpp's portable loop (test_softmax, test_isa_bits); cross-entropy's sum keeps the
// lanes of cross_entropy.cpp's loop.
#pragma once
#include <cstdint>

namespace kiln::cpu {

// y = softmax(x) (log_softmax when log) of one row of n elements; false (nothing done) where AVX-512 may not run.
bool softmax_row_avx512(float* y, const float* x, int64_t n, bool log);

// *sum = sum(exp(x - m)) of one row of n elements, x - m <= 0, with the bits of cross_entropy.cpp's sum_exp; the
// exps are stored in e too unless it is null. false (nothing done) where AVX-512 may not run.
bool sum_exp_avx512(const float* x, int64_t n, float m, float* e, float* sum);

}  // namespace kiln::cpu
