// Reductions over dims (sum, mean, amax, amin) and max/min with indices along one dim; max and min also take
// the narrow integers as stored.
//
// The input's dims are split into kept dims and reduced dims. Two layouts cover the common cases fast:
// a row layout (each output reduces a run that is contiguous in memory: sum over the last dim) and a
// column layout (the innermost kept dim is contiguous: sum over rows of a matrix), where whole rows are
// accumulated into a vector of accumulators. Results never depend on the number of threads: partial sums
// are formed over fixed blocks and merged in order.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "cpu/extreme_vec.h"
#include "cpu/dispatch.h"
#include "cpu/line_loop.h"
#include "cpu/kernels.h"
#include "cpu/lanes.h"
#include "cpu/loop.h"
#include "cpu/reduce_plan.h"
#include "cpu/simd.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

template <class T>
KILN_ALWAYS_INLINE bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

template <class T>
constexpr T lowest() {
  if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::lowest();
}
template <class T>
constexpr T highest() {
  if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::max();
}

// The accumulation rule of each reduction. NaN wins in max and min, as in PyTorch.
template <class T, ReduceOp Op>
struct Reducer {
  static constexpr ReduceOp kOp = Op;
  using Acc = std::conditional_t<Op == ReduceOp::Sum || Op == ReduceOp::Mean, acc_t<T>, T>;
  static constexpr Acc init() {
    if constexpr (Op == ReduceOp::Max) return lowest<T>();
    else if constexpr (Op == ReduceOp::Min) return highest<T>();
    else return Acc(0);
  }
  // Two selects, not (x > acc || is_nan(x)) ? x : acc: GCC does not vectorize the || form (max over rows ran
  // at 8 GB/s on one core).
  static KILN_ALWAYS_INLINE Acc step(Acc acc, T x) {
    if constexpr (Op == ReduceOp::Max) {
      const T m = x > acc ? x : acc;
      return is_nan(x) ? x : m;
    } else if constexpr (Op == ReduceOp::Min) {
      const T m = x < acc ? x : acc;
      return is_nan(x) ? x : m;
    } else {
      return add(acc, static_cast<Acc>(x));
    }
  }
  static KILN_ALWAYS_INLINE Acc merge(Acc a, Acc b) {
    if constexpr (Op == ReduceOp::Max || Op == ReduceOp::Min) return is_nan(a) ? a : step(a, b);
    else return add(a, b);
  }
  // Integer sums wrap on overflow like PyTorch, without undefined behaviour.
  static KILN_ALWAYS_INLINE Acc add(Acc a, Acc b) {
    if constexpr (std::is_integral_v<Acc>) return static_cast<Acc>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
    else return a + b;
  }
  static T finish(Acc acc, int64_t count) {
    // The mean as the sum times 1 / count, as ATen's MeanOps: a division per output cost a global average pool
    // of 14 x 14 planes a tenth of its time.
    if constexpr (Op == ReduceOp::Mean) return static_cast<T>(acc * (Acc(1) / static_cast<Acc>(count)));
    else return static_cast<T>(acc);
  }
};

constexpr int kLanes = 16;

// float32 sums over contiguous runs, the hot path of sum and mean: each of 16 lanes first adds 4 elements in
// float (three roundings at float precision: the sums stay about 3x more accurate than PyTorch's float32
// accumulation), then accumulates in double. Converting every element to double instead costs about half the
// speed, whether the data sits in cache or streams from memory (measured on the development machines).
constexpr int kSumLanes = 16, kSumBlock = 4;

// One block of kSumLanes * kSumBlock elements into acc, or (Rest) its first `valid` elements: the others read as
// zeros, which add nothing (a -0 part becomes +0, which the double lanes, never -0, add alike).
template <int B, bool Rest = false>
KILN_ALWAYS_INLINE void sum_float_block(DoubleLanes<kSumLanes, B>& acc, const float* x, int valid = 0) {
  float part[kSumLanes];
  if constexpr (Rest) {
    // Masked loads, which GCC makes of the conditional reads (AVX-512 and AVX2): the rest had been copied into a
    // zeroed block, whose loads then waited on the copy's stores (a sum over 196-wide rows, a global average pool
    // of 14 x 14 planes, took 2.4x an amax over them).
    for (int j = 0; j < kSumLanes; ++j) part[j] = 0.0f;
    for (int k = 0; k < kSumBlock; ++k) {
      const int in_part = valid - k * kSumLanes;
      for (int j = 0; j < kSumLanes; ++j) part[j] += j < in_part ? x[k * kSumLanes + j] : 0.0f;
    }
  } else {
    for (int j = 0; j < kSumLanes; ++j) part[j] = x[j];
    for (int k = 1; k < kSumBlock; ++k)
      for (int j = 0; j < kSumLanes; ++j) part[j] += x[k * kSumLanes + j];
  }
  double t[kSumLanes];
  for (int j = 0; j < kSumLanes; ++j) t[j] = part[j];
  acc.step(t, [](auto a, auto b) KILN_INLINE_LAMBDA { return a + b; });
}

template <int B>
KILN_ALWAYS_INLINE double sum_floats(const float* x, int64_t n) {
  constexpr int64_t kBlockSize = kSumLanes * kSumBlock;
  DoubleLanes<kSumLanes, B> acc(0.0);
  int64_t i = 0;
  for (; i + kBlockSize <= n; i += kBlockSize) sum_float_block(acc, x + i);
  // The rest as a block of which only the rest is read: short runs (the 56-wide last dim of [32, 64, 56, 56]) had
  // been one serial chain of double adds, sum over them 0.26x PyTorch.
  if (i < n) sum_float_block<B, true>(acc, x + i, static_cast<int>(n - i));
  return acc.fold_halves([](auto a, auto b) KILN_INLINE_LAMBDA { return a + b; });  // in registers
}

// Reduces a contiguous run with independent lanes, which the compiler turns into vector code.
template <class T, ReduceOp Op>
KILN_ALWAYS_INLINE typename Reducer<T, Op>::Acc reduce_contiguous_t(const T* x, int64_t n) {
  using R = Reducer<T, Op>;
  if constexpr (std::is_same_v<T, float> && (Op == ReduceOp::Sum || Op == ReduceOp::Mean))
    return with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { return sum_floats<B>(x, n); });
  if constexpr (std::is_floating_point_v<T> && (Op == ReduceOp::Max || Op == ReduceOp::Min)) {
    if (n >= 16 / int64_t(sizeof(T)))
      return with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { return extreme_run<T, B, Op == ReduceOp::Max>(x, n); });
  }
  typename R::Acc lanes[kLanes];
  for (int j = 0; j < kLanes; ++j) lanes[j] = R::init();
  int64_t i = 0;
  if constexpr (Op == ReduceOp::Max || Op == ReduceOp::Min) {
    // max and min are exact in any order: four vectors of lanes hide the latency of their compare-and-select
    // chains (one vector ran amax over 4096-wide float rows at 9 GB/s per core), folded into one vector after.
    constexpr int L = 4 * kLanes;
    if (n >= L) {
      typename R::Acc wide[L];
      for (int j = 0; j < L; ++j) wide[j] = R::init();
      for (; i + L <= n; i += L)
        for (int j = 0; j < L; ++j) wide[j] = R::step(wide[j], x[i + j]);
      for (int j = 0; j < kLanes; ++j)
        lanes[j] = R::merge(R::merge(wide[j], wide[j + kLanes]), R::merge(wide[j + 2 * kLanes], wide[j + 3 * kLanes]));
    }
  }
  // Then a vector of lanes at a time: short runs went element by element (amax over the 56-wide last dim of
  // [32, 64, 56, 56] at 0.19x PyTorch, and 64 merges a run).
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] = R::step(lanes[j], x[i + j]);
  typename R::Acc acc = R::init();
  for (; i < n; ++i) acc = R::step(acc, x[i]);
  for (int j = 0; j < kLanes; ++j) acc = R::merge(acc, lanes[j]);
  return acc;
}

// One SIMD entry per layout; the switch picks the instantiation.
template <class Fn>
KILN_ALWAYS_INLINE void with_reduce(ReduceOp op, DType t, Fn&& fn) {
  dispatch_with_narrow_ints(t, [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case ReduceOp::Max: return fn(Reducer<T, ReduceOp::Max>{}, T{});
      case ReduceOp::Min: return fn(Reducer<T, ReduceOp::Min>{}, T{});
      default:
        if constexpr (!is_narrow_int_v<T>) {
          if (op == ReduceOp::Sum) return fn(Reducer<T, ReduceOp::Sum>{}, T{});
          return fn(Reducer<T, ReduceOp::Mean>{}, T{});
        }
        fail(ErrorKind::Internal, "reduce kernel: ", dtype_name(t), " takes max and min only (sums widen to int64)");
    }
  });
}

// The accumulator is passed through a double or int64 slot wide enough for every Acc type.
union AccSlot {
  double d;
  int64_t i;
  float f;
  bool b;
  int32_t i32;  // the narrow integers' max and min
  int16_t i16;
  int8_t i8;
  uint8_t u8;
};
template <class Acc>
Acc& slot(AccSlot& s) {
  if constexpr (std::is_same_v<Acc, double>) return s.d;
  else if constexpr (std::is_same_v<Acc, int64_t>) return s.i;
  else if constexpr (std::is_same_v<Acc, float>) return s.f;
  else if constexpr (std::is_same_v<Acc, int32_t>) return s.i32;
  else if constexpr (std::is_same_v<Acc, int16_t>) return s.i16;
  else if constexpr (std::is_same_v<Acc, int8_t>) return s.i8;
  else if constexpr (std::is_same_v<Acc, uint8_t>) return s.u8;
  else return s.b;
}

template <class T, ReduceOp Op>
KILN_ALWAYS_INLINE void reduce_contiguous_into(AccSlot* acc, const void* x, int64_t n) {
  slot<typename Reducer<T, Op>::Acc>(*acc) =
      Reducer<T, Op>::merge(slot<typename Reducer<T, Op>::Acc>(*acc), reduce_contiguous_t<T, Op>(static_cast<const T*>(x), n));
}

template <class T>
KILN_ALWAYS_INLINE void reduce_contiguous_typed(ReduceOp op, AccSlot* acc, const void* x, int64_t n) {
  switch (op) {
    case ReduceOp::Sum:  // never the narrow integers (with_reduce)
      if constexpr (!is_narrow_int_v<T>) return reduce_contiguous_into<T, ReduceOp::Sum>(acc, x, n);
      break;
    case ReduceOp::Mean:  // never the narrow integers (with_reduce)
      if constexpr (!is_narrow_int_v<T>) return reduce_contiguous_into<T, ReduceOp::Mean>(acc, x, n);
      break;
    case ReduceOp::Max: return reduce_contiguous_into<T, ReduceOp::Max>(acc, x, n);
    case ReduceOp::Min: return reduce_contiguous_into<T, ReduceOp::Min>(acc, x, n);
  }
}

// The column layout (the innermost kept dim contiguous: sums over the rows of a matrix, over the channels of
// NCHW) reduces batches of up to kRowBatch rows in one loop over the columns j, the batch's size a constant so
// that the loop vectorizes over j: a = acc[j] (or init), a = step(a, row k[j]) for each row k, then acc[j] = a
// (or out[j] = finish(a)). A batch of a few rows (the 3 channels of [64, 3, 224, 224]) writes out directly. Row by
// row into an accumulator vector (initialised, updated per row, finished: five passes over it for 3 rows) the
// reduction over channels ran 1.5-3x PyTorch's time; a loop over the rows inside a loop over blocks of columns
// GCC unrolled and jammed into scalar code. Float sums add kSumBlock rows in float before they reach the double
// accumulator, as sum_floats does along rows.
constexpr int64_t kRowBatch = 8;

template <class T, ReduceOp Op, int N, bool ToOut>
KILN_ALWAYS_INLINE void reduce_rows_n(void* dst, const void* const* rows_any, int64_t nc, int64_t count) {
  using R = Reducer<T, Op>;
  using Acc = typename R::Acc;
  const T* r[N];
  for (int k = 0; k < N; ++k) r[k] = static_cast<const T*>(rows_any[k]);
  Acc* acc = static_cast<Acc*>(dst);
  T* out = static_cast<T*>(dst);
  for (int64_t j = 0; j < nc; ++j) {
    Acc a = ToOut ? R::init() : acc[j];
    int k = 0;
    if constexpr (std::is_same_v<T, float> && std::is_same_v<Acc, double>)
      for (; k + kSumBlock <= N; k += kSumBlock) a += static_cast<double>((r[k][j] + r[k + 1][j]) + (r[k + 2][j] + r[k + 3][j]));
    for (; k < N; ++k) a = R::step(a, r[k][j]);
    if constexpr (ToOut) out[j] = R::finish(a, count);
    else acc[j] = a;
  }
}

template <class T, ReduceOp Op, bool ToOut>
KILN_ALWAYS_INLINE void reduce_rows_t(void* dst, const void* const* rows, int64_t n_rows, int64_t nc, int64_t count) {
  switch (n_rows) {
    case 1: return reduce_rows_n<T, Op, 1, ToOut>(dst, rows, nc, count);
    case 2: return reduce_rows_n<T, Op, 2, ToOut>(dst, rows, nc, count);
    case 3: return reduce_rows_n<T, Op, 3, ToOut>(dst, rows, nc, count);
    case 4: return reduce_rows_n<T, Op, 4, ToOut>(dst, rows, nc, count);
    case 5: return reduce_rows_n<T, Op, 5, ToOut>(dst, rows, nc, count);
    case 6: return reduce_rows_n<T, Op, 6, ToOut>(dst, rows, nc, count);
    case 7: return reduce_rows_n<T, Op, 7, ToOut>(dst, rows, nc, count);
    default: return reduce_rows_n<T, Op, 8, ToOut>(dst, rows, nc, count);
  }
}

template <class T, ReduceOp Op>
KILN_ALWAYS_INLINE void reduce_rows_batch(void* dst, const void* const* rows, int64_t n_rows, int64_t nc, int64_t count,
                                          bool to_out) {
  if (to_out) reduce_rows_t<T, Op, true>(dst, rows, n_rows, nc, count);
  else reduce_rows_t<T, Op, false>(dst, rows, n_rows, nc, count);
}

template <class T>
KILN_ALWAYS_INLINE void reduce_rows_typed(ReduceOp op, void* dst, const void* const* rows, int64_t n_rows, int64_t nc,
                                          int64_t count, bool to_out) {
  switch (op) {
    case ReduceOp::Max: return reduce_rows_batch<T, ReduceOp::Max>(dst, rows, n_rows, nc, count, to_out);
    case ReduceOp::Min: return reduce_rows_batch<T, ReduceOp::Min>(dst, rows, n_rows, nc, count, to_out);
    case ReduceOp::Sum:  // never the narrow integers (with_reduce)
      if constexpr (!is_narrow_int_v<T>) return reduce_rows_batch<T, ReduceOp::Sum>(dst, rows, n_rows, nc, count, to_out);
      break;
    case ReduceOp::Mean:
      if constexpr (!is_narrow_int_v<T>) return reduce_rows_batch<T, ReduceOp::Mean>(dst, rows, n_rows, nc, count, to_out);
      break;
  }
}

// The SIMD entries switch on the op and dtype explicitly, calling always-inline templates: flatten does not
// inline the generic lambdas of dispatch() into the ISA clones, whose loops then ran as baseline SSE2 code.
KILN_SIMD void reduce_contiguous_simd(ReduceOp op, DType t, AccSlot* acc, const void* x, int64_t n) {
  switch (t) {
    case DType::Bool: return reduce_contiguous_typed<bool>(op, acc, x, n);
    case DType::Int64: return reduce_contiguous_typed<int64_t>(op, acc, x, n);
    case DType::Float32: return reduce_contiguous_typed<float>(op, acc, x, n);
    case DType::Float64: return reduce_contiguous_typed<double>(op, acc, x, n);
    case DType::Int32: return reduce_contiguous_typed<int32_t>(op, acc, x, n);
    case DType::Int16: return reduce_contiguous_typed<int16_t>(op, acc, x, n);
    case DType::Int8: return reduce_contiguous_typed<int8_t>(op, acc, x, n);
    case DType::UInt8: return reduce_contiguous_typed<uint8_t>(op, acc, x, n);
    default: fail(ErrorKind::Internal, "reduce kernel: no path for ", dtype_name(t));
  }
}

// acc[k] = reduction of the contiguous run of n elements at base + offs[k] (offsets in elements).
template <class T>
KILN_ALWAYS_INLINE void reduce_runs_typed(ReduceOp op, AccSlot* acc, const void* base, const int64_t* offs,
                                          int64_t count, int64_t n) {
  const T* b = static_cast<const T*>(base);
  for (int64_t k = 0; k < count; ++k) reduce_contiguous_typed<T>(op, acc + k, b + offs[k], n);
}

KILN_SIMD void reduce_runs_simd(ReduceOp op, DType t, AccSlot* acc, const void* base, const int64_t* offs,
                                int64_t count, int64_t n) {
  switch (t) {
    case DType::Bool: return reduce_runs_typed<bool>(op, acc, base, offs, count, n);
    case DType::Int64: return reduce_runs_typed<int64_t>(op, acc, base, offs, count, n);
    case DType::Float32: return reduce_runs_typed<float>(op, acc, base, offs, count, n);
    case DType::Float64: return reduce_runs_typed<double>(op, acc, base, offs, count, n);
    case DType::Int32: return reduce_runs_typed<int32_t>(op, acc, base, offs, count, n);
    case DType::Int16: return reduce_runs_typed<int16_t>(op, acc, base, offs, count, n);
    case DType::Int8: return reduce_runs_typed<int8_t>(op, acc, base, offs, count, n);
    case DType::UInt8: return reduce_runs_typed<uint8_t>(op, acc, base, offs, count, n);
    default: fail(ErrorKind::Internal, "reduce kernel: no path for ", dtype_name(t));
  }
}

// Outputs a fixed stride apart, each the reduction of a contiguous run of n elements, the runs a fixed stride apart
// (sums and means over the last dims, as global average pooling): each run reduced and finished in one loop. Through
// the general row path (offset and output walks, a vector of accumulators, a finishing walk), the 14 x 14 planes
// of [32, 512, 14, 14] spent a fifth of their time outside the sums.
template <class T, ReduceOp Op>
KILN_ALWAYS_INLINE void reduce_flat_runs_t(void* out, int64_t os, const void* in, int64_t is, int64_t runs, int64_t n,
                                           int64_t count) {
  using R = Reducer<T, Op>;
  T* o = static_cast<T*>(out);
  const T* x = static_cast<const T*>(in);
  for (int64_t r = 0; r < runs; ++r)
    o[r * os] = R::finish(R::merge(R::init(), reduce_contiguous_t<T, Op>(x + r * is, n)), count);
}

template <class T>
KILN_ALWAYS_INLINE void reduce_flat_runs_typed(ReduceOp op, void* out, int64_t os, const void* in, int64_t is,
                                               int64_t runs, int64_t n, int64_t count) {
  switch (op) {
    case ReduceOp::Sum:  // never the narrow integers (with_reduce)
      if constexpr (!is_narrow_int_v<T>) return reduce_flat_runs_t<T, ReduceOp::Sum>(out, os, in, is, runs, n, count);
      break;
    case ReduceOp::Mean:  // never the narrow integers (with_reduce)
      if constexpr (!is_narrow_int_v<T>) return reduce_flat_runs_t<T, ReduceOp::Mean>(out, os, in, is, runs, n, count);
      break;
    case ReduceOp::Max: return reduce_flat_runs_t<T, ReduceOp::Max>(out, os, in, is, runs, n, count);
    case ReduceOp::Min: return reduce_flat_runs_t<T, ReduceOp::Min>(out, os, in, is, runs, n, count);
  }
}

KILN_SIMD void reduce_flat_runs_simd(ReduceOp op, DType t, void* out, int64_t os, const void* in, int64_t is,
                                     int64_t runs, int64_t n, int64_t count) {
  switch (t) {
    case DType::Bool: return reduce_flat_runs_typed<bool>(op, out, os, in, is, runs, n, count);
    case DType::Int64: return reduce_flat_runs_typed<int64_t>(op, out, os, in, is, runs, n, count);
    case DType::Float32: return reduce_flat_runs_typed<float>(op, out, os, in, is, runs, n, count);
    case DType::Float64: return reduce_flat_runs_typed<double>(op, out, os, in, is, runs, n, count);
    case DType::Int32: return reduce_flat_runs_typed<int32_t>(op, out, os, in, is, runs, n, count);
    case DType::Int16: return reduce_flat_runs_typed<int16_t>(op, out, os, in, is, runs, n, count);
    case DType::Int8: return reduce_flat_runs_typed<int8_t>(op, out, os, in, is, runs, n, count);
    case DType::UInt8: return reduce_flat_runs_typed<uint8_t>(op, out, os, in, is, runs, n, count);
    default: fail(ErrorKind::Internal, "reduce kernel: no path for ", dtype_name(t));
  }
}

// dst = acc (to_out false: acc[j] updated) or out (to_out: out[j] finished) of a batch of n_rows <= kRowBatch rows.
KILN_SIMD void reduce_rows_simd(ReduceOp op, DType t, void* dst, const void* const* rows, int64_t n_rows, int64_t nc,
                                int64_t count, bool to_out) {
  switch (t) {
    case DType::Bool: return reduce_rows_typed<bool>(op, dst, rows, n_rows, nc, count, to_out);
    case DType::Int64: return reduce_rows_typed<int64_t>(op, dst, rows, n_rows, nc, count, to_out);
    case DType::Float32: return reduce_rows_typed<float>(op, dst, rows, n_rows, nc, count, to_out);
    case DType::Float64: return reduce_rows_typed<double>(op, dst, rows, n_rows, nc, count, to_out);
    case DType::Int32: return reduce_rows_typed<int32_t>(op, dst, rows, n_rows, nc, count, to_out);
    case DType::Int16: return reduce_rows_typed<int16_t>(op, dst, rows, n_rows, nc, count, to_out);
    case DType::Int8: return reduce_rows_typed<int8_t>(op, dst, rows, n_rows, nc, count, to_out);
    case DType::UInt8: return reduce_rows_typed<uint8_t>(op, dst, rows, n_rows, nc, count, to_out);
    default: fail(ErrorKind::Internal, "reduce kernel: no path for ", dtype_name(t));
  }
}

// The index of the first largest (smallest) element of a contiguous row, or of its first NaN: the extreme by the
// vectorised reduction, then a search for its first occurrence in blocks (the row is in L1 by then). The scalar
// scan with a branch per element ran max(dim) over 4096-wide rows 2.4x slower than PyTorch.
template <class T, ReduceOp Op>
KILN_ALWAYS_INLINE int64_t arg_extreme_t(const T* row, int64_t n) {
  const T m = reduce_contiguous_t<T, Op>(row, n);
  constexpr int64_t kBlock = 64;
  int64_t i = 0;
  if (is_nan(m)) {
    for (; i + kBlock <= n; i += kBlock) {
      int hits = 0;  // a count, not a bool: GCC vectorizes the sum
      for (int64_t j = 0; j < kBlock; ++j) hits += is_nan(row[i + j]) ? 1 : 0;
      if (hits) break;
    }
    while (!is_nan(row[i])) ++i;
  } else {
    for (; i + kBlock <= n; i += kBlock) {
      int hits = 0;
      for (int64_t j = 0; j < kBlock; ++j) hits += row[i + j] == m ? 1 : 0;
      if (hits) break;
    }
    while (!(row[i] == m)) ++i;
  }
  return i;
}

// Max/min with indices of `rows` contiguous rows of n elements: row k at x + offs[k], its extreme to
// values[val_offs[k]], the extreme's index to indices[idx_offs[k]]. One SIMD call for a block of rows.
template <class T, ReduceOp Op>
KILN_ALWAYS_INLINE void arg_rows_t(const T* x, const int64_t* offs, int64_t rows, int64_t n, T* values,
                                   const int64_t* val_offs, int64_t* indices, const int64_t* idx_offs) {
  auto each_row = [&](auto arg) KILN_INLINE_LAMBDA {
    for (int64_t k = 0; k < rows; ++k) {
      const T* row = x + offs[k];
      const int64_t i = arg(row);
      values[val_offs[k]] = row[i];
      indices[idx_offs[k]] = i;
    }
  };
  if constexpr (std::is_floating_point_v<T>) {
    if (n >= 16 / int64_t(sizeof(T)) && n <= kShortArgRow)
      return with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA {
        each_row([&](const T* row) KILN_INLINE_LAMBDA { return arg_short<T, B, Op == ReduceOp::Max>(row, n); });
      });
  }
  each_row([&](const T* row) KILN_INLINE_LAMBDA { return arg_extreme_t<T, Op>(row, n); });
}

template <class T>
KILN_ALWAYS_INLINE void arg_rows_typed(bool is_max, const void* x, const int64_t* offs, int64_t rows, int64_t n,
                                       void* values, const int64_t* val_offs, int64_t* indices,
                                       const int64_t* idx_offs) {
  const T* in = static_cast<const T*>(x);
  T* v = static_cast<T*>(values);
  if (is_max) arg_rows_t<T, ReduceOp::Max>(in, offs, rows, n, v, val_offs, indices, idx_offs);
  else arg_rows_t<T, ReduceOp::Min>(in, offs, rows, n, v, val_offs, indices, idx_offs);
}

KILN_SIMD void arg_rows_simd(bool is_max, DType t, const void* x, const int64_t* offs, int64_t rows, int64_t n,
                             void* values, const int64_t* val_offs, int64_t* indices, const int64_t* idx_offs) {
  dispatch_with_narrow_ints(t, [&](auto tag) KILN_INLINE_LAMBDA {
    arg_rows_typed<decltype(tag)>(is_max, x, offs, rows, n, values, val_offs, indices, idx_offs);
  });
}

// Arg max/min down nc adjacent columns of n rows: best[j] and idx[j] hold column j's extreme so far and its row,
// which row i replaces where it is strictly greater (smaller) or the first NaN, so ties keep the first row as the
// row scan does. The indices are I, as wide as T where the height allows, so the selects vectorize lane for lane.
template <class T, class I, ReduceOp Op>
KILN_ALWAYS_INLINE void arg_columns_t(T* best, I* idx, const T* x, int64_t nc, int64_t n, int64_t stride) {
  for (int64_t j = 0; j < nc; ++j) {
    best[j] = x[j];
    idx[j] = 0;
  }
  for (int64_t i = 1; i < n; ++i) {
    const T* row = x + i * stride;
    const I at = static_cast<I>(i);
    for (int64_t j = 0; j < nc; ++j) {
      const T b = best[j], c = row[j];
      bool take = Op == ReduceOp::Max ? c > b : c < b;
      if constexpr (std::is_floating_point_v<T>) take = (take | is_nan(c)) & !is_nan(b);
      best[j] = take ? c : b;
      idx[j] = take ? at : idx[j];
    }
  }
}

// The index type of arg_columns for T: 32-bit for T of 4 bytes or less (the caller keeps n under 2^31).
template <class T>
using ColumnIndex = std::conditional_t<sizeof(T) == 8, int64_t, int32_t>;

template <class T>
KILN_ALWAYS_INLINE void arg_columns_typed(bool is_max, void* best, void* idx, const void* x, int64_t nc, int64_t n,
                                          int64_t stride) {
  T* b = static_cast<T*>(best);
  ColumnIndex<T>* i = static_cast<ColumnIndex<T>*>(idx);
  const T* in = static_cast<const T*>(x);
  if (is_max) arg_columns_t<T, ColumnIndex<T>, ReduceOp::Max>(b, i, in, nc, n, stride);
  else arg_columns_t<T, ColumnIndex<T>, ReduceOp::Min>(b, i, in, nc, n, stride);
}

KILN_SIMD void arg_columns_simd(bool is_max, DType t, void* best, void* idx, const void* x, int64_t nc, int64_t n,
                                int64_t stride) {
  dispatch_with_narrow_ints(t, [&](auto tag) KILN_INLINE_LAMBDA {
    arg_columns_typed<decltype(tag)>(is_max, best, idx, x, nc, n, stride);
  });
}

// Reduces the runs [run_begin, run_end) of the region starting at base.
template <class T, class R>
typename R::Acc reduce_region(const T* base, const RedRuns& rr, int64_t run_begin, int64_t run_end) {
  typename R::Acc acc = R::init();
  walk(rr.outer_size, rr.outer_stride, run_begin, run_end, [&](int64_t off) {
    const T* x = base + off;
    if (rr.inner_stride == 1) {
      AccSlot s;
      slot<typename R::Acc>(s) = acc;
      reduce_contiguous_simd(R::kOp, dtype_of<T>(), &s, x, rr.inner);
      acc = slot<typename R::Acc>(s);
    } else {
      for (int64_t i = 0; i < rr.inner; ++i) acc = R::step(acc, x[i * rr.inner_stride]);
    }
  });
  return acc;
}

constexpr int64_t kBlock = 1 << 16;  // elements per deterministic partial

template <class T, class R>
void reduce_typed(const Tensor& out, const Tensor& in, const Plan& p) {
  const T* in_base = in.data<T>();
  T* out_base = out.data<T>();
  const RedRuns rr(p);
  const int64_t inner = rr.inner;
  if (ColumnLayout::applies(p)) {
    // The innermost kept dim is contiguous: reduce chunks of columns row batch by row batch.
    const ColumnLayout cl(p);
    const int64_t chunk = cl.chunk, col_out_stride = cl.col_out;
    const int64_t grain = std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, p.n_red * chunk));
    parallel_blocks(cl.tasks(), grain, [&](int64_t begin, int64_t end) {
      // Not std::vector: Acc may be bool, and vector<bool> has no data().
      std::unique_ptr<typename R::Acc[]> acc(new typename R::Acc[chunk]);
      for (int64_t task = begin; task < end; ++task) {
        const ColumnLayout::Task k = cl.task(task);
        const int64_t in_off = k.in_off, out_off = k.out_off, c0 = k.c0, nc = k.nc;
        const void* rows[kRowBatch];
        int64_t m = 0;
        if (p.n_red <= kRowBatch && col_out_stride == 1) {  // one batch, finished into out
          walk(p.red_size, p.red_in, 0, p.n_red, [&](int64_t r) { rows[m++] = in_base + in_off + r + c0; });
          reduce_rows_simd(R::kOp, dtype_of<T>(), out_base + out_off + c0, rows, m, nc, p.n_red, true);
          continue;
        }
        std::fill(acc.get(), acc.get() + nc, R::init());
        walk(p.red_size, p.red_in, 0, p.n_red, [&](int64_t r) {
          rows[m++] = in_base + in_off + r + c0;
          if (m == kRowBatch) {
            reduce_rows_simd(R::kOp, dtype_of<T>(), acc.get(), rows, m, nc, p.n_red, false);
            m = 0;
          }
        });
        if (m > 0) reduce_rows_simd(R::kOp, dtype_of<T>(), acc.get(), rows, m, nc, p.n_red, false);
        for (int64_t j = 0; j < nc; ++j) out_base[out_off + (c0 + j) * col_out_stride] = R::finish(acc[j], p.n_red);
      }
    });
    return;
  }

  if (p.n_out == 1) {
    // One output: split the reduction into fixed blocks of whole inner runs and merge them in order.
    const int64_t runs_per_block = std::max<int64_t>(1, kBlock / inner);
    const int64_t n_runs = p.n_red / inner;
    const int64_t n_blocks = (n_runs + runs_per_block - 1) / runs_per_block;
    std::vector<typename R::Acc> partial(static_cast<size_t>(n_blocks), R::init());
    parallel_blocks(n_blocks, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        int64_t r0 = b * runs_per_block, r1 = std::min(n_runs, r0 + runs_per_block);
        partial[b] = reduce_region<T, R>(in_base, rr, r0, r1);
      }
    });
    typename R::Acc acc = R::init();
    for (auto v : partial) acc = R::merge(acc, v);
    *out_base = R::finish(acc, p.n_red);
    return;
  }

  // Row layout: each output reduces its own region; blocks of outputs are claimed by the threads.
  const int64_t grain = std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, p.n_red));
  const int64_t block = std::max<int64_t>(grain, kGrainCheap * 8 / std::max<int64_t>(1, p.n_red));
  if (rr.outer_size.empty() && rr.inner_stride == 1 && p.kept_size.size() == 1) {
    // One contiguous run per output, runs and outputs each a fixed stride apart.
    const int64_t kin = p.kept_in[0], kout = p.kept_out[0];
    auto runs = [&](int64_t begin, int64_t end) {
      reduce_flat_runs_simd(R::kOp, dtype_of<T>(), out_base + begin * kout, kout, in_base + begin * kin, kin,
                            end - begin, inner, p.n_red);
    };
    if (p.n_out < 2 * grain) runs(0, p.n_out);
    else parallel_blocks(p.n_out, block, runs);
    return;
  }
  auto rows = [&](int64_t begin, int64_t end) {
    std::vector<int64_t> in_offs;
    in_offs.reserve(static_cast<size_t>(end - begin));
    walk(p.kept_size, p.kept_in, begin, end, [&](int64_t o) { in_offs.push_back(o); });
    const int64_t n_runs = p.n_red / inner;
    std::vector<AccSlot> accs;
    if (rr.outer_size.empty() && rr.inner_stride == 1) {
      // Each output reduces one contiguous run (a sum over the last dim): all runs in one SIMD call.
      accs.resize(in_offs.size());
      for (AccSlot& a : accs) slot<typename R::Acc>(a) = R::init();
      reduce_runs_simd(R::kOp, dtype_of<T>(), accs.data(), in_base, in_offs.data(), static_cast<int64_t>(accs.size()),
                       inner);
    }
    int64_t k = 0;
    walk(p.kept_size, p.kept_out, begin, end, [&](int64_t o) {
      const typename R::Acc acc = accs.empty() ? reduce_region<T, R>(in_base + in_offs[k], rr, 0, n_runs)
                                               : slot<typename R::Acc>(accs[k]);
      out_base[o] = R::finish(acc, p.n_red);
      ++k;
    });
  };
  if (p.n_out < 2 * grain) rows(0, p.n_out);  // too little work to share
  else parallel_blocks(p.n_out, block, rows);
}

}  // namespace

void reduce_kernel(ReduceOp op, const Tensor& out, const Tensor& in) {
  if (in.numel() == 0) {  // identities of empty reductions: sum 0, mean NaN (max/min are refused earlier)
    fill_kernel(out, op == ReduceOp::Mean ? Scalar(std::nan("")) : Scalar(int64_t(0)));
    return;
  }
  const Plan p = make_plan(out, in, reduced_dims(out, in));
  with_reduce(op, in.dtype(), [&](auto r, auto tag) { reduce_typed<decltype(tag), decltype(r)>(out, in, p); });
}

// max/min with indices along dim in the column layout: chunks of adjacent columns step down the rows together.
// Each output walked its own column at the row stride before (argmax over the columns of 4096 x 4096: 37.5 ms,
// PyTorch 35.9). Returns false where the layout does not apply.
template <class T>
bool arg_reduce_columns(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim) {
  const int64_t n = in.shape()[dim];
  if (values.strides() != indices.strides() || n > std::numeric_limits<int32_t>::max()) return false;
  std::vector<bool> reduced(static_cast<size_t>(in.dim()), false);
  reduced[static_cast<size_t>(dim)] = true;
  const Plan p = make_plan(values, in, reduced);
  if (p.red_size.empty() || !ColumnLayout::applies(p)) return false;
  const ColumnLayout cl(p);
  const int64_t stride = p.red_in[0];
  const T* x = in.data<T>();
  T* v = values.data<T>();
  int64_t* ix = indices.data<int64_t>();
  const int64_t grain = std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, n * cl.chunk));
  parallel_blocks(cl.tasks(), grain, [&](int64_t begin, int64_t end) {
    std::unique_ptr<T[]> best(new T[cl.chunk]);
    std::unique_ptr<ColumnIndex<T>[]> at(new ColumnIndex<T>[cl.chunk]);
    for (int64_t t = begin; t < end; ++t) {
      const ColumnLayout::Task k = cl.task(t);
      arg_columns_simd(is_max, dtype_of<T>(), best.get(), at.get(), x + k.in_off + k.c0, k.nc, n, stride);
      for (int64_t j = 0; j < k.nc; ++j) {
        const int64_t o = k.out_off + (k.c0 + j) * cl.col_out;
        v[o] = best[j];
        ix[o] = at[j];
      }
    }
  });
  return true;
}

void arg_reduce_kernel(ArgReduceOp op, const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim) {
  const int64_t n = in.shape()[dim], stride = in.strides()[dim];
  const bool is_max = op == ArgReduceOp::Max;
  if (stride != 1 && dispatch_with_narrow_ints(in.dtype(), [&](auto tag) {
        return arg_reduce_columns<decltype(tag)>(is_max, values, indices, in, dim);
      }))
    return;
  // Every other dim is kept; walk the output positions and scan along dim.
  std::vector<int64_t> sizes, in_strides, val_strides, idx_strides;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (d == dim) continue;
    sizes.push_back(in.shape()[d]);
    in_strides.push_back(in.strides()[d]);
    val_strides.push_back(values.strides()[d]);
    idx_strides.push_back(indices.strides()[d]);
  }
  int64_t n_out = 1;
  for (int64_t s : sizes) n_out *= s;
  dispatch_with_narrow_ints(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = in.data<T>();
    T* v = values.data<T>();
    int64_t* ix = indices.data<int64_t>();
    parallel_for(n_out, std::max<int64_t>(1, kGrainCheap / std::max<int64_t>(1, n)), [&](int64_t begin, int64_t end) {
      std::vector<int64_t> offs[3];
      walk(sizes, in_strides, begin, end, [&](int64_t o) { offs[0].push_back(o); });
      walk(sizes, val_strides, begin, end, [&](int64_t o) { offs[1].push_back(o); });
      walk(sizes, idx_strides, begin, end, [&](int64_t o) { offs[2].push_back(o); });
      if (stride == 1) {
        arg_rows_simd(is_max, in.dtype(), x, offs[0].data(), static_cast<int64_t>(offs[0].size()), n, v,
                      offs[1].data(), ix, offs[2].data());
        return;
      }
      for (size_t k = 0; k < offs[0].size(); ++k) {
        const T* row = x + offs[0][k];
        T best = row[0];
        int64_t best_i = 0;
        for (int64_t i = 1; i < n && !is_nan(best); ++i) {
          T cur = row[i * stride];
          if (is_nan(cur) || (is_max ? cur > best : cur < best)) {
            best = cur;
            best_i = i;
          }
        }
        v[offs[1][k]] = best;
        ix[offs[2][k]] = best_i;
      }
    });
  });
}

}  // namespace kiln::cpu
