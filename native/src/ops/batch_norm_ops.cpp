// Batch norm and instance norm. native_batch_norm is one fused op returning (out, mean, invstd) that also moves
// the running statistics in place (as PyTorch's kernel does: no version bump, so graphs that saved them stay
// usable); native_batch_norm_backward returns (grad_x, grad_weight, grad_bias) in one fused pass. batch_norm and
// instance_norm are the composites users call. Derivatives: ops/norm_derivatives.h.
#include <algorithm>
#include <cmath>

#include "autograd/backward_context.h"
#include "cpu/dispatch.h"
#include "cpu/normalization.h"
#include "kiln/ops.h"
#include "ops/norm_derivatives.h"
#include "ops/operands.h"
#include "ops/optional_inputs.h"

namespace kiln {
namespace {

using BnInputs = OptionalInputs<1, 4>;        // x; weight, bias, running_mean, running_var
using BnGradInputs = OptionalInputs<4, 1>;    // grad, x, mean, invstd; weight
enum { kX, kWeight, kBias, kRunningMean, kRunningVar };
enum { kG, kGX, kGMean, kGInvstd, kGWeight };

cpu::ChannelShape channel_shape(const Shape& s) {
  int64_t inner = 1;
  for (size_t d = 2; d < s.size(); ++d) inner *= s[d];
  return {s[0], s[1], inner};
}

NormLayout channel_layout(const Shape& x_shape) {
  NormLayout L;
  L.x_shape = L.work = x_shape;
  const int64_t c = x_shape[1];
  L.stat_shape = L.param_shape = {c};
  Shape view(x_shape.size(), 1);
  view[1] = c;
  L.stat_work = L.param_work = view;
  for (int64_t d = 0; d < static_cast<int64_t>(x_shape.size()); ++d)
    if (d != 1) L.stat_dims.push_back(d);
  L.param_dims = L.stat_dims;
  const cpu::ChannelShape sh = channel_shape(x_shape);
  L.count = sh.n * sh.s;
  return L;
}

void check_input(const char* op, const Tensor& x) {
  check_cpu(op, {x});
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": \"", op, "\" not implemented for '", dtype_name(x.dtype()),
             "' (expected a floating point input)");
  KILN_CHECK(x.dim() >= 2, Shape, op, ": expected an input of at least 2 dims [N, C, *], got shape ", shape_str(x.shape()));
}

// A per-channel tensor (weight, bias, running statistics): 1-D, C elements, the input's dtype.
void check_channel_tensor(const char* op, const char* what, const Tensor& t, const Tensor& x) {
  if (!t.defined()) return;
  check_cpu(op, {t});
  KILN_CHECK(t.dtype() == x.dtype(), DType, op, ": expected ", what, " to have the input's dtype ",
             dtype_name(x.dtype()), ", got ", dtype_name(t.dtype()));
  KILN_CHECK(t.dim() == 1 && t.numel() == x.size(1), Shape, op, ": ", what, " should contain ", x.size(1),
             " elements not ", t.numel(), " (shape ", shape_str(t.shape()), ", input shape ", shape_str(x.shape()), ")");
}

std::vector<double> doubles(const Tensor& t) {
  const Tensor c = contiguous(to(t, DType::Float64));
  const double* p = c.numel() > 0 ? c.data<double>() : nullptr;
  return std::vector<double>(p, p + c.numel());
}

// A new 1-D tensor of dtype t from values (rounded as a cast from float64 rounds).
Tensor from_doubles(const std::vector<double>& v, DType t) {
  Tensor out = Tensor::empty({static_cast<int64_t>(v.size())}, DType::Float64);
  std::copy(v.begin(), v.end(), v.empty() ? nullptr : out.data<double>());
  return cast(out, t);
}

// Writes values into a 1-D floating tensor of any stride and dtype, directly: a running statistic, whose update
// the graph does not see.
void write_doubles(const Tensor& t, const std::vector<double>& v) {
  backend_for(t.device()).copy(t, from_doubles(v, DType::Float64));
}

void check_batch_norm(const char* op, const BnInputs& p, bool training) {
  const Tensor& x = p[kX];
  check_input(op, x);
  check_channel_tensor(op, "weight", p[kWeight], x);
  check_channel_tensor(op, "bias", p[kBias], x);
  check_channel_tensor(op, "running_mean", p[kRunningMean], x);
  check_channel_tensor(op, "running_var", p[kRunningVar], x);
  KILN_CHECK(training || p.has(kRunningMean), Argument, op, ": running_mean must be defined in evaluation mode");
  KILN_CHECK(training || p.has(kRunningVar), Argument, op, ": running_var must be defined in evaluation mode");
}

// ints: [present, training]; reals: [momentum, eps].
TensorList native_batch_norm_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "batch_norm";
  const BnInputs p = BnInputs::unpack(in, int_arg(args, 0, op), op);
  const bool training = int_arg(args, 1, op) != 0;
  const double momentum = real_arg(args, 0, op), eps = real_arg(args, 1, op);
  check_batch_norm(op, p, training);
  // float16 and bfloat16 in float32 (statistics in double, as for float32), the results rounded at the end; the
  // running statistics, in the input's dtype, are updated in place here (call() would hand over copies).
  const DType t = p[kX].dtype();
  const Tensor x = contiguous(cast(p[kX], compute_dtype(t)));
  const cpu::ChannelShape sh = channel_shape(x.shape());
  const size_t c = static_cast<size_t>(sh.c);
  const int64_t count = sh.n * sh.s;
  std::vector<double> mean(c, 0.0), var(c, 0.0);
  if (training) {
    cpu::batch_norm_stats_kernel(x, sh, mean, var);
    if (count > 0) {
      // PyTorch's update: the unbiased variance, each statistic moved by momentum.
      const double unbias = count > 1 ? static_cast<double>(count) / static_cast<double>(count - 1) : INFINITY;
      if (p.has(kRunningMean)) {
        std::vector<double> rm = doubles(p[kRunningMean]);
        for (size_t k = 0; k < c; ++k) rm[k] = momentum * mean[k] + (1 - momentum) * rm[k];
        write_doubles(p[kRunningMean], rm);
      }
      if (p.has(kRunningVar)) {
        std::vector<double> rv = doubles(p[kRunningVar]);
        for (size_t k = 0; k < c; ++k) rv[k] = momentum * var[k] * unbias + (1 - momentum) * rv[k];
        write_doubles(p[kRunningVar], rv);
      }
    }
  } else {
    mean = doubles(p[kRunningMean]);
    var = doubles(p[kRunningVar]);
  }
  const std::vector<double> w = p.has(kWeight) ? doubles(p[kWeight]) : std::vector<double>(c, 1.0);
  const std::vector<double> b = p.has(kBias) ? doubles(p[kBias]) : std::vector<double>(c, 0.0);
  std::vector<double> invstd(c), scale(c);
  for (size_t k = 0; k < c; ++k) {
    invstd[k] = 1.0 / std::sqrt(var[k] + eps);
    scale[k] = invstd[k] * w[k];
  }
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  cpu::batch_norm_apply_kernel(y, x, sh, mean, scale, b);
  return {cast(y, t), from_doubles(mean, t), from_doubles(invstd, t)};
}

// ints: [present (1: weight), training] -> (grad_x, grad_weight, grad_bias)
TensorList native_batch_norm_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "native_batch_norm_backward";
  const BnGradInputs p = BnGradInputs::unpack(in, int_arg(args, 0, op), op);
  const bool training = int_arg(args, 1, op) != 0;
  const Tensor& x0 = p[kGX];
  check_input(op, x0);
  KILN_CHECK(p[kG].shape() == x0.shape(), Shape, op, ": grad of shape ", shape_str(p[kG].shape()),
             " does not match the input's shape ", shape_str(x0.shape()));
  KILN_CHECK(is_floating(p[kG].dtype()), DType, op, ": expected a floating point grad, got ", dtype_name(p[kG].dtype()));
  check_channel_tensor(op, "mean", p[kGMean], x0);
  check_channel_tensor(op, "invstd", p[kGInvstd], x0);
  check_channel_tensor(op, "weight", p[kGWeight], x0);
  const Tensor x = contiguous(x0), g = contiguous(cast(p[kG], x.dtype()));
  const cpu::ChannelShape sh = channel_shape(x.shape());
  const size_t c = static_cast<size_t>(sh.c);
  const std::vector<double> mean = doubles(p[kGMean]), invstd = doubles(p[kGInvstd]);
  const std::vector<double> w = p.has(kGWeight) ? doubles(p[kGWeight]) : std::vector<double>(c, 1.0);
  std::vector<double> sum_g, sum_gxc;
  cpu::batch_norm_grad_sums_kernel(g, x, sh, mean, sum_g, sum_gxc);
  const double count = static_cast<double>(sh.n * sh.s);
  std::vector<double> gw(c), a(c), b(c, 0.0), d(c, 0.0);
  for (size_t k = 0; k < c; ++k) {
    const double r = invstd[k];
    gw[k] = sum_gxc[k] * r;
    a[k] = w[k] * r;
    if (training && count > 0) {  // gx = r (h - E[h]) - r^3 xc E[h xc], h = w g
      b[k] = -w[k] * r * r * r * sum_gxc[k] / count;
      d[k] = -w[k] * r * sum_g[k] / count;
    }
  }
  Tensor gx = Tensor::empty(x.shape(), x.dtype(), x.device());
  cpu::batch_norm_grad_apply_kernel(gx, g, x, sh, mean, a, b, d);
  return {gx, from_doubles(gw, x.dtype()), from_doubles(sum_g, x.dtype())};
}

TensorList native_batch_norm_derivative(const BackwardContext& c);
TensorList native_batch_norm_backward_derivative(const BackwardContext& c);

const OpDef kNativeBatchNorm{
    "native_batch_norm",
    "native_batch_norm(Tensor x, [weight], [bias], [running_mean], [running_var]; ints: present (bits: weight, bias, "
    "running_mean, running_var), training; reals: momentum, eps) -> (out, mean, invstd)",
    -1, OpKind::Primitive, native_batch_norm_fwd, nullptr, native_batch_norm_derivative, kSaveInputs | kSaveOutputs};
const OpDef kNativeBatchNormBackward{
    "native_batch_norm_backward",
    "native_batch_norm_backward(Tensor grad, Tensor x, Tensor mean, Tensor invstd, [weight]; ints: present (1: "
    "weight), training) -> (grad_x, grad_weight, grad_bias)",
    -1, OpKind::Primitive, native_batch_norm_backward_fwd, nullptr, native_batch_norm_backward_derivative,
    kSaveInputs};

TensorList native_batch_norm_derivative(const BackwardContext& c) {
  const BnInputs p = BnInputs::unpack(c.inputs, c.args.ints[0], "native_batch_norm");
  const bool training = c.args.ints[1] != 0;
  TensorList out(c.inputs.size());
  const bool want_x = c.needs(0), want_w = p.has(kWeight) && c.needs(p.position[kWeight]),
             want_b = p.has(kBias) && c.needs(p.position[kBias]);
  if (!want_x && !want_w && !want_b) return out;
  const Tensor &mean = c.output(1), &invstd = c.output(2);
  const BnGradInputs bw = BnGradInputs::of({c.grad(0), p[kX], mean, invstd, p[kWeight]});
  const TensorList g = call(kNativeBatchNormBackward, bw.inputs(), OpArgs{{bw.mask, training ? 1 : 0}, {}});
  if (want_x) {
    const Tensor extra = norm_stat_input_grad(channel_layout(p[kX].shape()), NormKind{true, training}, c.grad(1),
                                              c.grad(2), p[kX], mean, invstd);
    out[0] = extra.defined() ? add(g[0], extra) : g[0];
  }
  if (want_w) out[p.position[kWeight]] = g[1];
  if (want_b) out[p.position[kBias]] = g[2];
  return out;
}

TensorList native_batch_norm_backward_derivative(const BackwardContext& c) {
  const BnGradInputs p = BnGradInputs::unpack(c.inputs, c.args.ints[0], "native_batch_norm_backward");
  const bool training = c.args.ints[1] != 0;
  bool needs[5];
  for (int i = 0; i < 5; ++i) needs[i] = p.has(i) && c.needs(p.position[i]);
  const NormPartials d = norm_backward_partials(channel_layout(p[kGX].shape()), NormKind{true, training}, c.grad(0),
                                                c.grad(1), c.grad(2), p[kG], p[kGX], p[kGMean], p[kGInvstd],
                                                p[kGWeight], needs);
  TensorList out(c.inputs.size());
  const Tensor parts[5] = {d.dg, d.dx, d.dmean, d.drstd, d.dweight};
  for (int i = 0; i < 5; ++i)
    if (needs[i]) out[p.position[i]] = parts[i];
  return out;
}

// ---- The composites users call.

TensorList batch_norm_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "batch_norm";
  const BnInputs p = BnInputs::unpack(in, int_arg(args, 0, op), op);
  const bool training = int_arg(args, 1, op) != 0;
  check_batch_norm(op, p, training);
  if (training) {
    const cpu::ChannelShape sh = channel_shape(p[kX].shape());
    KILN_CHECK(sh.n * sh.s != 1, Argument, op, ": Expected more than 1 value per channel when training, got input size ",
               shape_str(p[kX].shape()));
  }
  return {call(kNativeBatchNorm, in, args)[0]};
}

// Instance norm as PyTorch computes it: batch norm of x viewed as [1, N * C, *] with the per-channel tensors
// repeated N times; the running statistics then take the mean of the N instances' updates.
TensorList instance_norm_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "instance_norm";
  const BnInputs p = BnInputs::unpack(in, int_arg(args, 0, op), op);
  const bool use_input_stats = int_arg(args, 1, op) != 0;
  const Tensor& x = p[kX];
  check_input(op, x);
  for (int k : {kWeight, kBias, kRunningMean, kRunningVar})
    check_channel_tensor(op, k == kWeight ? "weight" : k == kBias ? "bias" : k == kRunningMean ? "running_mean"
                                                                                                : "running_var",
                         p[k], x);
  KILN_CHECK(use_input_stats || (p.has(kRunningMean) && p.has(kRunningVar)), Argument, op,
             ": Expected running_mean and running_var to be defined when use_input_stats is false");
  const int64_t n = x.size(0), c = x.size(1);
  const cpu::ChannelShape sh = channel_shape(x.shape());
  KILN_CHECK(!use_input_stats || sh.s != 1, Argument, op,
             ": Expected more than 1 spatial element when training, got input size ", shape_str(x.shape()));
  Shape folded = x.shape();
  folded[0] = 1;
  folded[1] = n * c;
  auto repeated = [&](int k) {
    if (!p.has(k)) return Tensor();
    const Tensor r = repeat(p[k], {n});
    return k == kRunningMean || k == kRunningVar ? contiguous(detach(r)) : r;
  };
  const BnInputs q = BnInputs::of({reshape(x, folded), repeated(kWeight), repeated(kBias), repeated(kRunningMean),
                                   repeated(kRunningVar)});
  const Tensor out = call(kNativeBatchNorm, q.inputs(), OpArgs{{q.mask, use_input_stats ? 1 : 0}, args.reals})[0];
  if (use_input_stats)
    for (int k : {kRunningMean, kRunningVar}) {
      if (!p.has(k)) continue;
      const std::vector<double> v = doubles(q[k]);
      std::vector<double> avg(static_cast<size_t>(c), 0.0);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < c; ++j) avg[static_cast<size_t>(j)] += v[static_cast<size_t>(i * c + j)];
      for (double& a : avg) a /= static_cast<double>(n);
      if (n > 0) write_doubles(p[k], avg);
    }
  return {view(out, x.shape())};
}

const OpDef kBatchNorm{"batch_norm",
                       "batch_norm(Tensor x, [weight], [bias], [running_mean], [running_var]; ints: present (bits: "
                       "weight, bias, running_mean, running_var), training; reals: momentum, eps)",
                       -1, OpKind::Composite, batch_norm_fwd};
const OpDef kInstanceNorm{"instance_norm",
                          "instance_norm(Tensor x, [weight], [bias], [running_mean], [running_var]; ints: present "
                          "(bits: weight, bias, running_mean, running_var), use_input_stats; reals: momentum, eps)",
                          -1, OpKind::Composite, instance_norm_fwd};

OpArgs bn_args(int64_t mask, bool training, double momentum, double eps) {
  return OpArgs{{mask, training ? 1 : 0}, {momentum, eps}};
}

}  // namespace

void add_batch_norm_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kBatchNorm, &kNativeBatchNorm, &kNativeBatchNormBackward, &kInstanceNorm});
}

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  const BnInputs p = BnInputs::of({x, weight, bias, running_mean, running_var});
  return call1(kBatchNorm, p.inputs(), bn_args(p.mask, training, momentum, eps));
}

std::tuple<Tensor, Tensor, Tensor> native_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                                     const Tensor& running_mean, const Tensor& running_var,
                                                     bool training, double momentum, double eps) {
  const BnInputs p = BnInputs::of({x, weight, bias, running_mean, running_var});
  const TensorList r = call(kNativeBatchNorm, p.inputs(), bn_args(p.mask, training, momentum, eps));
  return {r[0], r[1], r[2]};
}

std::tuple<Tensor, Tensor, Tensor> native_batch_norm_backward(const Tensor& grad, const Tensor& x, const Tensor& mean,
                                                              const Tensor& invstd, const Tensor& weight,
                                                              bool training) {
  const BnGradInputs p = BnGradInputs::of({grad, x, mean, invstd, weight});
  const TensorList r = call(kNativeBatchNormBackward, p.inputs(), OpArgs{{p.mask, training ? 1 : 0}, {}});
  return {r[0], r[1], r[2]};
}

Tensor instance_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                     const Tensor& bias, bool use_input_stats, double momentum, double eps) {
  const BnInputs p = BnInputs::of({x, weight, bias, running_mean, running_var});
  return call1(kInstanceNorm, p.inputs(), bn_args(p.mask, use_input_stats, momentum, eps));
}

}  // namespace kiln
