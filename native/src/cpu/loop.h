// Elementwise iteration over strided operands of one shape. The plan drops size-1 dims, orders dims by
// the first operand's strides (innermost first) and merges dims that are contiguous together, so most
// calls reach the kernel as a few long runs. Kernels see runs: (pointers, innermost byte strides, length).
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "cpu/stream_store.h"
#include "kiln/tensor.h"
#include "thread_pool.h"

namespace kiln::cpu {

constexpr int kMaxLoopDims = static_cast<int>(kMaxDims);  // every tensor fits, even before dims merge

// Work below this many elements per thread is not worth waking another thread for.
constexpr int64_t kGrainCheap = 32768;      // add, copy, compare
constexpr int64_t kGrainCostly = 4096;      // exp, tanh, pow

// Software prefetch of the inputs of long runs: the hardware prefetchers fall behind a kernel that spends many
// cycles on each line (gelu on 16M floats read 14.5 GB/s from memory on the Xeon VM, 26 from cache). Runs of
// outputs from kPrefetchFromBytes up are cut into blocks of kPrefetchBlockBytes of output, each preceded by
// prefetches of its inputs kPrefetchAheadBytes ahead. Measured on 16M floats, 2 threads: gelu 14.5 -> 24 GB/s,
// exp 21 -> 28.5, add (streamed) 40 -> 45; prefetching the output as well made gelu slower (24 -> 18.5).
constexpr int64_t kPrefetchFromBytes = int64_t(1) << 20;
constexpr int64_t kPrefetchBlockBytes = 1024;
constexpr int64_t kPrefetchAheadBytes = 2048;

template <int N>
class StridedLoop {
 public:
  explicit StridedLoop(const std::array<const Tensor*, N>& ops) {
    const Tensor& first = *ops[0];
    numel_ = first.numel();
    out_element_ = static_cast<int64_t>(first.element_size());
    for (int k = 0; k < N; ++k) base_[k] = static_cast<char*>(ops[k]->raw_data());
    // Collect the non-trivial dims, innermost first.
    int64_t nd = first.dim();
    for (int64_t d = nd - 1; d >= 0; --d) {
      if (first.shape()[d] == 1) continue;
      KILN_CHECK(ndim_ < kMaxLoopDims, NotImplemented, "elementwise: more than ", kMaxLoopDims,
                 " non-trivial dims are not supported");
      sizes_[ndim_] = first.shape()[d];
      for (int k = 0; k < N; ++k) strides_[ndim_][k] = ops[k]->strides()[d] * static_cast<int64_t>(ops[k]->element_size());
      ++ndim_;
    }
    order_by_first_operand();
    coalesce();
    if (ndim_ == 0) {  // a single element
      sizes_[0] = 1;
      for (int k = 0; k < N; ++k) strides_[0][k] = 0;
      ndim_ = 1;
    }
  }

  int64_t numel() const { return numel_; }

  // fn(char** ptrs, const int64_t* inner_strides, int64_t n) for every run (in prefetched blocks, for a large op);
  // parallel above `grain`.
  template <class Fn>
  void run(Fn&& fn, int64_t grain) const {
    run_ranges</*Prefetch=*/true>(fn, grain);
  }

  // As run(), for kernels that only write operand 0 (out = f(inputs); in place is fine, as each piece is read
  // before it is written): when the contiguous output is at least the size of the last-level cache, the output
  // is computed in pieces into a scratch buffer and streamed out (cpu/stream_store.h), each piece prefetching
  // its inputs. The results are the same bits. Costly kernels stream in smaller pieces: their streaming stores
  // then leave between bursts of computation, where 2 KB bursts stalled them (exp on 16M floats, Xeon VM:
  // pieces of 2 KB 21 GB/s, 1 KB 38-41, and 32 without streaming; gelu 19, 26, 26).
  template <class Fn>
  void run_write_only(Fn&& fn, int64_t grain) const {
    if (ndim_ != 1 || strides_[0][0] != out_element_ || !stream_output(numel_ * out_element_)) return run(fn, grain);
    const int64_t piece = grain < kGrainCheap ? kStreamChunk / 2 : kStreamChunk;
    auto streamed = [&](char** p, const int64_t* s, int64_t n) { stream_run(fn, p, s, n, piece); };
    run_ranges</*Prefetch=*/false>(streamed, grain);  // stream_run prefetches its own pieces
  }

 private:
  // Insertion sort of dims by |stride| of operand 0 (then operand 1), smallest innermost, so that
  // writes to the output walk memory in order.
  void order_by_first_operand() {
    auto key = [&](int d, int k) {
      int64_t s = strides_[d][k];
      return s < 0 ? -s : s;
    };
    for (int i = 1; i < ndim_; ++i) {
      for (int j = i; j > 0; --j) {
        bool swap = false;
        for (int k = 0; k < N; ++k) {
          int64_t a = key(j, k), b = key(j - 1, k);
          if (a == 0 || b == 0) continue;  // a broadcast dim says nothing about order
          if (a < b) swap = true;
          break;
        }
        if (!swap) break;
        std::swap(sizes_[j], sizes_[j - 1]);
        for (int k = 0; k < N; ++k) std::swap(strides_[j][k], strides_[j - 1][k]);
      }
    }
  }

  void coalesce() {
    if (ndim_ <= 1) return;
    int out = 0;
    for (int d = 1; d < ndim_; ++d) {
      bool mergeable = true;
      for (int k = 0; k < N; ++k)
        if (strides_[d][k] != strides_[out][k] * sizes_[out]) mergeable = false;
      if (mergeable) {
        sizes_[out] *= sizes_[d];
      } else {
        ++out;
        sizes_[out] = sizes_[d];
        for (int k = 0; k < N; ++k) strides_[out][k] = strides_[d][k];
      }
    }
    ndim_ = out + 1;
  }

  template <bool Prefetch, class Fn>
  void run_ranges(Fn& fn, int64_t grain) const {
    if (numel_ == 0) return;
    if (numel_ < 2 * grain) {
      run_range<Prefetch>(fn, 0, numel_);
      return;
    }
    parallel_for(numel_, grain, [&](int64_t begin, int64_t end) { run_range<Prefetch>(fn, begin, end); });
  }

  template <bool Prefetch, class Fn>
  void run_range(Fn& fn, int64_t begin, int64_t end) const {
    int64_t idx[kMaxLoopDims];
    char* ptrs[N];
    int64_t rest = begin;
    for (int k = 0; k < N; ++k) ptrs[k] = base_[k];
    for (int d = 0; d < ndim_; ++d) {
      idx[d] = rest % sizes_[d];
      rest /= sizes_[d];
      for (int k = 0; k < N; ++k) ptrs[k] += idx[d] * strides_[d][k];
    }
    int64_t pos = begin;
    while (pos < end) {
      int64_t n = std::min(sizes_[0] - idx[0], end - pos);
      if constexpr (Prefetch) call_prefetched(fn, ptrs, n);
      else fn(ptrs, strides_[0], n);
      pos += n;
      idx[0] += n;
      for (int k = 0; k < N; ++k) ptrs[k] += n * strides_[0][k];
      // Carry into outer dims.
      for (int d = 0; d + 1 < ndim_ && idx[d] == sizes_[d]; ++d) {
        idx[d] = 0;
        ++idx[d + 1];
        for (int k = 0; k < N; ++k) ptrs[k] += strides_[d + 1][k] - sizes_[d] * strides_[d][k];
      }
    }
  }

  // fn over one run, in blocks that each prefetch their inputs ahead when the op is large (kPrefetchFromBytes).
  template <class Fn>
  void call_prefetched(Fn& fn, char** p, int64_t n) const {
    const int64_t block = kPrefetchBlockBytes / out_element_;
    if (n <= block || numel_ * out_element_ < kPrefetchFromBytes) return fn(p, strides_[0], n);
    char* ptrs[N];
    for (int k = 0; k < N; ++k) ptrs[k] = p[k];
    for (int64_t j = 0; j < n; j += block) {
      const int64_t m = std::min(block, n - j);
      prefetch_inputs(ptrs, strides_[0], m);
      fn(ptrs, strides_[0], m);
      for (int k = 0; k < N; ++k) ptrs[k] += m * strides_[0][k];
    }
  }

  // Prefetches the lines of the next m elements of each dense input (operands 1..N-1) kPrefetchAheadBytes ahead;
  // broadcast and widely strided inputs are left to the hardware.
  static void prefetch_inputs(char* const* ptrs, const int64_t* s, int64_t m) {
    for (int k = 1; k < N; ++k) {
      if (s[k] <= 0 || s[k] > 16) continue;
      for (int64_t b = 0; b < m * s[k]; b += 64) __builtin_prefetch(ptrs[k] + kPrefetchAheadBytes + b, 0, 3);
    }
  }

  template <class Fn>
  static void stream_run(Fn& fn, char* const* p, const int64_t* s, int64_t n, int64_t piece_bytes) {
    char* ptrs[N];
    for (int k = 0; k < N; ++k) ptrs[k] = p[k];
    auto advance = [&](int64_t m) {
      for (int k = 0; k < N; ++k) ptrs[k] += m * s[k];
      n -= m;
    };
    // Elements before the output's first 64-byte boundary, and the tail, are stored as usual.
    const int64_t head = std::min<int64_t>(n, static_cast<int64_t>((64 - reinterpret_cast<uintptr_t>(ptrs[0]) % 64) % 64) / s[0]);
    if (head > 0) {
      fn(ptrs, s, head);
      advance(head);
    }
    const int64_t chunk = piece_bytes / s[0];
    char* const scratch = stream_scratch();
    while (n >= chunk) {
      char* const out = ptrs[0];
      ptrs[0] = scratch;
      prefetch_inputs(ptrs, s, chunk);
      fn(ptrs, s, chunk);
      ptrs[0] = out;
      stream_copy(out, scratch, piece_bytes);
      advance(chunk);
    }
    stream_fence();
    if (n > 0) fn(ptrs, s, n);
  }

  int ndim_ = 0;
  int64_t numel_ = 0, out_element_ = 0;
  int64_t sizes_[kMaxLoopDims];
  int64_t strides_[kMaxLoopDims][N];
  char* base_[N];
};

}  // namespace kiln::cpu
