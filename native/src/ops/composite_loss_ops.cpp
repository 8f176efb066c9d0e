// Losses composed of other ops, as PyTorch 1.13 composes them (same formulas, same order of operations):
// margin_ranking_loss, hinge_embedding_loss, soft_margin_loss, multilabel_soft_margin_loss, cosine_embedding_loss,
// triplet_margin_loss, poisson_nll_loss and gaussian_nll_loss. Their gradients come from the ops they run; each is
// one row, so Java calls it in one crossing, and checks its arguments naming itself.
#include <cmath>

#include "kiln/autograd.h"
#include "kiln/ops.h"
#include "ops/loss_support.h"
#include "ops/operands.h"

namespace kiln {
namespace {

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }

// The shape every operand broadcasts to, checked here so that a mismatch names the loss (not an op it runs).
Shape broadcast_all(const char* op, const TensorList& tensors) {
  Shape shape = tensors[0].shape();
  for (size_t i = 1; i < tensors.size(); ++i) shape = broadcast_shapes(shape, tensors[i].shape(), op);
  return shape;
}

void check_floating_input(const char* op, const Tensor& x) {
  check_cpu(op, {x});
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()),
             "' (expected a floating point input)");
}

// inputs: input1, input2, target; ints: reduction; reals: margin.
TensorList margin_ranking_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "margin_ranking_loss";
  const Tensor &x1 = in[0], &x2 = in[1], &y = in[2];
  check_cpu(op, in);
  KILN_CHECK(x1.dim() == x2.dim() && x1.dim() == y.dim(), Shape, op,
             ": All input tensors should have same dimension but got sizes: input1: ", shape_str(x1.shape()),
             ", input2: ", shape_str(x2.shape()), ", target: ", shape_str(y.shape()));
  broadcast_all(op, in);
  const Reduction reduction = reduction_arg(args, 0, op);
  const Tensor loss = clamp_min(add(mul(neg(y), sub(x1, x2)), S(real_arg(args, 0, op))), Scalar(0.0));
  return {apply_reduction(loss, reduction)};
}

// inputs: input, target; ints: reduction; reals: margin.
TensorList hinge_embedding_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "hinge_embedding_loss";
  const Tensor &x = in[0], &y = in[1];
  check_floating_input(op, x);
  broadcast_all(op, in);
  const Reduction reduction = reduction_arg(args, 0, op);
  const Tensor zero = zeros(x.shape(), x.dtype());
  const Tensor margin_clamp = clamp_min(sub(S(real_arg(args, 0, op)), x), Scalar(0.0));
  const Tensor output_margin = where(ne(y, S(1.0)), margin_clamp, zero);
  const Tensor output_self = where(ne(y, S(-1.0)), x, zero);
  return {apply_reduction(add(output_margin, output_self), reduction)};
}

// inputs: input, target; ints: reduction.
TensorList soft_margin_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "soft_margin_loss";
  check_floating_input(op, in[0]);
  broadcast_all(op, in);
  const Reduction reduction = reduction_arg(args, 0, op);
  return {apply_reduction(log1p(exp(mul(neg(in[0]), in[1]))), reduction)};
}

// inputs: input, target[, weight]; ints: reduction. The classes are the last dim.
TensorList multilabel_soft_margin_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "multilabel_soft_margin_loss";
  check_count(op, in, 2, 1, "input, target[, weight]");
  const Tensor &x = in[0], &y = in[1];
  check_floating_input(op, x);
  KILN_CHECK(x.dim() >= 1, Shape, op, ": expected an input of 1 or more dims (classes last), got a 0-dim tensor");
  broadcast_all(op, in);
  const Reduction reduction = reduction_arg(args, 0, op);
  Tensor loss = neg(add(mul(y, log_sigmoid(x)), mul(sub(S(1.0), y), log_sigmoid(neg(x)))));
  if (in.size() > 2) loss = mul(loss, in[2]);
  const int64_t class_dim = x.dim() - 1;
  loss = div(sum(loss, {class_dim}), S(static_cast<double>(x.size(class_dim))));
  return {apply_reduction(loss, reduction)};
}

// inputs: input1, input2, target; ints: reduction; reals: margin. Cosine along dim 1 (dim 0 for one pair).
TensorList cosine_embedding_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "cosine_embedding_loss";
  const Tensor &x1 = in[0], &x2 = in[1], &y = in[2];
  check_cpu(op, in);
  const int64_t dim = y.dim();
  KILN_CHECK(dim == 0 || dim == 1, Shape, op, ": 0D or 1D target tensor expected, multi-target not supported (got ",
             shape_str(y.shape()), ")");
  if (dim == 1)
    KILN_CHECK(x1.dim() == 2 && x2.dim() == 2, Shape, op,
               ": 1D target tensor expects 2D input tensors, but found inputs with sizes ", shape_str(x1.shape()), " and ",
               shape_str(x2.shape()), ".");
  else
    KILN_CHECK(x1.dim() == 1 && x2.dim() == 1, Shape, op,
               ": 0D target tensor expects 1D input tensors, but found inputs with sizes ", shape_str(x1.shape()), " and ",
               shape_str(x2.shape()), ".");
  const Shape pair = broadcast_all(op, {x1, x2});
  broadcast_shapes(Shape(pair.begin(), pair.begin() + dim), y.shape(), op);
  const Reduction reduction = reduction_arg(args, 0, op);
  constexpr double kEpsilon = 1e-12;
  const Tensor prod_sum = sum(mul(x1, x2), {dim});
  const Tensor mag_square1 = add(sum(mul(x1, x1), {dim}), S(kEpsilon));
  const Tensor mag_square2 = add(sum(mul(x2, x2), {dim}), S(kEpsilon));
  const Tensor cos = div(prod_sum, sqrt(mul(mag_square1, mag_square2)));
  const Tensor zero = zeros(cos.shape(), cos.dtype());
  const Tensor pos = sub(S(1.0), cos);
  const Tensor neg_part = clamp_min(sub(cos, S(real_arg(args, 0, op))), Scalar(0.0));
  const Tensor output = add(where(eq(y, S(1.0)), pos, zero), where(eq(y, S(-1.0)), neg_part, zero));
  return {apply_reduction(output, reduction)};
}

// inputs: anchor, positive, negative; ints: reduction, swap; reals: margin, p, eps.
TensorList triplet_margin_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "triplet_margin_loss";
  const Tensor &a = in[0], &pos = in[1], &negative = in[2];
  check_cpu(op, in);
  KILN_CHECK(a.dim() == pos.dim() && pos.dim() == negative.dim(), Shape, op,
             ": All inputs should have same dimension but got ", a.dim(), "D, ", pos.dim(), "D and ", negative.dim(),
             "D inputs.");
  broadcast_all(op, in);
  const Reduction reduction = reduction_arg(args, 0, op);
  const bool swap = int_arg(args, 1, op) != 0;
  const double margin = real_arg(args, 0, op), p = real_arg(args, 1, op), eps = real_arg(args, 2, op);
  const Tensor dist_pos = kiln::pairwise_distance(a, pos, p, eps);
  Tensor dist_neg = kiln::pairwise_distance(a, negative, p, eps);
  if (swap) dist_neg = minimum(dist_neg, kiln::pairwise_distance(pos, negative, p, eps));
  return {apply_reduction(clamp_min(sub(add(dist_pos, S(margin)), dist_neg), Scalar(0.0)), reduction)};
}

// inputs: input, target; ints: reduction, log_input, full; reals: eps.
TensorList poisson_nll_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "poisson_nll_loss";
  const Tensor &x = in[0], &t = in[1];
  check_cpu(op, in);
  broadcast_all(op, in);
  const Reduction reduction = reduction_arg(args, 0, op);
  const bool log_input = int_arg(args, 1, op) != 0, full = int_arg(args, 2, op) != 0;
  Tensor loss = log_input ? sub(exp(x), mul(t, x)) : sub(x, mul(t, log(add(x, S(real_arg(args, 0, op))))));
  if (full) {
    // Stirling's approximation of log(t!), for t > 1.
    const Tensor stirling =
        add(sub(mul(t, log(t)), t), mul(log(mul(t, S(2 * M_PI))), S(0.5)));
    loss = add(loss, masked_fill(stirling, le(t, S(1.0)), Scalar(0.0)));
  }
  return {apply_reduction(loss, reduction)};
}

// var as the input's shape wants it: the same shape, one dim fewer (unsqueezed), or a last dim of 1.
Tensor gaussian_var(const char* op, const Tensor& x, const Tensor& var) {
  if (var.shape() == x.shape()) return var;
  const Shape lead = x.dim() == 0 ? Shape{} : Shape(x.shape().begin(), x.shape().end() - 1);
  if (x.dim() >= 1 && var.shape() == lead) return unsqueeze(var, -1);
  const bool last_one = var.dim() >= 1 && var.size(-1) == 1 && x.dim() >= 1 &&
                        Shape(var.shape().begin(), var.shape().end() - 1) == lead;
  KILN_CHECK(last_one, Shape, op, ": var is of incorrect size (var ", shape_str(var.shape()), ", input ",
             shape_str(x.shape()), ")");
  return var;
}

// inputs: input, target, var; ints: reduction, full; reals: eps.
TensorList gaussian_nll_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "gaussian_nll_loss";
  const Tensor &x = in[0], &t = in[1];
  check_cpu(op, in);
  check_floating_input(op, in[2]);
  const Reduction reduction = reduction_arg(args, 0, op);
  const bool full = int_arg(args, 1, op) != 0;
  const double eps = real_arg(args, 0, op);
  const Tensor var = gaussian_var(op, x, in[2]);
  broadcast_all(op, {x, t, var});
  bool negative;
  {
    GradModeGuard no_grad(false);
    negative = to(any(lt(var, S(0.0))), DType::Bool).data<bool>()[0];
  }
  KILN_CHECK(!negative, Argument, op, ": var has negative entry/entries");
  // var clamped from below to eps, the clamp invisible to autograd (PyTorch clamps a clone under no_grad):
  // the clamped values plus var - var, which is 0 and carries var's gradient through unchanged.
  const Tensor held = detach(var);
  const Tensor v = add(clamp_min(held, Scalar(eps)), sub(var, held));
  const Tensor d = sub(x, t);
  Tensor loss = mul(add(log(v), div(mul(d, d), v)), S(0.5));
  if (full) loss = add(loss, S(0.5 * std::log(2 * M_PI)));
  return {apply_reduction(loss, reduction)};
}

const OpDef kMarginRanking{"margin_ranking_loss",
                           "margin_ranking_loss(Tensor input1, Tensor input2, Tensor target; ints: reduction; reals: "
                           "margin)",
                           3, OpKind::Composite, margin_ranking_fwd};
const OpDef kHingeEmbedding{"hinge_embedding_loss",
                            "hinge_embedding_loss(Tensor input, Tensor target; ints: reduction; reals: margin)", 2,
                            OpKind::Composite, hinge_embedding_fwd};
const OpDef kSoftMargin{"soft_margin_loss", "soft_margin_loss(Tensor input, Tensor target; ints: reduction)", 2,
                        OpKind::Composite, soft_margin_fwd};
const OpDef kMultilabelSoftMargin{"multilabel_soft_margin_loss",
                                  "multilabel_soft_margin_loss(Tensor input, Tensor target, [Tensor weight]; ints: "
                                  "reduction)",
                                  -1, OpKind::Composite, multilabel_soft_margin_fwd};
const OpDef kCosineEmbedding{"cosine_embedding_loss",
                             "cosine_embedding_loss(Tensor input1, Tensor input2, Tensor target; ints: reduction; "
                             "reals: margin)",
                             3, OpKind::Composite, cosine_embedding_fwd};
const OpDef kTripletMargin{"triplet_margin_loss",
                           "triplet_margin_loss(Tensor anchor, Tensor positive, Tensor negative; ints: reduction, swap; "
                           "reals: margin, p, eps)",
                           3, OpKind::Composite, triplet_margin_fwd};
const OpDef kPoissonNll{"poisson_nll_loss",
                        "poisson_nll_loss(Tensor input, Tensor target; ints: reduction, log_input, full; reals: eps)", 2,
                        OpKind::Composite, poisson_nll_fwd};
const OpDef kGaussianNll{"gaussian_nll_loss",
                         "gaussian_nll_loss(Tensor input, Tensor target, Tensor var; ints: reduction, full; reals: eps)",
                         3, OpKind::Composite, gaussian_nll_fwd};

int64_t code(Reduction r) { return static_cast<int64_t>(r); }

}  // namespace

void add_composite_loss_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kMarginRanking, &kHingeEmbedding, &kSoftMargin, &kMultilabelSoftMargin, &kCosineEmbedding,
                             &kTripletMargin, &kPoissonNll, &kGaussianNll});
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                           Reduction reduction) {
  return call1(kMarginRanking, {input1, input2, target}, OpArgs{{code(reduction)}, {margin}});
}
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                             Reduction reduction) {
  return call1(kCosineEmbedding, {input1, input2, target}, OpArgs{{code(reduction)}, {margin}});
}
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin, double p,
                           double eps, bool swap, Reduction reduction) {
  return call1(kTripletMargin, {anchor, positive, negative}, OpArgs{{code(reduction), swap ? 1 : 0}, {margin, p, eps}});
}
Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin, Reduction reduction) {
  return call1(kHingeEmbedding, {input, target}, OpArgs{{code(reduction)}, {margin}});
}
Tensor soft_margin_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return call1(kSoftMargin, {input, target}, OpArgs{{code(reduction)}, {}});
}
Tensor multilabel_soft_margin_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                                   Reduction reduction) {
  TensorList ins{input, target};
  if (weight.defined()) ins.push_back(weight);
  return call1(kMultilabelSoftMargin, ins, OpArgs{{code(reduction)}, {}});
}
Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input, bool full, double eps,
                        Reduction reduction) {
  return call1(kPoissonNll, {input, target}, OpArgs{{code(reduction), log_input ? 1 : 0, full ? 1 : 0}, {eps}});
}
Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var, bool full, double eps,
                         Reduction reduction) {
  return call1(kGaussianNll, {input, target, var}, OpArgs{{code(reduction), full ? 1 : 0}, {eps}});
}

}  // namespace kiln
