// softmax and log_softmax along a dim, forward and backward, as single fused kernels (called by
// ops/softmax_ops.cpp after check_cpu). Floating dtypes; tensors of one shape, any strides.
#pragma once
#include "kiln/tensor.h"

namespace kiln::cpu {

// out = softmax(x) (log_softmax when log) along dim.
void softmax_kernel(const Tensor& out, const Tensor& x, int64_t dim, bool log);

// grad_in from the gradient of the forward's output and that output:
// softmax: y * (g - sum(g * y)); log_softmax: g - exp(y) * sum(g), sums along dim.
void softmax_backward_kernel(const Tensor& grad_in, const Tensor& grad, const Tensor& out, int64_t dim, bool log);

}  // namespace kiln::cpu
