// Elementwise ops: arithmetic, math functions, comparisons and where, with broadcasting and PyTorch's
// type promotion. Each has an in-place form (add_, exp_, ...) through its `into` function.
#include "autograd/backward_context.h"
#include "cpu/activation.h"
#include "kiln/ops.h"
#include "ops/elementwise_family.h"
#include "ops/operands.h"
#include "ops/pointwise.h"

namespace kiln {
namespace {

const char* binary_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "add";
    case BinaryOp::Sub: return "sub";
    case BinaryOp::Mul: return "mul";
    case BinaryOp::Div: return "div";
    case BinaryOp::Pow: return "pow";
    case BinaryOp::Eq: return "eq";
    case BinaryOp::Ne: return "ne";
    case BinaryOp::Lt: return "lt";
    case BinaryOp::Le: return "le";
    case BinaryOp::Gt: return "gt";
    case BinaryOp::Ge: return "ge";
  }
  return "binary";
}

// The dtype of the op's result (before comparisons turn it into bool).
DType binary_dtype(BinaryOp op, const Tensor& a, const Tensor& b) {
  const char* name = binary_name(op);
  DType t = result_type({&a, &b});
  switch (op) {
    case BinaryOp::Sub:
      KILN_CHECK(a.dtype() != DType::Bool && b.dtype() != DType::Bool, DType, name,
                 ": subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert "
                 "a mask, use the `~` or `logical_not()` operator instead.");
      break;
    case BinaryOp::Div:
      if (!is_floating(t)) t = default_float();  // true division
      break;
    case BinaryOp::Pow:
      if (t == DType::Bool) t = DType::Int64;
      // Only a Python-style scalar exponent is refused, as in PyTorch; integer tensor exponents follow int_pow.
      if (is_integral(t, false) && b.is_wrapped_number() && !is_floating(b.dtype())) {
        const int64_t e = scalar_of(b).to_int();
        KILN_CHECK(e >= 0, Argument, name, ": integers to negative integer powers are not allowed (exponent ", e, ")");
        check_scalar_fits(name, scalar_of(b), t);  // uint8 ** 256 overflows, as in PyTorch
      }
      break;
    default: break;
  }
  return t;
}

// op(a, b) into out, once checked: out has the broadcast shape `shape`, and a dtype that t casts to.
void binary_checked(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, DType t, const Shape& shape) {
  Backend& be = backend_for(out.device());
  // The narrow integers computed as stored where the backend takes them (uint8 images: a + b on [64,3,224,224]
  // 11 -> ~2 ms, a > b 8.3 -> ~0.3, without int64 copies of both operands and of the result). Their powers too:
  // the exponent is wrapped to t (a tensor) or fits it (a Java scalar) either way.
  const bool narrow = is_integral(t, false) && t != DType::Int64 && be.takes_narrow_ints();
  const DType c = narrow ? t : compute_dtype(t);
  if (op != BinaryOp::Pow && c == t && a.dtype() == t && b.dtype() == t && a.shape() == shape && b.shape() == shape) {
    // Same dtype, same shape (most calls): the operands as they are, without the casts' and broadcast views'
    // copies of each tensor (reference counts that cost a tiny op a tenth of its time).
    write_through(out, is_comparison(op) ? DType::Bool : c, {&a, &b},
                  [&](const Tensor& target) { be.binary(op, target, a, b); });
    return;
  }
  // float16 and bfloat16 go to a backend that computes them in float32 by chunks as they are (the other operand,
  // if any, rounded to t and widened), when the result is written in t; other results take float32 copies. The
  // narrow integers' other operand (a Java scalar, a narrower type) is cast to t, wrapping as PyTorch does.
  const DType natural = is_comparison(op) ? DType::Bool : t;
  const bool as_stored = c != t && is_floating(t) && out.dtype() == natural && be.takes_16bit_floats();
  const auto prepared = [&](const Tensor& x) {
    if (narrow) return x.dtype() == t ? x : cast(x, t);
    return as_stored && x.dtype() == t ? x : to_compute(x, t);
  };
  const Tensor ac = prepared(a), bc = prepared(b);
  write_through(out, is_comparison(op) ? DType::Bool : as_stored ? t : c, {&ac, &bc}, [&](const Tensor& target) {
    if (op == BinaryOp::Pow && bc.numel() == 1 && bc.dim() == 0) {
      // A scalar exponent takes the unary path, with x*x, sqrt and friends for common exponents.
      const double e = scalar_of(bc).to_double();
      be.unary(UnaryOp::PowScalar, target, expand_to(ac, shape), e);
    } else {
      be.binary(op, target, expand_to(ac, shape), expand_to(bc, shape));
    }
  });
}

// Computes op(a, b) into out, which must have the broadcast shape; out's dtype may be wider. The kernel runs in
// the compute dtype (int8 in int64, float16 in float32) and the result converts into out.
void binary_into(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  const char* name = binary_name(op);
  check_same_device(name, {&out, &a, &b});
  const DType t = binary_dtype(op, a, b);
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  check_output(name, out, shape, is_comparison(op) ? DType::Bool : t);
  binary_checked(op, out, a, b, t, shape);
}

// A new output has the right shape and dtype by construction: the checks of binary_into that remain are the
// operands' (tiny ops notice the rest).
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  const char* name = binary_name(op);
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  const DType t = binary_dtype(op, a, b);
  check_same_device(name, {&a, &b});
  Tensor out = Tensor::empty(shape, is_comparison(op) ? DType::Bool : t, a.is_wrapped_number() ? b.device() : a.device());
  binary_checked(op, out, a, b, t, shape);
  return out;
}

template <BinaryOp Op>
TensorList binary_fwd(const TensorList& in, const OpArgs&) {
  return {binary(Op, in[0], in[1])};
}
template <BinaryOp Op>
void binary_into_fn(const Tensor& out, const TensorList& in, const OpArgs&) {
  binary_into(Op, out, in[0], in[1]);
}

struct UnaryInfo {
  const char* name;
  bool makes_float;  // integer inputs give float results (exp, log, ...)
  bool allows_bool;
};

UnaryInfo unary_info(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg: return {"neg", false, false};
    case UnaryOp::Exp: return {"exp", true, true};
    case UnaryOp::Log: return {"log", true, true};
    case UnaryOp::Sqrt: return {"sqrt", true, true};
    case UnaryOp::Abs: return {"abs", false, false};
    case UnaryOp::Relu: return {"relu", false, false};
    case UnaryOp::Sigmoid: return {"sigmoid", true, true};
    case UnaryOp::Tanh: return {"tanh", true, true};
    case UnaryOp::PowScalar: return {"pow", false, false};
  }
  return {"unary", false, false};
}

DType unary_dtype(UnaryOp op, DType in) {
  const UnaryInfo info = unary_info(op);
  KILN_CHECK(in != DType::Bool || info.allows_bool, DType, info.name, ": not supported for bool tensors",
             op == UnaryOp::Neg ? "; use logical_not() to invert a mask" : "");
  return info.makes_float && !is_floating(in) ? default_float() : in;
}

void unary_into(UnaryOp op, const Tensor& out, const Tensor& x) {
  const UnaryInfo info = unary_info(op);
  check_same_device(info.name, {&out, &x});
  const DType t = unary_dtype(op, x.dtype());
  check_output(info.name, out, x.shape(), t);
  Backend& be = backend_for(out.device());
  // A float16 or bfloat16 x as it is, where the backend computes it in float32 by chunks (see binary_checked);
  // the integer ops (neg, abs, relu) are exact, the narrow integers computed as stored where the backend can.
  const DType k = is_floating(t) && out.dtype() == t && be.takes_16bit_floats() ? t : exact_compute_dtype(t, out.device());
  const Tensor xc = cast(x, k);
  write_through(out, k, {&xc}, [&](const Tensor& target) { be.unary(op, target, xc, 0.0); });
}

template <UnaryOp Op>
TensorList unary_fwd(const TensorList& in, const OpArgs&) {
  Tensor out = Tensor::empty(in[0].shape(), unary_dtype(Op, in[0].dtype()), in[0].device());
  unary_into(Op, out, in[0]);
  return {out};
}
template <UnaryOp Op>
void unary_into_fn(const Tensor& out, const TensorList& in, const OpArgs&) {
  unary_into(Op, out, in[0]);
}

TensorList where_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &cond = in[0], &a = in[1], &b = in[2];
  check_same_device("where", in);
  KILN_CHECK(cond.dtype() == DType::Bool, DType, "where: expected condition to be a bool tensor, but got a tensor with dtype ",
             dtype_name(cond.dtype()));
  const Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  const DType t = result_type({a, b});
  Tensor out = Tensor::empty(shape, t, cond.device());
  backend_for(out.device()).where(out, expand_to(cond, shape), expand_to(cast(a, t), shape), expand_to(cast(b, t), shape));
  return {out};
}

// ---- Derivatives. Engine reduces each gradient to its input's shape and dtype (broadcasting).

Tensor zero_like_scalar() { return wrapped_scalar(Scalar(0.0)); }

TensorList add_backward(const BackwardContext& c) { return {c.grad(), c.grad()}; }

TensorList sub_backward(const BackwardContext& c) { return {c.grad(), c.needs(1) ? neg(c.grad()) : Tensor()}; }

TensorList mul_backward(const BackwardContext& c) {
  return {c.needs(0) ? mul(c.grad(), c.input(1)) : Tensor(), c.needs(1) ? mul(c.grad(), c.input(0)) : Tensor()};
}

// d(a/b)/da = 1/b, d(a/b)/db = -a/b^2, computed as -(a/b)/b as PyTorch does: b*b underflows for tiny b.
TensorList div_backward(const BackwardContext& c) {
  const Tensor& b = c.input(1);
  return {c.needs(0) ? div(c.grad(), b) : Tensor(),
          c.needs(1) ? mul(neg(c.grad()), div(div(c.input(0), b), b)) : Tensor()};
}

// d(x^e)/dx = e x^(e-1) (0 where e == 0); d(x^e)/de = x^e log x (0 where x == 0 and e >= 0), as PyTorch.
TensorList pow_backward(const BackwardContext& c) {
  const Tensor &x = c.input(0), &e = c.input(1), &out = c.output();
  const Tensor zero = zero_like_scalar();
  Tensor gx, gexp;
  // e - 1 in e's dtype: for a Java double exponent, wrapped - wrapped would compute in float32.
  if (c.needs(0)) gx = where(eq(e, zero), zero, mul(c.grad(), mul(e, pow(x, sub(e, ones({}, e.dtype()))))));
  if (c.needs(1)) gexp = where(mul(eq(x, zero), ge(e, zero)), zero, mul(c.grad(), mul(out, log(x))));  // bool * bool: and
  return {gx, gexp};
}

TensorList neg_backward(const BackwardContext& c) { return {neg(c.grad())}; }
TensorList exp_backward(const BackwardContext& c) { return {mul(c.grad(), c.output())}; }
TensorList log_backward(const BackwardContext& c) { return {div(c.grad(), c.input(0))}; }
TensorList sqrt_backward(const BackwardContext& c) { return {div(c.grad(), mul(c.output(), Scalar(2.0)))}; }

// sign(x) from comparisons: its derivative is zero, as it should be.
TensorList abs_backward(const BackwardContext& c) {
  const Tensor& x = c.input(0);
  const Tensor zero = wrapped_scalar(Scalar(0.0));
  const Tensor sign = sub(to(gt(x, zero), x.dtype()), to(lt(x, zero), x.dtype()));
  return {mul(c.grad(), sign)};
}

// Zero where the output is <= 0, as PyTorch: a NaN input passes its gradient on.
TensorList relu_backward(const BackwardContext& c) { return {threshold_backward(c.grad(), c.output(), 0.0)}; }

// threshold_backward(grad, x; reals: threshold) = x <= threshold ? 0 : grad, in one pass for float32 and float64
// (relu's backward read the output twice and wrote a mask in between as le then where); other dtypes take those.
TensorList threshold_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "threshold_backward";
  const Tensor &g = in[0], &x = in[1];
  const double threshold = real_arg(args, 0, op);
  const DType t = result_type({&g, &x});
  const Shape shape = broadcast_shapes(g.shape(), x.shape(), op);
  // The fused kernel is the CPU's; other devices and dtypes take the same formula in ordinary ops.
  if ((t != DType::Float32 && t != DType::Float64) || !x.device().is_cpu())
    return {where(le(x, wrapped_scalar(Scalar(threshold))), zero_like_scalar(), expand_to(cast(g, t), shape))};
  check_cpu(op, in);
  Tensor out = new_tensor(shape, t, op);
  cpu::threshold_backward_kernel(out, expand_to(cast(g, t), shape), expand_to(cast(x, t), shape), threshold);
  return {out};
}

// Linear in grad, so its derivative is itself; in x it is piecewise constant (zero, as PyTorch's).
TensorList threshold_backward_derivative(const BackwardContext& c) {
  const double threshold = real_arg(c.args, 0, "threshold_backward");
  Tensor dg = c.needs(0) ? threshold_backward(c.grad(), c.input(1), threshold) : Tensor();
  Tensor dx = c.needs(1) ? zeros(c.input_shape(1), c.input_dtype(1), c.inputs_meta[1].device) : Tensor();
  return {dg, dx};
}

// sigmoid' = s (1 - s), tanh' = 1 - t^2, from the saved output, by the fused rows below.
TensorList sigmoid_backward_from_output(const BackwardContext& c) { return {sigmoid_backward(c.grad(), c.output())}; }
TensorList tanh_backward_from_output(const BackwardContext& c) { return {tanh_backward(c.grad(), c.output())}; }

// sigmoid_backward(grad, y) = grad (1 - y) y and tanh_backward(grad, y) = grad (1 - y^2), PyTorch's ops of those
// names: one pass for float32 and float64 (the composite took four), the same formula in ordinary ops otherwise.
template <cpu::OutputGrad K>
TensorList output_backward_fwd(const TensorList& in, const OpArgs&) {
  const char* op = K == cpu::OutputGrad::Sigmoid ? "sigmoid_backward" : "tanh_backward";
  const Tensor &g = in[0], &y = in[1];
  const DType t = result_type({&g, &y});
  const Shape shape = broadcast_shapes(g.shape(), y.shape(), op);
  if ((t != DType::Float32 && t != DType::Float64) || !y.device().is_cpu()) {
    const Tensor one = wrapped_scalar(Scalar(1.0));
    return {K == cpu::OutputGrad::Sigmoid ? mul(mul(g, sub(one, y)), y) : mul(g, sub(one, mul(y, y)))};
  }
  check_cpu(op, in);
  Tensor out = new_tensor(shape, t, op);
  cpu::output_backward_kernel(K, out, expand_to(cast(g, t), shape), expand_to(cast(y, t), shape));
  return {out};
}

// d/dgrad is the row itself; d/dy = grad (1 - 2 y) for sigmoid, -2 grad y for tanh (times the incoming gradient).
template <cpu::OutputGrad K>
TensorList output_backward_derivative(const BackwardContext& c) {
  const Tensor &gg = c.grad(), &g = c.input(0), &y = c.input(1);
  constexpr bool kSigmoid = K == cpu::OutputGrad::Sigmoid;
  Tensor dg, dy;
  if (c.needs(0)) dg = kSigmoid ? sigmoid_backward(gg, y) : tanh_backward(gg, y);
  if (c.needs(1)) {
    const Tensor gy = mul(gg, g);
    dy = kSigmoid ? mul(gy, sub(wrapped_scalar(Scalar(1.0)), mul(y, Scalar(2.0)))) : mul(mul(gy, y), Scalar(-2.0));
  }
  return {dg, dy};
}

TensorList where_backward(const BackwardContext& c) {
  const Tensor& cond = c.input(0);
  return {Tensor(), c.needs(1) ? where(cond, c.grad(), zero_like_scalar()) : Tensor(),
          c.needs(2) ? where(cond, zero_like_scalar(), c.grad()) : Tensor()};
}

template <BinaryOp Op>
OpDef binary_row(const char* signature, BackwardFn backward = nullptr, int saves = kSaveNothing) {
  return {binary_name(Op), signature, 2, OpKind::Primitive, binary_fwd<Op>, binary_into_fn<Op>, backward, saves};
}
template <UnaryOp Op>
OpDef unary_row(const char* signature, BackwardFn backward, int saves) {
  return {unary_info(Op).name, signature, 1, OpKind::Primitive, unary_fwd<Op>, unary_into_fn<Op>, backward, saves};
}

const OpDef kAdd = binary_row<BinaryOp::Add>("add(Tensor a, Tensor b)", add_backward);
const OpDef kSub = binary_row<BinaryOp::Sub>("sub(Tensor a, Tensor b)", sub_backward);
const OpDef kMul = binary_row<BinaryOp::Mul>("mul(Tensor a, Tensor b)", mul_backward, kSaveInputs);
const OpDef kDiv = binary_row<BinaryOp::Div>("div(Tensor a, Tensor b)", div_backward, kSaveInputs);
const OpDef kPow = binary_row<BinaryOp::Pow>("pow(Tensor x, Tensor exponent)", pow_backward, kSaveInputs | kSaveOutputs);
const OpDef kEq = binary_row<BinaryOp::Eq>("eq(Tensor a, Tensor b) -> bool");
const OpDef kNe = binary_row<BinaryOp::Ne>("ne(Tensor a, Tensor b) -> bool");
const OpDef kLt = binary_row<BinaryOp::Lt>("lt(Tensor a, Tensor b) -> bool");
const OpDef kLe = binary_row<BinaryOp::Le>("le(Tensor a, Tensor b) -> bool");
const OpDef kGt = binary_row<BinaryOp::Gt>("gt(Tensor a, Tensor b) -> bool");
const OpDef kGe = binary_row<BinaryOp::Ge>("ge(Tensor a, Tensor b) -> bool");
const OpDef kNeg = unary_row<UnaryOp::Neg>("neg(Tensor x)", neg_backward, kSaveNothing);
const OpDef kExp = unary_row<UnaryOp::Exp>("exp(Tensor x)", exp_backward, kSaveOutputs);
const OpDef kLog = unary_row<UnaryOp::Log>("log(Tensor x)", log_backward, kSaveInputs);
const OpDef kSqrt = unary_row<UnaryOp::Sqrt>("sqrt(Tensor x)", sqrt_backward, kSaveOutputs);
const OpDef kAbs = unary_row<UnaryOp::Abs>("abs(Tensor x)", abs_backward, kSaveInputs);
const OpDef kRelu = unary_row<UnaryOp::Relu>("relu(Tensor x)", relu_backward, kSaveOutputs);
const OpDef kSigmoid = unary_row<UnaryOp::Sigmoid>("sigmoid(Tensor x)", sigmoid_backward_from_output, kSaveOutputs);
const OpDef kTanh = unary_row<UnaryOp::Tanh>("tanh(Tensor x)", tanh_backward_from_output, kSaveOutputs);
const OpDef kSigmoidBackward{"sigmoid_backward", "sigmoid_backward(Tensor grad, Tensor output)", 2, OpKind::Primitive,
                             output_backward_fwd<cpu::OutputGrad::Sigmoid>, nullptr,
                             output_backward_derivative<cpu::OutputGrad::Sigmoid>, kSaveInputs};
const OpDef kTanhBackward{"tanh_backward", "tanh_backward(Tensor grad, Tensor output)", 2, OpKind::Primitive,
                          output_backward_fwd<cpu::OutputGrad::Tanh>, nullptr,
                          output_backward_derivative<cpu::OutputGrad::Tanh>, kSaveInputs};
const OpDef kThresholdBackward{"threshold_backward", "threshold_backward(Tensor grad, Tensor x; reals: threshold)", 2,
                               OpKind::Primitive, threshold_backward_fwd, nullptr, threshold_backward_derivative,
                               kSaveInputs};
const OpDef kWhere{"where", "where(Tensor cond, Tensor a, Tensor b)", 3, OpKind::Primitive, where_fwd, nullptr,
                   where_backward, kSaveInputs};

}  // namespace

void add_elementwise_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kAdd, &kSub, &kMul, &kDiv, &kPow, &kEq, &kNe, &kLt, &kLe, &kGt, &kGe, &kNeg, &kExp,
                             &kLog, &kSqrt, &kAbs, &kRelu, &kThresholdBackward, &kSigmoid, &kTanh, &kSigmoidBackward,
                             &kTanhBackward, &kWhere});
  add_math_ops(table);
  add_rounding_ops(table);
  add_binary_math_ops(table);
  add_logical_ops(table);
}

Tensor add(const Tensor& a, const Tensor& b) { return call1(kAdd, {a, b}); }
Tensor sub(const Tensor& a, const Tensor& b) { return call1(kSub, {a, b}); }
Tensor mul(const Tensor& a, const Tensor& b) { return call1(kMul, {a, b}); }
Tensor div(const Tensor& a, const Tensor& b) { return call1(kDiv, {a, b}); }
Tensor pow(const Tensor& a, const Tensor& e) { return call1(kPow, {a, e}); }
Tensor add(const Tensor& a, Scalar b) { return call1(kAdd, {a, wrapped_scalar(b)}); }
Tensor sub(const Tensor& a, Scalar b) { return call1(kSub, {a, wrapped_scalar(b)}); }
Tensor mul(const Tensor& a, Scalar b) { return call1(kMul, {a, wrapped_scalar(b)}); }
Tensor div(const Tensor& a, Scalar b) { return call1(kDiv, {a, wrapped_scalar(b)}); }
Tensor pow(const Tensor& a, Scalar e) { return call1(kPow, {a, wrapped_scalar(e)}); }
Tensor neg(const Tensor& x) { return call1(kNeg, {x}); }
Tensor exp(const Tensor& x) { return call1(kExp, {x}); }
Tensor log(const Tensor& x) { return call1(kLog, {x}); }
Tensor sqrt(const Tensor& x) { return call1(kSqrt, {x}); }
Tensor abs(const Tensor& x) { return call1(kAbs, {x}); }
Tensor relu(const Tensor& x) { return call1(kRelu, {x}); }
Tensor threshold_backward(const Tensor& grad, const Tensor& x, double threshold) {
  return call1(kThresholdBackward, {grad, x}, OpArgs{{}, {threshold}});
}
Tensor sigmoid(const Tensor& x) { return call1(kSigmoid, {x}); }
Tensor tanh(const Tensor& x) { return call1(kTanh, {x}); }
Tensor sigmoid_backward(const Tensor& grad, const Tensor& output) { return call1(kSigmoidBackward, {grad, output}); }
Tensor tanh_backward(const Tensor& grad, const Tensor& output) { return call1(kTanhBackward, {grad, output}); }
Tensor eq(const Tensor& a, const Tensor& b) { return call1(kEq, {a, b}); }
Tensor ne(const Tensor& a, const Tensor& b) { return call1(kNe, {a, b}); }
Tensor lt(const Tensor& a, const Tensor& b) { return call1(kLt, {a, b}); }
Tensor le(const Tensor& a, const Tensor& b) { return call1(kLe, {a, b}); }
Tensor gt(const Tensor& a, const Tensor& b) { return call1(kGt, {a, b}); }
Tensor ge(const Tensor& a, const Tensor& b) { return call1(kGe, {a, b}); }
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) { return call1(kWhere, {cond, a, b}); }

}  // namespace kiln
