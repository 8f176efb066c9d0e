// The loss kernels (called by ops/*loss_ops.cpp after their checks): cross_entropy over rows of classes,
// nll_loss's gather and scatter, and the elementwise losses. Floating dtypes (float32, float64); kernels
// know nothing of reductions beyond the per-position scale their backward is given.
#pragma once
#include "kiln/tensor.h"

namespace kiln::cpu {

// cross_entropy on rows: x is [rows, C] contiguous; target is int64 [rows] (class indices) or x's dtype
// [rows, C] (probabilities), contiguous; weight is [C] contiguous or undefined.
struct CrossEntropyPlan {
  bool probabilities;
  int64_t ignore_index;
  double label_smoothing;
};

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

}  // namespace kiln::cpu
