// Creation: new tensors from arguments (empty, zeros, full, arange, eye, rand, ...). Part of the C++ API of kiln/ops.h.
#pragma once
#include <utility>
#include <vector>

#include "kiln/generator.h"
#include "kiln/scalar.h"
#include "kiln/tensor.h"

namespace kiln {

// Creation.
Tensor empty(const Shape& shape, DType dtype = DType::Float32);
Tensor zeros(const Shape& shape, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor ones(const Shape& shape, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor full(const Shape& shape, Scalar value, DType dtype, Device device = Device::cpu());
Tensor arange(double start, double end, double step, DType dtype);
Tensor eye(int64_t n, int64_t m, DType dtype = DType::Float32);
Tensor rand(const Shape& shape, DType dtype = DType::Float32, Generator* gen = nullptr);
Tensor randn(const Shape& shape, DType dtype = DType::Float32, Generator* gen = nullptr);
// A tensor holding a copy of `data` (count elements of dtype, row-major).
Tensor from_data(const void* data, int64_t count, const Shape& shape, DType dtype);
// A 0-dim tensor standing for a Java scalar in type promotion.
Tensor wrapped_scalar(Scalar value);

}  // namespace kiln
