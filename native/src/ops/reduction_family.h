// What the reduction family's op files share. add_reduction_ops (reduction_ops.cpp) adds the rows of every
// file of the family: sums and extremes there, the rest in stats_ops.cpp, norm_ops.cpp, softmax_ops.cpp,
// scan_ops.cpp and sort_ops.cpp.
#pragma once
#include <vector>

#include "op_table.h"

namespace kiln {

void add_stats_ops(std::vector<const OpDef*>& table);
void add_norm_ops(std::vector<const OpDef*>& table);
void add_softmax_ops(std::vector<const OpDef*>& table);
void add_scan_ops(std::vector<const OpDef*>& table);
void add_sort_ops(std::vector<const OpDef*>& table);

// ints [keepdim, dims...], the encoding of every reduction over a list of dims.
OpArgs dims_args(const Dims& dims, bool keepdim);

// g, with the reduced dims put back (unless keepdim), expanded to the input's shape. dims: sorted.
Tensor expand_reduced(const Tensor& g, const Shape& shape, const std::vector<int64_t>& dims, bool keepdim);

// The gradient of values picked along dim at `indices` (max(dim), sort, topk, median(dim), ...): g written
// into zeros of the input's shape at the indices. keepdim: whether dim is still in g and indices.
Tensor index_select_backward(const Tensor& g, const Tensor& indices, const Shape& shape, DType dtype, int64_t dim,
                             bool keepdim);

// The gradient of a value chosen among all elements (max(), median()): shared evenly by the elements equal
// to it (the NaN ones when it is NaN).
Tensor evenly_distribute_backward(const Tensor& g, const Tensor& x, const Tensor& value);

// A floating dtype: dtype when given (code >= 0), else x's own; integral inputs become the default float
// when promote_integral (PyTorch's logsumexp, ...) and are refused otherwise.
DType float_result_dtype(const Tensor& x, int64_t dtype_code, const char* op, bool promote_integral);

}  // namespace kiln
