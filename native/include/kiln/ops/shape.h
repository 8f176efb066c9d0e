// Views and reshaping (new shapes and strides over the same storage), joining and splitting, rearranging
// and padding. Part of the C++ API of kiln/ops.h.
#pragma once
#include <utility>
#include <vector>

#include "kiln/generator.h"
#include "kiln/scalar.h"
#include "kiln/tensor.h"

namespace kiln {

// Views: they share storage with their input (reshape copies only when it must).
Tensor view(const Tensor& x, const Shape& shape);
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& x);
Tensor permute(const Tensor& x, const Dims& dims);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
Tensor expand(const Tensor& x, const Shape& shape);
Tensor squeeze(const Tensor& x);
Tensor squeeze(const Tensor& x, int64_t dim);
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor contiguous(const Tensor& x);

// Joining and splitting. split, chunk and unbind return views of x.
Tensor cat(const TensorList& tensors, int64_t dim = 0);
Tensor stack(const TensorList& tensors, int64_t dim = 0);
TensorList split(const Tensor& x, int64_t split_size, int64_t dim = 0);
TensorList split_with_sizes(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim = 0);
TensorList chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
TensorList unbind(const Tensor& x, int64_t dim = 0);

// Rearranging: copies of x's elements in a new order or pattern (diagonal is a view).
Tensor flip(const Tensor& x, const Dims& dims);
// No dims: x is rolled as if flattened.
Tensor roll(const Tensor& x, const std::vector<int64_t>& shifts, const Dims& dims = {});
Tensor repeat(const Tensor& x, const Shape& repeats);
Tensor tile(const Tensor& x, const Shape& reps);
Tensor tril(const Tensor& x, int64_t diagonal = 0);
Tensor triu(const Tensor& x, int64_t diagonal = 0);
Tensor diagonal(const Tensor& x, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
// x with src written over diagonal(x, offset, dim1, dim2) (the inverse of diagonal, for its gradient).
Tensor diagonal_scatter(const Tensor& x, const Tensor& src, int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1);
// 1-D: a matrix with x on diagonal `diagonal`; 2-D: that diagonal, as a new vector.
Tensor diag(const Tensor& x, int64_t diagonal = 0);

// Padding, as torch.nn.functional.pad: pad holds (before, after) pairs from the last dim backwards;
// negative amounts crop. Reflect, replicate and circular pad the last 1 to 3 dims.
enum class PadMode : int64_t { Constant = 0, Reflect = 1, Replicate = 2, Circular = 3 };
Tensor pad(const Tensor& x, const std::vector<int64_t>& pad, PadMode mode = PadMode::Constant, double value = 0);

}  // namespace kiln
