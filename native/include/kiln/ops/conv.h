// Convolutions (torch.nn.functional's conv1d/2d/3d, conv_transpose1d/2d/3d) and sliding blocks (unfold as
// im2col, fold as col2im). Part of the C++ API of kiln/ops.h.
#pragma once
#include <cstdint>

#include "kiln/tensor.h"

namespace kiln {

// How a convolution pads: the sizes given, "same" (the output keeps the input's size; stride 1) or "valid" (none).
enum class ConvPadding : int64_t { Explicit = 0, Same = 1, Valid = 2 };

// Input [N, C, ...] or unbatched [C, ...]; weight [K, C / groups, kernel...]; bias [K] or undefined.
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), const Shape& stride = {1},
              const Shape& padding = {0}, const Shape& dilation = {1}, int64_t groups = 1,
              ConvPadding mode = ConvPadding::Explicit);
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), const Shape& stride = {1, 1},
              const Shape& padding = {0, 0}, const Shape& dilation = {1, 1}, int64_t groups = 1,
              ConvPadding mode = ConvPadding::Explicit);
Tensor conv3d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), const Shape& stride = {1, 1, 1},
              const Shape& padding = {0, 0, 0}, const Shape& dilation = {1, 1, 1}, int64_t groups = 1,
              ConvPadding mode = ConvPadding::Explicit);
// Weight [C, K / groups, kernel...] (PyTorch's layout for transposed convolutions).
Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), const Shape& stride = {1},
                        const Shape& padding = {0}, const Shape& output_padding = {0}, int64_t groups = 1,
                        const Shape& dilation = {1});
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
                        const Shape& stride = {1, 1}, const Shape& padding = {0, 0},
                        const Shape& output_padding = {0, 0}, int64_t groups = 1, const Shape& dilation = {1, 1});
Tensor conv_transpose3d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
                        const Shape& stride = {1, 1, 1}, const Shape& padding = {0, 0, 0},
                        const Shape& output_padding = {0, 0, 0}, int64_t groups = 1,
                        const Shape& dilation = {1, 1, 1});

// [N, C, H, W] -> [N, C * kh * kw, L] (torch.nn.functional.unfold), and back with overlaps summed (fold).
Tensor im2col(const Tensor& x, const Shape& kernel_size, const Shape& dilation = {1, 1}, const Shape& padding = {0, 0},
              const Shape& stride = {1, 1});
Tensor col2im(const Tensor& cols, const Shape& output_size, const Shape& kernel_size, const Shape& dilation = {1, 1},
              const Shape& padding = {0, 0}, const Shape& stride = {1, 1});

}  // namespace kiln
