// Rounding and clamping: sign, floor, ceil, round (half to even, optionally to decimals), trunc, frac,
// clamp / clamp_min / clamp_max (scalar or tensor bounds) and nan_to_num. Their derivatives are PyTorch's:
// zero for the step functions (sign, floor, ...), the gradient itself for frac, and where the bounds pass
// it for clamp.
#include <cmath>
#include <limits>
#include <string>

#include "autograd/backward_context.h"
#include "cpu/pointwise_math.h"
#include "kiln/ops.h"
#include "ops/elementwise_family.h"
#include "ops/pointwise.h"

namespace kiln {
namespace {

using cpu::MathOp;

const char* rounding_name(MathOp op) {
  switch (op) {
    case MathOp::Sign: return "sign";
    case MathOp::Floor: return "floor";
    case MathOp::Ceil: return "ceil";
    case MathOp::Round: return "round";
    case MathOp::Trunc: return "trunc";
    case MathOp::Frac: return "frac";
    default: return "rounding";
  }
}

// Runs a kernel writing a tensor of x's shape into out, computing in exact_compute_dtype(t) (these ops are exact
// on integers).
template <class Kernel>
void unary_through(const char* name, const Tensor& out, const Tensor& x, DType t, Kernel&& kernel) {
  check_cpu(name, {out, x});
  check_output(name, out, x.shape(), t);
  const DType c = exact_compute_dtype(t, x.device());
  const Tensor xc = cast(x, c);
  write_through(out, c, {xc}, [&](const Tensor& target) { kernel(target, xc); });
}

// sign keeps the dtype (bool too); floor, ceil, round and trunc copy integer inputs; frac is floating only.
// ints for round: [] or [decimals].
void rounding_into(MathOp op, const Tensor& out, const Tensor& x, const OpArgs& args) {
  const char* name = rounding_name(op);
  const DType t = x.dtype();
  const bool decimals = op == MathOp::Round && !args.ints.empty();
  if (t == DType::Bool) {
    KILN_CHECK(op == MathOp::Sign, DType, name, ": not implemented for 'bool' tensors");
  } else if (!is_floating(t)) {
    KILN_CHECK(op != MathOp::Frac, DType, name, ": not implemented for integer tensors (", dtype_name(t), ")");
    KILN_CHECK(!decimals, DType, name, ": decimals are not supported for integer tensors (", dtype_name(t), ")");
  }
  if (t == DType::Bool || (!is_floating(t) && op != MathOp::Sign)) {  // the values themselves
    check_output(name, out, x.shape(), t);
    if (!out.same_layout(x)) backend_for(out.device()).copy(out, x);
    return;
  }
  unary_through(name, out, x, t, [&](const Tensor& target, const Tensor& xc) {
    if (decimals) cpu::round_decimals_kernel(target, xc, args.ints[0]);
    else cpu::math_kernel(op, target, xc);
  });
}

template <MathOp Op>
TensorList rounding_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = Tensor::empty(in[0].shape(), in[0].dtype(), in[0].device());
  rounding_into(Op, out, in[0], args);
  return {out};
}
template <MathOp Op>
void rounding_into_fn(const Tensor& out, const TensorList& in, const OpArgs& args) {
  rounding_into(Op, out, in[0], args);
}

// ---- clamp. clamp's inputs are [x, min?, max?] with ints [has_min, has_max]; clamp_min's [x, min] and
// clamp_max's [x, max]. Java scalars arrive as wrapped numbers: bounds that are all scalars take PyTorch's
// scalar clamp, any tensor bound its tensor clamp (NaN propagates elementwise).

struct Bounds {
  const char* name;
  Tensor lo, hi;
};

Bounds bounds_of(const char* name, const TensorList& in, const OpArgs& args) {
  Bounds b{name, Tensor(), Tensor()};
  if (std::string(name) == "clamp_min") {
    b.lo = in.at(1);
  } else if (std::string(name) == "clamp_max") {
    b.hi = in.at(1);
  } else {
    const bool has_min = int_arg(args, 0, name) != 0, has_max = int_arg(args, 1, name) != 0;
    KILN_CHECK(has_min || has_max, Argument, name, ": at least one of 'min' or 'max' must not be None");
    KILN_CHECK(in.size() == 1u + has_min + has_max, Argument, name, ": expected ", 1 + has_min + has_max,
               " tensor arguments, got ", in.size());
    if (has_min) b.lo = in[1];
    if (has_max) b.hi = in[1 + has_min];
  }
  return b;
}

bool all_scalars(const Bounds& b) {
  return (!b.lo.defined() || b.lo.is_wrapped_number()) && (!b.hi.defined() || b.hi.is_wrapped_number());
}

TensorList present(const Tensor& x, const Bounds& b) {
  TensorList all{x};
  if (b.lo.defined()) all.push_back(b.lo);
  if (b.hi.defined()) all.push_back(b.hi);
  return all;
}

DType clamp_dtype(const Tensor& x, const Bounds& b) {
  const DType t = all_scalars(b) && is_floating(x.dtype()) ? x.dtype() : result_type(present(x, b));
  KILN_CHECK(t != DType::Bool, DType, b.name, ": not implemented for 'bool'");
  return t;
}

Shape clamp_shape(const Tensor& x, const Bounds& b) {
  Shape shape = x.shape();
  if (!all_scalars(b)) {
    if (b.lo.defined()) shape = broadcast_shapes(shape, b.lo.shape(), b.name);
    if (b.hi.defined()) shape = broadcast_shapes(shape, b.hi.shape(), b.name);
  }
  return shape;
}

void clamp_into_bounds(const Tensor& out, const Tensor& x, const Bounds& b) {
  check_cpu(b.name, present(x, b));
  check_same_device(b.name, present(x, b));
  const DType t = clamp_dtype(x, b);
  const Shape shape = clamp_shape(x, b);
  check_output(b.name, out, shape, t);
  const DType c = exact_compute_dtype(t, out.device());
  if (all_scalars(b)) {
    Scalar lo, hi;
    if (b.lo.defined()) check_scalar_fits(b.name, lo = scalar_of(b.lo), t);
    if (b.hi.defined()) check_scalar_fits(b.name, hi = scalar_of(b.hi), t);
    // As PyTorch 1.13: a NaN bound fills the result with NaN when clamp has both bounds, and in clamp_min and
    // clamp_max; clamp with one bound ignores it (its kernel's std::max).
    const bool one_bound = std::string(b.name) == "clamp" && !(b.lo.defined() && b.hi.defined());
    const bool nan_bound = (b.lo.defined() && std::isnan(lo.to_double())) || (b.hi.defined() && std::isnan(hi.to_double()));
    if (nan_bound && !one_bound) {
      backend_for(out.device()).fill(out, Scalar(std::numeric_limits<double>::quiet_NaN()));
      return;
    }
    const Tensor xc = cast(x, c);
    write_through(out, c, {xc}, [&](const Tensor& target) {
      cpu::clamp_scalar_kernel(target, xc, b.lo.defined() ? &lo : nullptr, b.hi.defined() ? &hi : nullptr);
    });
    return;
  }
  const Tensor xc = operand_in(x, t, c, shape);
  const Tensor lo = b.lo.defined() ? operand_in(b.lo, t, c, shape) : Tensor();
  const Tensor hi = b.hi.defined() ? operand_in(b.hi, t, c, shape) : Tensor();
  TensorList reads{xc};
  if (lo.defined()) reads.push_back(lo);
  if (hi.defined()) reads.push_back(hi);
  write_through(out, c, reads, [&](const Tensor& target) {
    if (lo.defined() && hi.defined()) cpu::clamp_tensor_kernel(target, xc, lo, hi);
    else if (lo.defined()) cpu::binary_math_kernel(cpu::MathBinaryOp::Maximum, target, xc, lo);
    else cpu::binary_math_kernel(cpu::MathBinaryOp::Minimum, target, xc, hi);
  });
}

template <int Kind>  // 0: clamp, 1: clamp_min, 2: clamp_max
const char* clamp_name() {
  return Kind == 0 ? "clamp" : Kind == 1 ? "clamp_min" : "clamp_max";
}

template <int Kind>
TensorList clamp_fwd(const TensorList& in, const OpArgs& args) {
  const Bounds b = bounds_of(clamp_name<Kind>(), in, args);
  Tensor out = Tensor::empty(clamp_shape(in[0], b), clamp_dtype(in[0], b), in[0].device());
  clamp_into_bounds(out, in[0], b);
  return {out};
}
template <int Kind>
void clamp_into_fn(const Tensor& out, const TensorList& in, const OpArgs& args) {
  clamp_into_bounds(out, in[0], bounds_of(clamp_name<Kind>(), in, args));
}

// ---- nan_to_num: ints [has_nan, has_posinf, has_neginf], reals [nan, posinf, neginf]; the defaults are 0
// and the largest finite values of the tensor's own dtype (65504 for float16). Integer inputs are copied.

double finite_max(DType t) {
  switch (t) {
    case DType::Float16: return 65504.0;
    case DType::BFloat16: return 3.3895313892515355e38;
    case DType::Float32: return std::numeric_limits<float>::max();
    default: return std::numeric_limits<double>::max();
  }
}

void nan_to_num_into(const Tensor& out, const Tensor& x, const OpArgs& args) {
  const DType t = x.dtype();
  if (!is_floating(t)) {
    check_output("nan_to_num", out, x.shape(), t);
    if (!out.same_layout(x)) backend_for(out.device()).copy(out, x);
    return;
  }
  auto given = [&](size_t i, double otherwise) {
    return int_arg(args, i, "nan_to_num") != 0 ? real_arg(args, i, "nan_to_num") : otherwise;
  };
  const double nan = given(0, 0.0), posinf = given(1, finite_max(t)), neginf = given(2, -finite_max(t));
  unary_through("nan_to_num", out, x, t,
                [&](const Tensor& target, const Tensor& xc) { cpu::nan_to_num_kernel(target, xc, nan, posinf, neginf); });
}

TensorList nan_to_num_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = Tensor::empty(in[0].shape(), in[0].dtype(), in[0].device());
  nan_to_num_into(out, in[0], args);
  return {out};
}
void nan_to_num_into_fn(const Tensor& out, const TensorList& in, const OpArgs& args) { nan_to_num_into(out, in[0], args); }

// ---- Derivatives.

Tensor zero() { return wrapped_scalar(Scalar(0.0)); }

TensorList zero_backward(const BackwardContext& c) { return {zeros(c.grad().shape(), c.grad().dtype())}; }
TensorList frac_backward(const BackwardContext& c) { return {c.grad()}; }
TensorList nan_to_num_backward(const BackwardContext& c) { return {mul(c.grad(), isfinite(c.input(0)))}; }

// The gradient flows to x where it lies within the bounds, to min where x is below it (and min < max), to
// max where x is above it or max < min (then max wins everywhere), as PyTorch's clamp_backward(_min_max).
template <int Kind>
TensorList clamp_backward(const BackwardContext& c) {
  const bool has_lo = Kind == 1 || (Kind == 0 && c.args.ints[0] != 0);
  const bool has_hi = Kind == 2 || (Kind == 0 && c.args.ints[1] != 0);
  const Tensor& x = c.input(0);
  const Tensor lo = has_lo ? c.input(1) : Tensor(), hi = has_hi ? c.input(has_lo ? 2 : 1) : Tensor();
  const Tensor& g = c.grad();
  TensorList grads(c.inputs.size());
  if (c.needs(0)) {
    Tensor pass = has_lo && has_hi ? logical_and(ge(x, lo), le(x, hi)) : has_lo ? ge(x, lo) : le(x, hi);
    grads[0] = where(pass, g, zero());
  }
  if (has_lo && c.needs(1)) grads[1] = where(has_hi ? logical_and(lt(x, lo), lt(lo, hi)) : lt(x, lo), g, zero());
  const size_t ihi = has_lo ? 2 : 1;
  if (has_hi && c.needs(ihi)) grads[ihi] = where(has_lo ? logical_or(gt(x, hi), lt(hi, lo)) : gt(x, hi), g, zero());
  return grads;
}

template <MathOp Op>
OpDef rounding_row(const char* signature, BackwardFn backward, int saves = kSaveNothing) {
  return {rounding_name(Op), signature, 1, OpKind::Primitive, rounding_fwd<Op>, rounding_into_fn<Op>, backward, saves};
}

const OpDef kSign = rounding_row<MathOp::Sign>("sign(Tensor x)", zero_backward);
const OpDef kFloor = rounding_row<MathOp::Floor>("floor(Tensor x)", zero_backward);
const OpDef kCeil = rounding_row<MathOp::Ceil>("ceil(Tensor x)", zero_backward);
const OpDef kRound = rounding_row<MathOp::Round>("round(Tensor x; ints: [decimals])", zero_backward);
const OpDef kTrunc = rounding_row<MathOp::Trunc>("trunc(Tensor x)", zero_backward);
const OpDef kFrac = rounding_row<MathOp::Frac>("frac(Tensor x)", frac_backward);
const OpDef kClamp{"clamp", "clamp(Tensor x, Tensor? min, Tensor? max; ints: has_min, has_max)", -1, OpKind::Primitive,
                   clamp_fwd<0>, clamp_into_fn<0>, clamp_backward<0>, kSaveInputs};
const OpDef kClampMin{"clamp_min", "clamp_min(Tensor x, Tensor min)", 2, OpKind::Primitive, clamp_fwd<1>,
                      clamp_into_fn<1>, clamp_backward<1>, kSaveInputs};
const OpDef kClampMax{"clamp_max", "clamp_max(Tensor x, Tensor max)", 2, OpKind::Primitive, clamp_fwd<2>,
                      clamp_into_fn<2>, clamp_backward<2>, kSaveInputs};
const OpDef kNanToNum{"nan_to_num",
                      "nan_to_num(Tensor x; ints: has_nan, has_posinf, has_neginf; reals: nan, posinf, neginf)", 1,
                      OpKind::Primitive, nan_to_num_fwd, nan_to_num_into_fn, nan_to_num_backward, kSaveInputs};

OpArgs clamp_args(bool has_min, bool has_max) { return OpArgs{{has_min, has_max}, {}}; }

}  // namespace

void add_rounding_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kSign, &kFloor, &kCeil, &kRound, &kTrunc, &kFrac, &kClamp, &kClampMin, &kClampMax,
                             &kNanToNum});
}

Tensor sign(const Tensor& x) { return call1(kSign, {x}); }
Tensor floor(const Tensor& x) { return call1(kFloor, {x}); }
Tensor ceil(const Tensor& x) { return call1(kCeil, {x}); }
Tensor round(const Tensor& x) { return call1(kRound, {x}); }
Tensor round(const Tensor& x, int64_t decimals) { return call1(kRound, {x}, OpArgs{{decimals}, {}}); }
Tensor trunc(const Tensor& x) { return call1(kTrunc, {x}); }
Tensor frac(const Tensor& x) { return call1(kFrac, {x}); }
Tensor clamp(const Tensor& x, const Tensor& min, const Tensor& max) {
  TensorList in{x};
  if (min.defined()) in.push_back(min);
  if (max.defined()) in.push_back(max);
  return call1(kClamp, in, clamp_args(min.defined(), max.defined()));
}
Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  return clamp(x, min ? wrapped_scalar(*min) : Tensor(), max ? wrapped_scalar(*max) : Tensor());
}
Tensor clamp_min(const Tensor& x, const Tensor& min) { return call1(kClampMin, {x, min}); }
Tensor clamp_max(const Tensor& x, const Tensor& max) { return call1(kClampMax, {x, max}); }
Tensor clamp_min(const Tensor& x, Scalar min) { return call1(kClampMin, {x, wrapped_scalar(min)}); }
Tensor clamp_max(const Tensor& x, Scalar max) { return call1(kClampMax, {x, wrapped_scalar(max)}); }
Tensor nan_to_num(const Tensor& x, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  return call1(kNanToNum, {x}, OpArgs{{nan.has_value(), posinf.has_value(), neginf.has_value()},
                                      {nan.value_or(0.0), posinf.value_or(0.0), neginf.value_or(0.0)}});
}

}  // namespace kiln
