// The LSTM cell's pointwise part (ops/recurrent_ops.cpp): the gates' activations and the cell update in one
// pass forward and one backward. The op layer checks shapes and dtypes; these take contiguous tensors.
#pragma once
#include "kiln/tensor.h"

namespace kiln::cpu {

// gates [B, 4H] (pre-activations of i, f, g, o, in blocks of H), cx, hy, cy [B, H], one floating dtype:
// c = sigmoid(f) cx + sigmoid(i) tanh(g), h = sigmoid(o) tanh(c).
void lstm_cell_kernel(const Tensor& hy, const Tensor& cy, const Tensor& gates, const Tensor& cx);

// The gradients of the gates [B, 4H] and of cx [B, H] (undefined: not wanted) from those of hy and cy and the
// forward's gates, cx and cy.
void lstm_cell_backward_kernel(const Tensor& grad_gates, const Tensor& grad_cx, const Tensor& grad_hy,
                               const Tensor& grad_cy, const Tensor& gates, const Tensor& cx, const Tensor& cy);

// The same on raw contiguous rows (B rows of H, gates of 4H), for kernels that run many cells (lstm_layer.h).
// The _saving forms also overwrite gates with the activations sigmoid(i), sigmoid(f), tanh(g), sigmoid(o);
// backward then reads those instead of recomputing them (activated). dcx may be null.
void lstm_cell_rows(const float* gates, const float* cx, float* hy, float* cy, int64_t B, int64_t H);
void lstm_cell_rows(const double* gates, const double* cx, double* hy, double* cy, int64_t B, int64_t H);
void lstm_cell_rows_saving(float* gates, const float* cx, float* hy, float* cy, int64_t B, int64_t H);
void lstm_cell_rows_saving(double* gates, const double* cx, double* hy, double* cy, int64_t B, int64_t H);
void lstm_cell_backward_rows(const float* dhy, const float* dcy, const float* gates, const float* cx, const float* cy,
                             float* dgates, float* dcx, int64_t B, int64_t H, bool activated = false);
void lstm_cell_backward_rows(const double* dhy, const double* dcy, const double* gates, const double* cx,
                             const double* cy, double* dgates, double* dcx, int64_t B, int64_t H,
                             bool activated = false);

}  // namespace kiln::cpu
