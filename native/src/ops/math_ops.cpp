// Math functions of one tensor: log1p, expm1, log2, log10, exp2, rsqrt, reciprocal, the trigonometric and
// hyperbolic functions and their inverses, erf, erfinv; and square (pow(x, 2), as in PyTorch). Integer and
// bool inputs give float32 (the default float); float16 and bfloat16 compute in float32.
#include <cmath>

#include "autograd/backward_context.h"
#include "cpu/pointwise_math.h"
#include "kiln/ops.h"
#include "ops/elementwise_family.h"
#include "ops/pointwise.h"

namespace kiln {
namespace {

using cpu::MathOp;

const char* math_name(MathOp op) {
  switch (op) {
    case MathOp::Log1p: return "log1p";
    case MathOp::Expm1: return "expm1";
    case MathOp::Log2: return "log2";
    case MathOp::Log10: return "log10";
    case MathOp::Exp2: return "exp2";
    case MathOp::Rsqrt: return "rsqrt";
    case MathOp::Reciprocal: return "reciprocal";
    case MathOp::Sin: return "sin";
    case MathOp::Cos: return "cos";
    case MathOp::Tan: return "tan";
    case MathOp::Asin: return "asin";
    case MathOp::Acos: return "acos";
    case MathOp::Atan: return "atan";
    case MathOp::Sinh: return "sinh";
    case MathOp::Cosh: return "cosh";
    case MathOp::Asinh: return "asinh";
    case MathOp::Acosh: return "acosh";
    case MathOp::Atanh: return "atanh";
    case MathOp::Erf: return "erf";
    case MathOp::Erfinv: return "erfinv";
    default: return "math";
  }
}

// out = op(x) for the floating math ops; out may be x itself (the in-place form).
void float_math_into(MathOp op, const Tensor& out, const Tensor& x) {
  const char* name = math_name(op);
  check_cpu(name, {out, x});
  const DType t = is_floating(x.dtype()) ? x.dtype() : default_float();
  check_output(name, out, x.shape(), t);
  // float16 and bfloat16 as they are: the kernel computes them in float32 by chunks (cpu/float32_chunks.h).
  const DType k = out.dtype() == t ? t : compute_dtype(t);
  const Tensor xc = cast(x, k);
  write_through(out, k, {xc}, [&](const Tensor& target) { cpu::math_kernel(op, target, xc); });
}

template <MathOp Op>
TensorList math_fwd(const TensorList& in, const OpArgs&) {
  const Tensor& x = in[0];
  Tensor out = Tensor::empty(x.shape(), is_floating(x.dtype()) ? x.dtype() : default_float(), x.device());
  float_math_into(Op, out, x);
  return {out};
}
template <MathOp Op>
void math_into_fn(const Tensor& out, const TensorList& in, const OpArgs&) {
  float_math_into(Op, out, in[0]);
}

// ---- Derivatives (PyTorch's derivatives.yaml, written with ordinary ops).

constexpr double kLn2 = 0.693147180559945309417;
constexpr double kLn10 = 2.302585092994045684018;
constexpr double kPi = 3.14159265358979323846;

TensorList log1p_backward(const BackwardContext& c) { return {div(c.grad(), add(c.input(0), 1.0))}; }
TensorList expm1_backward(const BackwardContext& c) { return {mul(c.grad(), add(c.output(), 1.0))}; }
TensorList log2_backward(const BackwardContext& c) { return {div(c.grad(), mul(c.input(0), kLn2))}; }
TensorList log10_backward(const BackwardContext& c) { return {div(c.grad(), mul(c.input(0), kLn10))}; }
TensorList exp2_backward(const BackwardContext& c) { return {mul(mul(c.grad(), c.output()), kLn2)}; }
// -0.5 grad out^3 and -grad out^2, from the saved result.
TensorList rsqrt_backward(const BackwardContext& c) { return {mul(mul(c.grad(), -0.5), pow(c.output(), Scalar(3)))}; }
TensorList reciprocal_backward(const BackwardContext& c) {
  return {mul(neg(c.grad()), mul(c.output(), c.output()))};
}
TensorList sin_backward(const BackwardContext& c) { return {mul(c.grad(), cos(c.input(0)))}; }
TensorList cos_backward(const BackwardContext& c) { return {mul(c.grad(), neg(sin(c.input(0))))}; }
TensorList tan_backward(const BackwardContext& c) {
  return {mul(c.grad(), add(pow(c.output(), Scalar(2)), 1.0))};
}
// 1 / sqrt(1 - x^2), written as PyTorch does: (-x * x + 1).rsqrt().
Tensor one_minus_square_rsqrt(const Tensor& x) { return rsqrt(add(mul(neg(x), x), 1.0)); }
TensorList asin_backward(const BackwardContext& c) { return {mul(c.grad(), one_minus_square_rsqrt(c.input(0)))}; }
TensorList acos_backward(const BackwardContext& c) {
  return {mul(c.grad(), neg(one_minus_square_rsqrt(c.input(0))))};
}
TensorList atan_backward(const BackwardContext& c) {
  return {div(c.grad(), add(mul(c.input(0), c.input(0)), 1.0))};
}
TensorList sinh_backward(const BackwardContext& c) { return {mul(c.grad(), cosh(c.input(0)))}; }
TensorList cosh_backward(const BackwardContext& c) { return {mul(c.grad(), sinh(c.input(0)))}; }
TensorList asinh_backward(const BackwardContext& c) {
  return {mul(c.grad(), rsqrt(add(pow(c.input(0), Scalar(2)), 1.0)))};
}
TensorList acosh_backward(const BackwardContext& c) {
  return {mul(c.grad(), rsqrt(sub(pow(c.input(0), Scalar(2)), 1.0)))};
}
TensorList atanh_backward(const BackwardContext& c) {
  return {mul(c.grad(), reciprocal(add(neg(pow(c.input(0), Scalar(2))), 1.0)))};
}
// 2 / sqrt(pi) exp(-x^2) and sqrt(pi) / 2 exp(erfinv(x)^2).
TensorList erf_backward(const BackwardContext& c) {
  return {mul(mul(exp(neg(pow(c.input(0), Scalar(2)))), 2.0 / std::sqrt(kPi)), c.grad())};
}
TensorList erfinv_backward(const BackwardContext& c) {
  return {mul(mul(exp(pow(c.output(), Scalar(2))), 0.5 * std::sqrt(kPi)), c.grad())};
}

template <MathOp Op>
OpDef math_row(const char* signature, BackwardFn backward, int saves) {
  return {math_name(Op), signature, 1, OpKind::Primitive, math_fwd<Op>, math_into_fn<Op>, backward, saves};
}

const OpDef kLog1p = math_row<MathOp::Log1p>("log1p(Tensor x)", log1p_backward, kSaveInputs);
const OpDef kExpm1 = math_row<MathOp::Expm1>("expm1(Tensor x)", expm1_backward, kSaveOutputs);
const OpDef kLog2 = math_row<MathOp::Log2>("log2(Tensor x)", log2_backward, kSaveInputs);
const OpDef kLog10 = math_row<MathOp::Log10>("log10(Tensor x)", log10_backward, kSaveInputs);
const OpDef kExp2 = math_row<MathOp::Exp2>("exp2(Tensor x)", exp2_backward, kSaveOutputs);
const OpDef kRsqrt = math_row<MathOp::Rsqrt>("rsqrt(Tensor x)", rsqrt_backward, kSaveOutputs);
const OpDef kReciprocal = math_row<MathOp::Reciprocal>("reciprocal(Tensor x)", reciprocal_backward, kSaveOutputs);
const OpDef kSin = math_row<MathOp::Sin>("sin(Tensor x)", sin_backward, kSaveInputs);
const OpDef kCos = math_row<MathOp::Cos>("cos(Tensor x)", cos_backward, kSaveInputs);
const OpDef kTan = math_row<MathOp::Tan>("tan(Tensor x)", tan_backward, kSaveOutputs);
const OpDef kAsin = math_row<MathOp::Asin>("asin(Tensor x)", asin_backward, kSaveInputs);
const OpDef kAcos = math_row<MathOp::Acos>("acos(Tensor x)", acos_backward, kSaveInputs);
const OpDef kAtan = math_row<MathOp::Atan>("atan(Tensor x)", atan_backward, kSaveInputs);
const OpDef kSinh = math_row<MathOp::Sinh>("sinh(Tensor x)", sinh_backward, kSaveInputs);
const OpDef kCosh = math_row<MathOp::Cosh>("cosh(Tensor x)", cosh_backward, kSaveInputs);
const OpDef kAsinh = math_row<MathOp::Asinh>("asinh(Tensor x)", asinh_backward, kSaveInputs);
const OpDef kAcosh = math_row<MathOp::Acosh>("acosh(Tensor x)", acosh_backward, kSaveInputs);
const OpDef kAtanh = math_row<MathOp::Atanh>("atanh(Tensor x)", atanh_backward, kSaveInputs);
const OpDef kErf = math_row<MathOp::Erf>("erf(Tensor x)", erf_backward, kSaveInputs);
const OpDef kErfinv = math_row<MathOp::Erfinv>("erfinv(Tensor x)", erfinv_backward, kSaveOutputs);

// square is pow(x, 2): its dtype rules (bool -> int64) and its node (PowBackward0) are pow's.
TensorList square_fwd(const TensorList& in, const OpArgs&) { return {pow(in[0], Scalar(2))}; }
const OpDef kSquare{"square", "square(Tensor x) = pow(x, 2)", 1, OpKind::Composite, square_fwd};

}  // namespace

void add_math_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kLog1p, &kExpm1, &kLog2, &kLog10, &kExp2, &kRsqrt, &kReciprocal, &kSin, &kCos, &kTan,
                             &kAsin, &kAcos, &kAtan, &kSinh, &kCosh, &kAsinh, &kAcosh, &kAtanh, &kErf, &kErfinv,
                             &kSquare});
}

Tensor log1p(const Tensor& x) { return call1(kLog1p, {x}); }
Tensor expm1(const Tensor& x) { return call1(kExpm1, {x}); }
Tensor log2(const Tensor& x) { return call1(kLog2, {x}); }
Tensor log10(const Tensor& x) { return call1(kLog10, {x}); }
Tensor exp2(const Tensor& x) { return call1(kExp2, {x}); }
Tensor rsqrt(const Tensor& x) { return call1(kRsqrt, {x}); }
Tensor reciprocal(const Tensor& x) { return call1(kReciprocal, {x}); }
Tensor sin(const Tensor& x) { return call1(kSin, {x}); }
Tensor cos(const Tensor& x) { return call1(kCos, {x}); }
Tensor tan(const Tensor& x) { return call1(kTan, {x}); }
Tensor asin(const Tensor& x) { return call1(kAsin, {x}); }
Tensor acos(const Tensor& x) { return call1(kAcos, {x}); }
Tensor atan(const Tensor& x) { return call1(kAtan, {x}); }
Tensor sinh(const Tensor& x) { return call1(kSinh, {x}); }
Tensor cosh(const Tensor& x) { return call1(kCosh, {x}); }
Tensor asinh(const Tensor& x) { return call1(kAsinh, {x}); }
Tensor acosh(const Tensor& x) { return call1(kAcosh, {x}); }
Tensor atanh(const Tensor& x) { return call1(kAtanh, {x}); }
Tensor erf(const Tensor& x) { return call1(kErf, {x}); }
Tensor erfinv(const Tensor& x) { return call1(kErfinv, {x}); }
Tensor square(const Tensor& x) { return call1(kSquare, {x}); }

}  // namespace kiln
