// Independent double accumulators for reductions over contiguous runs, held in parts of B bytes: the running ISA
// clone's vectors (B from with_vector_bytes(): 64 AVX-512, 32 AVX2, 16 SSE2), or plain doubles (B = 8) in code
// compiled once. As plain arrays in the clones, GCC kept 32 lanes on the stack, storing and reloading them on every
// step (prod over 1024-wide rows: 66 ns a row, 40 in vectors), and folded 16 lanes through the stack, where each
// step's loads stalled on the last step's stores (a third of a 196-element row's sum). Lane j is element j % (B / 8)
// of part j / (B / 8), so every B folds the same lanes in the same order: the same bits on every clone.
#pragma once

#include <cstring>

#include "cpu/simd.h"

// The helpers pass these by value; they are always inlined, so the ABI note GCC gives for that does not apply. So
// must the ops given to them be (KILN_INLINE_LAMBDA): a lambda left out of line is compiled for the baseline ISA,
// and a Debug build then passed it AVX-512 vectors by the wrong convention (sums of 0).
#pragma GCC diagnostic ignored "-Wpsabi"

namespace kiln::cpu {

template <int B>
struct DoublePart {
  typedef double type __attribute__((vector_size(B)));
};
template <>
struct DoublePart<8> {
  typedef double type;
};

// A part's elements folded in halves with op (element j + n/2 into j, then j + n/4, ..., j + 1), in registers.
template <int B, class Op>
KILN_ALWAYS_INLINE double fold_part(typename DoublePart<B>::type v, Op op) {
  if constexpr (B == 8) {
    return v;
  } else if constexpr (B == 16) {
    return op(v[0], v[1]);
  } else {
    typename DoublePart<B / 2>::type lo, hi;
    std::memcpy(&lo, &v, sizeof lo);
    std::memcpy(&hi, reinterpret_cast<const char*>(&v) + sizeof lo, sizeof hi);
    return fold_part<B / 2>(op(lo, hi), op);
  }
}

template <int L, int B = 8>
struct DoubleLanes {
  using Part = typename DoublePart<B>::type;
  static constexpr int kPerPart = B / 8, kParts = L / kPerPart;
  static_assert(L % kPerPart == 0 && (kParts & (kParts - 1)) == 0, "lanes fill a power of two of parts");
  Part p[kParts];

  KILN_ALWAYS_INLINE explicit DoubleLanes(double init) {
    for (int a = 0; a < kParts; ++a) p[a] = Part{} + init;
  }
  // lane j = op(lane j, t[j]) for every lane (op takes and returns parts, and is always inlined).
  template <class Op>
  KILN_ALWAYS_INLINE void step(const double* t, Op op) {
    for (int a = 0; a < kParts; ++a) {
      Part u;
      std::memcpy(&u, t + a * kPerPart, sizeof u);
      p[a] = op(p[a], u);
    }
  }
  // The lanes folded in halves with op (lane j + L/2 into j, then j + L/4, ..., j + 1).
  template <class Op>
  KILN_ALWAYS_INLINE double fold_halves(Op op) const {
    Part w[kParts];
    for (int a = 0; a < kParts; ++a) w[a] = p[a];
    for (int n = kParts / 2; n > 0; n /= 2)
      for (int a = 0; a < n; ++a) w[a] = op(w[a], w[a + n]);
    return fold_part<B>(w[0], op);
  }
  // total + lane 0 + lane 1 + ... + lane L-1, in that order.
  KILN_ALWAYS_INLINE double sum_in_order(double total) const {
    for (int a = 0; a < kParts; ++a) {
      if constexpr (B == 8) {
        total += p[a];
      } else {
        for (int b = 0; b < kPerPart; ++b) total += p[a][b];
      }
    }
    return total;
  }
};

}  // namespace kiln::cpu
