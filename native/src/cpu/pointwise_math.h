// Kernels of the elementwise math ops beyond unary.cpp and binary.cpp: the op layer (ops/math_ops.cpp, ...)
// calls them directly, on CPU tensors (check_cpu). Operands have out's shape (broadcast by zero strides
// allowed) and one compute dtype (bool, int64, float32 or float64); out has it too, or bool where noted.
#pragma once
#include "kiln/scalar.h"
#include "kiln/tensor.h"

namespace kiln::cpu {

// Floating ops, and for int64: Sign, BitwiseNot (bool too).
enum class MathOp : int32_t {
  Log1p, Expm1, Log2, Log10, Exp2, Rsqrt, Reciprocal, Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh,
  Atanh, Erf, Erfinv, Sign, Floor, Ceil, Round, Trunc, Frac, BitwiseNot,
};
// Also with a float16 or bfloat16 out (in: the same dtype, or float32), computed in float32 by chunks.
void math_kernel(MathOp op, const Tensor& out, const Tensor& in);

// round(x * 10^d) / 10^d (x / 10^-d * 10^-d for d < 0), half to even, as PyTorch.
void round_decimals_kernel(const Tensor& out, const Tensor& in, int64_t decimals);
void nan_to_num_kernel(const Tensor& out, const Tensor& in, double nan, double posinf, double neginf);
// min(max(x, lo), hi) with either bound optional; a NaN bound is ignored, a NaN x stays NaN (PyTorch's scalar clamp).
void clamp_scalar_kernel(const Tensor& out, const Tensor& in, const Scalar* lo, const Scalar* hi);

// Tests giving a bool out.
enum class TestOp : int32_t { IsNan, IsInf, IsPosInf, IsNegInf, IsFinite, Signbit, LogicalNot };
void test_kernel(TestOp op, const Tensor& out, const Tensor& in);

// Two operands. Logical ops give a bool out; bitwise ops and shifts take int64 (and bool, not shifts).
enum class MathBinaryOp : int32_t {
  Maximum, Minimum, Fmod, Remainder, FloorDivide, Atan2, BitwiseAnd, BitwiseOr, BitwiseXor, LeftShift, RightShift, LogicalAnd,
  LogicalOr, LogicalXor,
};
// Also with a float16 or bfloat16 out (a and b: that dtype, or float32), computed in float32 by chunks.
void binary_math_kernel(MathBinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b);
// Whether an integer tensor holds a zero (integer fmod and remainder refuse to divide by it).
bool has_zero_kernel(const Tensor& t);

// Three operands (floating, or int64 for addcmul and clamp).
void lerp_kernel(const Tensor& out, const Tensor& self, const Tensor& end, const Tensor& weight);
void lerp_scalar_kernel(const Tensor& out, const Tensor& self, const Tensor& end, double weight);
void addcmul_kernel(const Tensor& out, const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value);
void addcdiv_kernel(const Tensor& out, const Tensor& self, const Tensor& t1, const Tensor& t2, Scalar value);
// min(max(x, lo), hi), NaN in x or a bound giving NaN (PyTorch's clamp with tensor bounds).
void clamp_tensor_kernel(const Tensor& out, const Tensor& x, const Tensor& lo, const Tensor& hi);

}  // namespace kiln::cpu
