// Loss functions, as torch.nn.functional has them, and the backward ops of the fused ones (usable directly:
// mse_loss_backward(grad, input, target, reduction) is the gradient of mse_loss for its input). Part of the C++
// API of kiln/ops.h. An undefined Tensor stands for an absent optional argument (weight, pos_weight).
#pragma once
#include <cstdint>

#include "kiln/tensor.h"

namespace kiln {

// How a loss reduces its per-element values; the codes are PyTorch's (at::Reduction). kl_div's "batchmean" is
// sum / batch size, which the functional layers (Java's Losses) apply on top of Sum.
enum class Reduction : int64_t { None = 0, Mean = 1, Sum = 2 };

// ---- Fused losses: one kernel forward, one fused backward op.

// log_softmax along dim 1 and the negative log likelihood of the target, in one pass. target holds class
// indices (int64, input's shape without dim 1; ignore_index marks positions that add nothing) or class
// probabilities (floating, input's shape). weight: one per class. Mean divides by the summed weights of the
// counted targets (indices) or by the number of positions (probabilities).
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                     Reduction reduction = Reduction::Mean, int64_t ignore_index = -100, double label_smoothing = 0.0);
// input holds log-probabilities along dim 1 ([C] for one sample); target class indices.
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                Reduction reduction = Reduction::Mean, int64_t ignore_index = -100);
// input: probabilities in [0, 1]; each log clamped at -100 as PyTorch does. weight broadcasts to input's shape.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                            Reduction reduction = Reduction::Mean);
// sigmoid and binary_cross_entropy in one, without overflow for any logit; pos_weight scales the positive term.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                        const Tensor& pos_weight = {}, Reduction reduction = Reduction::Mean);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
// 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (beta = 0: l1_loss).
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                      double beta = 1.0);
// 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta); delta > 0.
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean,
                  double delta = 1.0);
// target (log target) - input, weighted by the target: input holds log-probabilities.
Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean, bool log_target = false);

// The backward ops: the gradient of the loss for its input, given the gradient of the loss (a 0-dim tensor for
// Mean and Sum, the loss's shape for None). cross_entropy_backward's second output, the gradient for a
// probabilities target, is computed when with_target_grad.
TensorList cross_entropy_backward(const Tensor& grad, const Tensor& input, const Tensor& target, const Tensor& weight,
                                  Reduction reduction, int64_t ignore_index, double label_smoothing,
                                  bool with_target_grad = false);
Tensor nll_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, const Tensor& weight,
                         Reduction reduction, int64_t ignore_index);
Tensor binary_cross_entropy_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                     const Tensor& weight, Reduction reduction);
Tensor binary_cross_entropy_with_logits_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                                 const Tensor& weight, const Tensor& pos_weight, Reduction reduction);
Tensor mse_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction);
Tensor l1_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction);
Tensor smooth_l1_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction,
                               double beta);
Tensor huber_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction,
                           double delta);
Tensor kl_div_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction,
                       bool log_target = false);

// ---- Losses composed of other ops (their gradients come from the ops they run).

// max(0, -y (x1 - x2) + margin), y = 1 or -1.
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin = 0.0,
                           Reduction reduction = Reduction::Mean);
// 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1; cosine along the last dim.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin = 0.0,
                             Reduction reduction = Reduction::Mean);
// max(0, margin + d(a, p) - d(a, n)), d the p-norm distance along the last dim (of x1 - x2 + eps); swap: the
// distance to the negative is the smaller of d(a, n) and d(p, n).
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin = 1.0,
                           double p = 2.0, double eps = 1e-6, bool swap = false, Reduction reduction = Reduction::Mean);
// x where y = 1, max(0, margin - x) where y = -1.
Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin = 1.0,
                            Reduction reduction = Reduction::Mean);
// log(1 + exp(-y x)).
Tensor soft_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);
// -(y log sigmoid(x) + (1 - y) log sigmoid(-x)), weighted per class, averaged over the classes (the last dim).
Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target, const Tensor& weight = {},
                                   Reduction reduction = Reduction::Mean);
// exp(x) - y x (log_input), or x - y log(x + eps); full adds Stirling's term for y > 1.
Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input = true, bool full = false,
                        double eps = 1e-8, Reduction reduction = Reduction::Mean);
// 0.5 (log(var) + (x - y)^2 / var), var clamped to eps from below (the clamp passes the gradient through);
// full adds 0.5 log(2 pi). var has input's shape, or one dim fewer, or a last dim of 1.
Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var, bool full = false,
                         double eps = 1e-6, Reduction reduction = Reduction::Mean);
// The sum over classes d other than the target y of max(0, margin - x[y] + x[d])^p (p 1 or 2), times weight[y],
// over C; input [N, C], [C] or 0-dim, target int64 class indices (one per sample).
Tensor multi_margin_loss(const Tensor& input, const Tensor& target, int64_t p = 1, double margin = 1.0,
                         const Tensor& weight = {}, Reduction reduction = Reduction::Mean);
// The sum over the listed target classes j and the classes d that are not targets of max(0, 1 - x[j] + x[d]), over
// C; target int64 of the input's shape, each sample's classes ended by the first negative entry.
Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

// The connectionist temporal classification loss: -log p(target | log_probs), summed over every alignment of the
// target to the input's frames (blanks between repeated labels). log_probs [T, N, C] (log-probabilities, as from
// log_softmax) or unbatched [T, C]; targets [N, S] padded or 1-D concatenated (int64 labels in [0, C)); input and
// target lengths one per element. mean divides each element's loss by its target length, then averages;
// zero_infinity sets losses without any alignment (and their gradients) to 0.
Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, int64_t blank = 0, Reduction reduction = Reduction::Mean,
                bool zero_infinity = false);

}  // namespace kiln
