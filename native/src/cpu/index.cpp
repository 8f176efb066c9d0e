// gather, scatter, scatter_reduce and index_add along one dim, by lines along dim (line_loop.h), each line one
// thread's; and the last step of a scatter mean.
#include <algorithm>
#include <cstring>
#include <limits>

#include "cpu/claim_loop.h"
#include "cpu/dispatch.h"
#include "cpu/indexing.h"
#include "cpu/kernels.h"
#include "cpu/line_loop.h"
#include "cpu/loop.h"
#include "cpu/simd.h"

namespace kiln::cpu {

KILN_SIMD void add_run(float* __restrict target, const float* __restrict v, int64_t n) {
  for (int64_t t = 0; t < n; ++t) target[t] += v[t];
}
KILN_SIMD void add_run(double* __restrict target, const double* __restrict v, int64_t n) {
  for (int64_t t = 0; t < n; ++t) target[t] += v[t];
}

namespace {

// Reads one element of each cache line of a short contiguous line, in address order, where a kernel is about to
// read or update it at n random positions: the hardware prefetchers follow loads in order, not random ones (nor
// software prefetches), so the line then streams in as a sequential read would. Gather over dim 1 of [4096,1024],
// 256 per row: 2.2 -> 1.3 ms (a separate probe; its scatter_add 2.0 -> 1.1). Only where the kernel will touch most
// of the line's cache lines anyway (64 bytes a position or less) and the line stays in L2 until it does.
template <class T>
void touch_line(const T* p, int64_t stride, int64_t size, int64_t n) {
  const int64_t bytes = size * static_cast<int64_t>(sizeof(T));
  if (stride != 1 || bytes > 64 * n || bytes > (int64_t(64) << 10)) return;
  const char* b = reinterpret_cast<const char*>(p);
  for (int64_t c = 0; c < bytes; c += 64) (void)*static_cast<const volatile char*>(b + c);
}

// Whether every index of a contiguous run lies in [0, size): one branch-free pass (unsigned compares, OR-ed), as a
// loop that may throw at each element is neither vectorized nor free of stores (the error's arguments, spilled at
// every element). A scatter's check over a [1024,4096] index: 18% -> 6% of its forward and backward.
KILN_SIMD bool all_in_range(const int64_t* index, int64_t n, int64_t size) {
  uint64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) bad |= static_cast<uint64_t>(index[i]) >= static_cast<uint64_t>(size);
  return bad == 0;
}

inline int64_t checked_index(int64_t i, int64_t size, int64_t dim, const char* op) {
  KILN_CHECK(i >= 0 && i < size, Index, op, ": index ", i, " is out of bounds for dimension ", dim, " with size ", size);
  return i;
}

// The error for a run that holds an index out of [0, size): kept out of line, so that the loops that check runs as
// they go stay small enough to inline (with the error's code inside, scatter_reduce's per-element walk was called
// per element and ran 2.3x slower).
[[noreturn, gnu::noinline, gnu::cold]] void bad_index_in_run(const int64_t* index, int64_t stride, int64_t n,
                                                             int64_t size, int64_t dim, const char* op) {
  for (int64_t i = 0; i < n; ++i) checked_index(index[i * stride], size, dim, op);
  fail(ErrorKind::Internal, op, ": a run of indices failed its check, yet each index is in range");
}

// Throws an Index error naming op if an index of the run (n of them, `stride` apart) is out of [0, size).
inline void check_run(const int64_t* index, int64_t stride, int64_t n, int64_t size, int64_t dim, const char* op) {
  if (stride == 1) {
    if (all_in_range(index, n, size)) return;
  } else {
    uint64_t bad = 0;
    for (int64_t i = 0; i < n; ++i) bad |= static_cast<uint64_t>(index[i * stride]) >= static_cast<uint64_t>(size);
    if (bad == 0) return;
  }
  bad_index_in_run(index, stride, n, size, dim, op);
}

// Gather and scatter over adjacent lines (dim before the last, as over dim 0 of a matrix) go through a block of B
// adjacent lines at a time: each row of index picks, for each of the B lines, one of `size` rows of the indexed
// tensor. Those rows lie a row of memory apart, often a multiple of 4 KB, so they share a few cache sets: a block of
// 256 columns of a [256,4096] float matrix could use a quarter of L2, and most of the random reads went to L3.
// Copied into a contiguous scratch block first (and back after a scatter), they stay in L2; the rows of index (and
// src) are short runs a row of memory apart, too far for the hardware prefetchers, so they are prefetched a few
// rows ahead. Gather over dim 0 of [256,4096] by a [1024,4096] index: 7.3 -> 3.3 ms in a probe.
struct PackedBlocks {
  int64_t width = 0;  // lines a block: 0 where packing does not pay

  PackedBlocks(int64_t size, int64_t uses, int64_t element_size, int64_t inner) {
    constexpr int64_t kBytes = int64_t(128) << 10, kMinWidth = 16;
    // Each packed element read (or updated) a quarter of a time or more: the copy costs a small part of that.
    if (4 * uses < size) return;
    const int64_t w = std::min<int64_t>(kBytes / std::max<int64_t>(size * element_size, 1), 256);
    if (w >= kMinWidth && inner >= kMinWidth) width = std::min(w, inner);
  }
};

constexpr int64_t kPrefetchRows = 4;

// Prefetches a run of count elements of T (the next rows of index and src).
template <class T>
KILN_ALWAYS_INLINE void prefetch_run(const T* p, int64_t count) {
  const char* b = reinterpret_cast<const char*>(p);
  for (int64_t c = 0; c < count * static_cast<int64_t>(sizeof(T)); c += 64) __builtin_prefetch(b + c);
}

// fn(first_offsets, count, scratch) for the blocks of up to `width` adjacent lines of loop (never across a run of
// the inner dim), claimed by the pool's threads; scratch holds `scratch_elements` of dtype, one buffer a thread.
template <int N, class Fn>
void for_each_line_block(const LineLoop<N>& loop, int64_t width, int64_t scratch_elements, DType dtype, Fn&& fn) {
  const int64_t inner = loop.inner_size(), per_run = (inner + width - 1) / width;
  claim_loop(
      loop.lines() / inner * per_run, 1, [&] { return Tensor::empty({scratch_elements}, dtype); },
      [&](int64_t begin, int64_t end, Tensor& scratch) {
        for (int64_t b = begin; b < end; ++b) {
          const int64_t first = b / per_run * inner + b % per_run * width;
          const int64_t count = std::min(width, inner - b % per_run * width);
          loop.range(first, first + 1, [&](const int64_t* off) {
            std::array<int64_t, N> o;
            std::copy(off, off + N, o.begin());
            fn(o, count, scratch);
          });
        }
      });
}

}  // namespace

// By lines along dim, as scatter: a line of index and out is read and written in order, where a strided loop over
// elements took a pointer step and a branch for each (gather over the last dim 1.6x slower than PyTorch 1.13).
void gather_kernel(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) {
  if (out.numel() == 0) return;
  const int64_t size = in.shape()[dim], n = index.shape()[dim];
  const int64_t os = out.strides()[dim], is = index.strides()[dim], xs = in.strides()[dim];
  LineLoop<3> loop({&out, &index, &in}, dim);
  const PackedBlocks packed(size, n, out.element_size(), loop.inner_size());
  dispatch_movable(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* ob = out.data<T>();
    const int64_t* ib = index.data<int64_t>();
    const T* xb = in.data<T>();
    if (loop.adjacent_lines() && packed.width > 0) {
      const int64_t w = packed.width;
      for_each_line_block(loop, w, size * w, out.dtype(), [&](const std::array<int64_t, 3>& o, int64_t count, Tensor& scratch) {
        T* block = scratch.data<T>();
        for (int64_t k = 0; k < size; ++k) std::memcpy(block + k * w, xb + o[2] + k * xs, count * sizeof(T));
        for (int64_t j = 0; j < n; ++j) {
          T* __restrict dst = ob + o[0] + j * os;
          const int64_t* __restrict idx = ib + o[1] + j * is;
          if (j + kPrefetchRows < n) prefetch_run(idx + kPrefetchRows * is, count);
          check_run(idx, 1, count, size, dim, "gather");
          for (int64_t t = 0; t < count; ++t) dst[t] = block[idx[t] * w + t];
        }
      });
      return;
    }
    if (!loop.adjacent_lines()) {  // line by line: its indices checked, its source brought in order, then gathered
      loop.run(std::max<int64_t>(1, kGrainCheap / n), [&](const int64_t* o) {
        T* __restrict dst = ob + o[0];
        const int64_t* __restrict idx = ib + o[1];
        const T* x = xb + o[2];
        check_run(idx, is, n, size, dim, "gather");
        touch_line(x, xs, size, n);
        // The strides as locals: read through the captures, a one-byte store (uint8) may alias them, and GCC
        // reloaded all three per element.
        const int64_t dst_step = os, idx_step = is, x_step = xs, count = n;
        for (int64_t t = 0; t < count; ++t) dst[t * dst_step] = x[idx[t * idx_step] * x_step];
      });
      return;
    }
    for_each_line_element(loop, n, kGrainCheap, [&](const std::array<int64_t, 3>& o, int64_t count, int64_t j) {
      T* __restrict dst = ob + o[0] + j * os;
      const int64_t* __restrict idx = ib + o[1] + j * is;
      const T* x = xb + o[2];
      for (int64_t t = 0; t < count; ++t) dst[t] = x[t + checked_index(idx[t], size, dim, "gather") * xs];
    });
  });
}

namespace {

// Parallel over the lines along dim (for_each_line_element): two positions that may target one element lie on one
// line, which one thread walks in order, so duplicates resolve (scatter), add up (scatter_add) and reduce
// (scatter_reduce) as on one thread. update(target, value) combines each value into its target.
// Indices are checked before any write they guide. Into a tensor the caller owns (an in-place op's self), every
// index is checked before the first write, so that a bad one leaves it as it was; into a fresh result (fresh: an
// out-of-place op, which throws it away on error) each run is checked as the walk reaches it, while it is in the
// cache: the separate pass read the index from memory once more (scatter_reduce over [4096, 1024]: 32 MB).
template <class Update>
void scatter_lines(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, const char* op,
                   Update&& update, bool fresh = false) {
  if (index.numel() == 0) return;
  const int64_t size = out.shape()[dim], n = index.shape()[dim];
  const int64_t is = index.strides()[dim], ss = src.strides()[dim], os = out.strides()[dim];
  if (!fresh)
    StridedLoop<1>({&index}).run(
        [&](char** p, const int64_t* st, int64_t m) {
          const int64_t stride = st[0] / static_cast<int64_t>(sizeof(int64_t));  // index is int64: whole strides
          check_run(reinterpret_cast<const int64_t*>(p[0]), stride, m, size, dim, op);
        },
        kGrainCheap);
  LineLoop<3> loop({&index, &src, &out}, dim);
  const PackedBlocks packed(size, n, out.element_size(), loop.inner_size());
  dispatch_with_narrow_ints(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t* ib = index.data<int64_t>();
    const T* sb = src.data<T>();
    T* ob = out.data<T>();
    if (loop.adjacent_lines() && packed.width > 0) {
      const int64_t w = packed.width;
      for_each_line_block(loop, w, size * w, out.dtype(), [&](const std::array<int64_t, 3>& o, int64_t count, Tensor& scratch) {
        T* block = scratch.data<T>();
        T* target = ob + o[2];
        for (int64_t k = 0; k < size; ++k) std::memcpy(block + k * w, target + k * os, count * sizeof(T));
        for (int64_t j = 0; j < n; ++j) {
          const int64_t* idx = ib + o[0] + j * is;
          const T* v = sb + o[1] + j * ss;
          if (j + kPrefetchRows < n) {
            prefetch_run(idx + kPrefetchRows * is, count);
            prefetch_run(v + kPrefetchRows * ss, count);
          }
          if (fresh) check_run(idx, 1, count, size, dim, op);
          for (int64_t t = 0; t < count; ++t) update(block[idx[t] * w + t], v[t]);
        }
        for (int64_t k = 0; k < size; ++k) std::memcpy(target + k * os, block + k * w, count * sizeof(T));
      });
      return;
    }
    if (!loop.adjacent_lines()) {  // a line at a time (along the last dim, or strided), its loop free of calls
      loop.run(std::max<int64_t>(1, kGrainCheap / n), [&](const int64_t* off) {
        const int64_t* idx = ib + off[0];
        const T* v = sb + off[1];
        T* target = ob + off[2];
        if (fresh) check_run(idx, is, n, size, dim, op);
        touch_line(target, os, size, n);
        for (int64_t j = 0; j < n; ++j) update(target[idx[j * is] * os], v[j * ss]);
      });
      return;
    }
    for_each_line_element(loop, n, kGrainCheap, [&](const std::array<int64_t, 3>& o, int64_t count, int64_t j) {
      const int64_t* idx = ib + o[0] + j * is;
      const T* v = sb + o[1] + j * ss;
      T* target = ob + o[2];
      if (fresh) check_run(idx, 1, count, size, dim, op);
      for (int64_t t = 0; t < count; ++t) update(target[t + idx[t] * os], v[t]);
    });
  });
}

template <class T>
KILN_ALWAYS_INLINE bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

// The value scatter_reduce's targets start from when self is left out.
template <class T>
T identity(ScatterReduceOp op) {
  if constexpr (std::is_same_v<T, bool>) {
    return op == ScatterReduceOp::Prod || op == ScatterReduceOp::Amin;
  } else {
    switch (op) {
      case ScatterReduceOp::Prod: return T(1);
      case ScatterReduceOp::Amax:
        return std::is_floating_point_v<T> ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
      case ScatterReduceOp::Amin:
        return std::is_floating_point_v<T> ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
      default: return T(0);
    }
  }
}

}  // namespace

void scatter_kernel(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  if (!accumulate) return scatter_lines(out, dim, index, src, "scatter", [](auto& e, auto v) KILN_INLINE_LAMBDA { e = v; });
  scatter_lines(out, dim, index, src, "scatter_add", [](auto& e, auto v) KILN_INLINE_LAMBDA {
    if constexpr (std::is_same_v<decltype(v), bool>) e = e || v;
    else e = e + v;
  });
}

// One instantiation of the walk per reduction: the switch inside the element loop (and a serial walk of strided
// pointers) took scatter_reduce amax over the rows of [4096, 1024] 39 ms, PyTorch 1.13 6.4. NaN wins in amax and
// amin, as in PyTorch; bool reduces by and (prod, amin) and or (sum, mean, amax).
void scatter_reduce_kernel(ScatterReduceOp op, const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src,
                           bool fresh) {
  const char* name = "scatter_reduce";
  switch (op) {
    case ScatterReduceOp::Sum:
    case ScatterReduceOp::Mean:
      return scatter_lines(out, dim, index, src, name, [](auto& e, auto v) KILN_INLINE_LAMBDA {
        if constexpr (std::is_same_v<decltype(v), bool>) e = e || v;
        else e = e + v;
      }, fresh);
    case ScatterReduceOp::Prod:
      return scatter_lines(out, dim, index, src, name, [](auto& e, auto v) KILN_INLINE_LAMBDA {
        if constexpr (std::is_same_v<decltype(v), bool>) e = e && v;
        else e = e * v;
      }, fresh);
    case ScatterReduceOp::Amax:
      return scatter_lines(out, dim, index, src, name, [](auto& e, auto v) KILN_INLINE_LAMBDA {
        const auto m = v > e ? v : e;
        e = is_nan(v) ? v : m;
      }, fresh);
    case ScatterReduceOp::Amin:
      return scatter_lines(out, dim, index, src, name, [](auto& e, auto v) KILN_INLINE_LAMBDA {
        const auto m = v < e ? v : e;
        e = is_nan(v) ? v : m;
      }, fresh);
  }
}

// A scatter of the identity, from a src of index's shape with zero strides.
void scatter_identity_kernel(ScatterReduceOp op, const Tensor& out, int64_t dim, const Tensor& index, bool fresh) {
  Tensor value = Tensor::empty({1}, out.dtype(), out.device());
  dispatch_with_narrow_ints(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    *value.data<T>() = identity<T>(op);
  });
  const Tensor src = value.as_strided(index.shape(), Shape(index.shape().size(), 0), 0);
  scatter_lines(out, dim, index, src, "scatter_reduce", [](auto& e, auto v) KILN_INLINE_LAMBDA { e = v; }, fresh);
}

void scatter_mean_kernel(const Tensor& out, const Tensor& counts) {
  StridedLoop<2> loop({&out, &counts});
  dispatch_with_narrow_ints(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      loop.run(
          [&](char** p, const int64_t* s, int64_t n) {
            for (int64_t i = 0; i < n; ++i) {
              T* o = reinterpret_cast<T*>(p[0] + i * s[0]);
              const int64_t c = std::max<int64_t>(*reinterpret_cast<const int64_t*>(p[1] + i * s[1]), 1);
              if constexpr (std::is_floating_point_v<T>) {
                *o = *o / static_cast<T>(c);
              } else {
                const T q = *o / c;
                *o = (*o % c != 0 && *o < 0) ? q - 1 : q;  // floor, as PyTorch's integer mean
              }
            }
          },
          kGrainCheap);
    }
  });
}

void index_add_kernel(const Tensor& out, int64_t dim, const int64_t* offsets, const Tensor& values) {
  const int64_t n = values.shape()[dim], vs = values.strides()[dim];
  if (values.numel() == 0) return;
  LineLoop<2> loop({&values, &out}, dim);
  dispatch_with_narrow_ints(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* vb = values.data<T>();
    T* ob = out.data<T>();
    // A block of adjacent lines is a row of out plus a row of values: a loop the compiler vectorizes.
    for_each_line_element(loop, n, kGrainCheap, [&](const std::array<int64_t, 2>& o, int64_t count, int64_t j) {
      T* target = ob + o[1] + offsets[j];
      const T* v = vb + o[0] + j * vs;
      if (count > 1) return add_run(target, v, count);
      if constexpr (std::is_same_v<T, bool>) *target = *target || *v;  // a line alone: no call per element
      else *target = *target + *v;
    });
  });
}

}  // namespace kiln::cpu
