// The connectionist temporal classification loss (Graves et al., 2006) on the CPU: the forward (alpha) and backward
// (beta) recursions in log space over each element's extended label sequence (a blank before, between and after its
// labels), in the dtype of log_probs (float32 or float64), as PyTorch computes them. Elements are independent; each
// is run by one thread.
#pragma once
#include <cstdint>
#include <vector>

#include "kiln/tensor.h"

namespace kiln::cpu {

// A batch as the kernels read it, checked by the op before: log_probs [T, N, C] contiguous (float32 or float64),
// element n's labels at labels[offset[n], offset[n] + target_length[n]), each in [0, C), and its input length
// in [0, T].
struct CtcBatch {
  Tensor log_probs;
  std::vector<int64_t> labels, offset, target_length, input_length;
  int64_t blank;

  // The longest extended sequence, 2 * max(target_length) + 1: the last dim of log_alpha.
  int64_t states() const;
};

// nll[n] = -log p(labels_n | log_probs[0 : input_length_n, n]): inf where no alignment fits the input length
// (0 instead with zero_infinity). nll is [N] of log_probs' dtype; log_alpha [N, T, states()] (contiguous, the same
// dtype) gets the forward variables that the backward kernel reads (rows past an element's input length and states
// past its sequence are left unwritten).
void ctc_loss_kernel(const Tensor& nll, const Tensor& log_alpha, const CtcBatch& b, bool zero_infinity);

// grad[t, n, c] = -grad_nll[n] * (the posterior probability that frame t of element n emits c), the derivative of
// nll with respect to log_probs; 0 for t >= input_length_n, and for the whole element where its loss is infinite
// and zero_infinity holds (NaN without it, as the derivative of an infinite loss). grad is [T, N, C] contiguous
// like log_probs; grad_nll is [N] contiguous of the same dtype; log_alpha is the forward kernel's.
void ctc_loss_backward_kernel(const Tensor& grad, const Tensor& grad_nll, const Tensor& log_alpha, const CtcBatch& b,
                              bool zero_infinity);

}  // namespace kiln::cpu
