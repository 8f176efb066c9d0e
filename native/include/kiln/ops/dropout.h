// Dropout as torch.nn.functional defines it, drawing from an explicit Generator (null: the global one): each
// element (dropout) or each feature map (feature_dropout: [N, C, *] per (n, c)) is zeroed with probability p and
// the rest scaled by 1 / (1 - p); the alpha forms keep SELU's mean and variance instead. When not training, or
// with p = 0, the input itself comes back. Part of the C++ API of kiln/ops.h.
#pragma once
#include <utility>

#include "kiln/generator.h"
#include "kiln/tensor.h"

namespace kiln {

Tensor dropout(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);
Tensor feature_dropout(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);
Tensor alpha_dropout(const Tensor& x, double p = 0.5, bool training = false, Generator* gen = nullptr);
Tensor feature_alpha_dropout(const Tensor& x, double p = 0.5, bool training = false, Generator* gen = nullptr);
// The op behind them: (out, mask), mask bool of x's shape (or [N, C, 1, ...] for features), always drawn.
std::pair<Tensor, Tensor> native_dropout(const Tensor& x, double p, bool feature, bool alpha, Generator* gen = nullptr);

}  // namespace kiln
