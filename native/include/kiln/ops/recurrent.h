// The recurrent cells' fused parts. Part of the C++ API of kiln/ops.h.
#pragma once
#include <tuple>
#include <utility>
#include <vector>

#include "kiln/tensor.h"

namespace kiln {

// The LSTM cell after its matrix products: gates [B, 4H] (or [4H]) holds the pre-activations of the input, forget,
// cell and output gates in blocks of H, cx [B, H] (or [H]) the cell state. Returns (hy, cy) with
// cy = sigmoid(f) cx + sigmoid(i) tanh(g) and hy = sigmoid(o) tanh(cy); float32 or float64.
std::pair<Tensor, Tensor> fused_lstm_cell(const Tensor& gates, const Tensor& cx);

// One LSTM layer's recurrence over a sequence: gates_x [T, B, 4H] holds the input's gate pre-activations with
// both biases added (x W_ih^T + b_ih + b_hh), h0 and c0 [B, H] the initial states, w_hh [4H, H] the hidden
// weights. Returns (hs, cs, gates), each [T, B, *]: every step's h and c (hs is the layer's output; h_n and c_n are
// the last step's) and its gates' activations (sigmoid(i), sigmoid(f), tanh(g), sigmoid(o) of gates_x[t] +
// h W_hh^T): the workspace that backward reads, not differentiable (as PyTorch's fused cells' workspace).
// reverse runs the steps from T - 1 down to 0 (a bidirectional layer's second direction). batch_sizes: empty, or a
// packed sequence's (T sizes, non-increasing): step t then runs only the first batch_sizes[t] rows, and the others
// carry their h and c through it, so that the last step's states are each row's own final ones (forward), and the
// reverse direction starts each row at its own last step. float32 or float64.
std::tuple<Tensor, Tensor, Tensor> fused_lstm_layer(const Tensor& gates_x, const Tensor& h0, const Tensor& c0,
                                                    const Tensor& w_hh, bool reverse = false,
                                                    const std::vector<int64_t>& batch_sizes = {});

// One GRU layer's recurrence: gates_x [T, B, 3H] holds x W_ih^T + b_ih (r, z, n in blocks of H), h0 [B, H],
// w_hh [3H, H] and b_hh [3H] (zeros for a layer without biases). Each step: r = sigmoid(x_r + h W_hr^T + b_hr),
// z likewise, n = tanh(x_n + r (h W_hn^T + b_hn)), h' = n + z (h - n), as nn.GRU. Returns (hs, ws): every step's h
// [T, B, H] (the layer's output; h_n is the last step's) and the workspace backward reads [T, B, 4H] (r, z, n and
// h W_hn^T + b_hn; not differentiable). reverse runs the steps from T - 1 down to 0; batch_sizes as
// fused_lstm_layer's. float32 or float64.
std::pair<Tensor, Tensor> fused_gru_layer(const Tensor& gates_x, const Tensor& h0, const Tensor& w_hh,
                                          const Tensor& b_hh, bool reverse = false,
                                          const std::vector<int64_t>& batch_sizes = {});

}  // namespace kiln
