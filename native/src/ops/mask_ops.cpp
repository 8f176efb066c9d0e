// Masks: masked_fill (and masked_fill_), masked_select and nonzero. Masks are bool tensors broadcast against
// the input; masked_select reads elements in row-major order, as nonzero lists them.
#include "autograd/backward_context.h"
#include "cpu/indexing.h"
#include "kiln/ops.h"
#include "ops/index_plan.h"
#include "ops/operands.h"

namespace kiln {
namespace {

void check_mask(const Tensor& mask, const char* op) {
  KILN_CHECK(mask.dtype() == DType::Bool, DType, op, ": expected a bool mask, but got a mask with dtype ",
             dtype_name(mask.dtype()));
}

// masked_fill(self, mask, value): value is a 0-dim tensor, converted to self's dtype.
void masked_fill_into(const Tensor& out, const TensorList& in, const OpArgs&) {
  const Tensor &mask = in[1], &value = in[2];
  check_same_device("masked_fill", {out, mask, value});
  check_mask(mask, "masked_fill");
  KILN_CHECK(value.dim() == 0, Shape, "masked_fill: only supports a 0-dimensional value tensor, but got a tensor with ",
             value.dim(), " dimension(s)");
  KILN_CHECK(broadcasts_to(mask.shape(), out.shape()), Shape, "masked_fill: mask of shape ", shape_str(mask.shape()),
             " cannot be broadcast to the tensor of shape ", shape_str(out.shape()));
  const Tensor m = mask.may_overlap(out) ? clone(mask) : mask;
  backend_for(out.device()).where(out, expand_to(m, out.shape()), expand_to(cast(value, out.dtype()), out.shape()),
                                  in[0].same(out) ? out : expand_to(in[0], out.shape()));
}

TensorList masked_fill_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const Shape shape = broadcast_shapes(x.shape(), in[1].shape(), "masked_fill");
  Tensor out = new_tensor(shape, x.dtype(), "masked_fill", x.device());
  masked_fill_into(out, in, args);
  return {out};
}

TensorList masked_fill_backward(const BackwardContext& c) {
  const Tensor& mask = c.input(1);
  const Tensor zero = zeros({}, c.grad().dtype());
  return {c.needs(0) ? where(mask, zero, c.grad()) : Tensor(), Tensor(),
          c.needs(2) ? sum(where(mask, c.grad(), zero)) : Tensor()};
}

TensorList masked_select_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &x = in[0], &mask = in[1];
  check_cpu("masked_select", in);
  check_mask(mask, "masked_select");
  const Shape shape = broadcast_shapes(x.shape(), mask.shape(), "masked_select");
  if (x.shape() == mask.shape() && x.is_contiguous() && mask.is_contiguous() && x.element_size() <= 8)
    return {cpu::masked_select_contiguous(x, mask)};
  if (shape.empty()) return {reshape(index(reshape(x, {1}), {reshape(mask, {1})}), {-1})};
  return {index(expand_to(x, shape), {expand_to(mask, shape)})};
}

// The selected elements go back where they came from; the engine sums over x's broadcast dims.
TensorList masked_select_backward(const BackwardContext& c) {
  const Shape shape = broadcast_shapes(c.input_shape(0), c.input_shape(1), "masked_select");
  const Shape full = shape.empty() ? Shape{1} : shape;
  const Tensor mask = reshape(expand(c.input(1), shape), full);
  return {reshape(index_put(zeros(full, c.grad().dtype()), {mask}, c.grad()), shape), Tensor()};
}

TensorList nonzero_fwd(const TensorList& in, const OpArgs&) {
  const Tensor& x = in[0];
  check_cpu("nonzero", in);
  const int64_t n = cpu::nonzero_count(x);
  Tensor out = Tensor::empty({n, x.dim()}, DType::Int64, x.device());
  cpu::nonzero_kernel(out, x);
  return {out};
}

const OpDef kMaskedFill{"masked_fill", "masked_fill(Tensor x, Tensor mask, Tensor value)", 3, OpKind::Primitive,
                        masked_fill_fwd, masked_fill_into, masked_fill_backward, kSaveInputs};
const OpDef kMaskedSelect{"masked_select", "masked_select(Tensor x, Tensor mask)", 2, OpKind::Primitive,
                          masked_select_fwd, nullptr, masked_select_backward, kSaveInputs};
const OpDef kNonzero{"nonzero", "nonzero(Tensor x) -> int64 [count, x.dim()]", 1, OpKind::Primitive, nonzero_fwd};

}  // namespace

void add_mask_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kMaskedFill, &kMaskedSelect, &kNonzero});
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value) {
  return call1(kMaskedFill, {x, mask, value});
}
Tensor masked_fill(const Tensor& x, const Tensor& mask, Scalar value) {
  return call1(kMaskedFill, {x, mask, wrapped_scalar(value)});
}
Tensor& masked_fill_(Tensor& x, const Tensor& mask, const Tensor& value) {
  call_inplace(kMaskedFill, {x, mask, value});
  return x;
}
Tensor masked_select(const Tensor& x, const Tensor& mask) { return call1(kMaskedSelect, {x, mask}); }
Tensor nonzero(const Tensor& x) { return call1(kNonzero, {x}); }
TensorList nonzero_as_tuple(const Tensor& x) { return unbind(nonzero(x.dim() == 0 ? reshape(x, {1}) : x), 1); }

}  // namespace kiln
