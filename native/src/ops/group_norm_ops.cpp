// Group norm: x [N, C, *] normalized over each group of C / num_groups adjacent channels of each sample, with a
// per-channel affine. One fused op returning (out, mean, rstd), a fused backward, and the composite users call.
// Derivatives: ops/norm_derivatives.h, with x viewed as [N, groups, C / groups, spatial].
#include "autograd/backward_context.h"
#include "cpu/normalization.h"
#include "kiln/ops.h"
#include "ops/norm_derivatives.h"
#include "ops/operands.h"
#include "ops/optional_inputs.h"

namespace kiln {
namespace {

using GnInputs = OptionalInputs<1, 2>;      // x; weight, bias
using GnGradInputs = OptionalInputs<4, 1>;  // grad, x, mean, rstd; weight

cpu::ChannelShape channel_shape(const Shape& s) {
  int64_t inner = 1;
  for (size_t d = 2; d < s.size(); ++d) inner *= s[d];
  return {s[0], s[1], inner};
}

void check_group_norm(const char* op, const Tensor& x, int64_t groups) {
  check_cpu(op, {x});
  KILN_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, DType, op, ": \"", op,
             "\" not implemented for '", dtype_name(x.dtype()), "' (expected a float32 or float64 input)");
  KILN_CHECK(x.dim() >= 2, Shape, op, ": expected an input of at least 2 dims [N, C, *], got shape ", shape_str(x.shape()));
  KILN_CHECK(groups > 0, Argument, op, ": num_groups must be positive, got ", groups);
  KILN_CHECK(x.size(1) % groups == 0, Shape, op,
             ": Expected number of channels in input to be divisible by num_groups, but got input of shape ",
             shape_str(x.shape()), " and num_groups=", groups);
}

void check_param(const char* op, const char* what, const Tensor& t, const Tensor& x) {
  if (!t.defined()) return;
  check_cpu(op, {t});
  KILN_CHECK(t.dim() == 1 && t.numel() == x.size(1), Shape, op, ": Expected ", what,
             " to be a vector of size equal to the number of channels in input, but got ", what, " of shape ",
             shape_str(t.shape()), " and input of shape ", shape_str(x.shape()));
  KILN_CHECK(t.dtype() == x.dtype(), DType, op, ": expected ", what, " to have the input's dtype ", dtype_name(x.dtype()),
             ", got ", dtype_name(t.dtype()));
}

NormLayout group_layout(const Shape& x_shape, int64_t groups) {
  const cpu::ChannelShape sh = channel_shape(x_shape);
  const int64_t per = sh.c / groups;
  NormLayout L;
  L.x_shape = x_shape;
  L.work = {sh.n, groups, per, sh.s};
  L.stat_shape = {sh.n, groups};
  L.stat_work = {sh.n, groups, 1, 1};
  L.param_shape = {sh.c};
  L.param_work = {1, groups, per, 1};
  L.stat_dims = {2, 3};
  L.param_dims = {0, 3};
  L.count = per * sh.s;
  return L;
}

Tensor contiguous_or_null(const Tensor& t) { return t.defined() ? contiguous(t) : t; }

// ints: [present (bits: weight, bias), num_groups]; reals: [eps]
TensorList native_group_norm_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "group_norm";
  const GnInputs p = GnInputs::unpack(in, int_arg(args, 0, op), op);
  const int64_t groups = int_arg(args, 1, op);
  check_group_norm(op, p[0], groups);
  check_param(op, "weight", p[1], p[0]);
  check_param(op, "bias", p[2], p[0]);
  const Tensor x = contiguous(p[0]);
  const cpu::ChannelShape sh = channel_shape(x.shape());
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  Tensor mean = Tensor::empty({sh.n, groups}, x.dtype(), x.device()), rstd = Tensor::empty({sh.n, groups}, x.dtype());
  cpu::group_norm_kernel(y, mean, rstd, x, contiguous_or_null(p[1]), contiguous_or_null(p[2]), sh, groups,
                         real_arg(args, 0, op));
  return {y, mean, rstd};
}

// ints: [present (1: weight), num_groups] -> (grad_x, grad_weight, grad_bias)
TensorList native_group_norm_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "native_group_norm_backward";
  const GnGradInputs p = GnGradInputs::unpack(in, int_arg(args, 0, op), op);
  const int64_t groups = int_arg(args, 1, op);
  const Tensor& x0 = p[1];
  check_group_norm(op, x0, groups);
  KILN_CHECK(p[0].shape() == x0.shape() && is_floating(p[0].dtype()), Shape, op, ": grad of shape ",
             shape_str(p[0].shape()), " and dtype ", dtype_name(p[0].dtype()), " does not fit the input's shape ",
             shape_str(x0.shape()));
  const Shape ss{x0.size(0), groups};
  for (int k : {2, 3})
    KILN_CHECK(p[k].shape() == ss && p[k].dtype() == x0.dtype(), Shape, op, ": expected ", k == 2 ? "mean" : "rstd",
               " of shape ", shape_str(ss), " and dtype ", dtype_name(x0.dtype()), ", got ", shape_str(p[k].shape()), " ",
               dtype_name(p[k].dtype()));
  check_param(op, "weight", p[4], x0);
  const Tensor x = contiguous(x0);
  const cpu::ChannelShape sh = channel_shape(x.shape());
  Tensor gx = Tensor::empty(x.shape(), x.dtype(), x.device());
  Tensor gw = Tensor::empty({sh.c}, x.dtype(), x.device()), gb = Tensor::empty({sh.c}, x.dtype(), x.device());
  cpu::group_norm_backward_kernel(gx, gw, gb, contiguous(cast(p[0], x.dtype())), x, contiguous(p[2]), contiguous(p[3]),
                                  contiguous_or_null(p[4]), sh, groups);
  return {gx, gw, gb};
}

TensorList native_group_norm_derivative(const BackwardContext& c);
TensorList native_group_norm_backward_derivative(const BackwardContext& c);

const OpDef kNativeGroupNorm{"native_group_norm",
                             "native_group_norm(Tensor x, [weight], [bias]; ints: present (bits: weight, bias), "
                             "num_groups; reals: eps) -> (out, mean, rstd)",
                             -1, OpKind::Primitive, native_group_norm_fwd, nullptr, native_group_norm_derivative,
                             kSaveInputs | kSaveOutputs};
const OpDef kNativeGroupNormBackward{"native_group_norm_backward",
                                     "native_group_norm_backward(Tensor grad, Tensor x, Tensor mean, Tensor rstd, "
                                     "[weight]; ints: present (1: weight), num_groups) -> (grad_x, grad_weight, "
                                     "grad_bias)",
                                     -1, OpKind::Primitive, native_group_norm_backward_fwd, nullptr,
                                     native_group_norm_backward_derivative, kSaveInputs};

TensorList native_group_norm_derivative(const BackwardContext& c) {
  const GnInputs p = GnInputs::unpack(c.inputs, c.args.ints[0], "native_group_norm");
  const int64_t groups = c.args.ints[1];
  TensorList out(c.inputs.size());
  const bool want_x = c.needs(0), want_w = p.has(1) && c.needs(p.position[1]), want_b = p.has(2) && c.needs(p.position[2]);
  if (!want_x && !want_w && !want_b) return out;
  const Tensor &mean = c.output(1), &rstd = c.output(2);
  const GnGradInputs bw = GnGradInputs::of({c.grad(0), p[0], mean, rstd, p[1]});
  const TensorList g = call(kNativeGroupNormBackward, bw.inputs(), OpArgs{{bw.mask, groups}, {}});
  if (want_x) {
    const Tensor extra = norm_stat_input_grad(group_layout(p[0].shape(), groups), NormKind{true, true}, c.grad(1),
                                              c.grad(2), p[0], mean, rstd);
    out[0] = extra.defined() ? add(g[0], extra) : g[0];
  }
  if (want_w) out[p.position[1]] = g[1];
  if (want_b) out[p.position[2]] = g[2];
  return out;
}

TensorList native_group_norm_backward_derivative(const BackwardContext& c) {
  const GnGradInputs p = GnGradInputs::unpack(c.inputs, c.args.ints[0], "native_group_norm_backward");
  bool needs[5];
  for (int i = 0; i < 5; ++i) needs[i] = p.has(i) && c.needs(p.position[i]);
  const NormPartials d = norm_backward_partials(group_layout(p[1].shape(), c.args.ints[1]), NormKind{true, true},
                                                c.grad(0), c.grad(1), c.grad(2), p[0], p[1], p[2], p[3], p[4], needs);
  TensorList out(c.inputs.size());
  const Tensor parts[5] = {d.dg, d.dx, d.dmean, d.drstd, d.dweight};
  for (int i = 0; i < 5; ++i)
    if (needs[i]) out[p.position[i]] = parts[i];
  return out;
}

TensorList group_norm_fwd(const TensorList& in, const OpArgs& args) { return {call(kNativeGroupNorm, in, args)[0]}; }

const OpDef kGroupNorm{"group_norm",
                       "group_norm(Tensor x, [weight], [bias]; ints: present (bits: weight, bias), num_groups; reals: "
                       "eps)",
                       -1, OpKind::Composite, group_norm_fwd};

}  // namespace

void add_group_norm_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kGroupNorm, &kNativeGroupNorm, &kNativeGroupNormBackward});
}

Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  const GnInputs p = GnInputs::of({x, weight, bias});
  return call1(kGroupNorm, p.inputs(), OpArgs{{p.mask, num_groups}, {eps}});
}

std::tuple<Tensor, Tensor, Tensor> native_group_norm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                                     int64_t num_groups, double eps) {
  const GnInputs p = GnInputs::of({x, weight, bias});
  const TensorList r = call(kNativeGroupNorm, p.inputs(), OpArgs{{p.mask, num_groups}, {eps}});
  return {r[0], r[1], r[2]};
}

std::tuple<Tensor, Tensor, Tensor> native_group_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean,
                                                              const Tensor& rstd, const Tensor& weight,
                                                              int64_t num_groups) {
  const GnGradInputs p = GnGradInputs::of({grad, x, mean, rstd, weight});
  const TensorList r = call(kNativeGroupNormBackward, p.inputs(), OpArgs{{p.mask, num_groups}, {}});
  return {r[0], r[1], r[2]};
}

}  // namespace kiln
