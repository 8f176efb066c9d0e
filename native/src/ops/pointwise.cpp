// Shared steps of elementwise ops (see pointwise.h).
#include "ops/pointwise.h"

#include <cmath>
#include <limits>

namespace kiln {

void check_output(const char* op, const Tensor& out, const Shape& shape, DType result) {
  KILN_CHECK(shape == out.shape(), Shape, op, ": output with shape ", shape_str(out.shape()),
             " doesn't match the broadcast shape ", shape_str(shape));
  KILN_CHECK(can_cast(result, out.dtype()), DType, op, ": result type ", dtype_name(result),
             " can't be cast to the desired output type ", dtype_name(out.dtype()));
}

namespace {

// Whether every value of `from` is a value of t (t narrower than its compute dtype).
bool fits(DType from, DType t) {
  if (from == t || from == DType::Bool) return true;
  const bool small_int = from == DType::Int8 || from == DType::UInt8;
  switch (t) {
    case DType::Int16: return small_int;
    case DType::Int32: return small_int || from == DType::Int16;
    case DType::Float16:
    case DType::BFloat16: return small_int;
    default: return false;
  }
}

}  // namespace

Tensor to_compute(const Tensor& x, DType t) {
  const DType c = compute_dtype(t);
  if (c == t || fits(x.dtype(), t)) return cast(x, c);
  return cast(cast(x, t), c);
}

Tensor operand(const Tensor& x, DType t, const Shape& shape) { return expand_to(to_compute(x, t), shape); }

// An operand of another dtype is cast to t first (wrapping, as to_compute): uint8 & 300 ands with 44.
Tensor operand_in(const Tensor& x, DType t, DType c, const Shape& shape) {
  return c == t ? expand_to(cast(x, t), shape) : operand(x, t, shape);
}

namespace {

// The C++ type names PyTorch's message uses.
const char* cpp_type_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::Int64: return "int64_t";
    case DType::Int32: return "int";
    case DType::Int16: return "int16_t";
    case DType::Int8: return "int8_t";
    case DType::UInt8: return "uint8_t";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
    case DType::Float16: return "at::Half";
    case DType::BFloat16: return "at::BFloat16";
  }
  return "?";
}

// The range of an integer dtype.
void int_range(DType t, double* lo, double* hi) {
  switch (t) {
    case DType::Int8: *lo = -128; *hi = 127; return;
    case DType::UInt8: *lo = 0; *hi = 255; return;
    case DType::Int16: *lo = -32768; *hi = 32767; return;
    case DType::Int32: *lo = -2147483648.0; *hi = 2147483647.0; return;
    default: *lo = -9223372036854775808.0; *hi = 9223372036854775807.0; return;
  }
}

double float_max(DType t) {
  switch (t) {
    case DType::Float16: return 65504.0;
    case DType::BFloat16: return 3.3895313892515355e38;
    case DType::Float32: return std::numeric_limits<float>::max();
    default: return std::numeric_limits<double>::max();
  }
}

bool overflows(const Scalar& v, DType t) {
  if (t == DType::Bool || v.kind() == DType::Bool) return false;
  if (v.kind() == DType::Int64) {
    const int64_t i = v.to_int();
    if (is_floating(t)) return static_cast<double>(i) > float_max(t) || static_cast<double>(i) < -float_max(t);
    if (t == DType::Int64) return false;
    double lo, hi;
    int_range(t, &lo, &hi);
    if (t == DType::UInt8) return i > 255 || i < -255;  // negative values wrap (two's complement)
    return static_cast<double>(i) < lo || static_cast<double>(i) > hi;
  }
  const double d = v.to_double();
  if (is_floating(t)) return !std::isinf(d) && (d < -float_max(t) || d > float_max(t));
  if (d != d) return true;
  double lo, hi;
  int_range(t, &lo, &hi);
  // Compared in double, as c10::overflows does: 2^63 passes for int64 (and then wraps to INT64_MIN).
  return d < lo || d > hi;
}

}  // namespace

void check_scalar_fits(const char* op, const Scalar& value, DType t) {
  if (!overflows(value, t)) return;
  if (value.kind() == DType::Float64)
    fail(ErrorKind::Argument, op, ": value cannot be converted to type ", cpp_type_name(t), " without overflow (",
         value.to_double(), ")");
  fail(ErrorKind::Argument, op, ": value cannot be converted to type ", cpp_type_name(t), " without overflow (",
       value.to_int(), ")");
}

Tensor on_host(const Tensor& t) {
  if (t.device().is_cpu()) return t;
  Tensor host = Tensor::empty(t.shape(), t.dtype());
  backend_for(t.device()).copy(host, t);
  return host;
}

Scalar scalar_of(const Tensor& t) {
  KILN_CHECK(t.numel() == 1, Internal, "scalar_of: expected one element, got ", t.numel());
  const Tensor one = on_host(t.as_strided({}, {}, t.offset()));
  if (t.dtype() == DType::Bool) return Scalar::boolean(*cast(one, DType::Bool).data<bool>());
  if (is_floating(t.dtype())) return Scalar(*cast(one, DType::Float64).data<double>());
  return Scalar(*cast(one, DType::Int64).data<int64_t>());
}

}  // namespace kiln
