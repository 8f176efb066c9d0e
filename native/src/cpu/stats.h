// Reductions with accumulators of their own (called by ops/stats_ops.cpp and ops/norm_ops.cpp after
// check_cpu). Each reduces `in` over the dims where `out` (same rank) has size 1 and `in` does not, for any
// strides, with results independent of the thread count.
#pragma once
#include "kiln/tensor.h"

namespace kiln::cpu {

// Product; in has out's dtype (int64 wraps on overflow, floats multiply in double).
void prod_kernel(const Tensor& out, const Tensor& in);

// Variance with the given correction (std when take_sqrt); mean, when defined, receives the mean.
// Floating; out and mean have in's dtype and the same strides.
void var_kernel(const Tensor& out, const Tensor& mean, const Tensor& in, double correction, bool take_sqrt);

// The vector p-norm (p: any real, +-inf, 0: the count of non-zeros); floating, out has in's dtype.
void norm_kernel(const Tensor& out, const Tensor& in, double p);

// log(sum(exp(in))), stable for large values; -inf for an empty reduction. Floating.
void logsumexp_kernel(const Tensor& out, const Tensor& in);

// The sum of the elements that are not NaN; in has out's dtype (floating, or int64).
void nansum_kernel(const Tensor& out, const Tensor& in);

// all and any (out bool) and count_nonzero (out int64) of an input of any dtype: an element counts as true
// when it is not zero (NaN is not zero).
enum class LogicalReduce { All, Any, CountNonzero };
void logical_reduce_kernel(LogicalReduce op, const Tensor& out, const Tensor& in);

}  // namespace kiln::cpu
