// The recurrent cells' fused parts. Part of the C++ API of kiln/ops.h.
#pragma once
#include <utility>

#include "kiln/tensor.h"

namespace kiln {

// The LSTM cell after its matrix products: gates [B, 4H] (or [4H]) holds the pre-activations of the input, forget,
// cell and output gates in blocks of H, cx [B, H] (or [H]) the cell state. Returns (hy, cy) with
// cy = sigmoid(f) cx + sigmoid(i) tanh(g) and hy = sigmoid(o) tanh(cy); float32 or float64.
std::pair<Tensor, Tensor> fused_lstm_cell(const Tensor& gates, const Tensor& cx);

}  // namespace kiln
