// grid_sample's fused kernels, 2-D and 3-D: input [N, C, H, W] at grid [N, Ho, Wo, 2], or input [N, C, D, H, W] at
// grid [N, Do, Ho, Wo, 3]; both contiguous, of one floating dtype, computed in that dtype as PyTorch's
// grid_sampler_2d / _3d. The source position of each output is computed once per batch element (with its derivative
// with respect to the grid coordinate, for the backward), then every channel plane (volume) is read at its corners.
#pragma once
#include <cstdint>

#include "kiln/tensor.h"

namespace kiln::cpu {

struct GridSampling {
  int64_t mode;     // 0 bilinear (trilinear over 3-D input), 1 nearest, 2 bicubic (2-D)
  int64_t padding;  // 0 zeros, 1 border, 2 reflection
  bool align_corners;
};

// out [N, C, (Do,) Ho, Wo]: each output the (bi/tri)linear blend of its corners (x fastest, then y, then z: nw, ne,
// sw, se; tnw ... bse, summed in that order; a corner outside the input adds nothing), its nearest pixel (half to
// even), or the bicubic blend of its 4 x 4 taps (each tap's coordinates padded on their own, as PyTorch's).
void grid_sample_kernel(const Tensor& out, const Tensor& input, const Tensor& grid, const GridSampling& s);

// grad_input (written whole; may be undefined) gets each output's gradient times its corner weights;
// grad_grid (may be undefined) the derivative through the position: sum over channels of the gradient times the
// corner values times the weights' slopes, times the position's derivative for the padding mode (0 where a
// border or reflection clamps it; 0 everywhere for nearest).
void grid_sample_backward_kernel(const Tensor& grad_input, const Tensor& grad_grid, const Tensor& grad_out,
                                 const Tensor& input, const Tensor& grid, const GridSampling& s);

// d(source position)/d(grid coordinate) for each coordinate of grid [N, ..., dims] (x along the input's last dim,
// y along the one before, z before that; sizes holds the input's spatial sizes, last dim last): the unnormalizing
// scale, the reflection's sign, 0 where clamped. Into out of grid's shape and dtype. For the op layer's
// twice-differentiable backward.
void grid_source_slope_kernel(const Tensor& out, const Tensor& grid, const Shape& sizes, const GridSampling& s);

}  // namespace kiln::cpu
