// Extremes of contiguous float and double runs in GCC vectors of the running clone's width (B bytes, from
// with_vector_bytes): a run's largest (smallest) element, and the index of its first one. Both go through the
// run once with the run's last vector overlapping the one before it (no element loop: an extreme is the same
// whichever elements are seen twice), leave NaNs out of the compare-and-select chains (a lane mask notes them
// on the side) and fold their lanes in registers, which is what short runs spend their time on.
//
// Not (a | b) or (a & b) of vector compares anywhere here: in a target_clones function GCC 12 lowers those to
// scalar code (the ternary and ^ it keeps in vectors).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "cpu/simd.h"

// The helpers pass vectors by value; they are always inlined, so the ABI note GCC gives for that does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace kiln::cpu {

// Rows this short or shorter take arg_short; longer rows keep reduce.cpp's two passes (the extreme, then a search
// for it that stops at its first occurrence), where a branch mispredicted once a row costs little.
constexpr int64_t kShortArgRow = 256;

template <class T, int B>
struct FloatVec {
  using I = std::conditional_t<sizeof(T) == 8, int64_t, int32_t>;  // lane for lane with T (indices, masks)
  typedef T value __attribute__((vector_size(B)));
  typedef I index __attribute__((vector_size(B)));
  static constexpr int kLanes = B / sizeof(T);
  KILN_ALWAYS_INLINE static value load(const T* x) {
    value v;
    std::memcpy(&v, x, B);
    return v;
  }
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

// The larger (IsMax) or smaller of a and b lane by lane, a where neither is beyond the other (NaNs included).
template <bool IsMax, class V>
KILN_ALWAYS_INLINE V extreme_of(V a, V b) {
  return (IsMax ? b > a : b < a) ? b : a;
}

// The lowest lane of v.
template <class V>
KILN_ALWAYS_INLINE auto lowest_lane(V v) {
  return butterfly(v, [](auto a, auto b) KILN_INLINE_LAMBDA { return a < b ? a : b; })[0];
}

// -1 where no lane of `nan` is set, else the index of x's first NaN (rare enough for an element loop).
template <class Index, class T>
KILN_ALWAYS_INLINE int64_t first_nan(Index nan, const T* x) {
  if (lowest_lane(nan) == 0) return -1;
  int64_t k = 0;
  while (x[k] == x[k]) ++k;
  return k;
}

// The largest (smallest) element of x[0, n), or a NaN of it if it has one; T float or double, n >= 16 / sizeof(T).
// Four vectors of lanes hide the latency of the compare-and-select chains (one vector ran amax over 4096-wide
// rows at 9 GB/s per core). The element loop for a run's rest and the serial fold of 16 lanes, each step checking
// for NaNs, cost 120 ns a 1000-wide row: amax over the last dim of [256, 64, 1000] ran 1.98 ms, its sum 1.1.
template <class T, int B, bool IsMax>
KILN_ALWAYS_INLINE T extreme_run(const T* x, int64_t n) {
  using V = FloatVec<T, B>;
  constexpr int W = V::kLanes;
  if constexpr (B > 16) {
    if (n < W) return extreme_run<T, B / 2, IsMax>(x, n);
  }
  using Index = typename V::index;
  using Value = typename V::value;
  // Named accumulators, not arrays: GCC kept arrays of them on the stack.
  Value a0 = V::load(x), a1 = a0, a2 = a0, a3 = a0;
  Index n0{}, n1{}, n2{}, n3{};  // lanes that met a NaN
  const auto take = [&](Value& acc, Index& nan, int64_t at) KILN_INLINE_LAMBDA {
    const Value c = V::load(x + at);
    acc = extreme_of<IsMax>(acc, c);
    nan = c != c ? Index{} - 1 : nan;
  };
  int64_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    take(a0, n0, i);
    take(a1, n1, i + W);
    take(a2, n2, i + 2 * W);
    take(a3, n3, i + 3 * W);
  }
  // The rest: up to three vectors, then one that overlaps the last.
  const int64_t last = n - W;
  if (i < n) take(a0, n0, std::min(i, last));
  if (i + W < n) take(a1, n1, std::min(i + W, last));
  if (i + 2 * W < n) take(a2, n2, std::min(i + 2 * W, last));
  if (i + 3 * W < n) take(a3, n3, last);
  const Index nan = n0 != 0 ? n0 : n1 != 0 ? n1 : n2 != 0 ? n2 : n3;
  if (const int64_t k = first_nan(nan, x); k >= 0) return x[k];
  const Value m = extreme_of<IsMax>(extreme_of<IsMax>(a0, a1), extreme_of<IsMax>(a2, a3));
  return butterfly(m, [](auto p, auto q) KILN_INLINE_LAMBDA { return extreme_of<IsMax>(p, q); })[0];
}

// T float or double, n >= 16 / sizeof(T) and n <= kShortArgRow.
template <class T, int B, bool IsMax>
KILN_ALWAYS_INLINE int64_t arg_short(const T* row, int64_t n) {
  using V = FloatVec<T, B>;
  constexpr int W = V::kLanes;
  if constexpr (B > 16) {
    if (n < W) return arg_short<T, B / 2, IsMax>(row, n);
  }
  using I = typename V::I;
  using Index = typename V::index;
  typename V::value best = V::load(row);
  Index iota, at, nan = {};
  for (int j = 0; j < W; ++j) iota[j] = j;
  at = iota;
  // Steps that ignore NaNs, which a lane mask notes on the side: a step's chain is then a compare and a blend,
  // where taking NaNs in it (a first NaN wins, a later one does not) tripled it (56 ns a 256-wide row, now 15).
  auto step = [&](int64_t i) KILN_INLINE_LAMBDA {
    const typename V::value c = V::load(row + i);
    const Index take = IsMax ? c > best : c < best;
    best = take ? c : best;
    at = take ? iota + static_cast<I>(i) : at;
    nan = c != c ? Index{} - 1 : nan;
  };
  nan = best != best ? Index{} - 1 : nan;
  int64_t i = W;
  for (; i + W <= n; i += W) step(i);
  if (i < n) step(n - W);
  if (const int64_t k = first_nan(nan, row); k >= 0) return k;
  // The extreme in every lane, then the lowest index among the lanes holding it.
  const typename V::value m = butterfly(best, [](auto a, auto b) KILN_INLINE_LAMBDA { return extreme_of<IsMax>(a, b); });
  return lowest_lane(best == m ? at : Index{} + static_cast<I>(n));
}

}  // namespace kiln::cpu
