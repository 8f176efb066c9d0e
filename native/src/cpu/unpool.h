// CPU kernel of max_unpool (ops/unpool_ops.cpp).
#pragma once
#include <cstdint>

#include "kiln/tensor.h"

namespace kiln::cpu {

// out [P, plane] (fresh) = zeros with x[p, i] written at out[p, idx[p, i]]; x and idx [P, L], contiguous. Each
// plane is zeroed and filled while it sits in the cache. Returns false, with the first index outside [0, plane)
// in bad_index, when there is one (out is then partly written).
bool max_unpool_kernel(const Tensor& out, const Tensor& x, const Tensor& idx, int64_t& bad_index);

}  // namespace kiln::cpu
