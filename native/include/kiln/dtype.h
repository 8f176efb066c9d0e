// Element types and PyTorch's type promotion rules.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace kiln {

// Codes are stable: Java's DType enum uses the same numbers. New dtypes take new codes at the end.
enum class DType : int32_t {
  Bool = 0,
  Int64 = 1,
  Float32 = 2,
  Float64 = 3,
  Int32 = 4,
  Int16 = 5,
  Int8 = 6,
  UInt8 = 7,
  Float16 = 8,
  BFloat16 = 9,
};

constexpr int kNumDTypes = 10;

size_t dtype_size(DType t);
const char* dtype_name(DType t);  // "float32", as in torch.float32
inline bool is_floating(DType t) {
  return t == DType::Float32 || t == DType::Float64 || t == DType::Float16 || t == DType::BFloat16;
}
inline bool is_integral(DType t, bool include_bool) {
  return t == DType::Int64 || t == DType::Int32 || t == DType::Int16 || t == DType::Int8 || t == DType::UInt8 ||
         (include_bool && t == DType::Bool);
}
DType dtype_from_code(int32_t code);  // throws on an unknown code

// The dtype kernels compute in: the integer types narrower than int64 compute in int64, float16 and bfloat16
// in float32; the others as themselves. The op layer converts the result back to the dtype PyTorch gives
// (with wrap-around for integers, rounding to nearest even for the 16-bit floats), so kernels need only the
// four dtypes bool, int64, float32 and float64. (The CPU's elementwise kernels also take float16 and bfloat16 as
// stored, converting them a chunk at a time: cpu/float32_chunks.h.)
DType compute_dtype(DType t);

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
