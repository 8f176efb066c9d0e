// Matrix products, products with an added term, einsum and linear. Part of the C++ API of kiln/ops.h.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "kiln/generator.h"
#include "kiln/scalar.h"
#include "kiln/tensor.h"

namespace kiln {

// Linear algebra.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& matrix, const Tensor& vector);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor outer(const Tensor& a, const Tensor& b);
// beta * input + alpha * (product), input broadcast to the product's shape; beta == 0 ignores input's values.
Tensor addmm(const Tensor& input, const Tensor& mat1, const Tensor& mat2, double beta = 1, double alpha = 1);
Tensor addmv(const Tensor& input, const Tensor& mat, const Tensor& vec, double beta = 1, double alpha = 1);
Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, double beta = 1, double alpha = 1);
// x @ weight^T + bias over any leading dims of x, as one GEMM; bias may be undefined.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
// Einstein summation: "ij,jk->ik", "bhqd,bhkd->bhqk", "ii->i", "...ij,...jk->...ik", ...
Tensor einsum(const std::string& equation, const TensorList& operands);

}  // namespace kiln
