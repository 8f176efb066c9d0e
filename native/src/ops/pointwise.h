// What elementwise ops share in the op layer: checking the output an in-place form writes into, computing in
// the compute dtype (kiln/dtype.h) and converting into the output, and PyTorch's checked conversion of
// scalar arguments.
#pragma once
#include "ops/operands.h"

namespace kiln {

// The output (in-place self) must have the result's shape, and the result dtype must be castable to its dtype.
void check_output(const char* op, const Tensor& out, const Shape& shape, DType result);

// An operand given as a tensor (TensorList) or as a pointer (TensorRefs).
inline const Tensor& deref(const Tensor& t) { return t; }
inline const Tensor& deref(const Tensor* t) { return *t; }

// Runs kernel(target) and leaves the result in out. target has out's shape and dtype `kernel_dtype`: out itself
// when it has that dtype and no input overlaps it partly; otherwise a temporary, converted into out afterwards.
template <class Inputs, class Kernel>
void write_through_impl(const Tensor& out, DType kernel_dtype, const Inputs& inputs, Kernel&& kernel) {
  bool direct = out.dtype() == kernel_dtype;
  for (const auto& in : inputs) direct = direct && !unsafe_alias(out, deref(in));
  if (direct) {
    kernel(out);
    return;
  }
  const Tensor target = Tensor::empty(out.shape(), kernel_dtype, out.device());
  kernel(target);
  backend_for(out.device()).copy(out, target);
}
template <class Kernel>
void write_through(const Tensor& out, DType kernel_dtype, const TensorList& inputs, Kernel&& kernel) {
  write_through_impl(out, kernel_dtype, inputs, kernel);
}
template <class Kernel>
void write_through(const Tensor& out, DType kernel_dtype, TensorRefs inputs, Kernel&& kernel) {
  write_through_impl(out, kernel_dtype, inputs, kernel);
}

// x as the kernel of an op with result dtype t reads it: in compute_dtype(t). An operand of another dtype (a
// wrapped number, a 0-dim tensor) is first rounded to t, as PyTorch computes in t: int8 == 300 compares with
// 44, float16 + 0.5001 adds 0.5.
Tensor to_compute(const Tensor& x, DType t);
// to_compute(x, t) broadcast to shape: what a kernel reads.
Tensor operand(const Tensor& x, DType t, const Shape& shape);

// x as a kernel computing in c (exact_compute_dtype or compute_dtype of t) reads it, broadcast to shape.
Tensor operand_in(const Tensor& x, DType t, DType c, const Shape& shape);

// PyTorch's checked conversion of a Scalar argument (fill_, full, clamp's bounds, addcmul's value) to dtype t:
// "value cannot be converted to type int8_t without overflow" for 300 into int8, 1e39 into float32, NaN into
// an integer type; integers may wrap into uint8 down to -255 (two's complement), infinities always fit a
// floating type.
void check_scalar_fits(const char* op, const Scalar& value, DType t);
// t itself on the CPU, else a copy there (for the few values the op layer reads, as scalar_of).
Tensor on_host(const Tensor& t);
// The value of a 0-dim (wrapped) tensor as a Scalar of its kind, from any device.
Scalar scalar_of(const Tensor& t);

}  // namespace kiln
