// CPU kernels of the indexing and rearranging ops that their op files call directly (after check_cpu).
// Like every kernel they see strided operands only; the op layer checks arguments and allocates.
#pragma once
#include <vector>

#include "backend.h"

namespace kiln::cpu {

// Advanced indexing works with element offsets: offsets (int64, contiguous) += index * stride, where index
// (int64, any strides, offsets' shape) indexes a dim of the given size. Negative indices count from the end
// when wrap is set (advanced indexing), else they are out of range (index_select, index_add); an index out
// of range throws an Index error naming op and dim.
void index_offsets_kernel(const Tensor& offsets, const Tensor& index, int64_t size, int64_t stride, int64_t dim,
                          bool wrap, const char* op);
// out[i] = src[i] moved by offsets[i] elements. src has out's shape with zero strides where offsets apply.
void index_gather_kernel(const Tensor& out, const Tensor& src, const Tensor& offsets);

// Rows of a large table come from memory in random order: each is prefetched kRowsAhead positions before its turn,
// so that their loads overlap (embedding_bag of 65,536 rows of [100000, 64] in 4,096 bags: 2.86 -> 0.74 ms; 1.1
// at 8 ahead, no better at 32; PyTorch 0.67).
constexpr int64_t kRowsAhead = 16;
inline void prefetch_row(const void* row, size_t bytes) {
  const char* p = static_cast<const char*>(row);
  for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off);
}
// Row i of out (dense rows of row_bytes) = the row_bytes at src + offsets[i] * unit, for i < n, over the pool:
// embedding, index_select and x[index] of whole rows.
void gather_rows(char* out, const char* src, const int64_t* offsets, int64_t n, size_t row_bytes, size_t unit);
// dst[i] moved by offsets[i] elements = values[i] (or += with accumulate). Serial: targets may repeat.
void index_put_kernel(const Tensor& dst, const Tensor& values, const Tensor& offsets, bool accumulate);
// out[.., offsets[j] along dim, ..] += values[.., j, ..]: offsets (n = values.size(dim) of them) are in elements,
// index * out's stride at dim; out and values share their shape off dim. Repeated targets add up in j's order.
void index_add_kernel(const Tensor& out, int64_t dim, const int64_t* offsets, const Tensor& values);

// target[t] += v[t] for t < n (|| for bool): index_add's rows and the pads' gradient; float and double vectorized
// per ISA (index.cpp).
void add_run(float* target, const float* v, int64_t n);
void add_run(double* target, const double* v, int64_t n);
template <class T>
void add_run(T* target, const T* v, int64_t n) {
  for (int64_t t = 0; t < n; ++t) {
    if constexpr (std::is_same_v<T, bool>) target[t] = target[t] || v[t];
    else target[t] = static_cast<T>(target[t] + v[t]);
  }
}

enum class ScatterReduceOp : int64_t { Sum = 0, Prod = 1, Mean = 2, Amax = 3, Amin = 4 };
// out[..index[..i..]..] = reduce(out[..], src[..i..]) along dim (Mean accumulates the sum; the op divides). With
// fresh (out is a new result, thrown away on error), indices are checked as the walk reaches them; otherwise all
// of them first, so that a bad one leaves out as it was.
void scatter_reduce_kernel(ScatterReduceOp op, const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src,
                           bool fresh = false);
// out /= counts (int64, out's shape; floor division for integers), the last step of a scatter mean.
void scatter_mean_kernel(const Tensor& out, const Tensor& counts);
// Writes reduce's identity (0, 1, -inf, +inf) at every target of index along dim.
void scatter_identity_kernel(ScatterReduceOp op, const Tensor& out, int64_t dim, const Tensor& index,
                             bool fresh = false);

// The row-major coordinates of x's nonzero elements: out is [count, x.dim()] int64, count from nonzero_count.
int64_t nonzero_count(const Tensor& x);
void nonzero_kernel(const Tensor& out, const Tensor& x);
// x's elements where mask (bool, x's shape) is true, in row-major order; both contiguous.
Tensor masked_select_contiguous(const Tensor& x, const Tensor& mask);

// Padding of the last k = tables.size() dims (1 to 3), both tensors contiguous: padded[.., i, j, l] =
// x[.., tables[0][i], tables[1][j], tables[2][l]] (for k = 3), each table as long as padded's dim; where an entry is
// kPadFill (constant padding, forward only), the element is value. With backward, x (zeroed by the caller)
// accumulates padded's elements instead, in padded's order.
constexpr int64_t kPadFill = -1;
void indexed_pad_kernel(const Tensor& padded, const Tensor& x, const std::vector<std::vector<int64_t>>& tables,
                        bool backward, Scalar value = Scalar());

// out = x with the elements above (lower) or below (upper) diagonal k of the last two dims zeroed; out is
// contiguous, x any strides.
void tri_kernel(const Tensor& out, const Tensor& x, int64_t k, bool lower);
// out = x reversed along the listed dims.
void flip_kernel(const Tensor& out, const Tensor& x, const std::vector<int64_t>& dims);

}  // namespace kiln::cpu
