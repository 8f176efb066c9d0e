// Distances between batches of vectors, as torch.nn.functional defines them: cosine similarity along a dim and
// the p-norm distance along the last dim, both broadcasting their inputs. Part of the C++ API of kiln/ops.h.
#pragma once
#include "kiln/tensor.h"

namespace kiln {

// sum over dim of (x1 / max(|x1|, eps)) (x2 / max(|x2|, eps)), x1 and x2 broadcast together first.
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim = 1, double eps = 1e-8);
// || x1 - x2 + eps ||_p over the last dim.
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2, double eps = 1e-6, bool keepdim = false);

}  // namespace kiln
