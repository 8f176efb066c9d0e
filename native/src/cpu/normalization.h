// CPU kernels of the normalization ops (ops/batch_norm_ops.cpp, layer_norm_ops.cpp, group_norm_ops.cpp): the
// statistics (accumulated in double), the normalizing pass and the fused backward. Tensors are contiguous and
// of one floating dtype; the op layer has checked shapes and allocated the outputs. Results do not depend on
// the number of threads: partial sums are formed over fixed blocks and merged in order.
#pragma once
#include <cstdint>
#include <vector>

#include "kiln/tensor.h"

namespace kiln::cpu {

// A batch-norm input viewed as [n, c, s]: statistics per channel c over n and s.
struct ChannelShape {
  int64_t n, c, s;
};

// Per-channel mean and biased variance of x.
void batch_norm_stats_kernel(const Tensor& x, ChannelShape shape, std::vector<double>& mean, std::vector<double>& var);
// y = (x - mean[c]) scale[c] + shift[c].
void batch_norm_apply_kernel(const Tensor& y, const Tensor& x, ChannelShape shape, const std::vector<double>& mean,
                             const std::vector<double>& scale, const std::vector<double>& shift);
// Per channel: sum_g = sum(g), sum_gxc = sum(g (x - mean[c])).
void batch_norm_grad_sums_kernel(const Tensor& g, const Tensor& x, ChannelShape shape, const std::vector<double>& mean,
                                 std::vector<double>& sum_g, std::vector<double>& sum_gxc);
// gx = g a[c] + (x - mean[c]) b[c] + d[c].
void batch_norm_grad_apply_kernel(const Tensor& gx, const Tensor& g, const Tensor& x, ChannelShape shape,
                                  const std::vector<double>& mean, const std::vector<double>& a,
                                  const std::vector<double>& b, const std::vector<double>& d);

// Layer norm over rows of length d: y, and each row's mean and 1/sqrt(var + eps). weight and bias ([d]) may be
// undefined.
void layer_norm_kernel(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight,
                       const Tensor& bias, int64_t rows, int64_t d, double eps);
// Its backward: gx, and when defined gw = sum over rows of g xhat and gb = sum over rows of g.
void layer_norm_backward_kernel(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& g, const Tensor& x,
                                const Tensor& mean, const Tensor& rstd, const Tensor& weight, int64_t rows, int64_t d);
// RMS norm over rows of length d: y = x rstd w, rstd = 1/sqrt(mean(x^2) + eps) per row; weight may be undefined.
void rms_norm_kernel(const Tensor& y, const Tensor& rstd, const Tensor& x, const Tensor& weight, int64_t rows,
                     int64_t d, double eps);
// Its backward: gx, and gw = sum over rows of g x rstd when defined.
void rms_norm_backward_kernel(const Tensor& gx, const Tensor& gw, const Tensor& g, const Tensor& x, const Tensor& rstd,
                              const Tensor& weight, int64_t rows, int64_t d);

// Group norm of x [n, c, s] in `groups` groups of channels: y, and mean and rstd per (n, group) ([n, groups]).
// weight and bias ([c]) may be undefined.
void group_norm_kernel(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight,
                       const Tensor& bias, ChannelShape shape, int64_t groups, double eps);
// Its backward: gx, gw = sum over n, s of g xhat, gb = sum over n, s of g (gw, gb [c], when defined).
void group_norm_backward_kernel(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& g, const Tensor& x,
                                const Tensor& mean, const Tensor& rstd, const Tensor& weight, ChannelShape shape,
                                int64_t groups);

}  // namespace kiln::cpu
