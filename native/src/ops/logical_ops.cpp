// Tests and logic: isnan, isinf, isposinf, isneginf, isfinite, signbit (bool results), logical_and / or /
// xor / not (any dtype in, bool out), bitwise_and / or / xor / not (integers and bool) and the shifts
// (integers). None is differentiable.
#include "cpu/pointwise_math.h"
#include "kiln/ops.h"
#include "ops/elementwise_family.h"
#include "ops/pointwise.h"

namespace kiln {
namespace {

using cpu::MathBinaryOp;
using cpu::TestOp;

const char* test_name(TestOp op) {
  switch (op) {
    case TestOp::IsNan: return "isnan";
    case TestOp::IsInf: return "isinf";
    case TestOp::IsPosInf: return "isposinf";
    case TestOp::IsNegInf: return "isneginf";
    case TestOp::IsFinite: return "isfinite";
    case TestOp::Signbit: return "signbit";
    case TestOp::LogicalNot: return "logical_not";
  }
  return "test";
}

// A bool result of x's shape, converted into out (logical_not_ writes into self's own dtype).
void test_into(TestOp op, const Tensor& out, const Tensor& x) {
  const char* name = test_name(op);
  check_cpu(name, {out, x});
  check_output(name, out, x.shape(), DType::Bool);
  const Tensor xc = cast(x, exact_compute_dtype(x.dtype(), x.device()));
  write_through(out, DType::Bool, {xc}, [&](const Tensor& target) { cpu::test_kernel(op, target, xc); });
}

template <TestOp Op>
TensorList test_fwd(const TensorList& in, const OpArgs&) {
  Tensor out = Tensor::empty(in[0].shape(), DType::Bool, in[0].device());
  test_into(Op, out, in[0]);
  return {out};
}
template <TestOp Op>
void test_into_fn(const Tensor& out, const TensorList& in, const OpArgs&) {
  test_into(Op, out, in[0]);
}

const char* logic_name(MathBinaryOp op) {
  switch (op) {
    case MathBinaryOp::LogicalAnd: return "logical_and";
    case MathBinaryOp::LogicalOr: return "logical_or";
    case MathBinaryOp::LogicalXor: return "logical_xor";
    case MathBinaryOp::BitwiseAnd: return "bitwise_and";
    case MathBinaryOp::BitwiseOr: return "bitwise_or";
    case MathBinaryOp::BitwiseXor: return "bitwise_xor";
    case MathBinaryOp::LeftShift: return "bitwise_left_shift";
    case MathBinaryOp::RightShift: return "bitwise_right_shift";
    default: return "logic";
  }
}

bool is_logical(MathBinaryOp op) {
  return op == MathBinaryOp::LogicalAnd || op == MathBinaryOp::LogicalOr || op == MathBinaryOp::LogicalXor;
}

// The result dtype: bool for the logical ops; the promoted integer (or bool) type for the bitwise ones.
DType logic_dtype(MathBinaryOp op, const Tensor& a, const Tensor& b) {
  if (is_logical(op)) return DType::Bool;
  const DType t = result_type({a, b});
  const bool shift = op == MathBinaryOp::LeftShift || op == MathBinaryOp::RightShift;
  KILN_CHECK(is_integral(t, !shift), DType, logic_name(op), ": not implemented for '", dtype_name(t),
             "' (operands ", dtype_name(a.dtype()), " and ", dtype_name(b.dtype()), ")");
  return t;
}

void logic_into(MathBinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  const char* name = logic_name(op);
  check_cpu(name, {out, a, b});
  check_same_device(name, {out, a, b});
  const DType t = logic_dtype(op, a, b);
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  check_output(name, out, shape, t);
  const DType common = is_logical(op) ? result_type({a, b}) : t;
  const DType c = exact_compute_dtype(common, out.device());
  const Tensor ac = operand_in(a, common, c, shape), bc = operand_in(b, common, c, shape);
  write_through(out, is_logical(op) ? DType::Bool : c, {ac, bc},
                [&](const Tensor& target) { cpu::binary_math_kernel(op, target, ac, bc); });
}

template <MathBinaryOp Op>
TensorList logic_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &a = in[0], &b = in[1];
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), logic_name(Op)), logic_dtype(Op, a, b),
                             a.is_wrapped_number() ? b.device() : a.device());
  logic_into(Op, out, a, b);
  return {out};
}
template <MathBinaryOp Op>
void logic_into_fn(const Tensor& out, const TensorList& in, const OpArgs&) {
  logic_into(Op, out, in[0], in[1]);
}

// bitwise_not: integers and bool, in their own dtype.
void bitwise_not_into(const Tensor& out, const Tensor& x) {
  check_cpu("bitwise_not", {out, x});
  const DType t = x.dtype();
  KILN_CHECK(is_integral(t, true), DType, "bitwise_not: not implemented for '", dtype_name(t), "'");
  check_output("bitwise_not", out, x.shape(), t);
  const DType c = exact_compute_dtype(t, x.device());
  const Tensor xc = cast(x, c);
  write_through(out, c, {xc}, [&](const Tensor& target) { cpu::math_kernel(cpu::MathOp::BitwiseNot, target, xc); });
}
TensorList bitwise_not_fwd(const TensorList& in, const OpArgs&) {
  Tensor out = Tensor::empty(in[0].shape(), in[0].dtype(), in[0].device());
  bitwise_not_into(out, in[0]);
  return {out};
}
void bitwise_not_into_fn(const Tensor& out, const TensorList& in, const OpArgs&) { bitwise_not_into(out, in[0]); }

template <TestOp Op>
OpDef test_row(const char* signature, bool inplace = false) {
  return {test_name(Op), signature, 1, OpKind::Primitive, test_fwd<Op>, inplace ? test_into_fn<Op> : nullptr};
}
template <MathBinaryOp Op>
OpDef logic_row(const char* signature) {
  return {logic_name(Op), signature, 2, OpKind::Primitive, logic_fwd<Op>, logic_into_fn<Op>};
}

const OpDef kIsnan = test_row<TestOp::IsNan>("isnan(Tensor x) -> bool");
const OpDef kIsinf = test_row<TestOp::IsInf>("isinf(Tensor x) -> bool");
const OpDef kIsposinf = test_row<TestOp::IsPosInf>("isposinf(Tensor x) -> bool");
const OpDef kIsneginf = test_row<TestOp::IsNegInf>("isneginf(Tensor x) -> bool");
const OpDef kIsfinite = test_row<TestOp::IsFinite>("isfinite(Tensor x) -> bool");
const OpDef kSignbit = test_row<TestOp::Signbit>("signbit(Tensor x) -> bool");
const OpDef kLogicalNot = test_row<TestOp::LogicalNot>("logical_not(Tensor x) -> bool", true);
const OpDef kLogicalAnd = logic_row<MathBinaryOp::LogicalAnd>("logical_and(Tensor a, Tensor b) -> bool");
const OpDef kLogicalOr = logic_row<MathBinaryOp::LogicalOr>("logical_or(Tensor a, Tensor b) -> bool");
const OpDef kLogicalXor = logic_row<MathBinaryOp::LogicalXor>("logical_xor(Tensor a, Tensor b) -> bool");
const OpDef kBitwiseAnd = logic_row<MathBinaryOp::BitwiseAnd>("bitwise_and(Tensor a, Tensor b)");
const OpDef kBitwiseOr = logic_row<MathBinaryOp::BitwiseOr>("bitwise_or(Tensor a, Tensor b)");
const OpDef kBitwiseXor = logic_row<MathBinaryOp::BitwiseXor>("bitwise_xor(Tensor a, Tensor b)");
const OpDef kLeftShift = logic_row<MathBinaryOp::LeftShift>("bitwise_left_shift(Tensor a, Tensor b)");
const OpDef kRightShift = logic_row<MathBinaryOp::RightShift>("bitwise_right_shift(Tensor a, Tensor b)");
const OpDef kBitwiseNot{"bitwise_not", "bitwise_not(Tensor x)", 1, OpKind::Primitive, bitwise_not_fwd,
                        bitwise_not_into_fn};

}  // namespace

void add_logical_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kIsnan, &kIsinf, &kIsposinf, &kIsneginf, &kIsfinite, &kSignbit, &kLogicalNot,
                             &kLogicalAnd, &kLogicalOr, &kLogicalXor, &kBitwiseAnd, &kBitwiseOr, &kBitwiseXor,
                             &kLeftShift, &kRightShift, &kBitwiseNot});
}

Tensor isnan(const Tensor& x) { return call1(kIsnan, {x}); }
Tensor isinf(const Tensor& x) { return call1(kIsinf, {x}); }
Tensor isposinf(const Tensor& x) { return call1(kIsposinf, {x}); }
Tensor isneginf(const Tensor& x) { return call1(kIsneginf, {x}); }
Tensor isfinite(const Tensor& x) { return call1(kIsfinite, {x}); }
Tensor signbit(const Tensor& x) { return call1(kSignbit, {x}); }
Tensor logical_not(const Tensor& x) { return call1(kLogicalNot, {x}); }
Tensor logical_and(const Tensor& a, const Tensor& b) { return call1(kLogicalAnd, {a, b}); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return call1(kLogicalOr, {a, b}); }
Tensor logical_xor(const Tensor& a, const Tensor& b) { return call1(kLogicalXor, {a, b}); }
Tensor bitwise_and(const Tensor& a, const Tensor& b) { return call1(kBitwiseAnd, {a, b}); }
Tensor bitwise_or(const Tensor& a, const Tensor& b) { return call1(kBitwiseOr, {a, b}); }
Tensor bitwise_xor(const Tensor& a, const Tensor& b) { return call1(kBitwiseXor, {a, b}); }
Tensor bitwise_left_shift(const Tensor& a, const Tensor& b) { return call1(kLeftShift, {a, b}); }
Tensor bitwise_right_shift(const Tensor& a, const Tensor& b) { return call1(kRightShift, {a, b}); }
Tensor bitwise_not(const Tensor& x) { return call1(kBitwiseNot, {x}); }

}  // namespace kiln
