// Calls a generic lambda with a value of the C++ type of a dtype: dispatch(t, [&](auto tag) { using T = ...; }).
#pragma once
#include <cstdint>
#include <type_traits>
#include <utility>

#include "half.h"
#include "kiln/dtype.h"
#include "kiln/error.h"

namespace kiln::cpu {

[[noreturn]] inline void unsupported_kernel_dtype(DType t) {
  fail(ErrorKind::Internal, "dispatch: a kernel got dtype ", dtype_name(t),
       "; kernels take bool, int64, float32 and float64 (the op computes in compute_dtype() and converts)");
}

// The compute dtypes: what kernels of ops run in (see compute_dtype in kiln/dtype.h).
template <class Fn>
decltype(auto) dispatch(DType t, Fn&& fn) {
  switch (t) {
    case DType::Bool: return fn(bool{});
    case DType::Int64: return fn(int64_t{});
    case DType::Float32: return fn(float{});
    case DType::Float64: return fn(double{});
    default: break;
  }
  unsupported_kernel_dtype(t);
}

// The compute dtypes and the narrower integers, for the kernels that move, pick, compare or count elements
// (indexing, scatter and gather, sorting and selection, triangles, nonzero, any/all): they give PyTorch's results
// in the stored type itself, where widening to int64 would cost a copy of up to 8x the input (uint8 images).
template <class Fn>
decltype(auto) dispatch_with_narrow_ints(DType t, Fn&& fn) {
  switch (t) {
    case DType::Int32: return fn(int32_t{});
    case DType::Int16: return fn(int16_t{});
    case DType::Int8: return fn(int8_t{});
    case DType::UInt8: return fn(uint8_t{});
    default: return dispatch(t, std::forward<Fn>(fn));
  }
}

// For the kernels that only move elements (gathers, triangles): dispatch_with_narrow_ints, and float16 and
// bfloat16 as the uint16_t of their bits (a zero of it is +0.0), so that these ops need no float32 copies of them.
template <class Fn>
decltype(auto) dispatch_movable(DType t, Fn&& fn) {
  if (t == DType::Float16 || t == DType::BFloat16) return fn(uint16_t{});
  return dispatch_with_narrow_ints(t, std::forward<Fn>(fn));
}

// Calls fn(float{}) or fn(double{}), for the kernels written for those two: any other dtype (an op layer that
// forgot its conversion) is refused here, never read as one of them.
template <class Fn>
decltype(auto) dispatch_float(DType t, const char* kernel, Fn&& fn) {
  if (t == DType::Float32) return fn(float{});
  if (t != DType::Float64)
    fail(ErrorKind::Internal, kernel, ": the kernel got dtype ", dtype_name(t), "; it takes float32 and float64");
  return fn(double{});
}

// Every storage dtype: for the kernels that move or convert elements (copy, fill, where).
template <class Fn>
decltype(auto) dispatch_all(DType t, Fn&& fn) {
  switch (t) {
    case DType::Bool: return fn(bool{});
    case DType::Int64: return fn(int64_t{});
    case DType::Float32: return fn(float{});
    case DType::Float64: return fn(double{});
    case DType::Int32: return fn(int32_t{});
    case DType::Int16: return fn(int16_t{});
    case DType::Int8: return fn(int8_t{});
    case DType::UInt8: return fn(uint8_t{});
    case DType::Float16: return fn(Half{});
    case DType::BFloat16: return fn(BFloat16{});
  }
  fail(ErrorKind::Internal, "dispatch: unknown dtype");
}

template <class T>
constexpr bool is_float_v = std::is_floating_point_v<T>;

// int32, int16, int8, uint8: the integers that dispatch_with_narrow_ints adds to the compute dtypes.
template <class T>
constexpr bool is_narrow_int_v = std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, int64_t>;

// The dtype of a kernel's element type (the inverse of dispatch_with_narrow_ints).
template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, bool>) return DType::Bool;
  else if constexpr (std::is_same_v<T, int64_t>) return DType::Int64;
  else if constexpr (std::is_same_v<T, int32_t>) return DType::Int32;
  else if constexpr (std::is_same_v<T, int16_t>) return DType::Int16;
  else if constexpr (std::is_same_v<T, int8_t>) return DType::Int8;
  else if constexpr (std::is_same_v<T, uint8_t>) return DType::UInt8;
  else if constexpr (std::is_same_v<T, float>) return DType::Float32;
  else return DType::Float64;
}

// What sums of T accumulate in: double for floating types (accuracy over long rows), int64 otherwise.
template <class T>
using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

}  // namespace kiln::cpu
