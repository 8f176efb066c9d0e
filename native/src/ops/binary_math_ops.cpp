// Math of two and three tensors: maximum, minimum, fmod, remainder, floor_divide, atan2 (with broadcasting
// and type promotion), and lerp, addcmul, addcdiv. Java scalars arrive as wrapped numbers.
#include "autograd/backward_context.h"
#include "cpu/pointwise_math.h"
#include "kiln/ops.h"
#include "ops/elementwise_family.h"
#include "ops/pointwise.h"

namespace kiln {
namespace {

using cpu::MathBinaryOp;

enum class BinOp { Maximum, Minimum, Fmod, Remainder, FloorDivide, Atan2 };

const char* bin_name(BinOp op) {
  switch (op) {
    case BinOp::Maximum: return "maximum";
    case BinOp::Minimum: return "minimum";
    case BinOp::Fmod: return "fmod";
    case BinOp::Remainder: return "remainder";
    case BinOp::FloorDivide: return "floor_divide";
    case BinOp::Atan2: return "atan2";
  }
  return "binary";
}

DType bin_dtype(BinOp op, const Tensor& a, const Tensor& b) {
  const DType t = result_type({a, b});
  if (op == BinOp::Atan2) return is_floating(t) ? t : default_float();
  if (op != BinOp::Maximum && op != BinOp::Minimum)
    KILN_CHECK(t != DType::Bool, DType, bin_name(op), ": not implemented for 'bool'");
  return t;
}

void bin_into(BinOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  const char* name = bin_name(op);
  check_cpu(name, {out, a, b});
  check_same_device(name, {out, a, b});
  const DType t = bin_dtype(op, a, b);
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  check_output(name, out, shape, t);
  // float16 and bfloat16 as they are: the kernel computes them in float32 by chunks (cpu/float32_chunks.h). The
  // narrow integers as stored: these ops are exact on integers.
  const DType c = out.dtype() == t && is_floating(t) ? t : exact_compute_dtype(t, out.device());
  const Tensor ac = c == t && a.dtype() == t ? expand_to(a, shape) : operand_in(a, t, c, shape);
  const Tensor bc = c == t && b.dtype() == t ? expand_to(b, shape) : operand_in(b, t, c, shape);
  const bool divides = op == BinOp::Fmod || op == BinOp::Remainder || op == BinOp::FloorDivide;
  if (divides && is_integral(c, false))
    KILN_CHECK(!cpu::has_zero_kernel(bc), Argument, name, ": ZeroDivisionError (integer division by zero)");
  const MathBinaryOp k = op == BinOp::Maximum     ? MathBinaryOp::Maximum
                         : op == BinOp::Minimum   ? MathBinaryOp::Minimum
                         : op == BinOp::Fmod      ? MathBinaryOp::Fmod
                         : op == BinOp::Remainder ? MathBinaryOp::Remainder
                         : op == BinOp::Atan2     ? MathBinaryOp::Atan2
                                                  : MathBinaryOp::FloorDivide;
  write_through(out, c, {ac, bc}, [&](const Tensor& target) { cpu::binary_math_kernel(k, target, ac, bc); });
}

template <BinOp Op>
TensorList bin_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &a = in[0], &b = in[1];
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), bin_name(Op)), bin_dtype(Op, a, b),
                             a.is_wrapped_number() ? b.device() : a.device());
  bin_into(Op, out, a, b);
  return {out};
}
template <BinOp Op>
void bin_into_fn(const Tensor& out, const TensorList& in, const OpArgs&) {
  bin_into(Op, out, in[0], in[1]);
}

// ---- lerp(self, end, weight): floating only, self and end of one dtype, a tensor weight of that dtype too
// (no promotion, as in PyTorch); a Java scalar weight is a wrapped number.

void lerp_into(const Tensor& out, const TensorList& in) {
  const Tensor &self = in[0], &end = in[1], &w = in[2];
  check_cpu("lerp", {out, self, end, w});
  check_same_device("lerp", {out, self, end, w});
  const DType t = self.dtype();
  KILN_CHECK(is_floating(t), DType, "lerp: not implemented for '", dtype_name(t), "'");
  KILN_CHECK(end.dtype() == t, DType, "lerp: expected dtype ", dtype_name(t), " for `end` but got dtype ",
             dtype_name(end.dtype()));
  KILN_CHECK(w.is_wrapped_number() || w.dtype() == t, DType, "lerp: expected dtype ", dtype_name(t),
             " for `weight` but got dtype ", dtype_name(w.dtype()));
  Shape shape = broadcast_shapes(self.shape(), end.shape(), "lerp");
  if (!w.is_wrapped_number()) shape = broadcast_shapes(shape, w.shape(), "lerp");
  check_output("lerp", out, shape, t);
  const DType c = compute_dtype(t);
  const Tensor sc = operand(self, t, shape), ec = operand(end, t, shape);
  if (w.is_wrapped_number()) {
    const double weight = scalar_of(w).to_double();
    write_through(out, c, {sc, ec}, [&](const Tensor& target) { cpu::lerp_scalar_kernel(target, sc, ec, weight); });
  } else {
    const Tensor wc = operand(w, t, shape);
    write_through(out, c, {sc, ec, wc}, [&](const Tensor& target) { cpu::lerp_kernel(target, sc, ec, wc); });
  }
}

Shape lerp_shape(const TensorList& in) {
  Shape shape = broadcast_shapes(in[0].shape(), in[1].shape(), "lerp");
  return in[2].is_wrapped_number() ? shape : broadcast_shapes(shape, in[2].shape(), "lerp");
}

TensorList lerp_fwd(const TensorList& in, const OpArgs&) {
  Tensor out = Tensor::empty(lerp_shape(in), in[0].dtype(), in[0].device());
  lerp_into(out, in);
  return {out};
}
void lerp_into_fn(const Tensor& out, const TensorList& in, const OpArgs&) { lerp_into(out, in); }

// ---- addcmul / addcdiv(self, t1, t2; value): self + value * t1 * t2 (or / t2). ints [integral value?,
// value as int64], reals [value as double]; the value is checked to fit the result dtype.

Scalar value_arg(const OpArgs& args, const char* name) {
  return int_arg(args, 0, name) != 0 ? Scalar(int_arg(args, 1, name)) : Scalar(real_arg(args, 0, name));
}

template <bool Div>
const char* addc_name() {
  return Div ? "addcdiv" : "addcmul";
}

template <bool Div>
void addc_into(const Tensor& out, const TensorList& in, const OpArgs& args) {
  const char* name = addc_name<Div>();
  const Tensor &self = in[0], &t1 = in[1], &t2 = in[2];
  check_cpu(name, {out, self, t1, t2});
  check_same_device(name, {out, self, t1, t2});
  if (Div)
    KILN_CHECK(!(is_integral(t1.dtype(), true) && is_integral(t2.dtype(), true)), DType, name,
               ": Integer division with addcdiv is no longer supported, and in a future release addcdiv will perform a "
               "true division of tensor1 and tensor2. Use (input + value * tensor1 / tensor2) with floating tensors "
               "(got ", dtype_name(t1.dtype()), " and ", dtype_name(t2.dtype()), ")");
  const DType t = result_type({self, t1, t2});
  KILN_CHECK(t != DType::Bool, DType, name, ": not implemented for 'bool'");
  const Shape shape = broadcast_shapes(broadcast_shapes(self.shape(), t1.shape(), name), t2.shape(), name);
  check_output(name, out, shape, t);
  const Scalar value = value_arg(args, name);
  check_scalar_fits(name, value, t);
  const DType c = compute_dtype(t);
  const Tensor a = operand(self, t, shape), b = operand(t1, t, shape), d = operand(t2, t, shape);
  write_through(out, c, {a, b, d}, [&](const Tensor& target) {
    if (Div) cpu::addcdiv_kernel(target, a, b, d, value);
    else cpu::addcmul_kernel(target, a, b, d, value);
  });
}

template <bool Div>
TensorList addc_fwd(const TensorList& in, const OpArgs& args) {
  const char* name = addc_name<Div>();
  const Shape shape = broadcast_shapes(broadcast_shapes(in[0].shape(), in[1].shape(), name), in[2].shape(), name);
  Tensor out = Tensor::empty(shape, result_type(in), in[0].device());
  addc_into<Div>(out, in, args);
  return {out};
}
template <bool Div>
void addc_into_fn(const Tensor& out, const TensorList& in, const OpArgs& args) {
  addc_into<Div>(out, in, args);
}

// ---- Derivatives (PyTorch's derivatives.yaml).

Tensor zero() { return wrapped_scalar(Scalar(0.0)); }

// maximum: the gradient goes to the larger operand, half to each where they are equal (NaN: to both).
template <bool Max>
TensorList extreme_backward(const BackwardContext& c) {
  const Tensor &a = c.input(0), &b = c.input(1), &g = c.grad();
  const Tensor shared = where(eq(a, b), div(g, 2.0), g);
  return {c.needs(0) ? where(Max ? lt(a, b) : gt(a, b), zero(), shared) : Tensor(),
          c.needs(1) ? where(Max ? gt(a, b) : lt(a, b), zero(), shared) : Tensor()};
}

// fmod and remainder: d/da = 1; d/db = -trunc(a / b) and -floor(a / b).
TensorList fmod_backward(const BackwardContext& c) {
  return {c.grad(), c.needs(1) ? mul(neg(c.grad()), trunc(div(c.input(0), c.input(1)))) : Tensor()};
}
TensorList remainder_backward(const BackwardContext& c) {
  return {c.grad(), c.needs(1) ? mul(neg(c.grad()), floor_divide(c.input(0), c.input(1))) : Tensor()};
}

TensorList atan2_backward(const BackwardContext& c) {
  const Tensor &a = c.input(0), &b = c.input(1);
  const Tensor recip = reciprocal(add(mul(a, a), mul(b, b)));
  return {c.needs(0) ? mul(mul(c.grad(), b), recip) : Tensor(), c.needs(1) ? mul(mul(c.grad(), neg(a)), recip) : Tensor()};
}

TensorList lerp_backward(const BackwardContext& c) {
  const Tensor &self = c.input(0), &end = c.input(1), &w = c.input(2), &g = c.grad();
  return {c.needs(0) ? mul(g, add(neg(w), 1.0)) : Tensor(), c.needs(1) ? mul(g, w) : Tensor(),
          c.needs(2) ? mul(g, sub(end, self)) : Tensor()};
}

TensorList addcmul_backward(const BackwardContext& c) {
  const Scalar v = value_arg(c.args, "addcmul");
  return {c.grad(), c.needs(1) ? mul(c.grad(), mul(c.input(2), v)) : Tensor(),
          c.needs(2) ? mul(c.grad(), mul(c.input(1), v)) : Tensor()};
}

TensorList addcdiv_backward(const BackwardContext& c) {
  const Scalar v = value_arg(c.args, "addcdiv");
  const Tensor &t1 = c.input(1), &t2 = c.input(2);
  return {c.grad(), c.needs(1) ? mul(c.grad(), div(wrapped_scalar(v), t2)) : Tensor(),
          c.needs(2) ? mul(neg(c.grad()), div(mul(t1, v), mul(t2, t2))) : Tensor()};
}

template <BinOp Op>
OpDef bin_row(const char* signature, BackwardFn backward, int saves, bool inplace = true) {
  return {bin_name(Op), signature, 2, OpKind::Primitive, bin_fwd<Op>, inplace ? bin_into_fn<Op> : nullptr, backward, saves};
}

const OpDef kMaximum = bin_row<BinOp::Maximum>("maximum(Tensor a, Tensor b)", extreme_backward<true>, kSaveInputs, false);
const OpDef kMinimum = bin_row<BinOp::Minimum>("minimum(Tensor a, Tensor b)", extreme_backward<false>, kSaveInputs, false);
const OpDef kFmod = bin_row<BinOp::Fmod>("fmod(Tensor a, Tensor b)", fmod_backward, kSaveInputs);
const OpDef kRemainder = bin_row<BinOp::Remainder>("remainder(Tensor a, Tensor b)", remainder_backward, kSaveInputs);
// PyTorch 1.13 has no derivative for floor_divide (its backward raises): here it records nothing.
const OpDef kFloorDivide = bin_row<BinOp::FloorDivide>("floor_divide(Tensor a, Tensor b)", nullptr, kSaveNothing);
const OpDef kAtan2 = bin_row<BinOp::Atan2>("atan2(Tensor a, Tensor b)", atan2_backward, kSaveInputs);
const OpDef kLerp{"lerp", "lerp(Tensor self, Tensor end, Tensor weight)", 3, OpKind::Primitive, lerp_fwd, lerp_into_fn,
                  lerp_backward, kSaveInputs};
const OpDef kAddcmul{"addcmul", "addcmul(Tensor self, Tensor t1, Tensor t2; ints: integral, value; reals: value)", 3,
                     OpKind::Primitive, addc_fwd<false>, addc_into_fn<false>, addcmul_backward, kSaveInputs};
const OpDef kAddcdiv{"addcdiv", "addcdiv(Tensor self, Tensor t1, Tensor t2; ints: integral, value; reals: value)", 3,
                     OpKind::Primitive, addc_fwd<true>, addc_into_fn<true>, addcdiv_backward, kSaveInputs};

OpArgs value_args(Scalar v) {
  const bool integral = v.kind() != DType::Float64;
  return OpArgs{{integral, integral ? v.to_int() : 0}, {v.to_double()}};
}

}  // namespace

void add_binary_math_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kMaximum, &kMinimum, &kFmod, &kRemainder, &kFloorDivide, &kAtan2, &kLerp, &kAddcmul,
                             &kAddcdiv});
}

Tensor maximum(const Tensor& a, const Tensor& b) { return call1(kMaximum, {a, b}); }
Tensor minimum(const Tensor& a, const Tensor& b) { return call1(kMinimum, {a, b}); }
Tensor fmod(const Tensor& a, const Tensor& b) { return call1(kFmod, {a, b}); }
Tensor fmod(const Tensor& a, Scalar b) { return call1(kFmod, {a, wrapped_scalar(b)}); }
Tensor remainder(const Tensor& a, const Tensor& b) { return call1(kRemainder, {a, b}); }
Tensor remainder(const Tensor& a, Scalar b) { return call1(kRemainder, {a, wrapped_scalar(b)}); }
Tensor floor_divide(const Tensor& a, const Tensor& b) { return call1(kFloorDivide, {a, b}); }
Tensor floor_divide(const Tensor& a, Scalar b) { return call1(kFloorDivide, {a, wrapped_scalar(b)}); }
Tensor atan2(const Tensor& a, const Tensor& b) { return call1(kAtan2, {a, b}); }
Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight) { return call1(kLerp, {self, end, weight}); }
Tensor lerp(const Tensor& self, const Tensor& end, double weight) {
  return call1(kLerp, {self, end, wrapped_scalar(Scalar(weight))});
}
Tensor addcmul(const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  return call1(kAddcmul, {self, t1, t2}, value_args(value));
}
Tensor addcdiv(const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value) {
  return call1(kAddcdiv, {self, t1, t2}, value_args(value));
}

}  // namespace kiln
