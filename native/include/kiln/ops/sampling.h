// Resampling: torch.nn.functional.interpolate over [N, C, W], [N, C, H, W] and [N, C, D, H, W] inputs: nearest
// and nearest-exact (any), linear (3-D), bilinear and bicubic (4-D), trilinear (5-D), area (any).
// Part of the C++ API of kiln/ops.h.
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

}  // namespace kiln
