// Element types and PyTorch's type promotion rules.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace kiln {

// Codes are stable: Java's DType enum uses the same numbers.
enum class DType : int32_t { Bool = 0, Int64 = 1, Float32 = 2, Float64 = 3 };

constexpr int kNumDTypes = 4;

size_t dtype_size(DType t);
const char* dtype_name(DType t);  // "float32", as in torch.float32
inline bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }
inline bool is_integral(DType t, bool include_bool) { return t == DType::Int64 || (include_bool && t == DType::Bool); }
DType dtype_from_code(int32_t code);  // throws on an unknown code

// torch.promote_types for two dtypes.
DType promote_types(DType a, DType b);

// The dtype of the default floating type (torch.get_default_dtype()).
inline DType default_float() { return DType::Float32; }

// How much an operand counts in torch.result_type: a tensor with dims beats a 0-dim tensor,
// which beats a wrapped number (a Java scalar). A lower priority only wins with a higher category.
enum class OperandPriority { WrappedNumber = 0, ZeroDim = 1, Dimensioned = 2 };

// Accumulates operands, then answers torch.result_type.
class ResultType {
 public:
  void add(DType t, OperandPriority p);
  DType get() const;

 private:
  bool seen_[3] = {false, false, false};
  DType best_[3] = {DType::Bool, DType::Bool, DType::Bool};
};

}  // namespace kiln
