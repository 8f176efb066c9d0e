// grid_sample's fused kernels (2-D): input [N, C, H, W] and grid [N, Ho, Wo, 2], both contiguous, of one floating
// dtype, computed in that dtype as PyTorch's grid_sampler_2d. The source position of each output is computed once
// per batch element (with its derivative with respect to the grid coordinate, for the backward), then every
// channel plane is read at its corners.
#pragma once
#include <cstdint>

#include "kiln/tensor.h"

namespace kiln::cpu {

struct GridSampling {
  int64_t mode;     // 0 bilinear, 1 nearest
  int64_t padding;  // 0 zeros, 1 border, 2 reflection
  bool align_corners;
};

// out [N, C, Ho, Wo]: each output the bilinear blend of its four corners (nw, ne, sw, se, summed in that order;
// a corner outside the input adds nothing) or its nearest pixel (half to even).
void grid_sample_kernel(const Tensor& out, const Tensor& input, const Tensor& grid, const GridSampling& s);

// grad_input (written whole; may be undefined) gets each output's gradient times its corner weights;
// grad_grid (may be undefined) the derivative through the position: sum over channels of the gradient times the
// corner values times the weights' slopes, times the position's derivative for the padding mode (0 where a
// border or reflection clamps it; 0 everywhere for nearest).
void grid_sample_backward_kernel(const Tensor& grad_input, const Tensor& grad_grid, const Tensor& grad_out,
                                 const Tensor& input, const Tensor& grid, const GridSampling& s);

// d(source position)/d(grid coordinate) for each coordinate of grid [N, Ho, Wo, 2] (x along W, y along H), the
// factor the backward applies: the unnormalizing scale, the reflection's sign, 0 where clamped. Into out of
// grid's shape and dtype. For the op layer's twice-differentiable backward.
void grid_source_slope_kernel(const Tensor& out, const Tensor& grid, int64_t height, int64_t width,
                              const GridSampling& s);

}  // namespace kiln::cpu
