// Reductions over dims (sum, mean, extremes, prod, var/std, norms, logsumexp, logical), softmax, cumulative
// scans, sorting and selection, unique. Part of the C++ API of kiln/ops.h.
#pragma once
#include <utility>
#include <vector>

#include "kiln/generator.h"
#include "kiln/scalar.h"
#include "kiln/tensor.h"

namespace kiln {

// Reductions. Empty dims means every dim.
Tensor sum(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);  // values, indices
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& x);  // index into the flattened tensor
Tensor argmin(const Tensor& x);
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor amax(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, const Dims& dims = {}, bool keepdim = false);

// Statistics. var/std: correction 1 is the unbiased estimate, 0 the biased one.
Tensor prod(const Tensor& x);
Tensor prod(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor var(const Tensor& x, const Dims& dims = {}, double correction = 1, bool keepdim = false);
Tensor std(const Tensor& x, const Dims& dims = {}, double correction = 1, bool keepdim = false);
std::pair<Tensor, Tensor> var_mean(const Tensor& x, const Dims& dims = {}, double correction = 1, bool keepdim = false);
std::pair<Tensor, Tensor> std_mean(const Tensor& x, const Dims& dims = {}, double correction = 1, bool keepdim = false);
Tensor logsumexp(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor nansum(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor nanmean(const Tensor& x, const Dims& dims = {}, bool keepdim = false);

// Vector norms: p any real, +-infinity, or 0 (the number of non-zero elements). norm is torch.norm with a
// numeric p; vector_norm is torch.linalg.vector_norm.
Tensor norm(const Tensor& x, double p = 2, const Dims& dims = {}, bool keepdim = false);
Tensor vector_norm(const Tensor& x, double ord = 2, const Dims& dims = {}, bool keepdim = false);

// Logical reductions of any dtype: bool results (count_nonzero: int64).
Tensor all(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor any(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor count_nonzero(const Tensor& x, const Dims& dims = {});

// softmax and log_softmax along dim (dtype: convert the input first), and their backward rows, which
// compute the gradient of the input from the gradient of the output and the output.
Tensor softmax(const Tensor& x, int64_t dim);
Tensor softmax(const Tensor& x, int64_t dim, DType dtype);
Tensor log_softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim, DType dtype);
Tensor softmax_backward_data(const Tensor& grad, const Tensor& output, int64_t dim);
Tensor log_softmax_backward_data(const Tensor& grad, const Tensor& output, int64_t dim);

// Cumulative sums and products along dim; reverse scans from the end (x[i] + ... + x[n-1]).
Tensor cumsum(const Tensor& x, int64_t dim, bool reverse = false);
Tensor cumsum(const Tensor& x, int64_t dim, DType dtype);
Tensor cumprod(const Tensor& x, int64_t dim, bool reverse = false);
Tensor cumprod(const Tensor& x, int64_t dim, DType dtype);

// Sorting and selection along dim, with int64 indices. NaN orders above every number; sorts are stable.
std::pair<Tensor, Tensor> sort(const Tensor& x, int64_t dim = -1, bool descending = false);
Tensor argsort(const Tensor& x, int64_t dim = -1, bool descending = false);
std::pair<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true);
std::pair<Tensor, Tensor> kthvalue(const Tensor& x, int64_t k, int64_t dim = -1, bool keepdim = false);  // k from 1
Tensor median(const Tensor& x);     // the lower median of all elements
Tensor nanmedian(const Tensor& x);  // ignoring NaN
std::pair<Tensor, Tensor> median(const Tensor& x, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> nanmedian(const Tensor& x, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> mode(const Tensor& x, int64_t dim = -1, bool keepdim = false);

// The sorted distinct values, the inverse indices (x's shape) and the counts; along a dim, distinct slices.
TensorList unique(const Tensor& x);
TensorList unique_dim(const Tensor& x, int64_t dim);

}  // namespace kiln
