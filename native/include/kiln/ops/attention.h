// Scaled dot-product attention, as torch.nn.functional.scaled_dot_product_attention (PyTorch 2) defines it:
// softmax(q k^T scale + mask) v over query [..., L, E], key [..., S, E] and value [..., S, Ev]. Part of the C++
// API of kiln/ops.h.
#pragma once
#include <optional>

#include "kiln/generator.h"
#include "kiln/tensor.h"

namespace kiln {

// attn_mask (optional, broadcast to [..., L, S]): bool, true where a query may attend, or floating, added to the
// scores. is_causal masks the keys after each query (no attn_mask then). dropout_p drops attention weights with
// the generator. scale defaults to 1 / sqrt(E).
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask = {}, double dropout_p = 0, bool is_causal = false,
                                    std::optional<double> scale = std::nullopt, Generator* gen = nullptr);

}  // namespace kiln
