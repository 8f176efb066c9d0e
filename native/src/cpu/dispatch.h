// Calls a generic lambda with a value of the C++ type of a dtype: dispatch(t, [&](auto tag) { using T = ...; }).
#pragma once
#include <cstdint>

#include "kiln/dtype.h"
#include "kiln/error.h"

namespace kiln::cpu {

template <class Fn>
decltype(auto) dispatch(DType t, Fn&& fn) {
  switch (t) {
    case DType::Bool: return fn(bool{});
    case DType::Int64: return fn(int64_t{});
    case DType::Float32: return fn(float{});
    case DType::Float64: return fn(double{});
  }
  fail(ErrorKind::Internal, "dispatch: unknown dtype");
}

template <class T>
constexpr bool is_float_v = std::is_floating_point_v<T>;

// What sums of T accumulate in: double for floating types (accuracy over long rows), int64 otherwise.
template <class T>
using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

}  // namespace kiln::cpu
