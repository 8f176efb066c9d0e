// Element types and PyTorch's promotion rules (torch.promote_types, torch.result_type).
#include "kiln/dtype.h"

#include "kiln/error.h"

namespace kiln {
namespace {

// Category order used by result_type: bool < integral < floating.
int category(DType t) {
  switch (t) {
    case DType::Bool: return 0;
    case DType::Int64: return 1;
    default: return 2;
  }
}

}  // namespace

size_t dtype_size(DType t) {
  switch (t) {
    case DType::Bool: return 1;
    case DType::Int64: return 8;
    case DType::Float32: return 4;
    case DType::Float64: return 8;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::Int64: return "int64";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  return "unknown";
}

DType dtype_from_code(int32_t code) {
  KILN_CHECK(code >= 0 && code < kNumDTypes, Argument, "unknown dtype code ", code);
  return static_cast<DType>(code);
}

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  // With these four dtypes the promotion is the larger one in the order bool < int64 < float32 < float64.
  return static_cast<int32_t>(a) > static_cast<int32_t>(b) ? a : b;
}

void ResultType::add(DType t, OperandPriority p) {
  // A wrapped float scalar counts as the default float, as in PyTorch: torch.result_type(2.5, 3.5) is float32.
  if (p == OperandPriority::WrappedNumber && is_floating(t)) t = default_float();
  int i = static_cast<int>(p);
  best_[i] = seen_[i] ? promote_types(best_[i], t) : t;
  seen_[i] = true;
}

DType ResultType::get() const {
  // A lower-priority operand only matters when its category is higher than every higher-priority
  // operand's: int64 tensor + 2.5 -> float32 (the default float), float32 tensor + float64 0-dim -> float32.
  DType result = DType::Bool;
  bool have = false;
  for (int i = 2; i >= 0; --i) {
    if (!seen_[i]) continue;
    DType t = best_[i];
    if (!have) {
      result = t;
      have = true;
    } else if (category(t) > category(result)) {
      // A wrapped float scalar over integer tensors gives the default float type, not float64.
      result = (i == 0 && category(t) == 2) ? default_float() : (i == 0 && category(t) == 1 ? DType::Int64 : t);
    }
  }
  return result;
}

}  // namespace kiln
