// 3x3, 5x5 and 1-D convolutions with stride 1 by Winograd's minimal filtering: F(2x2, 3x3) or, on planes of 14 x 14
// and up, F(4x4, 3x3) and F(2x2, 5x5): each 2x2 (4x4) block of outputs from a 4x4 (6x6) input tile with 16 (36)
// multiplications per channel pair instead of 36 (144 for 4x4 blocks, 100 for 5x5), the multiplications batched
// into one GEMM over the tiles for each of the tile's positions; 1-D kernels (conv1d, 1 x k, k x 1) the same
// along one dim; 3-D convolutions with those kernels in height and width and any depth, a 2-D convolution per output
// depth slice. conv_forward uses it for the forward pass, conv_transpose for the input gradient (a full
// correlation with the flipped kernel, of the same size with stride 1) and the weight gradient its own form below.
#pragma once
#include <cstdint>

namespace kiln::cpu {

struct WinogradConv {
  int64_t kernel_h, kernel_w;  // 3 x 3, 5 x 5, or 1 x k or k x 1 for k = 3 or 5
  int64_t batch, in_channels, out_channels;
  int64_t in_h, in_w, out_h, out_w;
  int64_t pad_h, pad_w;  // at the low end; the high end is whatever out_h and out_w leave
  // A 3-D convolution's depth (any kernel depth, stride 1): each output depth slice is a 2-D convolution of the
  // kernel_d input slices it reads. 1, 1, 1 and 0 for a 2-D one.
  int64_t kernel_d = 1, in_d = 1, out_d = 1, pad_d = 0;
};

// Worth it (and exact enough) for float32 with enough channels to make the GEMMs pay for the transforms: 8 each
// way for 3x3 kernels, 16 for 5x5, 32 for 1-D kernels (1 x k or k x 1, k = 3 or 5: 4 (k = 3) or 2 outputs a tile).
bool winograd_applies(int64_t kernel_h, int64_t kernel_w, int64_t in_channels, int64_t out_channels, int64_t out_h,
                      int64_t out_w);

// y[N, out_channels, out_d, out_h, out_w] (contiguous) = correlation of x with w, + bias (may be null). x: [N,
// in_channels, in_d, in_h, in_w] with element strides xs (n, c, d, h, w). w: [out_channels, in_channels, kd, kh, kw],
// dense; with `transposed`, w is [in_channels, out_channels, kd, kh, kw] and used flipped, which makes this the
// input gradient of a convolution by w (conv_transpose's stride-1 case). Returns false, having written nothing
// useful, when x or w holds an infinity or a NaN: the caller then takes its direct path, whose non-finite results
// stay where the kernel's windows put them.
bool winograd_conv(const WinogradConv& g, const float* x, const int64_t* xs, const float* w, bool transposed,
                   const float* bias, float* y);

// dw[out_channels, in_channels, kd, kh, kw] (contiguous) = the gradient of the correlation above (not transposed)
// with respect to w, for the output gradient dy [N, out_channels, out_d, out_h, out_w] with element strides ys:
// each tile's product gradient A dY A^T times its transformed input B^T d B, summed over the tiles by one GEMM per
// tile position, then G^T . G. Returns false, as winograd_conv does, when x or dy holds an infinity or a NaN.
bool winograd_weight_grad(const WinogradConv& g, const float* x, const int64_t* xs, const float* dy,
                          const int64_t* ys, float* dw);

}  // namespace kiln::cpu
