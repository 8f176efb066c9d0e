// One GRU layer over a whole sequence (ops/recurrent_ops.cpp), as lstm_layer.h: each step's hidden product and
// cell in one op forward, backpropagation through time in one op backward. Contiguous tensors of one floating
// dtype; the op layer checks shapes.
#pragma once
#include <cstdint>
#include <vector>

#include "kiln/tensor.h"

namespace kiln::cpu {

// gates_x [T, B, 3H]: the input's gate pre-activations x W_ih^T + b_ih (r, z, n in blocks of H); h0 [B, H];
// w_hh [3H, H]; b_hh [3H]. Fills hs [T, B, H] with every step's h and ws [T, B, 4H] with what backward reads:
// r, z, n and the hidden product's n block (h W_hn^T + b_hn). r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z),
// n = tanh(x_n + r h_n), h' = n + z (h - n). reverse runs the steps from T - 1 down to 0. batch_sizes as
// lstm_layer_kernel's (packed sequences).
void gru_layer_kernel(const Tensor& hs, const Tensor& ws, const Tensor& gates_x, const Tensor& h0, const Tensor& w_hh,
                      const Tensor& b_hh, bool reverse, const std::vector<int64_t>& batch_sizes);

// The gradients of gates_x (always filled), h0, w_hh and b_hh (each undefined: not wanted) from that of hs and
// the forward's h0, w_hh, hs and ws.
struct GruLayerGrads {
  Tensor gates_x, h0, w_hh, b_hh;
};
void gru_layer_backward_kernel(const GruLayerGrads& out, const Tensor& grad_hs, const Tensor& h0, const Tensor& w_hh,
                               const Tensor& hs, const Tensor& ws, bool reverse,
                               const std::vector<int64_t>& batch_sizes);

}  // namespace kiln::cpu
