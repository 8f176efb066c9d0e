// Indexing: along a dim (select, gather, scatter, index_select, ...), by index tensors and masks (PyTorch's
// advanced indexing), and Python-style x[...] through TensorIndex lists. Part of the C++ API of kiln/ops.h.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "kiln/generator.h"
#include "kiln/scalar.h"
#include "kiln/tensor.h"

namespace kiln {

// Indexing along a dim.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor& scatter_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
Tensor& scatter_add_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
// x with src written over the slice x[start:end:step] along dim (the inverse of slice, for its gradient).
Tensor slice_scatter(const Tensor& x, const Tensor& src, int64_t dim, int64_t start, int64_t end, int64_t step = 1);

// x[..., index, ...] along dim: a view without that dim.
Tensor select(const Tensor& x, int64_t dim, int64_t index);
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
// x with alpha * src added at index along dim (repeated indices accumulate).
Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, double alpha = 1);
Tensor& index_add_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, double alpha = 1);
// reduce: "sum", "prod", "mean", "amax" or "amin"; include_self: whether x's own values take part.
Tensor scatter_reduce(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce,
                      bool include_self = true);
Tensor& scatter_reduce_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce,
                        bool include_self = true);
// Without dim: x and indices are flattened first.
Tensor take_along_dim(const Tensor& x, const Tensor& indices);
Tensor take_along_dim(const Tensor& x, const Tensor& indices, int64_t dim);
// int64 class indices to one-hot rows; num_classes -1: one more than the largest index.
Tensor one_hot(const Tensor& x, int64_t num_classes = -1);

// Advanced indexing as PyTorch's aten::index and index_put: indices[i] indexes dim i (an undefined Tensor
// takes the whole dim); a bool mask covers as many dims as it has. The index tensors broadcast together.
Tensor index(const Tensor& x, const TensorList& indices);
Tensor index_put(const Tensor& x, const TensorList& indices, const Tensor& values, bool accumulate = false);
Tensor& index_put_(Tensor& x, const TensorList& indices, const Tensor& values, bool accumulate = false);

// Masks (broadcast against x).
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value);  // value: a 0-dim tensor
Tensor masked_fill(const Tensor& x, const Tensor& mask, Scalar value);
Tensor& masked_fill_(Tensor& x, const Tensor& mask, const Tensor& value);
Tensor masked_select(const Tensor& x, const Tensor& mask);
// The coordinates of the nonzero elements: [count, x.dim()] int64; as a tuple: one [count] tensor per dim.
Tensor nonzero(const Tensor& x);
TensorList nonzero_as_tuple(const Tensor& x);

// One item of a Python-style index x[i, a:b:c, None, ..., t]: an integer, a slice (step > 0), a new axis,
// an ellipsis, or an index tensor (int64, or a bool mask).
struct TensorIndex {
  enum class Kind { Integer, Slice, NewAxis, Ellipsis, Tensor };
  Kind kind;
  int64_t start = 0, stop = 0, step = 1;  // Integer: start; Slice: all three
  kiln::Tensor tensor;

  static TensorIndex integer(int64_t i) { return {Kind::Integer, i, 0, 1, {}}; }
  static TensorIndex slice(int64_t start = 0, int64_t stop = INT64_MAX, int64_t step = 1) {
    return {Kind::Slice, start, stop, step, {}};
  }
  static TensorIndex new_axis() { return {Kind::NewAxis, 0, 0, 1, {}}; }
  static TensorIndex ellipsis() { return {Kind::Ellipsis, 0, 0, 1, {}}; }
  static TensorIndex of(const kiln::Tensor& t) { return {Kind::Tensor, 0, 0, 1, t}; }
};

// x[indices]: a view when the index is basic (integers, slices, new axes, ellipsis), else a gather.
Tensor get(const Tensor& x, const std::vector<TensorIndex>& indices);
// x[indices] = value (broadcast); returns x.
Tensor& set_(Tensor& x, const std::vector<TensorIndex>& indices, const Tensor& value);

}  // namespace kiln
