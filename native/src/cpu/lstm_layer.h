// One LSTM layer over a whole sequence (ops/recurrent_ops.cpp): each step's hidden product and fused cell in one
// op forward, and backpropagation through time in one op backward, where the weight's gradient is one product
// over every step instead of a product and a sum per step. Contiguous tensors of one floating dtype; the op layer
// checks shapes.
#pragma once
#include <cstdint>
#include <vector>

#include "kiln/tensor.h"

namespace kiln::cpu {

// gates_x [T, B, 4H]: the input's gate pre-activations (biases added); h0, c0 [B, H]; w_hh [4H, H]. Fills
// hs, cs [T, B, H] with every step's states and gates [T, B, 4H] with every step's gate activations
// (sigmoid, sigmoid, tanh, sigmoid of gates_x + h W_hh^T). reverse runs the steps from T - 1 down to 0.
// batch_sizes (empty, or T non-increasing sizes): step t runs only the first batch_sizes[t] rows, the others carry
// their h and c through it (packed sequences; recurrent_layer.h's ActiveRows).
void lstm_layer_kernel(const Tensor& hs, const Tensor& cs, const Tensor& gates, const Tensor& gates_x,
                       const Tensor& h0, const Tensor& c0, const Tensor& w_hh, bool reverse,
                       const std::vector<int64_t>& batch_sizes);

// The gradients of gates_x (always filled), h0, c0 and w_hh (each undefined: not wanted) from those of hs and cs
// and the forward's h0, c0, w_hh, hs, cs and gates.
struct LstmLayerGrads {
  Tensor gates_x, h0, c0, w_hh;
};
void lstm_layer_backward_kernel(const LstmLayerGrads& out, const Tensor& grad_hs, const Tensor& grad_cs,
                                const Tensor& h0, const Tensor& c0, const Tensor& w_hh,
                                const Tensor& hs, const Tensor& cs, const Tensor& gates, bool reverse,
                                const std::vector<int64_t>& batch_sizes);

}  // namespace kiln::cpu
