// Shapes, strides and dims: the arithmetic every op shares.
#pragma once
#include <cstdint>
#include <vector>

namespace kiln {

using Shape = std::vector<int64_t>;
using Dims = std::vector<int64_t>;  // a list of dims (reductions, permute)

// The most dims a tensor may have, as in PyTorch.
constexpr int64_t kMaxDims = 64;

// Number of elements; throws when a size is negative or the product overflows 64 bits.
int64_t checked_numel(const Shape& shape, const char* op);

// Row-major strides, in elements.
Shape contiguous_strides(const Shape& shape);

// Maps a possibly negative dim into [0, ndim); a 0-dim tensor accepts -1 and 0 as PyTorch does.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);

// NumPy/PyTorch broadcasting of two shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Resolves one -1 in a requested shape against numel.
Shape infer_size(const Shape& requested, int64_t numel, const char* op);

// Sorted, wrapped, duplicate-free dims; empty dims means all dims.
std::vector<int64_t> reduction_dims(const std::vector<int64_t>& dims, int64_t ndim, const char* op);

}  // namespace kiln
