// The hinge losses over classes: multi_margin_loss (one target class per sample) and multilabel_margin_loss (a
// list of target classes per sample, ended by the first negative entry), as composites of gather, relu and sums.
// relu's derivative is 0 at 0, as the hinge's is in PyTorch's kernels (they count a term only when it is > 0).
// Inputs are [C], [N, C] or 0-dim (one class), as in PyTorch; the target classes are checked before any arithmetic.
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

// inputs: input, target (int64, the input's shape: each sample's target classes, ended by the first negative
// entry); ints: reduction. loss = sum over listed targets j and non-target classes d of max(0, 1 - x[j] + x[d]),
// over C: a target listed twice counts twice, as in PyTorch.
TensorList multilabel_margin_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "multilabel_margin_loss";
  const Tensor &x = in[0], &t = in[1];
  const Frames f = check_frames(op, x, t);
  const Reduction reduction = reduction_arg(args, 0, op);
  const bool shape_ok = x.dim() == 2 ? t.dim() == 2 && t.size(0) == f.frames && t.size(1) == f.classes
                                     : t.dim() <= 1 && t.numel() == f.classes;
  KILN_CHECK(shape_ok, Shape, op, ": inconsistent target size: ", shape_str(t.shape()), " for input of size: ",
             shape_str(x.shape()));
  // Which entries are listed (before the sample's first negative one), which classes are targets, and the
  // listed classes with 0 in the unlisted entries: read from the target's values, constants for autograd.
  const Shape rows{f.frames, f.classes};
  Tensor listed = zeros(rows, DType::Bool), is_target = zeros(rows, DType::Bool), classes = zeros(rows, DType::Int64);
  {
    const Tensor tc = contiguous(t);
    const int64_t* tv = tc.data<int64_t>();
    bool* lv = listed.data<bool>();
    bool* iv = is_target.data<bool>();
    int64_t* cv = classes.data<int64_t>();
    for (int64_t n = 0; n < f.frames; ++n)
      for (int64_t j = 0; j < f.classes; ++j) {
        const int64_t k = tv[n * f.classes + j];
        if (k < 0) break;
        KILN_CHECK(k < f.classes, Index, op, ": target index ", k, " is out of range (", f.classes, " classes)");
        lv[n * f.classes + j] = true;
        iv[n * f.classes + k] = true;
        cv[n * f.classes + j] = k;
      }
  }
  const Tensor X = reshape(x, rows);
  // z[n, j, d] = 1 - x[n, target j] + x[n, d], counted where j is listed and d is not a target.
  const Tensor z = relu(add(unsqueeze(sub(S(1.0), gather(X, 1, classes)), 2), unsqueeze(X, 1)));
  const Tensor counted = logical_and(unsqueeze(listed, 2), unsqueeze(logical_not(is_target), 1));
  const Tensor loss = div(sum(where(counted, z, S(0.0)), {1, 2}), S(static_cast<double>(f.classes)));
  return {apply_reduction(x.dim() == 2 ? loss : reshape(loss, {}), reduction)};
}

const OpDef kMultiMargin{"multi_margin_loss",
                         "multi_margin_loss(Tensor input, Tensor target, [Tensor weight]; ints: reduction, p; reals: "
                         "margin)",
                         -1, OpKind::Composite, multi_margin_fwd};
const OpDef kMultilabelMargin{"multilabel_margin_loss",
                              "multilabel_margin_loss(Tensor input, Tensor target; ints: reduction)", 2,
                              OpKind::Composite, multilabel_margin_fwd};

}  // namespace

void add_multi_margin_loss_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kMultiMargin, &kMultilabelMargin});
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
