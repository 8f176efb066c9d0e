// 2-D upsampling kernels over [N, C, H, W] (1-D runs as H = 1): nearest and bilinear, forward and backward,
// with PyTorch's source-index arithmetic (its float rounding included). A scale <= 0 means none was given:
// the ratio then comes from the sizes. Inputs any strides, outputs contiguous, planes split over the pool.
#pragma once
#include "kiln/tensor.h"

namespace kiln::cpu {

struct Upsample2d {
  double scale[2] = {0, 0};  // the scale_factor F.interpolate passed on, per dim; <= 0: none
  bool align_corners = false;
};

void upsample_nearest2d(const Upsample2d& u, const Tensor& out, const Tensor& x);
void upsample_nearest2d_backward(const Upsample2d& u, const Tensor& grad_input, const Tensor& grad_out);
void upsample_bilinear2d(const Upsample2d& u, const Tensor& out, const Tensor& x);
void upsample_bilinear2d_backward(const Upsample2d& u, const Tensor& grad_input, const Tensor& grad_out);

}  // namespace kiln::cpu
