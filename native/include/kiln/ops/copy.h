// Copies, conversions and in-place writes. Part of the C++ API of kiln/ops.h.
#pragma once
#include <utility>
#include <vector>

#include "kiln/generator.h"
#include "kiln/scalar.h"
#include "kiln/tensor.h"

namespace kiln {

// The value of a one-element tensor, as a double.
double item(const Tensor& x);

// Copies and writes.
Tensor to(const Tensor& x, DType dtype);
// x on `device` (x itself when it is there): a differentiable copy between the CPU and a GPU.
Tensor to_device(const Tensor& x, Device device);
Tensor clone(const Tensor& x);
Tensor& copy_(Tensor& dst, const Tensor& src);
Tensor& fill_(Tensor& dst, Scalar value);
Tensor& zero_(Tensor& dst);

}  // namespace kiln
