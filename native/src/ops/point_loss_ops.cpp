// The elementwise losses: mse_loss, l1_loss, smooth_l1_loss, huber_loss, kl_div, binary_cross_entropy and
// binary_cross_entropy_with_logits. Each is one fused kernel forward (cpu/point_loss.cpp) and one fused backward
// row, which gives the gradients of the input and of the target (its last int says which); the backward row's
// derivative, with the second derivatives written in ordinary ops, gives double backward.
#include "autograd/backward_context.h"
#include "cpu/loss.h"
#include "kiln/ops.h"
#include "ops/loss_support.h"
#include "ops/operands.h"

namespace kiln {
namespace {

using cpu::PointLoss;

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }

// The second derivatives f_xx, f_xt, f_tt of a loss (undefined: 0), weights included.
struct Second {
  Tensor xx, xt, tt;
};

// The operands of a call as the backward derivative sees them: original shapes, pos_weight undefined when absent.
struct Operands {
  Tensor x, t, w, pw;
};

Tensor times(const Tensor& a, const Tensor& maybe) { return maybe.defined() ? mul(a, maybe) : a; }
Tensor as_float(const Tensor& mask, const Tensor& like) { return to(mask, like.dtype()); }

Second mse_second(const Operands&, double, PointLoss) { return {S(2.0), S(-2.0), S(2.0)}; }
Second l1_second(const Operands&, double, PointLoss) { return {}; }

// 1 / beta inside (-beta, beta), where the loss is quadratic; 0 outside (and for beta 0).
Second smooth_l1_second(const Operands& o, double beta, PointLoss) {
  if (beta == 0) return {};
  const Tensor m = mul(as_float(lt(abs(sub(o.x, o.t)), S(beta)), o.x), S(1 / beta));
  return {m, neg(m), m};
}

Second huber_second(const Operands& o, double delta, PointLoss) {
  const Tensor m = as_float(lt(abs(sub(o.x, o.t)), S(delta)), o.x);
  return {m, neg(m), m};
}

// Without log_target: f_t = log t (t != 0) + t / t - x, so f_xt = -1 and f_tt = 1 / t where t != 0.
// With it: f_x = -e^t, f_t = e^t (t - x + 1).
Second kl_div_second(const Operands& o, double, PointLoss loss) {
  if (loss == PointLoss::KlDiv)
    return {Tensor(), S(-1.0), where(ne(o.t, S(0.0)), reciprocal(o.t), zeros({}, o.t.dtype()))};
  const Tensor e = exp(o.t);
  return {Tensor(), neg(e), mul(e, add(sub(o.t, o.x), S(2.0)))};
}

// f_x = w (x - t) / D, D = x (1 - x) (its clamp at 1e-12 aside); f_t = -w logit(x).
Second bce_second(const Operands& o, double, PointLoss) {
  const Tensor D = mul(o.x, sub(S(1.0), o.x));
  const Tensor xx = sub(reciprocal(D), div(mul(sub(o.x, o.t), sub(S(1.0), mul(o.x, S(2.0)))), mul(D, D)));
  return {times(xx, o.w), times(neg(reciprocal(D)), o.w), Tensor()};
}

// f_x = w ((pw t + 1 - t) s - pw t), s = sigmoid(x); f_t = w (log_sigmoid(-x) - pw log_sigmoid(x)).
Second bce_with_logits_second(const Operands& o, double, PointLoss) {
  const Tensor s = sigmoid(o.x);
  const Tensor pw = o.pw.defined() ? o.pw : S(1.0);
  const Tensor xx = mul(add(sub(mul(pw, o.t), o.t), S(1.0)), mul(s, sub(S(1.0), s)));
  const Tensor xt = sub(mul(sub(pw, S(1.0)), s), pw);
  return {times(xx, o.w), times(xt, o.w), Tensor()};
}

// How a loss reads its arguments and what it accepts.
enum class Operand { Broadcast, SameShape };

struct Kind {
  const char* name;
  const char* backward_name;
  const char* signature;
  const char* backward_signature;
  size_t weights;   // optional weight tensors after the target: 0, 1 (weight) or 2 (weight, pos_weight)
  Operand shapes;   // Broadcast: input and target broadcast; SameShape: the target must have the input's shape
  bool same_dtype;  // binary_cross_entropy: the target must have the input's dtype
  Second (*second)(const Operands&, double param, PointLoss loss);
};

enum KindIndex { kMse, kL1, kSmoothL1, kHuber, kKlDiv, kBce, kBceWithLogits, kNumKinds };

const Kind kKinds[kNumKinds] = {
    {"mse_loss", "mse_loss_backward", "mse_loss(Tensor input, Tensor target; ints: reduction)",
     "mse_loss_backward(Tensor grad, Tensor input, Tensor target; ints: reduction, mask)", 0, Operand::Broadcast, false,
     mse_second},
    {"l1_loss", "l1_loss_backward", "l1_loss(Tensor input, Tensor target; ints: reduction)",
     "l1_loss_backward(Tensor grad, Tensor input, Tensor target; ints: reduction, mask)", 0, Operand::Broadcast, false,
     l1_second},
    {"smooth_l1_loss", "smooth_l1_loss_backward", "smooth_l1_loss(Tensor input, Tensor target; ints: reduction; reals: beta)",
     "smooth_l1_loss_backward(Tensor grad, Tensor input, Tensor target; ints: reduction, mask; reals: beta)", 0,
     Operand::Broadcast, false, smooth_l1_second},
    {"huber_loss", "huber_loss_backward", "huber_loss(Tensor input, Tensor target; ints: reduction; reals: delta)",
     "huber_loss_backward(Tensor grad, Tensor input, Tensor target; ints: reduction, mask; reals: delta)", 0,
     Operand::Broadcast, false, huber_second},
    {"kl_div", "kl_div_backward", "kl_div(Tensor input, Tensor target; ints: reduction, log_target)",
     "kl_div_backward(Tensor grad, Tensor input, Tensor target; ints: reduction, log_target, mask)", 0,
     Operand::Broadcast, false, kl_div_second},
    {"binary_cross_entropy", "binary_cross_entropy_backward",
     "binary_cross_entropy(Tensor input, Tensor target, [Tensor weight]; ints: reduction)",
     "binary_cross_entropy_backward(Tensor grad, Tensor input, Tensor target, [Tensor weight]; ints: reduction, mask)", 1,
     Operand::SameShape, true, bce_second},
    {"binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_backward",
     "binary_cross_entropy_with_logits(Tensor input, Tensor target, [Tensor weight], [Tensor pos_weight]; ints: "
     "reduction, pos_weight given (with one optional tensor: it is pos_weight))",
     "binary_cross_entropy_with_logits_backward(Tensor grad, Tensor input, Tensor target, [Tensor weight], [Tensor "
     "pos_weight]; ints: reduction, pos_weight given, mask)",
     2, Operand::SameShape, false, bce_with_logits_second},
};

// The kernel's loss and parameter for a call (args without the backward's mask).
PointLoss loss_of(int kind, const OpArgs& args) {
  switch (kind) {
    case kMse: return PointLoss::Mse;
    case kL1: return PointLoss::L1;
    case kSmoothL1: return PointLoss::SmoothL1;
    case kHuber: return PointLoss::Huber;
    case kKlDiv: return int_arg(args, 1, "kl_div") != 0 ? PointLoss::KlDivLogTarget : PointLoss::KlDiv;
    case kBce: return PointLoss::Bce;
    default: return PointLoss::BceWithLogits;
  }
}

double param_of(int kind, const char* op, const OpArgs& args) {
  if (kind == kSmoothL1) {
    const double beta = real_arg(args, 0, op);
    KILN_CHECK(beta >= 0, Argument, op, ": smooth_l1_loss does not support negative values for beta (got ", beta, ")");
    return beta;
  }
  if (kind == kHuber) {
    const double delta = real_arg(args, 0, op);
    KILN_CHECK(delta > 0, Argument, op, ": huber_loss does not support non-positive values for delta (got ", delta, ")");
    return delta;
  }
  if (kind == kBceWithLogits) return int_arg(args, 1, op) != 0 ? 1.0 : 0.0;
  return 0;
}

// A call's operands, checked: original tensors, the loss's shape and dtype.
struct Call {
  Operands o;
  Shape shape;
  DType dtype;
  Reduction reduction;
  PointLoss loss;
  double param;
};

// Splits the optional tensors after the target into weight and pos_weight.
void optional_weights(const Kind& k, const TensorList& extra, const OpArgs& args, const char* op, Operands& o) {
  KILN_CHECK(extra.size() <= k.weights, Argument, op, ": expected at most ", k.weights, " weight tensors, got ",
             extra.size());
  if (extra.empty()) return;
  const bool pos_given = k.weights == 2 && int_arg(args, 1, op) != 0;
  if (extra.size() == 2) {
    o.w = extra[0];
    o.pw = extra[1];
  } else if (pos_given) {
    o.pw = extra[0];
  } else {
    o.w = extra[0];
  }
}

Call prepare(int kind, const char* op, const Tensor& x, const Tensor& t, const TensorList& extra, const OpArgs& args) {
  const Kind& k = kKinds[kind];
  Call c;
  c.o.x = x;
  c.o.t = t;
  optional_weights(k, extra, args, op, c.o);
  check_cpu(op, {x, t, c.o.w, c.o.pw});
  c.reduction = reduction_arg(args, 0, op);
  c.loss = loss_of(kind, args);
  c.param = param_of(kind, op, args);
  if (k.same_dtype) {
    KILN_CHECK(t.dtype() == x.dtype(), DType, op, ": Found dtype ", dtype_name(t.dtype()), " but expected ",
               dtype_name(x.dtype()), " (the target must have the input's dtype)");
    c.dtype = x.dtype();
  } else if (kind == kBceWithLogits) {
    KILN_CHECK(is_floating(x.dtype()) && is_floating(t.dtype()), DType, op,
               ": expected floating point input and target, got ", dtype_name(x.dtype()), " and ", dtype_name(t.dtype()));
    // PyTorch starts from (1 - target) and updates it in place: the result has the target's dtype.
    c.dtype = t.dtype();
  } else if (kind == kHuber) {
    // PyTorch writes huber_loss into a tensor like the input: it computes in the promoted dtype, returns the input's.
    KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()),
               "' (expected a floating point input)");
    c.dtype = x.dtype();
  } else {
    c.dtype = promote_types(x.dtype(), t.dtype());
  }
  KILN_CHECK(is_floating(c.dtype), DType, op, ": not implemented for '", dtype_name(c.dtype),
             "' (expected floating point input and target)");
  if (k.shapes == Operand::SameShape) {
    KILN_CHECK(t.shape() == x.shape(), Shape, op, ": Target size (", shape_str(t.shape()),
               ") must be the same as input size (", shape_str(x.shape()), ")");
    c.shape = x.shape();
  } else {
    c.shape = broadcast_shapes(x.shape(), t.shape(), op);
  }
  for (const Tensor* w : {&c.o.w, &c.o.pw}) {
    if (!w->defined()) continue;
    KILN_CHECK(is_floating(w->dtype()), DType, op, ": expected a floating point weight, got ", dtype_name(w->dtype()));
    const Shape b = broadcast_shapes(w->shape(), c.shape, op);
    KILN_CHECK(b == c.shape, Shape, op, ": output with shape ", shape_str(c.shape),
               " doesn't match the broadcast shape ", shape_str(b), " (weight of shape ", shape_str(w->shape()), ")");
  }
  return c;
}

// What the kernel computes in: the result's compute dtype, or (huber_loss) that of input and target promoted.
DType kernel_dtype(const Call& c) {
  return compute_dtype(promote_types(c.dtype, promote_types(c.o.x.dtype(), c.o.t.dtype())));
}

cpu::PointLossOperands kernel_operands(const Call& c, DType ct, Tensor (&keep)[4]) {
  keep[0] = expand_to(cast(c.o.x, ct), c.shape);
  keep[1] = expand_to(cast(c.o.t, ct), c.shape);
  keep[2] = c.o.w.defined() ? expand_to(cast(c.o.w, ct), c.shape) : Tensor();
  keep[3] = c.o.pw.defined() ? expand_to(cast(c.o.pw, ct), c.shape) : Tensor();
  return {keep[0], keep[1], keep[2], keep[3]};
}

template <int K>
TensorList forward_fn(const TensorList& in, const OpArgs& args) {
  const Kind& k = kKinds[K];
  check_count(k.name, in, 2, k.weights, k.weights == 0 ? "input, target" : "input, target, weights");
  const Call c = prepare(K, k.name, in[0], in[1], TensorList(in.begin() + 2, in.end()), args);
  const DType ct = kernel_dtype(c);
  Tensor keep[4];
  const cpu::PointLossOperands ops = kernel_operands(c, ct, keep);
  Tensor out = new_tensor(c.shape, ct, k.name);
  const bool in_domain = cpu::point_loss_kernel(c.loss, c.param, out, ops);
  KILN_CHECK(in_domain, Argument, k.name, ": all elements of input should be between 0 and 1");
  return {cast(apply_reduction(out, c.reduction), c.dtype)};
}

// inputs: grad, input, target, weights...; ints: the forward's, then the mask.
template <int K>
TensorList backward_fn(const TensorList& in, const OpArgs& args) {
  const Kind& k = kKinds[K];
  const char* op = k.backward_name;
  check_count(op, in, 3, k.weights, k.weights == 0 ? "grad, input, target" : "grad, input, target, weights");
  const int64_t mask = mask_arg(args, op);
  const Call c = prepare(K, op, in[1], in[2], TensorList(in.begin() + 3, in.end()), without_mask(args));
  const Tensor& g = in[0];
  KILN_CHECK(is_floating(g.dtype()), DType, op, ": expected a floating point gradient, got ", dtype_name(g.dtype()));
  if (c.reduction == Reduction::None)
    KILN_CHECK(broadcast_shapes(g.shape(), c.shape, op) == c.shape, Shape, op, ": gradient of shape ",
               shape_str(g.shape()), " does not fit the loss's shape ", shape_str(c.shape));
  else
    KILN_CHECK(g.numel() == 1, Shape, op, ": expected the gradient of a reduced loss (one element), got shape ",
               shape_str(g.shape()));
  const DType ct = kernel_dtype(c);
  Tensor keep[4];
  const cpu::PointLossOperands ops = kernel_operands(c, ct, keep);
  const Tensor gc = cast(c.reduction == Reduction::None ? g : reshape(g, {}), ct);
  const Tensor ge = expand_to(gc, c.shape);
  const int64_t n = checked_numel(c.shape, op);
  const double scale = c.reduction == Reduction::Mean ? 1.0 / static_cast<double>(n) : 1.0;
  TensorList out;
  for (const bool target : {false, true}) {
    if (!(mask & (target ? kGradTarget : kGradInput))) continue;
    Tensor grad = new_tensor(c.shape, ct, op);
    cpu::point_loss_backward_kernel(c.loss, c.param, scale, target, grad, ge, ops);
    out.push_back(cast(grad, c.dtype));
  }
  return out;
}

const OpDef& backward_row(int kind);

TensorList optional_saved(const BackwardContext& c, size_t from) {
  return TensorList(c.inputs.begin() + static_cast<std::ptrdiff_t>(from), c.inputs.end());
}

// The name of optional tensor i (0 or 1) of a call with `count` of them, for messages.
const char* weight_name(int kind, const OpArgs& args, size_t count, size_t i) {
  const bool lone_pos = kind == kBceWithLogits && count == 1 && args.ints.size() > 1 && args.ints[1] != 0;
  return i == 1 || lone_pos ? "pos_weight" : "weight";
}

template <int K>
TensorList derivative(const BackwardContext& c) {
  const Kind& k = kKinds[K];
  for (size_t i = 2; i < c.inputs.size(); ++i)
    check_no_weight_grad(k.name, c.needs(i), weight_name(K, c.args, c.inputs.size() - 2, i - 2));
  const int64_t mask = (c.needs(0) ? kGradInput : 0) | (c.needs(1) ? kGradTarget : 0);
  if (mask == 0) return {};
  TensorList ins{c.grad(), c.input(0), c.input(1)};
  for (const Tensor& t : optional_saved(c, 2)) ins.push_back(t);
  const TensorList r = call(backward_row(K), ins, with_mask(c.args, mask));
  return {c.needs(0) ? r[0] : Tensor(), c.needs(1) ? r.back() : Tensor()};
}

// gx = g s f_x and gt = g s f_t (s: 1 / n for a mean). For their incoming gradients Gx, Gt:
//   d g = s (Gx f_x + Gt f_t)   (the row itself, unreduced, at Gx and Gt: f_x and f_t stay fused)
//   d x = g s (Gx f_xx + Gt f_xt),   d t = g s (Gx f_xt + Gt f_tt)
template <int K>
TensorList backward_derivative(const BackwardContext& c) {
  const Kind& k = kKinds[K];
  const char* op = k.backward_name;
  for (size_t i = 3; i < c.inputs.size(); ++i)
    check_no_weight_grad(op, c.needs(i), weight_name(K, c.args, c.inputs.size() - 3, i - 3));
  const int64_t mask = mask_arg(c.args, op);
  const OpArgs fwd = without_mask(c.args);
  const Tensor &g = c.input(0), &x = c.input(1), &t = c.input(2);
  const Call call_info = prepare(K, op, x, t, optional_saved(c, 3), fwd);
  const int64_t n = checked_numel(call_info.shape, op);
  const double s = call_info.reduction == Reduction::Mean ? 1.0 / static_cast<double>(n) : 1.0;
  // The incoming gradients of the outputs the row computed, zero for the others.
  size_t next = 0;
  const Tensor Gx = (mask & kGradInput) ? c.grad(next++) : Tensor();
  const Tensor Gt = (mask & kGradTarget) ? c.grad(next++) : Tensor();
  Tensor dg, dx, dt;
  if (c.needs(0)) {
    OpArgs none = fwd;
    none.ints[0] = static_cast<int64_t>(Reduction::None);
    TensorList ins{Tensor(), x, t};
    for (const Tensor& w : optional_saved(c, 3)) ins.push_back(w);
    for (const bool target : {false, true}) {
      const Tensor& G = target ? Gt : Gx;
      if (!G.defined()) continue;
      ins[0] = G;
      const Tensor term = call1(backward_row(K), ins, with_mask(none, target ? kGradTarget : kGradInput));
      dg = dg.defined() ? add(dg, term) : term;
    }
    if (dg.defined() && s != 1) dg = mul(dg, S(s));
  }
  if (c.needs(1) || c.needs(2)) {
    const Second f = k.second(call_info.o, call_info.param, call_info.loss);
    const Tensor gs = mul(g, S(s));
    // sum of G * f over the outputs present, skipping zero second derivatives
    auto combine = [&](const Tensor& fx_part, const Tensor& ft_part) {
      Tensor acc;
      if (Gx.defined() && fx_part.defined()) acc = mul(Gx, fx_part);
      if (Gt.defined() && ft_part.defined()) acc = acc.defined() ? add(acc, mul(Gt, ft_part)) : mul(Gt, ft_part);
      return acc.defined() ? mul(gs, acc) : Tensor();
    };
    if (c.needs(1)) dx = combine(f.xx, f.xt);
    if (c.needs(2)) dt = combine(f.xt, f.tt);
  }
  return {dg, dx, dt};
}

template <int K>
OpDef forward_row() {
  const Kind& k = kKinds[K];
  return {k.name, k.signature, -1, OpKind::Primitive, forward_fn<K>, nullptr, derivative<K>, kSaveInputs};
}

template <int K>
OpDef backward_row_def() {
  const Kind& k = kKinds[K];
  return {k.backward_name, k.backward_signature, -1, OpKind::Primitive, backward_fn<K>, nullptr, backward_derivative<K>,
          kSaveInputs};
}

const OpDef kForward[kNumKinds] = {forward_row<0>(), forward_row<1>(), forward_row<2>(), forward_row<3>(),
                                   forward_row<4>(), forward_row<5>(), forward_row<6>()};
const OpDef kBackward[kNumKinds] = {backward_row_def<0>(), backward_row_def<1>(), backward_row_def<2>(),
                                    backward_row_def<3>(), backward_row_def<4>(), backward_row_def<5>(),
                                    backward_row_def<6>()};

const OpDef& backward_row(int kind) { return kBackward[kind]; }

OpArgs args_of(Reduction reduction) { return OpArgs{{static_cast<int64_t>(reduction)}, {}}; }
OpArgs args_of(Reduction reduction, double real) { return OpArgs{{static_cast<int64_t>(reduction)}, {real}}; }

// bce_with_logits' inputs and ints: the weights given, and whether a lone optional tensor is pos_weight.
std::pair<TensorList, OpArgs> logits_call(TensorList head, const Tensor& weight, const Tensor& pos_weight,
                                          Reduction reduction) {
  if (weight.defined()) head.push_back(weight);
  if (pos_weight.defined()) head.push_back(pos_weight);
  return {head, OpArgs{{static_cast<int64_t>(reduction), pos_weight.defined() ? 1 : 0}, {}}};
}

TensorList with_weight(TensorList head, const Tensor& weight) {
  if (weight.defined()) head.push_back(weight);
  return head;
}

}  // namespace

void add_point_loss_ops(std::vector<const OpDef*>& table) {
  for (int k = 0; k < kNumKinds; ++k) table.insert(table.end(), {&kForward[k], &kBackward[k]});
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return call1(kForward[kMse], {input, target}, args_of(reduction));
}
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return call1(kForward[kL1], {input, target}, args_of(reduction));
}
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  return call1(kForward[kSmoothL1], {input, target}, args_of(reduction, beta));
}
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction, double delta) {
  return call1(kForward[kHuber], {input, target}, args_of(reduction, delta));
}
Tensor kl_div(const Tensor& input, const Tensor& target, Reduction reduction, bool log_target) {
  return call1(kForward[kKlDiv], {input, target}, OpArgs{{static_cast<int64_t>(reduction), log_target ? 1 : 0}, {}});
}
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction reduction) {
  return call1(kForward[kBce], with_weight({input, target}, weight), args_of(reduction));
}
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                        const Tensor& pos_weight, Reduction reduction) {
  const auto [ins, args] = logits_call({input, target}, weight, pos_weight, reduction);
  return call1(kForward[kBceWithLogits], ins, args);
}

Tensor mse_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction) {
  return call1(kBackward[kMse], {grad, input, target}, with_mask(args_of(reduction), kGradInput));
}
Tensor l1_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction) {
  return call1(kBackward[kL1], {grad, input, target}, with_mask(args_of(reduction), kGradInput));
}
Tensor smooth_l1_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction,
                               double beta) {
  return call1(kBackward[kSmoothL1], {grad, input, target}, with_mask(args_of(reduction, beta), kGradInput));
}
Tensor huber_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction,
                           double delta) {
  return call1(kBackward[kHuber], {grad, input, target}, with_mask(args_of(reduction, delta), kGradInput));
}
Tensor kl_div_backward(const Tensor& grad, const Tensor& input, const Tensor& target, Reduction reduction,
                       bool log_target) {
  return call1(kBackward[kKlDiv], {grad, input, target},
               with_mask(OpArgs{{static_cast<int64_t>(reduction), log_target ? 1 : 0}, {}}, kGradInput));
}
Tensor binary_cross_entropy_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                     const Tensor& weight, Reduction reduction) {
  return call1(kBackward[kBce], with_weight({grad, input, target}, weight), with_mask(args_of(reduction), kGradInput));
}
Tensor binary_cross_entropy_with_logits_backward(const Tensor& grad, const Tensor& input, const Tensor& target,
                                                 const Tensor& weight, const Tensor& pos_weight, Reduction reduction) {
  const auto [ins, args] = logits_call({grad, input, target}, weight, pos_weight, reduction);
  return call1(kBackward[kBceWithLogits], ins, with_mask(args, kGradInput));
}

}  // namespace kiln
