// softmax and log_softmax along a dim, and their backward rows (PyTorch's _softmax_backward_data and
// _log_softmax_backward_data). Each is one fused kernel (cpu/softmax.h); the backward rows have
// derivatives of their own, so gradients of any order go through the fused kernels.
#include "autograd/backward_context.h"
#include "backend.h"
#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/reduction_family.h"

namespace kiln {
namespace {

const char* forward_name(bool log) { return log ? "log_softmax" : "softmax"; }
const char* backward_name(bool log) { return log ? "_log_softmax_backward_data" : "_softmax_backward_data"; }

// ints: [dim, dtype code (-1: the input's)]. The input is converted to dtype first, as in PyTorch.
template <bool Log>
TensorList softmax_fwd(const TensorList& in, const OpArgs& args) {
  const char* name = forward_name(Log);
  const int64_t dim = wrap_dim(int_arg(args, 0, name), in[0].dim(), name);
  const int64_t code = args.ints.size() > 1 ? args.ints[1] : -1;
  const DType t = code >= 0 ? dtype_arg(args, 1, name) : in[0].dtype();
  KILN_CHECK(is_floating(t), DType, name, ": expected a floating point tensor, got ", dtype_name(t),
             " (pass a floating dtype to convert the input)");
  const DType c = compute_dtype(t);  // float16 and bfloat16 in float32, rounded once at the end
  const Tensor x = cast(in[0], c);
  Tensor out = Tensor::empty(x.shape(), c, x.device());
  backend_for(x.device()).softmax(out, x, dim, Log);
  return {cast(out, t)};
}

// inputs: grad, output; ints: [dim]
template <bool Log>
TensorList softmax_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* name = backward_name(Log);
  const Tensor& y = in[1];
  KILN_CHECK(is_floating(y.dtype()), DType, name, ": expected a floating point output, got ", dtype_name(y.dtype()));
  KILN_CHECK(in[0].shape() == y.shape(), Shape, name, ": grad of shape ", shape_str(in[0].shape()),
             " does not match the output's shape ", shape_str(y.shape()));
  const int64_t dim = wrap_dim(int_arg(args, 0, name), y.dim(), name);
  const Tensor g = cast(in[0], y.dtype());
  Tensor gx = Tensor::empty(y.shape(), y.dtype(), y.device());
  backend_for(y.device()).softmax_backward(gx, g, y, dim, Log);
  return {gx};
}

TensorList softmax_backward(const BackwardContext& c);
TensorList log_softmax_backward(const BackwardContext& c);
TensorList softmax_backward_data_backward(const BackwardContext& c);
TensorList log_softmax_backward_data_backward(const BackwardContext& c);

const OpDef kSoftmax{"softmax", "softmax(Tensor x; ints: dim, [dtype])", 1, OpKind::Primitive, softmax_fwd<false>,
                     nullptr, softmax_backward, kSaveOutputs};
const OpDef kLogSoftmax{"log_softmax", "log_softmax(Tensor x; ints: dim, [dtype])", 1, OpKind::Primitive,
                        softmax_fwd<true>, nullptr, log_softmax_backward, kSaveOutputs};
const OpDef kSoftmaxBackwardData{"_softmax_backward_data", "_softmax_backward_data(Tensor grad, Tensor output; ints: dim)",
                                 2, OpKind::Primitive, softmax_backward_fwd<false>, nullptr,
                                 softmax_backward_data_backward, kSaveInputs};
const OpDef kLogSoftmaxBackwardData{"_log_softmax_backward_data",
                                    "_log_softmax_backward_data(Tensor grad, Tensor output; ints: dim)", 2,
                                    OpKind::Primitive, softmax_backward_fwd<true>, nullptr,
                                    log_softmax_backward_data_backward, kSaveInputs};

Tensor backward_data(bool log, const Tensor& g, const Tensor& y, int64_t dim) {
  return call1(log ? kLogSoftmaxBackwardData : kSoftmaxBackwardData, {g, y}, OpArgs{{dim}, {}});
}

// ---- Derivatives.

TensorList softmax_backward(const BackwardContext& c) { return {backward_data(false, c.grad(), c.output(), c.args.ints[0])}; }
TensorList log_softmax_backward(const BackwardContext& c) {
  return {backward_data(true, c.grad(), c.output(), c.args.ints[0])};
}

// gx = y (g - sum(g y)) is linear in g with a symmetric Jacobian, so d/dg applies the same map to G;
// d/dy = G (g - sum(g y)) - g sum(G y).
TensorList softmax_backward_data_backward(const BackwardContext& c) {
  const Tensor &G = c.grad(), &g = c.input(0), &y = c.input(1);
  const int64_t dim = c.args.ints[0];
  Tensor dg, dy;
  if (c.needs(0)) dg = backward_data(false, G, y, dim);
  if (c.needs(1)) dy = sub(mul(G, sub(g, sum(mul(g, y), {dim}, true))), mul(g, sum(mul(G, y), {dim}, true)));
  return {dg, dy};
}

// gx = g - exp(y) sum(g): d/dg = G - sum(G exp(y)); d/dy = -G exp(y) sum(g).
TensorList log_softmax_backward_data_backward(const BackwardContext& c) {
  const Tensor &G = c.grad(), &g = c.input(0), &y = c.input(1);
  const int64_t dim = c.args.ints[0];
  const Tensor e = exp(y);
  Tensor dg, dy;
  if (c.needs(0)) dg = sub(G, sum(mul(G, e), {dim}, true));
  if (c.needs(1)) dy = neg(mul(mul(G, e), sum(g, {dim}, true)));
  return {dg, dy};
}

}  // namespace

void add_softmax_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kSoftmax, &kLogSoftmax, &kSoftmaxBackwardData, &kLogSoftmaxBackwardData});
}

Tensor softmax(const Tensor& x, int64_t dim) { return call1(kSoftmax, {x}, OpArgs{{dim}, {}}); }
Tensor softmax(const Tensor& x, int64_t dim, DType dtype) {
  return call1(kSoftmax, {x}, OpArgs{{dim, static_cast<int64_t>(dtype)}, {}});
}
Tensor log_softmax(const Tensor& x, int64_t dim) { return call1(kLogSoftmax, {x}, OpArgs{{dim}, {}}); }
Tensor log_softmax(const Tensor& x, int64_t dim, DType dtype) {
  return call1(kLogSoftmax, {x}, OpArgs{{dim, static_cast<int64_t>(dtype)}, {}});
}
Tensor softmax_backward_data(const Tensor& grad, const Tensor& output, int64_t dim) {
  return backward_data(false, grad, output, dim);
}
Tensor log_softmax_backward_data(const Tensor& grad, const Tensor& output, int64_t dim) {
  return backward_data(true, grad, output, dim);
}

}  // namespace kiln
