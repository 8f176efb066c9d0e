// The ops, as C++ functions: one header per family under kiln/ops/. Each op runs through the op table
// (src/op_table.h), so it checks its arguments, records autograd history, and behaves exactly as the same
// op called from Java.
#pragma once
#include "kiln/ops/activation.h"
#include "kiln/ops/attention.h"
#include "kiln/ops/conv.h"
#include "kiln/ops/copy.h"
#include "kiln/ops/creation.h"
#include "kiln/ops/distance.h"
#include "kiln/ops/dropout.h"
#include "kiln/ops/elementwise.h"
#include "kiln/ops/embedding.h"
#include "kiln/ops/indexing.h"
#include "kiln/ops/linalg.h"
#include "kiln/ops/loss.h"
#include "kiln/ops/normalization.h"
#include "kiln/ops/pooling.h"
#include "kiln/ops/random.h"
#include "kiln/ops/recurrent.h"
#include "kiln/ops/reduction.h"
#include "kiln/ops/sampling.h"
#include "kiln/ops/shape.h"

namespace kiln {

// Operators for readable C++ (tests, derivative formulas).
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator*(const Tensor& a, Scalar b) { return mul(a, b); }
inline Tensor operator+(const Tensor& a, Scalar b) { return add(a, b); }

}  // namespace kiln
