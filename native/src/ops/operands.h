// Preparing operands for kernels: type promotion, casts, broadcast views and output allocation.
#pragma once
#include "backend.h"
#include "op_table.h"

namespace kiln {

// Hot paths pass their operands as pointers ({&a, &b}): a TensorList costs a heap allocation and a reference
// count per tensor, a visible share of a tiny op's time.
using TensorRefs = std::initializer_list<const Tensor*>;

OperandPriority priority_of(const Tensor& t);
// torch.result_type over tensors (wrapped scalars count less, see ResultType).
DType result_type(const TensorList& operands);
DType result_type(TensorRefs operands);
// torch.can_cast: no float -> integral, no non-bool -> bool.
bool can_cast(DType from, DType to);
// x when it already has dtype t, else a converted copy. Runs kernels only: no autograd.
Tensor cast(const Tensor& x, DType t);
// The dtype the kernel of an exact op with result dtype t computes in, on `device`: the narrow integers (int32,
// int16, int8, uint8) as stored where the backend takes them (Backend::takes_narrow_ints), else compute_dtype(t).
// Exact ops give in t what they give in int64 cast back to t: extremes, clamps, negation, abs, sign, bitwise
// ops, shifts, remainders, tests. A uint8 image took 8x its size in int64 copies per such op before.
DType exact_compute_dtype(DType t, Device device);
// A broadcast view of x with the given shape (zero strides on expanded dims); shapes must be compatible.
Tensor expand_to(const Tensor& x, const Shape& shape);
// A new tensor; the size checks name the op.
Tensor new_tensor(const Shape& shape, DType t, const char* op, Device device = Device::cpu());
void check_same_device(const char* op, const TensorList& tensors);
void check_same_device(const char* op, TensorRefs tensors);
// For op families whose kernels are called directly (cpu/<family>.h) rather than through Backend: the
// tensors must live on the CPU (a CUDA build adds the matching cuda/<family>.h and dispatches here).
void check_cpu(const char* op, const TensorList& tensors);
// True when writing to out while reading in could read already-written elements.
bool unsafe_alias(const Tensor& out, const Tensor& in);
// A contiguous tensor's view with the listed (size-1) dims removed.
Tensor drop_dims(const Tensor& t, const std::vector<int64_t>& dims);
// shape with the listed dims set to 1.
Shape keepdim_shape(const Shape& shape, const std::vector<int64_t>& dims);

}  // namespace kiln
