// Sorting and selection along a dim, and unique (called by ops/sort_ops.cpp after check_cpu). Elements are
// ordered by value with NaN above everything, and equal values by index, so every result is deterministic:
// sorts are stable, and a selected element's index is its rank in that total order, as PyTorch's median.
#pragma once
#include "kiln/tensor.h"

namespace kiln::cpu {

// values and indices (in's shape) get each line sorted, ascending or descending; equal elements keep their
// order (descending too).
void sort_kernel(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim, bool descending);

// The k largest (or smallest) elements of each line, in order, into values and indices (size k at dim).
void topk_kernel(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim, int64_t k, bool largest);

// One element of each line into values and indices (size 1 at dim; the line must not be empty):
//   Kth: the element of rank k (0-based);
//   Median: the lower median, or the first NaN when the line holds one;
//   NanMedian: the lower median of the elements that are not NaN (the first NaN when all are).
enum class SelectKind { Kth, Median, NanMedian };
void select_kernel(SelectKind kind, const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim,
                   int64_t k);

// The most frequent value of each line (the smallest among equally frequent ones) and the index of its last
// occurrence, into values and indices (size 1 at dim; the line must not be empty). Each NaN counts alone.
void mode_kernel(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim);

// The distinct values of `in` in ascending order, the index of each element's value among them (inverse,
// in's shape; with_inverse false: an empty tensor, and no pass writes it) and how often each occurs (counts).
// NaN values are all distinct.
struct Unique {
  Tensor values, inverse, counts;
};
Unique unique_kernel(const Tensor& in, bool with_inverse = true);

// The distinct rows of a contiguous matrix (in lexicographic order), the index of each row's among them
// (inverse, [rows]) and their counts: unique along a dim, once the op has moved that dim first and flattened
// the others.
Unique unique_rows_kernel(const Tensor& rows);

}  // namespace kiln::cpu
