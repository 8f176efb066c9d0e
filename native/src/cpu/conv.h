// Convolution kernels: im2col + GEMM. A convolution maps a "large" tensor [N, C, large...] to a "small" one
// [N, K, small...] with a weight [K, C / groups, kernel...]; a transposed convolution maps small to large with
// the same weight (it is the convolution's input gradient). Three kernels cover forward, transposed and
// backward: forward (large -> small), transpose (small -> large) and weight_grad (large, small -> weight).
// Spatial dims are 1 to 3, kept as 3 (leading sizes 1). Float32 and float64; outputs are contiguous, inputs
// any strides (copied only when the GEMM cannot read them).
#pragma once
#include "cpu/im2col.h"
#include "kernel_args.h"
#include "kiln/tensor.h"

namespace kiln::cpu {

using kiln::ConvGeometry;

// small = conv(large, weight) + bias (bias may be undefined).
void conv_forward(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                  const Tensor& bias);
// large = conv_transpose(small, weight) + bias.
void conv_transpose(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& weight,
                    const Tensor& bias);
// grad_weight = the gradient of conv(large, w) in w, given the output's gradient `small`.
void conv_weight_grad(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large, const Tensor& small);

// The float32 weight gradient on AVX-512 CPUs (weight_grad_f32.cpp), which conv_weight_grad tries first: false
// where it does not apply (no AVX-512, or too few output channels or patch rows to fill its tiles). large's
// element strides of (channel, d, h, w) in s; small dense within each plane.
bool conv_weight_grad_f32(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large, const int64_t* s,
                          const Tensor& small);

// Float32 convolutions on AVX-512 CPUs by direct loops (direct_conv_f32.cpp), which conv_forward (stride 1) and
// conv_transpose (any stride) try after Winograd: false where they do not apply (no AVX-512, a 1x1 kernel at stride
// 1, fewer than 8 output channels per group or 16 patch rows, output rows under 8 wide, a weight that is not
// contiguous; for the transpose also a padding past the dilated kernel's reach, or a stride and a dilation both
// above 1 in one dim). bias: dense, or nullptr.
bool conv_forward_direct_f32(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                             const float* bias);
bool conv_transpose_direct_f32(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& weight,
                               const float* bias);

// Depthwise convolutions (one large-side channel per group) by direct loops (depthwise.cpp), which conv_forward,
// conv_transpose and conv_weight_grad pick themselves. The weight must be dense past dim 0 and the small side
// dense within each plane.
bool is_depthwise(const ConvGeometry& g);
void depthwise_forward(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                       const Tensor& bias);
void depthwise_transpose(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& weight,
                         const Tensor& bias);
void depthwise_weight_grad(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large, const Tensor& small);

}  // namespace kiln::cpu
