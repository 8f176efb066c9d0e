// 3-D pooling kernels over [N, C, D, H, W]: max, adaptive max and fractional max (with the flat index
// d * H * W + h * W + w of each maximum in its volume), average and adaptive average, and the averages' backward
// passes (max pooling's backward is the 2-D scatter by index over the volume seen as [N, C, D * H, W]). Inputs may
// have any strides; outputs are contiguous. Volumes (n, c) are split over the core's pool. Float32 and float64.
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
// Fractional max pooling: volume p's windows along dim i are kernel[i] wide, placed by the fraction
// samples[p][sample_col[i]] (samples: contiguous [N * C, S] in x's dtype) as PyTorch's kernels place them.
void fractional_max_pool3d(const int64_t kernel[3], const int sample_col[3], const Tensor& out, const Tensor& indices,
                           const Tensor& x, const Tensor& samples);
void avg_pool3d(const Pool3d& p, const Tensor& out, const Tensor& x);
void avg_pool3d_backward(const Pool3d& p, const Tensor& grad_input, const Tensor& grad_out);
void adaptive_avg_pool3d(const Tensor& out, const Tensor& x);
void adaptive_avg_pool3d_backward(const Tensor& grad_input, const Tensor& grad_out);

}  // namespace kiln::cpu
