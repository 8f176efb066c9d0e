// The hinge losses over classes: multi_margin_loss (one target class per sample), a composite of gather, relu and
// sums (relu's derivative is 0 at 0, as the hinge's is in PyTorch's kernel: it counts a term only when it is > 0),
// and multilabel_margin_loss (a list of target classes per sample, ended by the first negative entry), a kernel
// (cpu/margin_loss.cpp) with its backward row.
// Inputs are [C], [N, C] or 0-dim (one class), as in PyTorch; the target classes are checked before any arithmetic.
#include "autograd/backward_context.h"
#include "cpu/loss.h"
#include "kiln/ops.h"
#include "ops/loss_support.h"
#include "ops/operands.h"

namespace kiln {
namespace {

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }

// The shape of the samples' classes, [frames, C], with PyTorch's check of the input and the target's dtype.
struct Frames {
  int64_t frames, classes;
};

Frames check_frames(const char* op, const Tensor& x, const Tensor& t) {
  check_cpu(op, {x, t});
  const int64_t nd = x.dim();
  KILN_CHECK((nd == 2 && x.size(1) != 0) || (nd == 1 && x.size(0) != 0) || nd == 0, Shape, op,
             ": Expected non-empty vector or matrix with optional 0-dim batch size, but got: ", shape_str(x.shape()));
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()),
             "' (expected a floating point input)");
  KILN_CHECK(t.dtype() == DType::Int64, DType, op, ": expected a target of dtype int64 (class indices), got ",
             dtype_name(t.dtype()));
  return {nd == 2 ? x.size(0) : 1, nd == 0 ? 1 : x.size(nd - 1)};
}

// inputs: input, target[, weight]; ints: reduction, p; reals: margin.
// loss = sum over classes d != y of max(0, margin - x[y] + x[d])^p (times weight[y]), over C.
TensorList multi_margin_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "multi_margin_loss";
  check_count(op, in, 2, 1, "input, target[, weight]");
  const Tensor &x = in[0], &t = in[1], weight = optional_input(in, 2);
  const Frames f = check_frames(op, x, t);
  const Reduction reduction = reduction_arg(args, 0, op);
  const int64_t p = int_arg(args, 1, op);
  KILN_CHECK(p == 1 || p == 2, Argument, op, ": only p == 1 and p == 2 supported, got p = ", p);
  KILN_CHECK(t.dim() <= 1 && t.numel() == f.frames, Shape, op, ": inconsistent target size, expected ", f.frames,
             " but got ", shape_str(t.shape()));
  if (weight.defined()) {
    KILN_CHECK(weight.dim() <= 1 && weight.numel() == f.classes, Shape, op, ": inconsistent weight size, expected ",
               f.classes, " but got ", shape_str(weight.shape()));
    KILN_CHECK(weight.dtype() == x.dtype(), DType, op, ": expected a weight of the input's dtype ",
               dtype_name(x.dtype()), ", got ", dtype_name(weight.dtype()));
  }
  if (t.numel() > 0) {
    const auto lo = static_cast<int64_t>(item(amin(t))), hi = static_cast<int64_t>(item(amax(t)));
    KILN_CHECK(lo >= 0 && hi < f.classes, Index, op, ": target out of range: ", lo < 0 ? lo : hi, " (", f.classes,
               " classes)");
  }
  const Tensor X = reshape(x, {f.frames, f.classes}), y = reshape(t, {f.frames, 1});
  Tensor z = relu(add(sub(S(real_arg(args, 0, op)), gather(X, 1, y)), X));  // PyTorch's order of the two sums
  if (p == 2) z = mul(z, z);
  if (weight.defined()) z = mul(z, unsqueeze(gather(reshape(weight, {f.classes}), 0, reshape(t, {f.frames})), 1));
  const Tensor is_target = eq(arange(0, static_cast<double>(f.classes), 1, DType::Int64), y);
  z = masked_fill(z, is_target, Scalar(0.0));
  const Tensor loss = div(sum(z, {1}), S(static_cast<double>(f.classes)));
  return {apply_reduction(reshape(loss, t.shape()), reduction)};
}

// multilabel_margin_loss's checked operands: x as [frames, C] contiguous in the compute dtype, the target likewise
// in int64 (each row's listed classes checked in [0, C)), and the unreduced loss's shape.
struct MultilabelCall {
  Tensor x, target;
  Shape loss_shape;
  Reduction reduction;
};

MultilabelCall prepare_multilabel(const char* op, const Tensor& x, const Tensor& t, const OpArgs& args) {
  const Frames f = check_frames(op, x, t);
  MultilabelCall c;
  c.reduction = reduction_arg(args, 0, op);
  const bool shape_ok = x.dim() == 2 ? t.dim() == 2 && t.size(0) == f.frames && t.size(1) == f.classes
                                     : t.dim() <= 1 && t.numel() == f.classes;
  KILN_CHECK(shape_ok, Shape, op, ": inconsistent target size: ", shape_str(t.shape()), " for input of size: ",
             shape_str(x.shape()));
  const Shape rows{f.frames, f.classes};
  c.target = contiguous(reshape(t, rows));
  const int64_t* tv = c.target.data<int64_t>();
  for (int64_t n = 0; n < f.frames; ++n)
    for (int64_t j = 0; j < f.classes && tv[n * f.classes + j] >= 0; ++j)
      KILN_CHECK(tv[n * f.classes + j] < f.classes, Index, op, ": target index ", tv[n * f.classes + j],
                 " is out of range (", f.classes, " classes)");
  c.x = contiguous(reshape(cast(x, compute_dtype(x.dtype())), rows));
  c.loss_shape = x.dim() == 2 ? Shape{f.frames} : Shape{};
  return c;
}

// inputs: input, target (int64, the input's shape: each sample's target classes, ended by the first negative
// entry); ints: reduction. loss = sum over listed targets j and non-target classes d of max(0, 1 - x[j] + x[d]),
// over C: a target listed twice counts twice, as in PyTorch. A kernel (O(L C) per sample, in place), the sums in
// double as PyTorch's CPU kernel.
TensorList multilabel_margin_fwd(const TensorList& in, const OpArgs& args) {
  const MultilabelCall c = prepare_multilabel("multilabel_margin_loss", in[0], in[1], args);
  std::vector<double> loss;
  cpu::multilabel_margin_kernel(loss, c.x, c.target);
  const DType dt = in[0].dtype();
  if (c.reduction == Reduction::None) {
    const Tensor out = from_data(loss.data(), static_cast<int64_t>(loss.size()), {static_cast<int64_t>(loss.size())},
                                 DType::Float64);
    return {cast(reshape(out, c.loss_shape), dt)};
  }
  double total = 0;
  for (double v : loss) total += v;
  if (c.reduction == Reduction::Mean) total /= static_cast<double>(loss.size());
  return {cast(Tensor::scalar(Scalar(total), DType::Float64), dt)};
}

// inputs: grad, input, target; ints: reduction.
TensorList multilabel_margin_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "multilabel_margin_loss_backward";
  const MultilabelCall c = prepare_multilabel(op, in[1], in[2], args);
  const Tensor& g = in[0];
  const DType ct = c.x.dtype();
  const int64_t frames = c.x.size(0);
  KILN_CHECK(is_floating(g.dtype()), DType, op, ": expected a floating point gradient, got ", dtype_name(g.dtype()));
  Tensor scale;
  if (c.reduction == Reduction::None) {
    KILN_CHECK(g.shape() == c.loss_shape, Shape, op, ": expected a gradient of the loss's shape ",
               shape_str(c.loss_shape), ", got ", shape_str(g.shape()));
    scale = contiguous(reshape(cast(g, ct), {frames}));
  } else {
    KILN_CHECK(g.numel() == 1, Shape, op, ": expected the gradient of a reduced loss (one element), got shape ",
               shape_str(g.shape()));
    const double v = item(g) / (c.reduction == Reduction::Mean ? static_cast<double>(frames) : 1.0);
    scale = Tensor::scalar(Scalar(v), ct);
  }
  Tensor grad = Tensor::empty(c.x.shape(), ct, c.x.device());
  cpu::multilabel_margin_backward_kernel(grad, scale, c.x, c.target);
  return {cast(reshape(grad, in[1].shape()), in[1].dtype())};
}

TensorList multilabel_margin_derivative(const BackwardContext& c);
TensorList multilabel_margin_backward_derivative(const BackwardContext& c);

const OpDef kMultilabelMargin{"multilabel_margin_loss",
                              "multilabel_margin_loss(Tensor input, Tensor target; ints: reduction)", 2,
                              OpKind::Primitive, multilabel_margin_fwd, nullptr, multilabel_margin_derivative,
                              kSaveInputs};
const OpDef kMultilabelMarginBackward{"multilabel_margin_loss_backward",
                                      "multilabel_margin_loss_backward(Tensor grad, Tensor input, Tensor target; "
                                      "ints: reduction)",
                                      3, OpKind::Primitive, multilabel_margin_backward_fwd, nullptr,
                                      multilabel_margin_backward_derivative, kSaveInputs};

TensorList multilabel_margin_derivative(const BackwardContext& c) {
  return {call1(kMultilabelMarginBackward, {c.grad(), c.input(0), c.input(1)}, c.args), Tensor()};
}

// The backward is linear in grad and piecewise constant in the input (the hinges' indicators): its derivative for
// grad is the loss's structure again (the incoming gradient against the unit gradients, summed per sample, or in
// all for a reduced loss), for the input 0.
TensorList multilabel_margin_backward_derivative(const BackwardContext& c) {
  Tensor dg, dx;
  if (c.needs(0)) {
    const Tensor& g = c.input(0);
    const Tensor unit = call1(kMultilabelMarginBackward, {ones(g.shape(), g.dtype()), c.input(1), c.input(2)}, c.args);
    const Tensor products = mul(c.grad(), unit);
    dg = g.dim() == 1 ? sum(products, {1}) : reshape(sum(products), g.shape());
  }
  if (c.needs(1)) dx = zeros(c.input(1).shape(), c.input(1).dtype());
  return {dg, dx, Tensor()};
}

const OpDef kMultiMargin{"multi_margin_loss",
                         "multi_margin_loss(Tensor input, Tensor target, [Tensor weight]; ints: reduction, p; reals: "
                         "margin)",
                         -1, OpKind::Composite, multi_margin_fwd};

}  // namespace

void add_multi_margin_loss_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kMultiMargin, &kMultilabelMargin, &kMultilabelMarginBackward});
}

Tensor multi_margin_loss(const Tensor& input, const Tensor& target, int64_t p, double margin, const Tensor& weight,
                         Reduction reduction) {
  TensorList ins{input, target};
  if (weight.defined()) ins.push_back(weight);
  return call1(kMultiMargin, ins, OpArgs{{static_cast<int64_t>(reduction), p}, {margin}});
}

Tensor multilabel_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return call1(kMultilabelMargin, {input, target}, OpArgs{{static_cast<int64_t>(reduction)}, {}});
}

}  // namespace kiln
