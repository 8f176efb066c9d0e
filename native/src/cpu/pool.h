// 2-D pooling kernels over [N, C, H, W] (1-D pooling runs as H = 1): max (with the flat index h * W + w of
// each maximum in its plane), average and adaptive average/max, and their backward passes. Inputs may have
// any strides; outputs are contiguous. Planes (n, c) are split over the core's pool. Float32 and float64.
#pragma once
#include <cstdint>

#include "kernel_args.h"
#include "kiln/tensor.h"

namespace kiln::cpu {

using kiln::Pool2d;

// out, indices: [N, C, OH, OW]; windows as PyTorch places them (padding never wins a max).
void max_pool2d(const Pool2d& p, const Tensor& out, const Tensor& indices, const Tensor& x);
// grad_input [N, C, H, W] = the gradients of out scattered (summed) to their maxima's positions.
void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Tensor& indices);
void avg_pool2d(const Pool2d& p, const Tensor& out, const Tensor& x);
void avg_pool2d_backward(const Pool2d& p, const Tensor& grad_input, const Tensor& grad_out);
// Window o along a dim of in -> out: [floor(o * in / out), ceil((o + 1) * in / out)).
void adaptive_avg_pool2d(const Tensor& out, const Tensor& x);
void adaptive_avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out);
void adaptive_max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& x);

}  // namespace kiln::cpu
