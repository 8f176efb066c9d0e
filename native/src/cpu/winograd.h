// 3x3 convolutions with stride 1 by Winograd's minimal filtering F(2x2, 3x3): each 2x2 block of outputs from a
// 4x4 input tile with 16 multiplications per channel pair instead of 36, the multiplications batched into 16 GEMMs
// over the tiles. conv_forward uses it for the forward pass, conv_transpose for the input gradient (a full
// correlation with the flipped kernel, also 3x3 with stride 1) and the weight gradient its own form below.
#pragma once
#include <cstdint>

namespace kiln::cpu {

struct WinogradConv {
  int64_t batch, in_channels, out_channels;
  int64_t in_h, in_w, out_h, out_w;
  int64_t pad_h, pad_w;  // at the low end; the high end is whatever out_h and out_w leave
};

// Worth it (and exact enough) for float32 with enough channels to make the GEMMs pay for the transforms.
bool winograd_applies(int64_t in_channels, int64_t out_channels, int64_t out_h, int64_t out_w);

// y[N, out_channels, out_h, out_w] (contiguous) = correlation of x with w, + bias (may be null). x: [N, in_channels,
// in_h, in_w] with element strides xs (n, c, h, w). w: [out_channels, in_channels, 3, 3], dense; with `transposed`,
// w is [in_channels, out_channels, 3, 3] and used flipped, which makes this the input gradient of a convolution by w
// (conv_transpose's stride-1 case). Returns false, having written nothing useful, when x or w holds an infinity or
// a NaN: the caller then takes its direct path, whose non-finite results stay where the kernel's windows put them.
bool winograd_conv3x3(const WinogradConv& g, const float* x, const int64_t* xs, const float* w, bool transposed,
                      const float* bias, float* y);

// dw[out_channels, in_channels, 3, 3] (contiguous) = the gradient of the correlation above (not transposed) with
// respect to w, for the output gradient dy [N, out_channels, out_h, out_w] with element strides ys: each tile's
// product gradient A dY A^T times its transformed input B^T d B, summed over the tiles by 16 GEMMs, then G^T . G.
// Returns false, as winograd_conv3x3 does, when x or dy holds an infinity or a NaN.
bool winograd_weight_grad3x3(const WinogradConv& g, const float* x, const int64_t* xs, const float* dy,
                             const int64_t* ys, float* dw);

}  // namespace kiln::cpu
