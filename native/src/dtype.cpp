// Element types and PyTorch's promotion rules (torch.promote_types, torch.result_type).
#include "kiln/dtype.h"

#include "kiln/error.h"

namespace kiln {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::Bool: return 1;
    case DType::Int64: return 8;
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int32: return 4;
    case DType::Int16: return 2;
    case DType::Int8: return 1;
    case DType::UInt8: return 1;
    case DType::Float16: return 2;
    case DType::BFloat16: return 2;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::Int64: return "int64";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int32: return "int32";
    case DType::Int16: return "int16";
    case DType::Int8: return "int8";
    case DType::UInt8: return "uint8";
    case DType::Float16: return "float16";
    case DType::BFloat16: return "bfloat16";
  }
  return "unknown";
}

DType dtype_from_code(int32_t code) {
  KILN_CHECK(code >= 0 && code < kNumDTypes, Argument, "unknown dtype code ", code);
  return static_cast<DType>(code);
}

DType compute_dtype(DType t) {
  if (is_integral(t, false)) return DType::Int64;
  if (t == DType::Float16 || t == DType::BFloat16) return DType::Float32;
  return t;
}

namespace {

// Bytes of an integer type; unsigned is only uint8.
int int_bits(DType t) { return static_cast<int>(dtype_size(t)) * 8; }

// Floating types by width, for promotion among them: float16 and bfloat16 are both 16 bits but neither
// holds the other, so together they give float32.
int float_rank(DType t) {
  switch (t) {
    case DType::Float16:
    case DType::BFloat16: return 0;
    case DType::Float32: return 1;
    default: return 2;
  }
}

}  // namespace

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  if (a == DType::Bool) return b;
  if (b == DType::Bool) return a;
  const bool fa = is_floating(a), fb = is_floating(b);
  if (fa && !fb) return a;  // int64 + float16 -> float16, as in PyTorch
  if (fb && !fa) return b;
  if (fa && fb) {
    const int ra = float_rank(a), rb = float_rank(b);
    if (ra == rb) return DType::Float32;  // float16 + bfloat16
    return ra > rb ? a : b;
  }
  // Two integer types. uint8 with a signed type needs the next wider signed type: uint8 + int8 -> int16.
  if (a == DType::UInt8 || b == DType::UInt8) {
    const DType s = a == DType::UInt8 ? b : a;
    return s == DType::Int8 ? DType::Int16 : s;
  }
  return int_bits(a) >= int_bits(b) ? a : b;
}

void ResultType::add(DType t, OperandPriority p) {
  // A wrapped float scalar counts as the default float, as in PyTorch: torch.result_type(2.5, 3.5) is float32.
  if (p == OperandPriority::WrappedNumber && is_floating(t)) t = default_float();
  int i = static_cast<int>(p);
  best_[i] = seen_[i] ? promote_types(best_[i], t) : t;
  seen_[i] = true;
}

namespace {

// PyTorch's combine_categories: the higher-priority result wins unless the lower one is of a higher
// category (floating over integral over bool), in which case the two promote.
bool combine(bool have_higher, DType higher, bool have_lower, DType lower, DType* out) {
  if (!have_higher) {
    *out = lower;
    return have_lower;
  }
  if (!have_lower || is_floating(higher)) {
    *out = higher;
    return true;
  }
  if (higher == DType::Bool || is_floating(lower)) {
    *out = promote_types(higher, lower);
    return true;
  }
  *out = higher;
  return true;
}

}  // namespace

DType ResultType::get() const {
  // int64 tensor + 2.5 -> float32 (the wrapped float is the default float), float32 tensor + float64 0-dim ->
  // float32, int8 tensor + 1000 -> int8, bool tensor + int8 0-dim -> int8, int8 tensor + float64 0-dim -> float64.
  const int kWrapped = 0, kZero = 1, kDim = 2;
  DType low = DType::Bool, result = DType::Bool;
  const bool have_low = combine(seen_[kZero], best_[kZero], seen_[kWrapped], best_[kWrapped], &low);
  combine(seen_[kDim], best_[kDim], have_low, low, &result);
  return result;
}

}  // namespace kiln
