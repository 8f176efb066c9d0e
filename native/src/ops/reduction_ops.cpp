// Reductions: sum and mean over dims, max/min over everything or along a dim, argmax/argmin, amax/amin;
// and the family's registry (reduction_family.h), which adds the rows of its other files.
#include "autograd/backward_context.h"
#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/reduction_family.h"

namespace kiln {
namespace {

// Reduces x over dims into a tensor of dtype `out_dtype`; keepdim keeps the reduced dims as size 1.
// The kernel runs in out_dtype's compute dtype (float16 sums in float32), maxima and minima of the narrow
// integers as stored where the backend takes them.
Tensor reduce(ReduceOp op, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim, DType out_dtype) {
  const bool extreme = op == ReduceOp::Max || op == ReduceOp::Min;
  const DType c = extreme ? exact_compute_dtype(out_dtype, x.device()) : compute_dtype(out_dtype);
  Tensor in = cast(x, c);
  Tensor out = Tensor::empty(keepdim_shape(x.shape(), dims), c, x.device());
  backend_for(x.device()).reduce(op, out, in);
  out = cast(out, out_dtype);
  return keepdim ? out : drop_dims(out, dims);
}

// ints: [keepdim, dims...] (no dims: all)
TensorList sum_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const auto dims = reduction_dims(int_list(args, 1), x.dim(), "sum");
  const DType t = is_floating(x.dtype()) ? x.dtype() : DType::Int64;  // bool and integers sum to int64
  return {reduce(ReduceOp::Sum, x, dims, int_arg(args, 0, "sum") != 0, t)};
}

TensorList mean_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  KILN_CHECK(is_floating(x.dtype()), DType, "mean: could not infer output dtype. Input dtype must be a floating point "
             "dtype, got ", dtype_name(x.dtype()));
  const auto dims = reduction_dims(int_list(args, 1), x.dim(), "mean");
  return {reduce(ReduceOp::Mean, x, dims, int_arg(args, 0, "mean") != 0, x.dtype())};
}

// The extreme value of all elements.
template <ReduceOp Op>
TensorList extreme_fwd(const TensorList& in, const OpArgs&) {
  const char* name = Op == ReduceOp::Max ? "max" : "min";
  const Tensor& x = in[0];
  KILN_CHECK(x.numel() > 0, Argument, name, ": expected reduction dim to be specified for input.numel() == 0. "
             "Specify the reduction dim with the 'dim' argument.");
  return {reduce(Op, x, reduction_dims({}, x.dim(), name), false, x.dtype())};
}

// ints: [dim, keepdim]; outputs values and int64 indices. name: the op the user called, for messages.
template <ArgReduceOp Op>
TensorList extreme_dim(const TensorList& in, const OpArgs& args, const char* name) {
  const Tensor& x = in[0];
  const int64_t dim = wrap_dim(int_arg(args, 0, name), x.dim(), name);
  const bool keepdim = int_arg(args, 1, name) != 0;
  if (x.dim() == 0) return {clone(x), zeros({}, DType::Int64, x.device())};  // a new tensor, as PyTorch: autograd records it
  KILN_CHECK(x.shape()[dim] > 0, Index, name, ": expected reduction dim ", dim, " to have non-zero size");
  Shape kept = keepdim_shape(x.shape(), {dim});
  const DType c = exact_compute_dtype(x.dtype(), x.device());
  Tensor values = Tensor::empty(kept, c, x.device());
  Tensor indices = Tensor::empty(kept, DType::Int64, x.device());
  backend_for(x.device()).arg_reduce(Op, values, indices, cast(x, c), dim);
  values = cast(values, x.dtype());
  if (keepdim) return {values, indices};
  return {drop_dims(values, {dim}), drop_dims(indices, {dim})};
}

template <ArgReduceOp Op>
TensorList extreme_dim_fwd(const TensorList& in, const OpArgs& args) {
  return extreme_dim<Op>(in, args, Op == ArgReduceOp::Max ? "max" : "min");
}

// ints: [] for the index into the flattened tensor, or [dim, keepdim].
template <ArgReduceOp Op>
TensorList arg_fwd(const TensorList& in, const OpArgs& args) {
  const char* name = Op == ArgReduceOp::Max ? "argmax" : "argmin";
  const Tensor& x = in[0];
  KILN_CHECK(x.dtype() != DType::Bool, DType, name, ": not implemented for 'bool'");
  if (args.ints.empty()) {
    KILN_CHECK(x.numel() > 0, Argument, name, ": expected reduction dim to be specified for input.numel() == 0.");
    const Tensor flat = reshape(x, {-1});
    return {extreme_dim<Op>({flat}, OpArgs{{0, 0}, {}}, name)[1]};
  }
  TensorList vi = extreme_dim<Op>(in, args, name);
  return {vi[1]};
}

// amax/amin: the extreme over dims (no dims: all), without indices. ints: [keepdim, dims...]
template <ReduceOp Op>
TensorList amax_fwd(const TensorList& in, const OpArgs& args) {
  const char* name = Op == ReduceOp::Max ? "amax" : "amin";
  const Tensor& x = in[0];
  const auto listed = int_list(args, 1);
  const auto dims = reduction_dims(listed, x.dim(), name);
  if (x.numel() == 0) {
    KILN_CHECK(!listed.empty(), Argument, name, ": Expected reduction dim to be specified for input.numel() == 0. "
               "Specify the reduction dim with the 'dim' argument.");
    for (int64_t d : dims)
      KILN_CHECK(x.shape()[d] != 0, Index, name, ": Expected reduction dim ", d, " to have non-zero size (input of "
                 "shape ", shape_str(x.shape()), ")");
  }
  return {reduce(Op, x, dims, int_arg(args, 0, name) != 0, x.dtype())};
}

// ---- Derivatives.

TensorList sum_backward(const BackwardContext& c) {
  const Shape& shape = c.input_shape(0);
  const auto dims = reduction_dims(int_list(c.args, 1), static_cast<int64_t>(shape.size()), "sum");
  return {expand_reduced(c.grad(), shape, dims, c.args.ints[0] != 0)};
}

TensorList mean_backward(const BackwardContext& c) {
  const Shape& shape = c.input_shape(0);
  const auto dims = reduction_dims(int_list(c.args, 1), static_cast<int64_t>(shape.size()), "mean");
  int64_t n = 1;
  for (int64_t d : dims) n *= shape[d];
  return {div(expand_reduced(c.grad(), shape, dims, c.args.ints[0] != 0), Scalar(static_cast<double>(n)))};
}

// The gradient is shared evenly by all elements equal to the extreme (NaN ones when the result is NaN).
TensorList extreme_backward(const BackwardContext& c) {
  return {evenly_distribute_backward(c.grad(), c.input(0), c.output())};
}

// Values along a dim: the gradient goes to the index each value came from.
TensorList extreme_dim_backward(const BackwardContext& c) {
  const Shape& shape = c.input_shape(0);
  if (shape.empty()) return {c.grad()};
  const int64_t dim = wrap_dim(c.args.ints[0], static_cast<int64_t>(shape.size()), "max");
  return {index_select_backward(c.grad(), c.output(1), shape, c.input_dtype(0), dim, c.args.ints[1] != 0)};
}

// The gradient is shared evenly by the elements equal to their slice's extreme (as PyTorch: a NaN extreme
// gives NaN to its whole slice).
TensorList amax_backward(const BackwardContext& c) {
  const Tensor& x = c.input(0);
  const auto dims = reduction_dims(int_list(c.args, 1), x.dim(), "amax");
  const bool keepdim = c.args.ints[0] != 0;
  const Tensor hit = to(eq(x, expand_reduced(c.output(), x.shape(), dims, keepdim)), x.dtype());
  return {mul(div(expand_reduced(c.grad(), x.shape(), dims, keepdim), sum(hit, dims, true)), hit)};
}

const OpDef kSum{"sum", "sum(Tensor x; ints: keepdim, dims...)", 1, OpKind::Primitive, sum_fwd, nullptr, sum_backward};
const OpDef kMean{"mean", "mean(Tensor x; ints: keepdim, dims...)", 1, OpKind::Primitive, mean_fwd, nullptr,
                  mean_backward};
const OpDef kMax{"max", "max(Tensor x)", 1, OpKind::Primitive, extreme_fwd<ReduceOp::Max>, nullptr, extreme_backward,
                 kSaveInputs | kSaveOutputs};
const OpDef kMin{"min", "min(Tensor x)", 1, OpKind::Primitive, extreme_fwd<ReduceOp::Min>, nullptr, extreme_backward,
                 kSaveInputs | kSaveOutputs};
const OpDef kMaxDim{"max_dim", "max_dim(Tensor x; ints: dim, keepdim) -> (values, indices)", 1, OpKind::Primitive,
                    extreme_dim_fwd<ArgReduceOp::Max>, nullptr, extreme_dim_backward, kSaveOutputs};
const OpDef kMinDim{"min_dim", "min_dim(Tensor x; ints: dim, keepdim) -> (values, indices)", 1, OpKind::Primitive,
                    extreme_dim_fwd<ArgReduceOp::Min>, nullptr, extreme_dim_backward, kSaveOutputs};
const OpDef kAmax{"amax", "amax(Tensor x; ints: keepdim, dims...)", 1, OpKind::Primitive, amax_fwd<ReduceOp::Max>,
                  nullptr, amax_backward, kSaveInputs | kSaveOutputs};
const OpDef kAmin{"amin", "amin(Tensor x; ints: keepdim, dims...)", 1, OpKind::Primitive, amax_fwd<ReduceOp::Min>,
                  nullptr, amax_backward, kSaveInputs | kSaveOutputs};
const OpDef kArgmax{"argmax", "argmax(Tensor x; ints: [dim, keepdim])", 1, OpKind::Primitive, arg_fwd<ArgReduceOp::Max>};
const OpDef kArgmin{"argmin", "argmin(Tensor x; ints: [dim, keepdim])", 1, OpKind::Primitive, arg_fwd<ArgReduceOp::Min>};

}  // namespace

OpArgs dims_args(const Dims& dims, bool keepdim) {
  OpArgs a;
  a.ints.push_back(keepdim);
  a.ints.insert(a.ints.end(), dims.begin(), dims.end());
  return a;
}

Tensor expand_reduced(const Tensor& g, const Shape& shape, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor r = g;
  if (!keepdim)
    for (int64_t d : dims) r = unsqueeze(r, d);  // dims are sorted: each lands at its own index
  return expand(r, shape);
}

Tensor index_select_backward(const Tensor& g, const Tensor& indices, const Shape& shape, DType dtype, int64_t dim,
                             bool keepdim) {
  if (shape.empty()) return g;
  const Tensor index = keepdim ? indices : unsqueeze(indices, dim);
  Tensor z = zeros(shape, dtype, g.device());  // written into in place: the out-of-place op would copy the zeros first
  return scatter_(z, dim, index, keepdim ? g : unsqueeze(g, dim));
}

Tensor evenly_distribute_backward(const Tensor& g, const Tensor& x, const Tensor& value) {
  const Tensor hit = add(to(eq(x, value), x.dtype()), mul(to(ne(x, x), x.dtype()), to(ne(value, value), x.dtype())));
  return mul(hit, div(g, sum(hit)));
}

DType float_result_dtype(const Tensor& x, int64_t dtype_code, const char* op, bool promote_integral) {
  if (dtype_code >= 0) {
    KILN_CHECK(dtype_code < kNumDTypes, Argument, op, ": unknown dtype code ", dtype_code);
    const DType t = static_cast<DType>(dtype_code);
    KILN_CHECK(is_floating(t), DType, op, ": expected a floating point dtype, got ", dtype_name(t));
    return t;
  }
  if (is_floating(x.dtype())) return x.dtype();
  KILN_CHECK(promote_integral, DType, op, ": expected a floating point tensor, got ", dtype_name(x.dtype()));
  return default_float();
}

void add_reduction_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kSum, &kMean, &kMax, &kMin, &kMaxDim, &kMinDim, &kArgmax, &kArgmin, &kAmax, &kAmin});
  add_stats_ops(table);
  add_norm_ops(table);
  add_softmax_ops(table);
  add_scan_ops(table);
  add_sort_ops(table);
}

Tensor sum(const Tensor& x, const Dims& dims, bool keepdim) { return call1(kSum, {x}, dims_args(dims, keepdim)); }
Tensor mean(const Tensor& x, const Dims& dims, bool keepdim) { return call1(kMean, {x}, dims_args(dims, keepdim)); }
Tensor max(const Tensor& x) { return call1(kMax, {x}); }
Tensor min(const Tensor& x) { return call1(kMin, {x}); }
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  TensorList r = call(kMaxDim, {x}, OpArgs{{dim, keepdim}, {}});
  return {r[0], r[1]};
}
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  TensorList r = call(kMinDim, {x}, OpArgs{{dim, keepdim}, {}});
  return {r[0], r[1]};
}
Tensor amax(const Tensor& x, const Dims& dims, bool keepdim) { return call1(kAmax, {x}, dims_args(dims, keepdim)); }
Tensor amin(const Tensor& x, const Dims& dims, bool keepdim) { return call1(kAmin, {x}, dims_args(dims, keepdim)); }
Tensor argmax(const Tensor& x) { return call1(kArgmax, {x}); }
Tensor argmin(const Tensor& x) { return call1(kArgmin, {x}); }
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) { return call1(kArgmax, {x}, OpArgs{{dim, keepdim}, {}}); }
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) { return call1(kArgmin, {x}, OpArgs{{dim, keepdim}, {}}); }

}  // namespace kiln
