// The index of the first largest (smallest) element of a short contiguous float row, or of its first NaN, in
// one pass of GCC vectors. reduce.cpp's row scan (the extreme by a reduction, then a search that stops at its
// first occurrence) mispredicts the search's exit once a row, which on short rows costs more than the reduction:
// max with indices over the 56-wide last dim of [32, 64, 56, 56] ran 6.7 ms, PyTorch 3.3.
//
// Each lane keeps its extreme and that element's index; a row's last vector overlaps the one before it instead of
// leaving an element loop, so each lane still sees indices in increasing order (an element seen twice keeps its
// own index) and ties keep their first index. The row's index is the lowest among the lanes holding the extreme.
// Vectors of B bytes, halved while wider than the row: a 10-class argmax takes 4-float vectors.
#pragma once
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "cpu/simd.h"

// The helpers pass vectors by value; they are always inlined, so the ABI note GCC gives for that does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace kiln::cpu {

// Rows this short or shorter take arg_short; longer rows keep the two passes, whose search stops early.
constexpr int64_t kShortArgRow = 256;

template <class T, int B>
struct ArgVec {
  using I = std::conditional_t<sizeof(T) == 8, int64_t, int32_t>;  // lane for lane with T
  typedef T value __attribute__((vector_size(B)));
  typedef I index __attribute__((vector_size(B)));
  static constexpr int kLanes = B / sizeof(T);
};

// v with each lane combined with the lane `Span` away (lane j ^ Span), then the same for Span / 2, ..., 1: every
// lane ends with the combination of all of them, in registers (halving a vector through memcpy kept it on the
// stack). The shuffle masks are braced lists so that they are constants (a loop that filled them ran each time).
template <int Span, class V, class Op, int... J>
KILN_ALWAYS_INLINE V butterfly(V v, Op op, std::integer_sequence<int, J...> lanes) {
  using Mask = decltype(v == v);
  v = op(v, __builtin_shuffle(v, Mask{(J ^ Span)...}));
  if constexpr (Span > 1) return butterfly<Span / 2>(v, op, lanes);
  else return v;
}
template <class V, class Op>
KILN_ALWAYS_INLINE V butterfly(V v, Op op) {
  constexpr int W = sizeof(V) / sizeof(v[0]);
  return butterfly<W / 2>(v, op, std::make_integer_sequence<int, W>{});
}

// T float or double, n >= 16 / sizeof(T) and n <= kShortArgRow.
template <class T, int B, bool IsMax>
KILN_ALWAYS_INLINE int64_t arg_short(const T* row, int64_t n) {
  using V = ArgVec<T, B>;
  constexpr int W = V::kLanes;
  if constexpr (B > 16) {
    if (n < W) return arg_short<T, B / 2, IsMax>(row, n);
  }
  using I = typename V::I;
  using Index = typename V::index;
  typename V::value best, c;
  Index iota, at, nan = {};
  for (int j = 0; j < W; ++j) iota[j] = j;
  std::memcpy(&best, row, B);
  at = iota;
  // Steps that ignore NaNs, which a lane mask notes on the side: a step's chain is then a compare and a blend,
  // where taking NaNs in it (a first NaN wins, a later one does not) tripled it (56 ns a 256-wide row, now 15).
  auto step = [&](int64_t i) KILN_INLINE_LAMBDA {
    std::memcpy(&c, row + i, B);
    const Index take = IsMax ? c > best : c < best;
    best = take ? c : best;
    at = take ? iota + static_cast<I>(i) : at;
    nan = c != c ? Index{} - 1 : nan;
  };
  nan = best != best ? Index{} - 1 : nan;
  int64_t i = W;
  for (; i + W <= n; i += W) step(i);
  if (i < n) step(n - W);
  const auto lowest = [](auto a, auto b) KILN_INLINE_LAMBDA { return a < b ? a : b; };
  if (butterfly(nan, lowest)[0] != 0) {  // the first NaN: rare enough for an element loop
    int64_t k = 0;
    while (row[k] == row[k]) ++k;
    return k;
  }
  // The extreme in every lane, then the lowest index among the lanes holding it.
  const typename V::value m = butterfly(best, [](auto a, auto b) KILN_INLINE_LAMBDA {
    return (IsMax ? a > b : a < b) ? a : b;
  });
  return butterfly(best == m ? at : Index{} + static_cast<I>(n), lowest)[0];
}

}  // namespace kiln::cpu
