// cross_entropy and nll_loss, the losses over a dim of classes (dim 1; dim 0 for one sample of shape [C]), and
// their backward rows. cross_entropy is one fused kernel (cpu/cross_entropy.cpp) over rows of classes: inputs of
// more than two dims are laid out as [N * d1 * ..., C] rows first. The backward rows' derivatives, in ordinary
// ops, give double backward. Also add_loss_ops, the family's registry.
#include "autograd/backward_context.h"
#include "backend.h"
#include "cpu/dispatch.h"
#include "cpu/loss.h"
#include "kiln/ops.h"
#include "ops/loss_support.h"
#include "ops/operands.h"
#include "ops/pointwise.h"

namespace kiln {
namespace {

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }

int64_t class_dim(const Tensor& x) { return x.dim() == 1 ? 0 : 1; }

// x's shape without the class dim: the shape of index targets and of an unreduced loss.
Shape without_classes(const Shape& shape) {
  Shape out = shape;
  out.erase(out.begin() + (shape.size() == 1 ? 0 : 1));
  return out;
}

// PyTorch's checks of class-index targets against the input (nll_loss_nd's messages).
void check_index_target(const char* op, const Tensor& x, const Tensor& t) {
  KILN_CHECK(x.dim() >= 1, Shape, op, ": Expected 1 or more dimensions (got 0)");
  KILN_CHECK(t.dtype() == DType::Int64, DType, op, ": expected a target of dtype int64 (class indices), got ",
             dtype_name(t.dtype()), " (target shape ", shape_str(t.shape()), ")");
  if (x.dim() == 1) {
    KILN_CHECK(t.dim() == 0, Shape, op, ": size mismatch (got input: ", shape_str(x.shape()), ", target: ",
               shape_str(t.shape()), ")");
    return;
  }
  KILN_CHECK(t.dim() >= 1 && t.size(0) == x.size(0), Shape, op, ": Expected input batch_size (", x.size(0),
             ") to match target batch_size (", t.dim() >= 1 ? t.size(0) : 1, ").");
  if (x.dim() == 2) {
    KILN_CHECK(t.dim() == 1, Shape, op, ": 0D or 1D target tensor expected, multi-target not supported (got target of "
               "shape ", shape_str(t.shape()), ")");
    return;
  }
  const Shape expected = without_classes(x.shape());
  KILN_CHECK(t.shape() == expected, Shape, op, ": Expected target size ", shape_str(expected), ", got ",
             shape_str(t.shape()), " (input shape ", shape_str(x.shape()), ")");
}

// Every target is a class or ignore_index. t: contiguous int64, on any device (a GPU's targets are read back:
// a batch's class indices, a few KB).
void check_target_values(const char* op, const Tensor& target, int64_t classes, int64_t ignore_index) {
  const Tensor t = on_host(target);
  const int64_t* p = t.data<int64_t>();
  bool bad = false;  // branch-free first (it vectorizes), the throwing loop only to name the target
  for (int64_t i = 0; i < t.numel(); ++i)
    bad |= (static_cast<uint64_t>(p[i]) >= static_cast<uint64_t>(classes)) & (p[i] != ignore_index);
  for (int64_t i = 0; bad && i < t.numel(); ++i)
    KILN_CHECK(p[i] == ignore_index || (p[i] >= 0 && p[i] < classes), Index, op, ": Target ", p[i],
               " is out of bounds.");
}

void check_weight(const char* op, const Tensor& w, int64_t classes) {
  KILN_CHECK(w.dim() == 1 && w.numel() == classes, Shape, op, ": weight tensor should be defined either for all ", classes,
             " classes or no classes but got weight tensor of shape: ", shape_str(w.shape()));
}

void check_weight_dtype(const char* op, const Tensor& w, DType input) {
  KILN_CHECK(w.dtype() == input, DType, op, ": expected a weight of the input's dtype ", dtype_name(input), ", got ",
             dtype_name(w.dtype()));
}

// A contiguous tensor seen in another shape of as many elements, without a call through the op table: these run
// every training step, where the calls' own cost shows at small sizes.
Tensor view_as_shape(const Tensor& t, const Shape& shape) {
  return t.shape() == shape ? t : t.as_strided(shape, contiguous_strides(shape), t.offset());
}

Tensor dense(const Tensor& t) { return t.is_contiguous() ? t : contiguous(t); }

// [N, C, d1, ...] as rows [N d1 ..., C], contiguous; [C] as one row.
Tensor to_rows(const Tensor& x, int64_t rows) {
  const int64_t classes = x.size(class_dim(x));
  if (x.dim() <= 2) return view_as_shape(dense(x), {rows, classes});
  Dims perm{0};
  for (int64_t d = 2; d < x.dim(); ++d) perm.push_back(d);
  perm.push_back(1);
  return view_as_shape(contiguous(permute(x, perm)), {rows, classes});
}

// The inverse of to_rows, for a tensor of the input's shape.
Tensor from_rows(const Tensor& rows, const Shape& shape) {
  if (shape.size() <= 2) return view_as_shape(rows, shape);
  Shape moved{shape[0]};
  for (size_t d = 2; d < shape.size(); ++d) moved.push_back(shape[d]);
  moved.push_back(shape[1]);
  Dims back{0, static_cast<int64_t>(shape.size()) - 1};
  for (int64_t d = 1; d + 1 < static_cast<int64_t>(shape.size()); ++d) back.push_back(d);
  return contiguous(permute(view_as_shape(rows, moved), back));
}

// What a mean over class-index targets divides by (cpu::target_weight_sum), from targets and weights on any device.
double target_weight_sum(const Tensor& target, const Tensor& weight, int64_t ignore_index) {
  return cpu::target_weight_sum(on_host(target), weight.defined() ? on_host(weight) : weight, ignore_index);
}

// The per-position losses reduced: as they are (in the loss's shape), or their sum (over divisor for a mean) added
// in double, as a 0-dim tensor of the compute dtype (on a GPU: summed there in double, without a copy back).
Tensor reduce_positions(const Tensor& loss, Reduction reduction, const Shape& loss_shape, double divisor) {
  if (reduction == Reduction::None) return view_as_shape(loss, loss_shape);
  if (!loss.device().is_cpu()) {
    const Tensor total = sum(cast(loss, DType::Float64));
    return cast(reduction == Reduction::Mean ? div(total, S(divisor)) : total, loss.dtype());
  }
  double total = 0;
  cpu::dispatch(loss.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = loss.data<T>();
    constexpr int64_t kLanes = 8;  // independent chains: one chain of double adds took 0.07 ms for 65,536 losses
    double lanes[kLanes] = {};
    const int64_t n = loss.numel();
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int64_t j = 0; j < kLanes; ++j) lanes[j] += static_cast<double>(p[i + j]);
    for (; i < n; ++i) total += static_cast<double>(p[i]);
    for (int64_t j = 0; j < kLanes; ++j) total += lanes[j];
  });
  return Tensor::scalar(Scalar(reduction == Reduction::Mean ? total / divisor : total), loss.dtype());
}

// ---- cross_entropy

// A call's operands, checked and laid out as rows in the compute dtype.
struct CrossEntropyCall {
  Tensor x, target, weight;  // [rows, C]; [rows] int64 or [rows, C]; [C] or undefined
  CrossEntropyPlan plan;
  Reduction reduction;
  Shape loss_shape;
  int64_t rows;
  DType dtype;  // the result's
};

CrossEntropyCall prepare_cross_entropy(const char* op, const Tensor& input, const Tensor& target, const Tensor& weight,
                                       const OpArgs& args) {
  CrossEntropyCall c;
  c.reduction = reduction_arg(args, 0, op);
  c.plan.ignore_index = int_arg(args, 1, op);
  c.plan.label_smoothing = real_arg(args, 0, op);
  c.plan.probabilities = input.dim() >= 1 && input.shape() == target.shape();
  KILN_CHECK(input.dim() >= 1, Shape, op, ": Expected 1 or more dimensions (got 0)");
  const double ls = c.plan.label_smoothing;
  KILN_CHECK(ls >= 0 && ls <= 1, Argument, op, ": label_smoothing must be between 0.0 and 1.0. Got: ", ls);
  loss_compute_dtype(op, input.dtype());
  const int64_t classes = input.size(class_dim(input));
  c.loss_shape = without_classes(input.shape());
  c.rows = checked_numel(c.loss_shape, op);
  if (weight.defined()) check_weight(op, weight, classes);
  if (c.plan.probabilities) {
    KILN_CHECK(is_floating(target.dtype()), DType, op,
               ": Expected floating point type for target with class probabilities, got ", dtype_name(target.dtype()));
    KILN_CHECK(c.plan.ignore_index < 0, Argument, op, ": ignore_index is not supported for floating point target");
    c.dtype = promote_types(input.dtype(), target.dtype());
    if (weight.defined()) {
      KILN_CHECK(is_floating(weight.dtype()), DType, op, ": expected a floating point weight, got ",
                 dtype_name(weight.dtype()));
      c.dtype = promote_types(c.dtype, weight.dtype());
    }
  } else {
    check_index_target(op, input, target);
    if (weight.defined()) check_weight_dtype(op, weight, input.dtype());
    c.dtype = input.dtype();
  }
  const DType ct = compute_dtype(c.dtype);
  c.x = to_rows(cast(input, ct), c.rows);
  if (c.plan.probabilities) {
    c.target = to_rows(cast(target, ct), c.rows);
  } else {
    c.target = view_as_shape(dense(target), {c.rows});
    check_target_values(op, c.target, classes, c.plan.ignore_index);
  }
  if (weight.defined()) c.weight = dense(cast(weight, ct));
  return c;
}

// What a mean divides by: the summed weights of the counted targets, or the number of positions.
double mean_divisor(const CrossEntropyCall& c) {
  return c.plan.probabilities ? static_cast<double>(c.rows)
                              : target_weight_sum(c.target, c.weight, c.plan.ignore_index);
}

// inputs: input, target[, weight]; ints: reduction, ignore_index; reals: label_smoothing.
TensorList cross_entropy_fwd(const TensorList& in, const OpArgs& args) {
  check_count("cross_entropy", in, 2, 1, "input, target[, weight]");
  const CrossEntropyCall c = prepare_cross_entropy("cross_entropy", in[0], in[1], optional_input(in, 2), args);
  Tensor loss = Tensor::empty({c.rows}, c.x.dtype(), c.x.device());
  backend_for(c.x.device()).cross_entropy(loss, c.x, c.target, c.weight, c.plan);
  const double divisor = c.reduction == Reduction::Mean ? mean_divisor(c) : 1.0;
  return {cast(reduce_positions(loss, c.reduction, c.loss_shape, divisor), c.dtype)};
}

// The gradient of the loss as the kernels take it: one scale per row (none) or one value (mean, sum).
Tensor row_scale(const char* op, const Tensor& grad, Reduction reduction, const Shape& loss_shape, int64_t rows,
                 double divisor, DType ct) {
  KILN_CHECK(is_floating(grad.dtype()), DType, op, ": expected a floating point gradient, got ", dtype_name(grad.dtype()));
  if (reduction == Reduction::None) {
    KILN_CHECK(broadcast_shapes(grad.shape(), loss_shape, op) == loss_shape, Shape, op, ": gradient of shape ",
               shape_str(grad.shape()), " does not fit the loss's shape ", shape_str(loss_shape));
    return view_as_shape(dense(cast(expand_to(grad, loss_shape), ct)), {rows});
  }
  KILN_CHECK(grad.numel() == 1, Shape, op, ": expected the gradient of a reduced loss (one element), got shape ",
             shape_str(grad.shape()));
  if (!grad.device().is_cpu()) {  // computed on the GPU as below, in double, rather than read back
    const Tensor g = cast(reshape(grad, {}), DType::Float64);
    return cast(reduction == Reduction::Mean ? div(g, S(divisor)) : g, ct);
  }
  const double g = *dense(cast(grad, DType::Float64)).data<double>();
  return Tensor::scalar(Scalar(reduction == Reduction::Mean ? g / divisor : g), ct);
}

// inputs: grad, input, target[, weight]; ints: reduction, ignore_index, mask; reals: label_smoothing.
// Returns grad_input, and grad_target when the mask asks for it and the target holds probabilities.
TensorList cross_entropy_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "cross_entropy_backward";
  check_count(op, in, 3, 1, "grad, input, target[, weight]");
  const int64_t mask = mask_arg(args, op);
  const Tensor &input = in[1], &target = in[2];
  const CrossEntropyCall c = prepare_cross_entropy(op, input, target, optional_input(in, 3), without_mask(args));
  const DType ct = c.x.dtype();
  const double divisor = c.reduction == Reduction::Mean ? mean_divisor(c) : 1.0;
  const Tensor scale = row_scale(op, in[0], c.reduction, c.loss_shape, c.rows, divisor, ct);
  Tensor gx = Tensor::empty(c.x.shape(), ct, c.x.device()), gt;
  const bool target_grad = (mask & kGradTarget) != 0 && c.plan.probabilities;
  if (target_grad) gt = Tensor::empty(c.x.shape(), ct, c.x.device());
  backend_for(c.x.device()).cross_entropy_backward(gx, gt, scale, c.x, c.target, c.weight, c.plan);
  TensorList out{cast(from_rows(gx, input.shape()), input.dtype())};
  if (target_grad) out.push_back(cast(from_rows(gt, target.shape()), target.dtype()));
  return out;
}

TensorList cross_entropy_backward_derivative(const BackwardContext& c);

const OpDef kCrossEntropyBackward{
    "cross_entropy_backward",
    "cross_entropy_backward(Tensor grad, Tensor input, Tensor target, [Tensor weight]; ints: reduction, ignore_index, "
    "mask (1 input, 2 target); reals: label_smoothing) -> (grad_input[, grad_target])",
    -1, OpKind::Primitive, cross_entropy_backward_fwd, nullptr, cross_entropy_backward_derivative, kSaveInputs};

TensorList cross_entropy_derivative(const BackwardContext& c) {
  check_no_weight_grad("cross_entropy", c.needs(2), "weight");
  TensorList ins{c.grad(), c.input(0), c.input(1)};
  if (c.inputs.size() > 2) ins.push_back(c.input(2));
  const TensorList r = call(kCrossEntropyBackward, ins, with_mask(c.args, kGradInput | (c.needs(1) ? kGradTarget : 0)));
  return {r[0], r.size() > 1 ? r[1] : Tensor()};
}

// The weight along the class dim, as a view that broadcasts against the input (undefined stays undefined).
Tensor class_view(const Tensor& w, const Tensor& x) {
  if (!w.defined() || x.dim() == 1) return w;
  Shape shape(static_cast<size_t>(x.dim()), 1);
  shape[1] = w.numel();
  return reshape(w, shape);
}

Tensor times(const Tensor& a, const Tensor& maybe) { return maybe.defined() ? mul(a, maybe) : a; }

// The backward row computes, with p = softmax(x), gb the incoming gradient along the class dim, and q the target
// weights of each position (scaled by 1 / divisor for a mean, Q their sum along the class dim):
//   grad_x = gb (p Q - q),  grad_target = -gb tg log_softmax(x),  tg = s (1 - eps) w (probabilities).
// Its derivative for the gradients (Gx, Gt) of those outputs:
//   d grad:   sum over classes of Gx (p Q - q) - Gt tg log_softmax(x)
//   d x:      gb Q p (Gx - sum(Gx p)) + R - p sum(R),  R = -gb tg Gt
//   d target: gb tg (sum(Gx p) - Gx)   (probabilities: q is linear in the target)
TensorList cross_entropy_backward_derivative(const BackwardContext& c) {
  const Tensor &g = c.input(0), &x = c.input(1), &t = c.input(2);
  const Tensor w = c.inputs.size() > 3 ? c.input(3) : Tensor();
  check_no_weight_grad("cross_entropy_backward", c.needs(3), "weight");
  const OpArgs fwd = without_mask(c.args);
  const Reduction reduction = reduction_arg(fwd, 0, "cross_entropy_backward");
  const int64_t ignore_index = fwd.ints[1];
  const double eps = fwd.reals[0];
  const bool probs = x.shape() == t.shape();
  const int64_t cd = class_dim(x), classes = x.size(cd);
  double s = 1;
  if (reduction == Reduction::Mean) {
    const Tensor tc = contiguous(t);
    s = 1 / (probs ? static_cast<double>(checked_numel(without_classes(x.shape()), "cross_entropy_backward"))
                   : target_weight_sum(tc, w.defined() ? contiguous(cast(w, compute_dtype(w.dtype()))) : w,
                                            ignore_index));
  }
  const Tensor wb = class_view(w, x);
  Tensor q;
  if (probs) {
    q = times(mul(add(mul(t, S(1 - eps)), S(eps / static_cast<double>(classes))), S(s)), wb);
  } else {
    const Tensor valid = ne(t, wrapped_scalar(Scalar(ignore_index)));
    const Tensor safe = where(valid, t, zeros({}, DType::Int64));
    const Tensor index = unsqueeze(safe, cd);
    const Tensor onehot =
        scatter(zeros(x.shape(), x.dtype(), x.device()), cd, index, ones(index.shape(), x.dtype(), x.device()));
    const Tensor base = times(add(mul(onehot, S(1 - eps)), S(eps / static_cast<double>(classes))), wb);
    q = mul(mul(base, to(unsqueeze(valid, cd), x.dtype())), S(s));
  }
  const Tensor Q = sum(q, {cd}, true);
  const Tensor p = softmax(x, cd);
  const Tensor gb = reduction == Reduction::None && x.dim() >= 2 ? unsqueeze(g, cd) : g;
  const Tensor& Gx = c.grad(0);
  const bool has_gt = c.grads.size() > 1;
  const Tensor tg = times(S(s * (1 - eps)), wb);
  Tensor dg, dx, dt;
  if (c.needs(0)) {
    Tensor terms = mul(Gx, sub(mul(p, Q), q));
    if (has_gt) terms = sub(terms, mul(mul(c.grad(1), tg), log_softmax(x, cd)));
    dg = reduction == Reduction::None && x.dim() >= 2 ? sum(terms, {cd}) : sum(terms);
  }
  if (c.needs(1)) {
    dx = mul(mul(gb, Q), mul(p, sub(Gx, sum(mul(Gx, p), {cd}, true))));
    if (has_gt) {
      const Tensor R = neg(mul(mul(gb, tg), c.grad(1)));
      dx = add(dx, sub(R, mul(p, sum(R, {cd}, true))));
    }
  }
  if (c.needs(2) && probs) dt = mul(mul(gb, tg), sub(sum(mul(Gx, p), {cd}, true), Gx));
  return {dg, dx, dt, Tensor()};
}

const OpDef kCrossEntropy{"cross_entropy",
                          "cross_entropy(Tensor input, Tensor target, [Tensor weight]; ints: reduction (0 none, 1 mean, "
                          "2 sum), ignore_index; reals: label_smoothing)",
                          -1, OpKind::Primitive, cross_entropy_fwd, nullptr, cross_entropy_derivative, kSaveInputs};

// ---- nll_loss

struct NllCall {
  Tensor x, target, weight;  // [n, C, d] contiguous; [n d] int64; [C] or undefined
  Reduction reduction;
  int64_t ignore_index;
  Shape loss_shape;
  int64_t positions;
};

NllCall prepare_nll(const char* op, const Tensor& input, const Tensor& target, const Tensor& weight, const OpArgs& args) {
  NllCall c;
  c.reduction = reduction_arg(args, 0, op);
  c.ignore_index = int_arg(args, 1, op);
  KILN_CHECK(input.dim() >= 1, Shape, op, ": Expected 1 or more dimensions (got 0)");
  const DType ct = loss_compute_dtype(op, input.dtype());
  check_index_target(op, input, target);
  const int64_t classes = input.size(class_dim(input));
  if (weight.defined()) {
    check_weight(op, weight, classes);
    check_weight_dtype(op, weight, input.dtype());
  }
  c.loss_shape = without_classes(input.shape());
  c.positions = checked_numel(c.loss_shape, op);
  const int64_t n = input.dim() == 1 ? 1 : input.size(0);
  const int64_t d = n == 0 ? 1 : c.positions / n;
  c.x = view_as_shape(dense(cast(input, ct)), {n, classes, d});
  c.target = view_as_shape(dense(target), {c.positions});
  check_target_values(op, c.target, classes, c.ignore_index);
  if (weight.defined()) c.weight = dense(cast(weight, ct));
  return c;
}

// inputs: input (log-probabilities), target[, weight]; ints: reduction, ignore_index.
TensorList nll_loss_fwd(const TensorList& in, const OpArgs& args) {
  check_count("nll_loss", in, 2, 1, "input, target[, weight]");
  const NllCall c = prepare_nll("nll_loss", in[0], in[1], optional_input(in, 2), args);
  Tensor loss = Tensor::empty({c.positions}, c.x.dtype(), c.x.device());
  backend_for(c.x.device()).nll_loss(loss, c.x, c.target, c.weight, c.ignore_index);
  const double divisor =
      c.reduction == Reduction::Mean ? target_weight_sum(c.target, c.weight, c.ignore_index) : 1.0;
  return {cast(reduce_positions(loss, c.reduction, c.loss_shape, divisor), in[0].dtype())};
}

// inputs: grad, input, target[, weight]; ints: reduction, ignore_index.
TensorList nll_loss_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "nll_loss_backward";
  check_count(op, in, 3, 1, "grad, input, target[, weight]");
  const NllCall c = prepare_nll(op, in[1], in[2], optional_input(in, 3), args);
  const DType ct = c.x.dtype();
  const double divisor =
      c.reduction == Reduction::Mean ? target_weight_sum(c.target, c.weight, c.ignore_index) : 1.0;
  const Tensor scale = row_scale(op, in[0], c.reduction, c.loss_shape, c.positions, divisor, ct);
  Tensor gx = Tensor::empty(c.x.shape(), ct, c.x.device());
  backend_for(c.x.device()).nll_loss_backward(gx, scale, c.target, c.weight, c.ignore_index);
  return {cast(view_as_shape(gx, in[1].shape()), in[1].dtype())};
}

TensorList nll_loss_derivative(const BackwardContext& c);
TensorList nll_loss_backward_derivative(const BackwardContext& c);

const OpDef kNllLoss{"nll_loss",
                     "nll_loss(Tensor input, Tensor target, [Tensor weight]; ints: reduction (0 none, 1 mean, 2 sum), "
                     "ignore_index)",
                     -1, OpKind::Primitive, nll_loss_fwd, nullptr, nll_loss_derivative, kSaveInputs};
const OpDef kNllLossBackward{"nll_loss_backward",
                             "nll_loss_backward(Tensor grad, Tensor input, Tensor target, [Tensor weight]; ints: "
                             "reduction, ignore_index)",
                             -1, OpKind::Primitive, nll_loss_backward_fwd, nullptr, nll_loss_backward_derivative,
                             kSaveInputs};

TensorList nll_loss_derivative(const BackwardContext& c) {
  check_no_weight_grad("nll_loss", c.needs(2), "weight");
  TensorList ins{c.grad(), c.input(0), c.input(1)};
  if (c.inputs.size() > 2) ins.push_back(c.input(2));
  return {call1(kNllLossBackward, ins, c.args), Tensor(), Tensor()};
}

// grad_input is linear in grad and does not depend on the input: its derivative for grad is nll_loss itself
// (the same gather, weights and divisor) of the incoming gradient.
TensorList nll_loss_backward_derivative(const BackwardContext& c) {
  check_no_weight_grad("nll_loss_backward", c.needs(3), "weight");
  Tensor dg;
  if (c.needs(0)) {
    TensorList ins{c.grad(), c.input(2)};
    if (c.inputs.size() > 3) ins.push_back(c.input(3));
    dg = call1(kNllLoss, ins, c.args);
  }
  return {dg, Tensor(), Tensor(), Tensor()};
}

OpArgs class_args(Reduction reduction, int64_t ignore_index) {
  return OpArgs{{static_cast<int64_t>(reduction), ignore_index}, {}};
}

TensorList with_weight(TensorList inputs, const Tensor& weight) {
  if (weight.defined()) inputs.push_back(weight);
  return inputs;
}

}  // namespace

void add_loss_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kCrossEntropy, &kCrossEntropyBackward, &kNllLoss, &kNllLossBackward});
  add_point_loss_ops(table);
  add_composite_loss_ops(table);
  add_multi_margin_loss_ops(table);
  add_ctc_loss_ops(table);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction reduction,
                     int64_t ignore_index, double label_smoothing) {
  OpArgs args = class_args(reduction, ignore_index);
  args.reals.push_back(label_smoothing);
  return call1(kCrossEntropy, with_weight({input, target}, weight), args);
}

TensorList cross_entropy_backward(const Tensor& grad, const Tensor& input, const Tensor& target, const Tensor& weight,
                                  Reduction reduction, int64_t ignore_index, double label_smoothing,
                                  bool with_target_grad) {
  OpArgs args = class_args(reduction, ignore_index);
  args.reals.push_back(label_smoothing);
  return call(kCrossEntropyBackward, with_weight({grad, input, target}, weight),
              with_mask(args, kGradInput | (with_target_grad ? kGradTarget : 0)));
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction reduction,
                int64_t ignore_index) {
  return call1(kNllLoss, with_weight({input, target}, weight), class_args(reduction, ignore_index));
}

Tensor nll_loss_backward(const Tensor& grad, const Tensor& input, const Tensor& target, const Tensor& weight,
                         Reduction reduction, int64_t ignore_index) {
  return call1(kNllLossBackward, with_weight({grad, input, target}, weight), class_args(reduction, ignore_index));
}

}  // namespace kiln
