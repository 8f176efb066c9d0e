// Resampling: torch.nn.functional.interpolate over [N, C, W], [N, C, H, W] and [N, C, D, H, W] inputs: nearest
// and nearest-exact (any), linear (3-D), bilinear and bicubic (4-D), trilinear (5-D), area (any).
// grid_sample and affine_grid (2-D). Part of the C++ API of kiln/ops.h.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "kiln/tensor.h"

namespace kiln {

enum class InterpolateMode : int64_t {
  Nearest = 0,
  Linear = 1,
  Bilinear = 2,
  Area = 3,
  Bicubic = 4,
  Trilinear = 5,
  NearestExact = 6
};

// Exactly one of size and scale_factor is given (the other empty), one value per spatial dim. As in PyTorch,
// the output size from a scale factor is floor(size * scale), and the scale itself is used for the source
// positions unless recompute_scale_factor is true; align_corners only for the interpolating modes, linear to
// trilinear (default false).
Tensor interpolate(const Tensor& x, const Shape& size, const std::vector<double>& scale_factor = {},
                   InterpolateMode mode = InterpolateMode::Nearest, std::optional<bool> align_corners = std::nullopt,
                   std::optional<bool> recompute_scale_factor = std::nullopt);

enum class GridSampleMode : int64_t { Bilinear = 0, Nearest = 1, Bicubic = 2 };
enum class GridPadding : int64_t { Zeros = 0, Border = 1, Reflection = 2 };

// Samples input [N, C, H, W] at grid [N, H_out, W_out, 2] ((x, y) in [-1, 1], -1 the left/top edge: the corner
// pixels' centres with align_corners, their outer edges without) into [N, C, H_out, W_out], or input [N, C, D, H, W]
// at grid [N, D_out, H_out, W_out, 3] ((x, y, z); Bilinear is trilinear there) into [N, C, D_out, H_out, W_out];
// Bicubic (4-D only) blends 4 x 4 taps, each padded on its own. Differentiable in both (nearest: in the input
// only), to any order.
Tensor grid_sample(const Tensor& x, const Tensor& grid, GridSampleMode mode = GridSampleMode::Bilinear,
                   GridPadding padding = GridPadding::Zeros, bool align_corners = false);
// The sampling grid [N, H, W, 2] of the affine maps theta [N, 2, 3] for an output of size (N, C, H, W), or
// [N, D, H, W, 3] of theta [N, 3, 4] for (N, C, D, H, W).
Tensor affine_grid(const Tensor& theta, const Shape& size, bool align_corners = false);

}  // namespace kiln
