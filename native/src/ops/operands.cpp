#include "ops/operands.h"

#include <algorithm>

namespace kiln {

OperandPriority priority_of(const Tensor& t) {
  if (t.is_wrapped_number()) return OperandPriority::WrappedNumber;
  return t.dim() == 0 ? OperandPriority::ZeroDim : OperandPriority::Dimensioned;
}

DType result_type(const TensorList& operands) {
  ResultType rt;
  for (const Tensor& t : operands) rt.add(t.dtype(), priority_of(t));
  return rt.get();
}

DType result_type(TensorRefs operands) {
  ResultType rt;
  for (const Tensor* t : operands) rt.add(t->dtype(), priority_of(*t));
  return rt.get();
}

bool can_cast(DType from, DType to) {
  if (is_floating(from) && !is_floating(to)) return false;
  if (from != DType::Bool && to == DType::Bool) return false;
  return true;
}

Tensor cast(const Tensor& x, DType t) {
  if (x.dtype() == t) return x;
  Tensor out = Tensor::empty(x.shape(), t, x.device());
  backend_for(x.device()).copy(out, x);
  out.impl()->wrapped_number = x.is_wrapped_number();
  return out;
}

DType exact_compute_dtype(DType t, Device device) {
  const bool narrow = is_integral(t, false) && t != DType::Int64;
  return narrow && backend_for(device).takes_narrow_ints() ? t : compute_dtype(t);
}

Tensor expand_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const int64_t nd = static_cast<int64_t>(shape.size()), lead = nd - x.dim();
  Shape strides(shape.size(), 0);
  for (int64_t d = 0; d < x.dim(); ++d) strides[lead + d] = x.shape()[d] == 1 ? 0 : x.strides()[d];
  return x.as_strided(shape, strides, x.offset());
}

Tensor new_tensor(const Shape& shape, DType t, const char* op, Device device) {
  checked_numel(shape, op);
  return Tensor::empty(shape, t, device);
}

namespace {
// Java scalars (wrapped numbers) live on the CPU and join ops on any device; the other tensors share one device.
template <class Get>
void check_devices(const char* op, size_t n, Get get) {
  const Tensor* first = nullptr;
  for (size_t i = 0; i < n; ++i) {
    const Tensor& t = get(i);
    if (!t.defined() || t.is_wrapped_number()) continue;
    if (first == nullptr) first = &t;
    KILN_CHECK(t.device() == first->device(), Device, op, ": expected all tensors to be on the same device, but found ",
               first->device().str(), " and ", t.device().str());
  }
}
}  // namespace

void check_same_device(const char* op, const TensorList& tensors) {
  check_devices(op, tensors.size(), [&](size_t i) -> const Tensor& { return tensors[i]; });
}

void check_same_device(const char* op, TensorRefs tensors) {
  check_devices(op, tensors.size(), [&](size_t i) -> const Tensor& { return *tensors.begin()[i]; });
}

void check_cpu(const char* op, const TensorList& tensors) {
  for (const Tensor& t : tensors)
    KILN_CHECK(!t.defined() || t.device().is_cpu(), Device, op, ": not implemented for device ", t.device().str());
}

bool unsafe_alias(const Tensor& out, const Tensor& in) { return in.may_overlap(out) && !in.same_layout(out); }

Tensor drop_dims(const Tensor& t, const std::vector<int64_t>& dims) {
  Shape shape;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) shape.push_back(t.shape()[d]);
  return t.as_strided(shape, contiguous_strides(shape), t.offset());
}

Shape keepdim_shape(const Shape& shape, const std::vector<int64_t>& dims) {
  Shape out = shape;
  for (int64_t d : dims) out[d] = 1;
  return out;
}

}  // namespace kiln
