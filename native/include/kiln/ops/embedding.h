// Embeddings as torch.nn.functional defines them: rows of a weight [num_embeddings, dim] looked up by int64 (or
// int32) indices, and bags of them reduced by sum, mean or max. padding_idx (-1: none) rows get no gradient and
// are left out of bags. Part of the C++ API of kiln/ops.h.
#pragma once
#include <string>

#include "kiln/tensor.h"

namespace kiln {

// weight[indices]: indices' shape plus the embedding dim.
Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx = -1, bool scale_grad_by_freq = false);
// The dense gradient of the weight [num_weights, dim] from grad (indices' shape plus dim).
Tensor embedding_backward(const Tensor& grad, const Tensor& indices, int64_t num_weights, int64_t padding_idx,
                          bool scale_grad_by_freq);
// Rows of weight picked by indices whose norm_type-norm exceeds max_norm are scaled down to it, in place.
Tensor& embedding_renorm_(Tensor& weight, const Tensor& indices, double max_norm, double norm_type);

// Bags of embeddings reduced by mode "sum", "mean" or "max": a 2-D indices [B, L] holds B bags of L (offsets
// undefined); a 1-D one is cut into bags at offsets (include_last_offset: offsets has B + 1 entries, the last the
// end). per_sample_weights (sum only) weight each index. Returns [B, dim].
Tensor embedding_bag(const Tensor& weight, const Tensor& indices, const Tensor& offsets = {},
                     const std::string& mode = "mean", const Tensor& per_sample_weights = {},
                     bool include_last_offset = false, int64_t padding_idx = -1, bool scale_grad_by_freq = false);

}  // namespace kiln
