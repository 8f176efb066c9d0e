// Converting one element between any two storage dtypes exactly as PyTorch's CPU code does on x86-64, and
// without undefined behaviour: float -> int64 gives INT64_MIN out of range and for NaN (cvttsd2si);
// float -> int32, int16, int8 and uint8 go through int32, INT32_MIN out of range, then keep the low bits
// (300.5 -> int8 44, -1.0 -> uint8 255); integers narrow by wrapping; float16 and bfloat16 convert
// through float (a double rounds to float first, as c10::Half does).
#pragma once
#include <cstdint>
#include <limits>
#include <type_traits>

#include "half.h"
#include "kiln/scalar.h"

namespace kiln::cpu {

template <class T>
constexpr bool is_half_v = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

template <class To, class From>
KILN_HOST_DEVICE To convert(From v) {
  if constexpr (is_half_v<From>) {
    return convert<To>(to_float(v));
  } else if constexpr (std::is_same_v<To, Half>) {
    return to_half(std::is_same_v<From, bool> ? (v ? 1.0f : 0.0f) : static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, BFloat16>) {
    return to_bfloat16(std::is_same_v<From, bool> ? (v ? 1.0f : 0.0f) : static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_same_v<To, int64_t> && std::is_floating_point_v<From>) {
    if (!(v >= From(-9223372036854775808.0) && v < From(9223372036854775808.0)))
      return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(v);
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    const int32_t i = (v >= From(-2147483648.0) && v < From(2147483648.0)) ? static_cast<int32_t>(v)
                                                                             : std::numeric_limits<int32_t>::min();
    return static_cast<To>(i);
  } else {
    return static_cast<To>(v);
  }
}

// A Scalar as an element of T. Out-of-range values follow convert(); the op layer refuses those PyTorch
// refuses first (check_scalar_fits).
template <class T>
inline T scalar_as(const Scalar& s) {
  if (s.kind() == DType::Float64) return convert<T>(s.to_double());
  if (s.kind() == DType::Bool) return convert<T>(s.to_bool());
  return convert<T>(s.to_int());
}

}  // namespace kiln::cpu
