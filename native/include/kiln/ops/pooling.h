// Pooling (torch.nn.functional's max_pool1d/2d/3d, avg_pool1d/2d/3d, adaptive_avg_pool1d/2d/3d,
// adaptive_max_pool1d/2d/3d, lp_pool1d/2d/3d, fractional_max_pool2d/3d, max_unpool1d/2d/3d) over [N, C, ...] or
// unbatched [C, ...] inputs. Part of the C++ API of kiln/ops.h.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>

#include "kiln/generator.h"
#include "kiln/tensor.h"

namespace kiln {

// An empty stride (or 0 for 1-D) means the kernel size, as in PyTorch. Indices are flat positions h * W + w
// in each input plane (d * H * W + h * W + w in each volume for 3-D).
std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, const Shape& kernel_size, const Shape& stride = {},
                                                  const Shape& padding = {0, 0}, const Shape& dilation = {1, 1},
                                                  bool ceil_mode = false);
Tensor max_pool2d(const Tensor& x, const Shape& kernel_size, const Shape& stride = {}, const Shape& padding = {0, 0},
                  const Shape& dilation = {1, 1}, bool ceil_mode = false);
std::pair<Tensor, Tensor> max_pool1d_with_indices(const Tensor& x, int64_t kernel_size, int64_t stride = 0,
                                                  int64_t padding = 0, int64_t dilation = 1, bool ceil_mode = false);
Tensor max_pool1d(const Tensor& x, int64_t kernel_size, int64_t stride = 0, int64_t padding = 0, int64_t dilation = 1,
                  bool ceil_mode = false);
Tensor avg_pool2d(const Tensor& x, const Shape& kernel_size, const Shape& stride = {}, const Shape& padding = {0, 0},
                  bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
Tensor avg_pool1d(const Tensor& x, int64_t kernel_size, int64_t stride = 0, int64_t padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true);
Tensor adaptive_avg_pool2d(const Tensor& x, const Shape& output_size);
Tensor adaptive_avg_pool1d(const Tensor& x, int64_t output_size);
std::pair<Tensor, Tensor> adaptive_max_pool2d(const Tensor& x, const Shape& output_size);
std::pair<Tensor, Tensor> adaptive_max_pool1d(const Tensor& x, int64_t output_size);
std::pair<Tensor, Tensor> max_pool3d_with_indices(const Tensor& x, const Shape& kernel_size, const Shape& stride = {},
                                                  const Shape& padding = {0, 0, 0}, const Shape& dilation = {1, 1, 1},
                                                  bool ceil_mode = false);
Tensor max_pool3d(const Tensor& x, const Shape& kernel_size, const Shape& stride = {}, const Shape& padding = {0, 0, 0},
                  const Shape& dilation = {1, 1, 1}, bool ceil_mode = false);
Tensor avg_pool3d(const Tensor& x, const Shape& kernel_size, const Shape& stride = {}, const Shape& padding = {0, 0, 0},
                  bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
Tensor adaptive_avg_pool3d(const Tensor& x, const Shape& output_size);
std::pair<Tensor, Tensor> adaptive_max_pool3d(const Tensor& x, const Shape& output_size);

// The norm_type-norm over windows without padding, as torch.nn.functional.lp_pool*: (sum of x^p)^(1/p) through an
// average pool of x^p. Empty stride (0 for 1-D): the kernel size.
Tensor lp_pool1d(const Tensor& x, double norm_type, int64_t kernel_size, int64_t stride = 0, bool ceil_mode = false);
Tensor lp_pool2d(const Tensor& x, double norm_type, const Shape& kernel_size, const Shape& stride = {},
                 bool ceil_mode = false);
Tensor lp_pool3d(const Tensor& x, double norm_type, const Shape& kernel_size, const Shape& stride = {},
                 bool ceil_mode = false);

// Fractional max pooling (torch.nn.functional.fractional_max_pool2d/3d, Graham 2014): kernel-sized windows whose
// starts follow a pseudo-random sequence, one fraction in [0, 1) per (n, c) and pooled dim, giving output_size.
// random_samples: those fractions, [N, C, nd] (N 1 for an unbatched input) in x's dtype (PyTorch's
// _random_samples); undefined: drawn from gen (null: the global generator). Returns (values, indices), indices
// as max pooling's.
std::pair<Tensor, Tensor> fractional_max_pool2d(const Tensor& x, const Shape& kernel_size, const Shape& output_size,
                                                const Tensor& random_samples = Tensor(), Generator* gen = nullptr);
std::pair<Tensor, Tensor> fractional_max_pool3d(const Tensor& x, const Shape& kernel_size, const Shape& output_size,
                                                const Tensor& random_samples = Tensor(), Generator* gen = nullptr);

// The inverse of max pooling: each value at its index (flat in its plane or volume) of a zero output whose size is
// (in - 1) * stride - 2 * padding + kernel per dim, or output_size (nd values, or nd + 2 with N and C; within a
// stride of that size). Empty stride: the kernel size (0 for 1-D).
Tensor max_unpool1d(const Tensor& x, const Tensor& indices, int64_t kernel_size, int64_t stride = 0,
                    int64_t padding = 0, const Shape& output_size = {});
Tensor max_unpool2d(const Tensor& x, const Tensor& indices, const Shape& kernel_size, const Shape& stride = {},
                    const Shape& padding = {}, const Shape& output_size = {});
Tensor max_unpool3d(const Tensor& x, const Tensor& indices, const Shape& kernel_size, const Shape& stride = {},
                    const Shape& padding = {}, const Shape& output_size = {});

}  // namespace kiln
