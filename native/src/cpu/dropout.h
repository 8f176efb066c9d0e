// CPU kernel of the dropout ops (ops/dropout_ops.cpp): one pass that draws the keep-mask from the generator and
// writes the output. Unit i (an element, or a feature: a run of `inner` elements) reads word i of the Philox
// stream past the generator's reservation, so the mask does not depend on the number of threads.
#pragma once
#include <cstdint>

#include "kiln/generator.h"
#include "kiln/tensor.h"

namespace kiln::cpu {

// What a kept and a dropped element become: kept = x * scale + kept_shift, dropped = dropped_value.
struct DropoutAffine {
  double scale, kept_shift, dropped_value;
};

// mask (bool, contiguous, numel / inner units) = keep with probability 1 - p; out = the affine of x (both
// contiguous, x's shape) by its unit's mask.
void dropout_kernel(const Tensor& out, const Tensor& mask, const Tensor& x, int64_t inner, double p,
                    const DropoutAffine& affine, Generator& gen);

// The Philox words of `count` consecutive counters from `counter` (4 words each) into words[4 * count]: the
// batch form of kiln::philox, vectorized over the counters; exposed for its test.
void philox_words(uint64_t seed, uint64_t counter, int64_t count, uint32_t* words);

}  // namespace kiln::cpu
