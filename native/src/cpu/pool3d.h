// 3-D pooling kernels over [N, C, D, H, W]: max (with the flat index d * H * W + h * W + w of each maximum in
// its volume), average, adaptive average and adaptive max, and the averages' backward passes (max pooling's
// backward is the 2-D scatter by index over the volume seen as [N, C, D * H, W]). Inputs may have any strides;
// outputs are contiguous. Volumes (n, c) are split over the core's pool. Float32 and float64.
#pragma once
#include <cstdint>

#include "kiln/tensor.h"

namespace kiln::cpu {

struct Pool3d {
  int64_t kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};
  bool count_include_pad = true;
  int64_t divisor_override = 0;  // 0: none
};

void max_pool3d(const Pool3d& p, const Tensor& out, const Tensor& indices, const Tensor& x);
void adaptive_max_pool3d(const Tensor& out, const Tensor& indices, const Tensor& x);
void avg_pool3d(const Pool3d& p, const Tensor& out, const Tensor& x);
void avg_pool3d_backward(const Pool3d& p, const Tensor& grad_input, const Tensor& grad_out);
void adaptive_avg_pool3d(const Tensor& out, const Tensor& x);
void adaptive_avg_pool3d_backward(const Tensor& grad_input, const Tensor& grad_out);

}  // namespace kiln::cpu
