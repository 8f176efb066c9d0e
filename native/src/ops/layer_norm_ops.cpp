// Layer norm and RMS norm: normalization over the last dims (normalized_shape) of every row. Each is a fused
// op returning the output and its statistics (native_layer_norm: mean and rstd; native_rms_norm: rstd), a fused
// backward op, and the composite users call. Derivatives: ops/norm_derivatives.h.
#include <cmath>
#include <limits>

#include "autograd/backward_context.h"
#include "cpu/normalization.h"
#include "kiln/ops.h"
#include "ops/norm_derivatives.h"
#include "ops/operands.h"
#include "ops/optional_inputs.h"

namespace kiln {
namespace {

using LnInputs = OptionalInputs<1, 2>;      // x; weight, bias
using LnGradInputs = OptionalInputs<4, 1>;  // grad, x, mean, rstd; weight
using RmsInputs = OptionalInputs<1, 1>;     // x; weight
using RmsGradInputs = OptionalInputs<3, 1>; // grad, x, rstd; weight

// The rows and row length of x over normalized_shape, checked as PyTorch does.
struct Rows {
  int64_t rows, d;
};

Rows check_rows(const char* op, const Tensor& x, const Shape& normalized) {
  check_cpu(op, {x});
  KILN_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, DType, op, ": \"", op,
             "\" not implemented for '", dtype_name(x.dtype()), "' (expected a float32 or float64 input)");
  KILN_CHECK(!normalized.empty(), Shape, op,
             ": Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but "
             "got normalized_shape = []");
  const size_t k = normalized.size();
  bool fits = x.shape().size() >= k;
  for (size_t i = 0; fits && i < k; ++i) fits = x.shape()[x.shape().size() - k + i] == normalized[i];
  KILN_CHECK(fits, Shape, op, ": Given normalized_shape=", shape_str(normalized), ", expected input with shape [*, ",
             shape_str(normalized).substr(1), ", but got input of size", shape_str(x.shape()));
  int64_t d = 1;
  for (int64_t s : normalized) d *= s;
  int64_t rows = 1;
  for (size_t i = 0; i + k < x.shape().size(); ++i) rows *= x.shape()[i];
  return {rows, d};
}

void check_param(const char* op, const char* what, const Tensor& t, const Tensor& x, const Shape& normalized) {
  if (!t.defined()) return;
  check_cpu(op, {t});
  KILN_CHECK(t.shape() == normalized, Shape, op, ": Expected ", what, " to be of same shape as normalized_shape, but got ",
             what, " of shape ", shape_str(t.shape()), " and normalized_shape = ", shape_str(normalized));
  KILN_CHECK(t.dtype() == x.dtype(), DType, op, ": expected ", what, " to have the input's dtype ", dtype_name(x.dtype()),
             ", got ", dtype_name(t.dtype()));
}

// The statistics' shape: x's leading dims, then size 1 for each normalized dim (PyTorch's).
Shape stat_shape(const Shape& x, size_t k) {
  Shape s = x;
  for (size_t i = s.size() - k; i < s.size(); ++i) s[i] = 1;
  return s;
}

NormLayout row_layout(const Shape& x_shape, const Shape& normalized, Rows r) {
  NormLayout L;
  L.x_shape = x_shape;
  L.work = {r.rows, r.d};
  L.stat_shape = stat_shape(x_shape, normalized.size());
  L.stat_work = {r.rows, 1};
  L.param_shape = normalized;
  L.param_work = {1, r.d};
  L.stat_dims = {1};
  L.param_dims = {0};
  L.count = r.d;
  return L;
}

Tensor contiguous_or_null(const Tensor& t) { return t.defined() ? contiguous(t) : t; }

// ints: [present (bits: weight, bias), normalized_shape...]; reals: [eps]
TensorList native_layer_norm_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "layer_norm";
  const LnInputs p = LnInputs::unpack(in, int_arg(args, 0, op), op);
  const Shape normalized = int_list(args, 1);
  const Rows r = check_rows(op, p[0], normalized);
  check_param(op, "weight", p[1], p[0], normalized);
  check_param(op, "bias", p[2], p[0], normalized);
  const Tensor x = contiguous(p[0]);
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  const Shape ss = stat_shape(x.shape(), normalized.size());
  Tensor mean = Tensor::empty(ss, x.dtype(), x.device()), rstd = Tensor::empty(ss, x.dtype(), x.device());
  cpu::layer_norm_kernel(y, mean, rstd, x, contiguous_or_null(p[1]), contiguous_or_null(p[2]), r.rows, r.d,
                         real_arg(args, 0, op));
  return {y, mean, rstd};
}

void check_grad(const char* op, const Tensor& g, const Tensor& x) {
  KILN_CHECK(g.shape() == x.shape(), Shape, op, ": grad of shape ", shape_str(g.shape()),
             " does not match the input's shape ", shape_str(x.shape()));
  KILN_CHECK(is_floating(g.dtype()), DType, op, ": expected a floating point grad, got ", dtype_name(g.dtype()));
}

void check_stat(const char* op, const char* what, const Tensor& t, const Tensor& x, const Shape& shape) {
  KILN_CHECK(t.shape() == shape && t.dtype() == x.dtype(), Shape, op, ": expected ", what, " of shape ",
             shape_str(shape), " and dtype ", dtype_name(x.dtype()), ", got ", shape_str(t.shape()), " ",
             dtype_name(t.dtype()));
}

// ints: [present (1: weight), normalized_shape...] -> (grad_x, grad_weight, grad_bias)
TensorList native_layer_norm_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "native_layer_norm_backward";
  const LnGradInputs p = LnGradInputs::unpack(in, int_arg(args, 0, op), op);
  const Shape normalized = int_list(args, 1);
  const Rows r = check_rows(op, p[1], normalized);
  check_grad(op, p[0], p[1]);
  const Shape ss = stat_shape(p[1].shape(), normalized.size());
  check_stat(op, "mean", p[2], p[1], ss);
  check_stat(op, "rstd", p[3], p[1], ss);
  check_param(op, "weight", p[4], p[1], normalized);
  const Tensor x = contiguous(p[1]);
  Tensor gx = Tensor::empty(x.shape(), x.dtype(), x.device());
  Tensor gw = Tensor::empty(normalized, x.dtype(), x.device()), gb = Tensor::empty(normalized, x.dtype(), x.device());
  cpu::layer_norm_backward_kernel(gx, gw, gb, contiguous(cast(p[0], x.dtype())), x, contiguous(p[2]), contiguous(p[3]),
                                  contiguous_or_null(p[4]), r.rows, r.d);
  return {gx, gw, gb};
}

TensorList native_layer_norm_derivative(const BackwardContext& c);
TensorList native_layer_norm_backward_derivative(const BackwardContext& c);

const OpDef kNativeLayerNorm{"native_layer_norm",
                             "native_layer_norm(Tensor x, [weight], [bias]; ints: present (bits: weight, bias), "
                             "normalized_shape...; reals: eps) -> (out, mean, rstd)",
                             -1, OpKind::Primitive, native_layer_norm_fwd, nullptr, native_layer_norm_derivative,
                             kSaveInputs | kSaveOutputs};
const OpDef kNativeLayerNormBackward{"native_layer_norm_backward",
                                     "native_layer_norm_backward(Tensor grad, Tensor x, Tensor mean, Tensor rstd, "
                                     "[weight]; ints: present (1: weight), normalized_shape...) -> (grad_x, "
                                     "grad_weight, grad_bias)",
                                     -1, OpKind::Primitive, native_layer_norm_backward_fwd, nullptr,
                                     native_layer_norm_backward_derivative, kSaveInputs};

OpArgs with_shape(int64_t mask, const Shape& normalized, std::vector<double> reals = {}) {
  OpArgs a{{mask}, std::move(reals)};
  a.ints.insert(a.ints.end(), normalized.begin(), normalized.end());
  return a;
}

NormLayout layout_of(const Tensor& x, const Shape& normalized) {
  int64_t d = 1;
  for (int64_t s : normalized) d *= s;
  const int64_t rows = d == 0 ? 0 : x.numel() / d;
  int64_t lead = 1;
  for (size_t i = 0; i + normalized.size() < x.shape().size(); ++i) lead *= x.shape()[i];
  return row_layout(x.shape(), normalized, {d == 0 ? lead : rows, d});
}

TensorList native_layer_norm_derivative(const BackwardContext& c) {
  const LnInputs p = LnInputs::unpack(c.inputs, c.args.ints[0], "native_layer_norm");
  const Shape normalized = int_list(c.args, 1);
  TensorList out(c.inputs.size());
  const bool want_x = c.needs(0), want_w = p.has(1) && c.needs(p.position[1]), want_b = p.has(2) && c.needs(p.position[2]);
  if (!want_x && !want_w && !want_b) return out;
  const Tensor &mean = c.output(1), &rstd = c.output(2);
  const LnGradInputs bw = LnGradInputs::of({c.grad(0), p[0], mean, rstd, p[1]});
  const TensorList g = call(kNativeLayerNormBackward, bw.inputs(), with_shape(bw.mask, normalized));
  if (want_x) {
    const Tensor extra =
        norm_stat_input_grad(layout_of(p[0], normalized), NormKind{true, true}, c.grad(1), c.grad(2), p[0], mean, rstd);
    out[0] = extra.defined() ? add(g[0], extra) : g[0];
  }
  if (want_w) out[p.position[1]] = g[1];
  if (want_b) out[p.position[2]] = g[2];
  return out;
}

TensorList native_layer_norm_backward_derivative(const BackwardContext& c) {
  const LnGradInputs p = LnGradInputs::unpack(c.inputs, c.args.ints[0], "native_layer_norm_backward");
  const Shape normalized = int_list(c.args, 1);
  bool needs[5];
  for (int i = 0; i < 5; ++i) needs[i] = p.has(i) && c.needs(p.position[i]);
  const NormPartials d = norm_backward_partials(layout_of(p[1], normalized), NormKind{true, true}, c.grad(0), c.grad(1),
                                                c.grad(2), p[0], p[1], p[2], p[3], p[4], needs);
  TensorList out(c.inputs.size());
  const Tensor parts[5] = {d.dg, d.dx, d.dmean, d.drstd, d.dweight};
  for (int i = 0; i < 5; ++i)
    if (needs[i]) out[p.position[i]] = parts[i];
  return out;
}

TensorList layer_norm_fwd(const TensorList& in, const OpArgs& args) { return {call(kNativeLayerNorm, in, args)[0]}; }

const OpDef kLayerNorm{"layer_norm",
                       "layer_norm(Tensor x, [weight], [bias]; ints: present (bits: weight, bias), "
                       "normalized_shape...; reals: eps)",
                       -1, OpKind::Composite, layer_norm_fwd};

// ---- RMS norm

// ints: [present (1: weight), normalized_shape...]; reals: [eps]
TensorList native_rms_norm_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "rms_norm";
  const RmsInputs p = RmsInputs::unpack(in, int_arg(args, 0, op), op);
  const Shape normalized = int_list(args, 1);
  const Rows r = check_rows(op, p[0], normalized);
  check_param(op, "weight", p[1], p[0], normalized);
  const Tensor x = contiguous(p[0]);
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  Tensor rstd = Tensor::empty(stat_shape(x.shape(), normalized.size()), x.dtype(), x.device());
  cpu::rms_norm_kernel(y, rstd, x, contiguous_or_null(p[1]), r.rows, r.d, real_arg(args, 0, op));
  return {y, rstd};
}

// ints: [present (1: weight), normalized_shape...] -> (grad_x, grad_weight)
TensorList native_rms_norm_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "native_rms_norm_backward";
  const RmsGradInputs p = RmsGradInputs::unpack(in, int_arg(args, 0, op), op);
  const Shape normalized = int_list(args, 1);
  const Rows r = check_rows(op, p[1], normalized);
  check_grad(op, p[0], p[1]);
  check_stat(op, "rstd", p[2], p[1], stat_shape(p[1].shape(), normalized.size()));
  check_param(op, "weight", p[3], p[1], normalized);
  const Tensor x = contiguous(p[1]);
  Tensor gx = Tensor::empty(x.shape(), x.dtype(), x.device()), gw = Tensor::empty(normalized, x.dtype(), x.device());
  cpu::rms_norm_backward_kernel(gx, gw, contiguous(cast(p[0], x.dtype())), x, contiguous(p[2]),
                                contiguous_or_null(p[3]), r.rows, r.d);
  return {gx, gw};
}

TensorList native_rms_norm_derivative(const BackwardContext& c);
TensorList native_rms_norm_backward_derivative(const BackwardContext& c);

const OpDef kNativeRmsNorm{"native_rms_norm",
                           "native_rms_norm(Tensor x, [weight]; ints: present (1: weight), normalized_shape...; "
                           "reals: eps) -> (out, rstd)",
                           -1, OpKind::Primitive, native_rms_norm_fwd, nullptr, native_rms_norm_derivative,
                           kSaveInputs | kSaveOutputs};
const OpDef kNativeRmsNormBackward{"native_rms_norm_backward",
                                   "native_rms_norm_backward(Tensor grad, Tensor x, Tensor rstd, [weight]; ints: "
                                   "present (1: weight), normalized_shape...) -> (grad_x, grad_weight)",
                                   -1, OpKind::Primitive, native_rms_norm_backward_fwd, nullptr,
                                   native_rms_norm_backward_derivative, kSaveInputs};

TensorList native_rms_norm_derivative(const BackwardContext& c) {
  const RmsInputs p = RmsInputs::unpack(c.inputs, c.args.ints[0], "native_rms_norm");
  const Shape normalized = int_list(c.args, 1);
  TensorList out(c.inputs.size());
  const bool want_x = c.needs(0), want_w = p.has(1) && c.needs(p.position[1]);
  if (!want_x && !want_w) return out;
  const Tensor& rstd = c.output(1);
  const RmsGradInputs bw = RmsGradInputs::of({c.grad(0), p[0], rstd, p[1]});
  const TensorList g = call(kNativeRmsNormBackward, bw.inputs(), with_shape(bw.mask, normalized));
  if (want_x) {
    const Tensor extra =
        norm_stat_input_grad(layout_of(p[0], normalized), NormKind{false, true}, Tensor(), c.grad(1), p[0], Tensor(), rstd);
    out[0] = extra.defined() ? add(g[0], extra) : g[0];
  }
  if (want_w) out[p.position[1]] = g[1];
  return out;
}

TensorList native_rms_norm_backward_derivative(const BackwardContext& c) {
  const RmsGradInputs p = RmsGradInputs::unpack(c.inputs, c.args.ints[0], "native_rms_norm_backward");
  const Shape normalized = int_list(c.args, 1);
  // norm_backward_partials' order: g, x, mean (none here), rstd, weight.
  const int slot[5] = {0, 1, -1, 2, 3};
  bool needs[5];
  for (int i = 0; i < 5; ++i) needs[i] = slot[i] >= 0 && p.has(slot[i]) && c.needs(p.position[slot[i]]);
  const NormPartials d = norm_backward_partials(layout_of(p[1], normalized), NormKind{false, true}, c.grad(0),
                                                c.grad(1), Tensor(), p[0], p[1], Tensor(), p[2], p[3], needs);
  TensorList out(c.inputs.size());
  const Tensor parts[5] = {d.dg, d.dx, Tensor(), d.drstd, d.dweight};
  for (int i = 0; i < 5; ++i)
    if (needs[i]) out[p.position[slot[i]]] = parts[i];
  return out;
}

TensorList rms_norm_fwd(const TensorList& in, const OpArgs& args) { return {call(kNativeRmsNorm, in, args)[0]}; }

const OpDef kRmsNorm{"rms_norm",
                     "rms_norm(Tensor x, [weight]; ints: present (1: weight), normalized_shape...; reals: eps)", -1,
                     OpKind::Composite, rms_norm_fwd};

// torch.nn.functional.rms_norm's default eps: the machine epsilon of x's dtype.
double default_rms_eps(const Tensor& x) {
  return x.dtype() == DType::Float64 ? std::numeric_limits<double>::epsilon() : std::numeric_limits<float>::epsilon();
}

}  // namespace

void add_layer_norm_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kLayerNorm, &kNativeLayerNorm, &kNativeLayerNormBackward, &kRmsNorm, &kNativeRmsNorm,
                             &kNativeRmsNormBackward});
}

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias, double eps) {
  const LnInputs p = LnInputs::of({x, weight, bias});
  return call1(kLayerNorm, p.inputs(), with_shape(p.mask, normalized_shape, {eps}));
}

std::tuple<Tensor, Tensor, Tensor> native_layer_norm(const Tensor& x, const Shape& normalized_shape,
                                                     const Tensor& weight, const Tensor& bias, double eps) {
  const LnInputs p = LnInputs::of({x, weight, bias});
  const TensorList r = call(kNativeLayerNorm, p.inputs(), with_shape(p.mask, normalized_shape, {eps}));
  return {r[0], r[1], r[2]};
}

std::tuple<Tensor, Tensor, Tensor> native_layer_norm_backward(const Tensor& grad, const Tensor& x,
                                                              const Shape& normalized_shape, const Tensor& mean,
                                                              const Tensor& rstd, const Tensor& weight) {
  const LnGradInputs p = LnGradInputs::of({grad, x, mean, rstd, weight});
  const TensorList r = call(kNativeLayerNormBackward, p.inputs(), with_shape(p.mask, normalized_shape));
  return {r[0], r[1], r[2]};
}

Tensor rms_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, std::optional<double> eps) {
  const RmsInputs p = RmsInputs::of({x, weight});
  return call1(kRmsNorm, p.inputs(), with_shape(p.mask, normalized_shape, {eps ? *eps : default_rms_eps(x)}));
}

std::pair<Tensor, Tensor> native_rms_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                                          double eps) {
  const RmsInputs p = RmsInputs::of({x, weight});
  const TensorList r = call(kNativeRmsNorm, p.inputs(), with_shape(p.mask, normalized_shape, {eps}));
  return {r[0], r[1]};
}

std::pair<Tensor, Tensor> native_rms_norm_backward(const Tensor& grad, const Tensor& x, const Shape& normalized_shape,
                                                   const Tensor& rstd, const Tensor& weight) {
  const RmsGradInputs p = RmsGradInputs::of({grad, x, rstd, weight});
  const TensorList r = call(kNativeRmsNormBackward, p.inputs(), with_shape(p.mask, normalized_shape));
  return {r[0], r[1]};
}

}  // namespace kiln
