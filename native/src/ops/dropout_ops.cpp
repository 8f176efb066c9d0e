// Dropout, feature dropout and their alpha forms. native_dropout is one fused op (draw the mask, write the
// output) returning (out, mask); its derivative is grad * mask * scale, in ops. The composites users call return
// the input itself when not training or with p = 0, and x * 0 with p = 1, as PyTorch does.
#include <cmath>

#include "autograd/backward_context.h"
#include "cpu/dropout.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

// SELU's alpha * scale: what alpha dropout drops values to before its affine correction.
constexpr double kAlphaPrime = 1.7580993408473766;

const char* op_name(bool feature, bool alpha) {
  return feature ? (alpha ? "feature_alpha_dropout" : "feature_dropout") : (alpha ? "alpha_dropout" : "dropout");
}

Generator& generator_arg(const OpArgs& args, size_t i, const char* op) {
  auto* gen = reinterpret_cast<Generator*>(int_arg(args, i, op));
  return gen ? *gen : Generator::default_generator();
}

// How kept and dropped elements are rewritten for probability p (< 1).
cpu::DropoutAffine affine_for(double p, bool alpha) {
  if (!alpha) return {1.0 / (1.0 - p), 0.0, 0.0};
  const double a = 1.0 / std::sqrt((kAlphaPrime * kAlphaPrime * p + 1) * (1 - p));
  return {a, kAlphaPrime * a * p, kAlphaPrime * a * (p - 1)};
}

void check_p(const char* op, double p) {
  KILN_CHECK(p >= 0 && p <= 1, Argument, op, ": dropout probability has to be between 0 and 1, but got ", p);
}

void check_feature_input(const char* op, const Tensor& x) {
  KILN_CHECK(x.dim() >= 2, Shape, op, ": Feature dropout requires at least 2 dimensions in the input, got shape ",
             shape_str(x.shape()));
}

// ints: [generator, feature, alpha]; reals: [p] -> (out, mask)
TensorList native_dropout_fwd(const TensorList& in, const OpArgs& args) {
  const bool feature = int_arg(args, 1, "dropout") != 0, alpha = int_arg(args, 2, "dropout") != 0;
  const char* op = op_name(feature, alpha);
  const double p = real_arg(args, 0, op);
  check_p(op, p);
  const Tensor& x0 = in[0];
  check_cpu(op, {x0});
  KILN_CHECK(x0.dtype() == DType::Float32 || x0.dtype() == DType::Float64, DType, op, ": not implemented for '",
             dtype_name(x0.dtype()), "' (expected a float32 or float64 input)");
  if (feature) check_feature_input(op, x0);
  KILN_CHECK(p < 1, Argument, op, ": native_dropout needs p < 1 (p = 1 zeroes everything: use the composite)");
  const Tensor x = contiguous(x0);
  Shape mask_shape = x.shape();
  int64_t inner = 1;
  if (feature)
    for (size_t d = 2; d < mask_shape.size(); ++d) {
      inner *= mask_shape[d];
      mask_shape[d] = 1;
    }
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device()), mask = Tensor::empty(mask_shape, DType::Bool);
  if (inner > 0) cpu::dropout_kernel(out, mask, x, inner, p, affine_for(p, alpha), generator_arg(args, 0, op));
  else mask = zeros(mask_shape, DType::Bool);
  return {out, mask};
}

// d out / d x = mask * scale.
TensorList native_dropout_derivative(const BackwardContext& c) {
  const double scale = affine_for(c.args.reals[0], c.args.ints[2] != 0).scale;
  return {mul(mul(c.grad(0), c.output(1)), wrapped_scalar(Scalar(scale)))};
}

const OpDef kNativeDropout{"native_dropout",
                           "native_dropout(Tensor x; ints: generator, feature, alpha; reals: p) -> (out, mask)", 1,
                           OpKind::Primitive, native_dropout_fwd, nullptr, native_dropout_derivative, kSaveOutputs};

// ints: [generator, training]; reals: [p]
template <bool Feature, bool Alpha>
TensorList dropout_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = op_name(Feature, Alpha);
  const double p = real_arg(args, 0, op);
  check_p(op, p);
  const Tensor& x = in[0];
  check_cpu(op, {x});
  if (Feature) check_feature_input(op, x);
  const bool training = int_arg(args, 1, op) != 0;
  if (!training || p == 0 || x.numel() == 0) return {x};
  if (p == 1) return {mul(x, zeros({}, x.dtype()))};
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": result type Float can't be cast to the desired output type ",
             dtype_name(x.dtype()));
  return {call(kNativeDropout, in, OpArgs{{args.ints[0], Feature ? 1 : 0, Alpha ? 1 : 0}, {p}})[0]};
}

const OpDef kDropout{"dropout", "dropout(Tensor x; ints: generator, training; reals: p)", 1, OpKind::Composite,
                     dropout_fwd<false, false>};
const OpDef kFeatureDropout{"feature_dropout", "feature_dropout(Tensor x; ints: generator, training; reals: p)", 1,
                            OpKind::Composite, dropout_fwd<true, false>};
const OpDef kAlphaDropout{"alpha_dropout", "alpha_dropout(Tensor x; ints: generator, training; reals: p)", 1,
                          OpKind::Composite, dropout_fwd<false, true>};
const OpDef kFeatureAlphaDropout{"feature_alpha_dropout",
                                 "feature_alpha_dropout(Tensor x; ints: generator, training; reals: p)", 1,
                                 OpKind::Composite, dropout_fwd<true, true>};

OpArgs dropout_args(Generator* gen, bool training, double p) {
  return OpArgs{{static_cast<int64_t>(reinterpret_cast<intptr_t>(gen)), training ? 1 : 0}, {p}};
}

}  // namespace

void add_dropout_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kDropout, &kFeatureDropout, &kAlphaDropout, &kFeatureAlphaDropout, &kNativeDropout});
}

Tensor dropout(const Tensor& x, double p, bool training, Generator* gen) {
  return call1(kDropout, {x}, dropout_args(gen, training, p));
}
Tensor feature_dropout(const Tensor& x, double p, bool training, Generator* gen) {
  return call1(kFeatureDropout, {x}, dropout_args(gen, training, p));
}
Tensor alpha_dropout(const Tensor& x, double p, bool training, Generator* gen) {
  return call1(kAlphaDropout, {x}, dropout_args(gen, training, p));
}
Tensor feature_alpha_dropout(const Tensor& x, double p, bool training, Generator* gen) {
  return call1(kFeatureAlphaDropout, {x}, dropout_args(gen, training, p));
}
std::pair<Tensor, Tensor> native_dropout(const Tensor& x, double p, bool feature, bool alpha, Generator* gen) {
  const int64_t g = static_cast<int64_t>(reinterpret_cast<intptr_t>(gen));
  const TensorList r = call(kNativeDropout, {x}, OpArgs{{g, feature ? 1 : 0, alpha ? 1 : 0}, {p}});
  return {r[0], r[1]};
}

}  // namespace kiln
