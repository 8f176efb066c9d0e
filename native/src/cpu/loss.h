// The loss kernels (called by ops/*loss_ops.cpp after their checks): cross_entropy over rows of classes,
// nll_loss's gather and scatter, and the elementwise losses. Floating dtypes (float32, float64); kernels
// know nothing of reductions beyond the per-position scale their backward is given.
#pragma once
#include <vector>

#include "kernel_args.h"
#include "kiln/tensor.h"

namespace kiln::cpu {

using kiln::CrossEntropyPlan;

// cross_entropy on rows: x is [rows, C] contiguous; target is int64 [rows] (class indices) or x's dtype
// [rows, C] (probabilities), contiguous; weight is [C] contiguous or undefined.
//
// loss[r]: row r's loss (weighted and smoothed; 0 where the target is ignored), [rows] of x's dtype.
void cross_entropy_kernel(const Tensor& loss, const Tensor& x, const Tensor& target, const Tensor& weight,
                          const CrossEntropyPlan& plan);

// grad_x = scale[r] (softmax(x) Q - q) with q the row's target weights (Q their sum); grad_target (probabilities,
// may be undefined) = -scale[r] (1 - smoothing) weight log_softmax(x). scale is [rows] or one value (stride 0).
void cross_entropy_backward_kernel(const Tensor& grad_x, const Tensor& grad_target, const Tensor& scale,
                                   const Tensor& x, const Tensor& target, const Tensor& weight,
                                   const CrossEntropyPlan& plan);

// What a mean over class-index targets divides by: the sum of weight[t] (1 without weights) over the targets
// other than ignore_index, added in order in double. target: int64, contiguous; weight: [C] or undefined.
double target_weight_sum(const Tensor& target, const Tensor& weight, int64_t ignore_index);

// nll_loss on x viewed as [n, C, d] (contiguous), target int64 [n, d]: loss[p] = -weight[t] x[n, t, d] (0 where
// t == ignore_index). Targets are checked before.
void nll_loss_kernel(const Tensor& loss, const Tensor& x, const Tensor& target, const Tensor& weight,
                     int64_t ignore_index);
// grad_x (zeroed here) gets -scale[p] weight[t] at [n, t, d].
void nll_loss_backward_kernel(const Tensor& grad_x, const Tensor& scale, const Tensor& target, const Tensor& weight,
                              int64_t ignore_index);

// The elementwise losses. Each computes f(x, t) elementwise, times the weight when given; bce_with_logits also
// reads pos_weight.
enum class PointLoss { Mse, L1, SmoothL1, Huber, KlDiv, KlDivLogTarget, Bce, BceWithLogits };

// Tensors of one shape (broadcast views allowed), one floating dtype; weight and pos_weight may be undefined.
struct PointLossOperands {
  const Tensor& x;
  const Tensor& target;
  const Tensor& weight;
  const Tensor& pos_weight;
};

// out = f(x, t) (times weight). param: beta (smooth_l1), delta (huber). Returns false when an input is out of
// the loss's domain (bce: outside [0, 1] or NaN); out is then unspecified.
bool point_loss_kernel(PointLoss loss, double param, const Tensor& out, const PointLossOperands& in);

// grad = g scale df/dx (for_target false) or g scale df/dt (for_target true), g of the operands' shape.
void point_loss_backward_kernel(PointLoss loss, double param, double scale, bool for_target, const Tensor& grad,
                                const Tensor& g, const PointLossOperands& in);

// multilabel_margin_loss over rows: x [frames, C] contiguous (float32/float64), target int64 [frames, C]
// contiguous, each row's classes listed first and ended by the first negative entry (checked in [0, C) before).
// loss[n] (double, [frames]): the sum over listed targets j and the classes d that are not targets of
// max(0, 1 - x[n, j] + x[n, d]), over C; a class listed twice counts twice.
void multilabel_margin_kernel(std::vector<double>& loss, const Tensor& x, const Tensor& target);
// grad_x (written whole) = scale[n] (the row's gradient over C) times -1 at each listed target and +1 at each class
// d, once per positive term. scale: [frames] contiguous of x's dtype, or one value (stride 0).
void multilabel_margin_backward_kernel(const Tensor& grad_x, const Tensor& scale, const Tensor& x,
                                       const Tensor& target);

}  // namespace kiln::cpu
