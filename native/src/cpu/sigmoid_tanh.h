// sigmoid and tanh of one element as the sigmoid and tanh ops compute them (unary.cpp): the vectorizable float32
// versions of vec_math.h, libm for float64. The fused recurrent cells use the same, so that they give the bits
// of the ops they replace.
#pragma once
#include <cmath>
#include <type_traits>

#include "cpu/simd.h"
#include "cpu/vec_math.h"

namespace kiln::cpu {

template <class T>
KILN_ALWAYS_INLINE T tanh_of(T x) {
  if constexpr (std::is_same_v<T, float>) return vm::tanh(x);
  else return std::tanh(x);
}

template <class T>
KILN_ALWAYS_INLINE T sigmoid_of(T x) {
  if constexpr (std::is_same_v<T, float>) return vm::sigmoid(x);
  else return T(1) / (T(1) + std::exp(-x));
}

}  // namespace kiln::cpu
