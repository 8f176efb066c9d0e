// Upsampling kernels over [N, C, H, W] and [N, C, D, H, W] (4-D runs as D = 1, and 1-D as H = 1 too): nearest
// (and nearest-exact) and linear (bilinear, trilinear) over any of them, bicubic over 4-D; forward and backward,
// with PyTorch's source-index arithmetic (its float rounding included). A scale <= 0 means none was given: the
// ratio then comes from the sizes. Inputs any strides, outputs contiguous, planes split over the pool.
#pragma once
#include "kiln/tensor.h"

namespace kiln::cpu {

struct Upsample {
  double scale[3] = {0, 0, 0};  // the scale_factor F.interpolate passed on, per dim (D, H, W); <= 0: none
  bool align_corners = false;   // linear and cubic
  bool exact = false;           // nearest: "nearest-exact" (pixel centres) instead of "nearest"
};

void upsample_nearest(const Upsample& u, const Tensor& out, const Tensor& x);
void upsample_nearest_backward(const Upsample& u, const Tensor& grad_input, const Tensor& grad_out);
void upsample_linear(const Upsample& u, const Tensor& out, const Tensor& x);
void upsample_linear_backward(const Upsample& u, const Tensor& grad_input, const Tensor& grad_out);
void upsample_bicubic(const Upsample& u, const Tensor& out, const Tensor& x);
void upsample_bicubic_backward(const Upsample& u, const Tensor& grad_input, const Tensor& grad_out);

}  // namespace kiln::cpu
