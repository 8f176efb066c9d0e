// Copies and writes: to(dtype), clone, copy_, fill_, zero_.
#include "autograd/backward_context.h"
#include "kiln/ops.h"
#include "ops/pointwise.h"

namespace kiln {
namespace {

// ints: [dtype]. Always a new tensor; `to` returns its input when the dtype already matches.
TensorList to_copy_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = Tensor::empty(in[0].shape(), dtype_arg(args, 0, "to"), in[0].device());
  backend_for(out.device()).copy(out, in[0]);
  return {out};
}

TensorList to_fwd(const TensorList& in, const OpArgs& args);

// ints: [device type, device index]. Always a copy; Tensor.to(device) returns its input when it is there already.
TensorList to_device_fwd(const TensorList& in, const OpArgs& args) {
  const int64_t type = int_arg(args, 0, "to"), index = int_arg(args, 1, "to");
  KILN_CHECK((type == 0 && index == 0) || (type == 1 && index >= 0 && index < 1 << 16), Argument,
             "to: unknown device (type ", type, ", index ", index, ")");
  const Device device{static_cast<DeviceType>(type), static_cast<int32_t>(index)};
  Tensor out = Tensor::empty(in[0].shape(), in[0].dtype(), device);
  // The GPU's backend moves data between host and device, whichever side it is on.
  backend_for(device.is_cpu() ? in[0].device() : device).copy(out, in[0]);
  return {out};
}

TensorList clone_fwd(const TensorList& in, const OpArgs&) {
  Tensor out = Tensor::empty(in[0].shape(), in[0].dtype(), in[0].device());
  backend_for(out.device()).copy(out, in[0]);
  return {out};
}

// copy_(self, src): src broadcast to self's shape and converted to its dtype.
void copy_into(const Tensor& out, const TensorList& in, const OpArgs&) {
  const Tensor& src = in[1];
  check_same_device("copy_", {out, src});
  const Shape shape = broadcast_shapes(out.shape(), src.shape(), "copy_");
  KILN_CHECK(shape == out.shape(), Shape, "copy_: source of shape ", shape_str(src.shape()),
             " cannot be broadcast to the destination shape ", shape_str(out.shape()));
  Backend& be = backend_for(out.device());
  if (unsafe_alias(out, src)) {
    const Tensor tmp = Tensor::empty(src.shape(), src.dtype(), src.device());
    be.copy(tmp, src);
    be.copy(out, expand_to(tmp, shape));
  } else if (!src.same_layout(out)) {
    be.copy(out, expand_to(src, shape));
  }
}

// The out-of-place meaning of copy_ (what autograd records): the source, in self's shape and dtype.
TensorList copy_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = Tensor::empty(in[0].shape(), in[0].dtype(), in[0].device());
  copy_into(out, in, args);
  return {out};
}

// fill_(self, value): value is a one-element tensor, converted to self's dtype.
void fill_into(const Tensor& out, const TensorList& in, const OpArgs&) {
  const Tensor& value = in[1];
  KILN_CHECK(value.dim() == 0, Shape, "fill_: only supports a 0-dimension value tensor, but got a tensor with ",
             value.dim(), " dimensions");
  check_scalar_fits("fill_", scalar_of(value), out.dtype());  // as PyTorch's fill_, through value.item()
  backend_for(out.device()).copy(out, expand_to(value, out.shape()));
}

TensorList fill_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = Tensor::empty(in[0].shape(), in[0].dtype(), in[0].device());
  fill_into(out, in, args);
  return {out};
}

void zero_into(const Tensor& out, const TensorList&, const OpArgs&) {
  backend_for(out.device()).fill(out, Scalar(int64_t(0)));
}

TensorList zero_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = Tensor::empty(in[0].shape(), in[0].dtype(), in[0].device());
  zero_into(out, in, args);
  return {out};
}

// ---- Derivatives. The engine casts each gradient to its input's dtype and sums it to its shape.

TensorList identity_backward(const BackwardContext& c) { return {c.grad()}; }
TensorList to_device_backward(const BackwardContext& c) { return {to_device(c.grad(), c.inputs_meta[0].device)}; }
// copy_, fill_ and zero_ overwrite self: its old values get zeros (as in PyTorch, a gradient, not none);
// the source gets all of the gradient.
Tensor zero_grad_of_self(const BackwardContext& c) {
  return c.needs(0) ? zeros(c.grad().shape(), c.grad().dtype(), c.grad().device()) : Tensor();
}
TensorList copy_backward(const BackwardContext& c) { return {zero_grad_of_self(c), c.grad()}; }
TensorList fill_backward(const BackwardContext& c) { return {zero_grad_of_self(c), sum(c.grad())}; }
TensorList zero_backward(const BackwardContext& c) { return {zero_grad_of_self(c)}; }

const OpDef kToCopy{"_to_copy", "_to_copy(Tensor x; ints: dtype)", 1, OpKind::Primitive, to_copy_fwd, nullptr,
                    identity_backward};
const OpDef kToDevice{"to_device", "to_device(Tensor x; ints: device type, device index)", 1, OpKind::Primitive,
                      to_device_fwd, nullptr, to_device_backward};
const OpDef kTo{"to", "to(Tensor x; ints: dtype)", 1, OpKind::Composite, to_fwd};
const OpDef kClone{"clone", "clone(Tensor x)", 1, OpKind::Primitive, clone_fwd, nullptr, identity_backward};
const OpDef kCopy{"copy_", "copy_(Tensor self, Tensor src) [in-place]", 2, OpKind::Primitive, copy_fwd, copy_into,
                  copy_backward};
const OpDef kFill{"fill_", "fill_(Tensor self, Tensor value) [in-place]", 2, OpKind::Primitive, fill_fwd, fill_into,
                  fill_backward};
const OpDef kZero{"zero_", "zero_(Tensor self) [in-place]", 1, OpKind::Primitive, zero_fwd, zero_into, zero_backward};

TensorList to_fwd(const TensorList& in, const OpArgs& args) {
  const DType t = dtype_arg(args, 0, "to");
  if (in[0].dtype() == t) return {in[0]};
  return call(kToCopy, in, args);
}

}  // namespace

void add_copy_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kToCopy, &kTo, &kClone, &kCopy, &kFill, &kZero, &kToDevice});
}

double item(const Tensor& x) {
  KILN_CHECK(x.numel() == 1, Argument, "item: a Tensor with ", x.numel(), " elements cannot be converted to a scalar");
  Tensor d = Tensor::empty({}, DType::Float64);
  backend_for(x.device()).copy(d, x.as_strided({}, {}, x.offset()));
  return *d.data<double>();
}

Tensor to_device(const Tensor& x, Device device) {
  if (x.device() == device) return x;
  return call1(kToDevice, {x}, OpArgs{{static_cast<int64_t>(device.type), device.index}, {}});
}

Tensor to(const Tensor& x, DType t) { return call1(kTo, {x}, OpArgs{{static_cast<int64_t>(t)}, {}}); }
Tensor clone(const Tensor& x) { return call1(kClone, {x}); }
Tensor& copy_(Tensor& dst, const Tensor& src) {
  call_inplace(kCopy, {dst, src});
  return dst;
}
Tensor& fill_(Tensor& dst, Scalar value) {
  call_inplace(kFill, {dst, wrapped_scalar(value)});
  return dst;
}
Tensor& zero_(Tensor& dst) {
  call_inplace(kZero, {dst});
  return dst;
}

}  // namespace kiln
