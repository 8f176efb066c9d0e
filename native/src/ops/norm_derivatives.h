// The derivatives the normalization rows share (batch, layer, group and RMS norm), written with ordinary ops so
// that gradients of any order follow. Every norm computes, over groups of elements (a channel, a row, a group of
// channels), y = (x - mean) rstd w + b, and returns mean and rstd as outputs of their own; each row's derivative
// is the partial derivative in its own inputs, and the chain through the mean and rstd outputs does the rest.
#pragma once
#include "kiln/tensor.h"

namespace kiln {

// How one norm's tensors line up: x is viewed as `work`, the statistics (shape stat_shape) as stat_work and the
// parameters (param_shape) as param_work, all broadcasting against work. Statistics reduce stat_dims of work,
// parameter gradients sum param_dims; `count` elements make each statistic.
struct NormLayout {
  Shape x_shape, work;
  Shape stat_shape, stat_work;
  Shape param_shape, param_work;
  Dims stat_dims, param_dims;
  int64_t count = 0;

  Tensor to_work(const Tensor& t) const;  // an x-shaped tensor as work
  Tensor from_work(const Tensor& t) const;  // back to x's shape
  Tensor stat(const Tensor& t) const;  // a statistic, broadcasting against work
  Tensor sum_to_stat(const Tensor& t) const;  // a work-shaped tensor summed per statistic
  Tensor param(const Tensor& t) const;  // a parameter, broadcasting against work
  Tensor sum_to_param(const Tensor& t) const;  // a work-shaped tensor summed per parameter element
};

// What kind of normalization: centered (subtracts the mean; RMS norm does not) and coupled (the statistics
// depend on x: training; batch norm in evaluation uses fixed running statistics).
struct NormKind {
  bool centered = true, coupled = true;
};

// The gradients of a backward row (g, x, mean, rstd, weight) -> (gx, gw, gb) from the gradients G, Gw, Gb of
// its outputs (Gw, Gb may be undefined). mean is undefined for RMS norm, weight when the norm has none. Returns
// {dg, dx, dmean, drstd, dweight}, each undefined where `needs` says it is not wanted.
struct NormPartials {
  Tensor dg, dx, dmean, drstd, dweight;
};
NormPartials norm_backward_partials(const NormLayout& layout, NormKind kind, const Tensor& G, const Tensor& Gw,
                                    const Tensor& Gb, const Tensor& g, const Tensor& x, const Tensor& mean,
                                    const Tensor& rstd, const Tensor& weight, const bool needs[5]);

// The input gradient that flows back through the forward's mean and rstd outputs (gm may be undefined for RMS
// norm), or an undefined tensor when both are zero and carry no history (the usual first-order case).
Tensor norm_stat_input_grad(const NormLayout& layout, NormKind kind, const Tensor& gm, const Tensor& gr, const Tensor& x,
                            const Tensor& mean, const Tensor& rstd);

// True when t is all zeros and needs no gradient: the engine's stand-in for an output nobody used.
bool is_unused_grad(const Tensor& t);

}  // namespace kiln
