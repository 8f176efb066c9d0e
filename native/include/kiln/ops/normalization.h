// Normalization: batch, instance, layer, group and RMS norm, as PyTorch's torch.nn.functional defines them. Each
// is one fused native op forward and one backward (whose own derivative gives gradients of any order). Undefined
// tensors stand for PyTorch's None (no weight, no bias, no running statistics). Part of the C++ API of kiln/ops.h.
#pragma once
#include <optional>
#include <tuple>

#include "kiln/tensor.h"

namespace kiln {

// Batch norm over x [N, C, *]: per channel, the batch's statistics (training: running_mean and running_var,
// when defined, move towards them by momentum, the variance unbiased) or the running ones (evaluation).
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight = {},
                  const Tensor& bias = {}, bool training = false, double momentum = 0.1, double eps = 1e-5);
// The op behind it: (out, mean, 1 / sqrt(var + eps)) with the statistics used, per channel.
std::tuple<Tensor, Tensor, Tensor> native_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                                     const Tensor& running_mean, const Tensor& running_var,
                                                     bool training, double momentum, double eps);
// Its backward: (grad_x, grad_weight, grad_bias) from grad, x and the forward's mean and invstd.
std::tuple<Tensor, Tensor, Tensor> native_batch_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean,
                                                              const Tensor& invstd, const Tensor& weight, bool training);

// Instance norm: each (sample, channel) of x [N, C, *] normalized over its own elements; running statistics
// (optional) average the instances' statistics, and are used instead when use_input_stats is false.
Tensor instance_norm(const Tensor& x, const Tensor& running_mean = {}, const Tensor& running_var = {},
                     const Tensor& weight = {}, const Tensor& bias = {}, bool use_input_stats = true,
                     double momentum = 0.1, double eps = 1e-5);

// Layer norm over the last dims of x, which must be normalized_shape; weight and bias have that shape.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);
// (out, mean, rstd); mean and rstd have x's leading dims and size 1 in the normalized ones.
std::tuple<Tensor, Tensor, Tensor> native_layer_norm(const Tensor& x, const Shape& normalized_shape,
                                                     const Tensor& weight, const Tensor& bias, double eps);
std::tuple<Tensor, Tensor, Tensor> native_layer_norm_backward(const Tensor& grad, const Tensor& x,
                                                              const Shape& normalized_shape, const Tensor& mean,
                                                              const Tensor& rstd, const Tensor& weight);

// x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta, over [N, C, ...] (3-D or more).
Tensor local_response_norm(const Tensor& x, int64_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0);

// Group norm of x [N, C, *] in num_groups groups of adjacent channels; weight and bias [C].
Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5);
// (out, mean, rstd), mean and rstd [N, num_groups].
std::tuple<Tensor, Tensor, Tensor> native_group_norm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                                     int64_t num_groups, double eps);
std::tuple<Tensor, Tensor, Tensor> native_group_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean,
                                                              const Tensor& rstd, const Tensor& weight,
                                                              int64_t num_groups);

// RMS norm over the last dims: x / sqrt(mean(x^2) + eps) * weight; eps defaults (nullopt) to the machine epsilon
// of x's dtype, as torch.nn.functional.rms_norm.
Tensor rms_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = {},
                std::optional<double> eps = std::nullopt);
// (out, rstd) and the backward (grad_x, grad_weight).
std::pair<Tensor, Tensor> native_rms_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                                          double eps);
std::pair<Tensor, Tensor> native_rms_norm_backward(const Tensor& grad, const Tensor& x, const Shape& normalized_shape,
                                                   const Tensor& rstd, const Tensor& weight);

}  // namespace kiln
