// What the embedding op files share: argument checks, frequency scales, and the rows of embedding_bag.
#pragma once
#include <vector>

#include "op_table.h"

namespace kiln {

// The indices as a contiguous int64 tensor, checked to be int64 or int32 and to lie in [0, num_weights).
Tensor embedding_indices(const char* op, const Tensor& indices, int64_t num_weights);
// weight 2-D on the CPU, float32 or float64 (any dtype where the op only copies rows, as embedding does).
void check_embedding_weight(const char* op, const Tensor& weight, bool copies_rows = false);
// Per index: 1 / the number of times it occurs among all the indices (scale_grad_by_freq).
std::vector<double> index_frequency_scale(const Tensor& idx, int64_t num_weights);

// embedding_bag and its rows (embedding_bag_ops.cpp).
void add_embedding_bag_ops(std::vector<const OpDef*>& table);

}  // namespace kiln
