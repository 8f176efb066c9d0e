// The layout of a reduction: the input's dims split into kept dims and reduced dims, each group coalesced,
// and walks over them. reduce.cpp (sum, mean, max, min) and stats.cpp (prod, var, norms, ...) share it;
// reduce_with_policy runs any accumulator over it with results independent of the thread count.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "cpu/line_loop.h"
#include "kiln/tensor.h"
#include "thread_pool.h"

namespace kiln::cpu {

// Kept and reduced dims of a reduction, each group coalesced; outermost first.
struct Plan {
  std::vector<int64_t> kept_size, kept_in, kept_out;
  std::vector<int64_t> red_size, red_in;
  int64_t n_out = 1, n_red = 1;
};

inline Plan make_plan(const Tensor& out, const Tensor& in, const std::vector<bool>& reduced) {
  Plan p;
  struct Dim { int64_t size, in, out; };
  std::vector<Dim> kept, red;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (in.shape()[d] == 1) continue;
    Dim dim{in.shape()[d], in.strides()[d], out.strides()[d]};
    (reduced[d] ? red : kept).push_back(dim);
  }
  // Both groups in the input's memory order (the order changes no result): so a permuted input (channels-last)
  // coalesces, and its contiguous kept dim comes innermost, where the column layout finds it (sum over the batch
  // of channels-last [32, 64, 56, 56] walked each output's 32 elements: 15.7 ms, PyTorch 6.6).
  const auto outer_first = [](const Dim& a, const Dim& b) { return std::abs(a.in) > std::abs(b.in); };
  std::stable_sort(kept.begin(), kept.end(), outer_first);
  std::stable_sort(red.begin(), red.end(), outer_first);
  auto coalesce = [](std::vector<Dim>& dims, bool with_out) {
    std::vector<Dim> merged;
    for (const Dim& d : dims) {
      if (!merged.empty() && merged.back().in == d.in * d.size && (!with_out || merged.back().out == d.out * d.size)) {
        merged.back().size *= d.size;
        merged.back().in = d.in;
        merged.back().out = d.out;
      } else {
        merged.push_back(d);
      }
    }
    dims = merged;
  };
  coalesce(kept, true);
  coalesce(red, false);
  for (const Dim& d : kept) {
    p.kept_size.push_back(d.size);
    p.kept_in.push_back(d.in);
    p.kept_out.push_back(d.out);
    p.n_out *= d.size;
  }
  for (const Dim& d : red) {
    p.red_size.push_back(d.size);
    p.red_in.push_back(d.in);
    p.n_red *= d.size;
  }
  return p;
}

// Walks a group of dims from linear index `begin`, calling fn(offset) per position (offsets in elements).
template <class Fn>
void walk(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides, int64_t begin, int64_t end, Fn&& fn) {
  // An empty range touches nothing; returning first also keeps a group with a size-0 dim from a modulo by 0.
  if (begin >= end) return;
  const int nd = static_cast<int>(sizes.size());
  if (nd == 0) {
    fn(int64_t(0));
    return;
  }
  int64_t idx[kMaxDims];
  int64_t rest = begin, off = 0;
  for (int d = nd - 1; d >= 0; --d) {
    idx[d] = rest % sizes[d];
    rest /= sizes[d];
    off += idx[d] * strides[d];
  }
  for (int64_t pos = begin; pos < end; ++pos) {
    fn(off);
    for (int d = nd - 1; d >= 0; --d) {
      off += strides[d];
      if (++idx[d] < sizes[d]) break;
      off -= sizes[d] * strides[d];
      idx[d] = 0;
    }
  }
}

// The reduced dims split into the innermost one (a run) and the rest.
struct RedRuns {
  int64_t inner = 1, inner_stride = 0;
  std::vector<int64_t> outer_size, outer_stride;
  explicit RedRuns(const Plan& p) {
    if (p.red_size.empty()) return;
    inner = p.red_size.back();
    inner_stride = p.red_in.back();
    outer_size.assign(p.red_size.begin(), p.red_size.end() - 1);
    outer_stride.assign(p.red_in.begin(), p.red_in.end() - 1);
  }
};

// The column layout of a plan: the innermost kept dim contiguous in the input and no reduced dim contiguous
// (the columns of a matrix, the channels of NCHW over the batch). Its outputs go in tasks, each a chunk of
// adjacent columns at one position of the outer kept dims, reduced together by stepping down their rows.
struct ColumnLayout {
  std::vector<int64_t> outer_size, outer_in, outer_out;
  int64_t cols = 0, col_out = 0, n_outer = 0, chunk = 0, chunks_per_row = 0;

  static bool applies(const Plan& p) {
    return p.n_out > 1 && p.kept_in.back() == 1 && (p.red_in.empty() || p.red_in.back() != 1);
  }
  explicit ColumnLayout(const Plan& p)
      : outer_size(p.kept_size.begin(), p.kept_size.end() - 1),
        outer_in(p.kept_in.begin(), p.kept_in.end() - 1),
        outer_out(p.kept_out.begin(), p.kept_out.end() - 1),
        cols(p.kept_size.back()),
        col_out(p.kept_out.back()),
        n_outer(p.n_out / cols) {
    // Chunks of up to 2048 columns (1.3x faster than 512 on the 64 rows of [64, 64, 56, 56] over dim 1), halved
    // down to 256 until there are a few per thread ([256, 784] over dim 0 ran on one thread in one chunk).
    chunk = 2048;
    while (chunk > 256 && n_outer * ((cols + chunk - 1) / chunk) < 2 * get_num_threads()) chunk /= 2;
    chunk = std::min(chunk, cols);
    chunks_per_row = (cols + chunk - 1) / chunk;
  }
  int64_t tasks() const { return n_outer * chunks_per_row; }

  struct Task {
    int64_t in_off = 0, out_off = 0, c0 = 0, nc = 0;  // c0, nc: the chunk's first column and its width
  };
  Task task(int64_t t) const {
    Task k;
    const int64_t outer = t / chunks_per_row;
    k.c0 = (t % chunks_per_row) * chunk;
    k.nc = std::min(chunk, cols - k.c0);
    walk(outer_size, outer_in, outer, outer + 1, [&](int64_t o) { k.in_off = o; });
    walk(outer_size, outer_out, outer, outer + 1, [&](int64_t o) { k.out_off = o; });
    return k;
  }
};

// reduced[d]: whether `in`'s dim d is reduced into `out` (same rank, size 1 there).
inline std::vector<bool> reduced_dims(const Tensor& out, const Tensor& in) {
  std::vector<bool> reduced(static_cast<size_t>(in.dim()));
  for (int64_t d = 0; d < in.dim(); ++d) reduced[d] = out.shape()[d] == 1 && in.shape()[d] != 1;
  return reduced;
}

// Elements per deterministic partial of a reduction to one value.
constexpr int64_t kReduceBlock = 1 << 16;

// Runs a reduction policy P over `in` into the positions of `out` (same rank; size 1 on reduced dims). P has
//   using Acc;  Acc init() const;
//   void run(Acc& acc, const T* x, int64_t n, int64_t stride) const;   // n elements, stride in elements
//   Acc merge(const Acc& first, const Acc& second) const;               // partials, in order
//   void columns(Acc* acc, const T* x, int64_t w, int64_t n, int64_t stride) const;
//       // as run(acc[j], x + j, n, stride) for each of the w adjacent columns j < w
// and sink(out_offset, acc, count) stores each result (count: the elements reduced into it). A single
// output is split into fixed blocks of whole runs merged in order; in the column layout a chunk of columns
// steps down its rows together; otherwise each output reduces its region alone. Either way the result does not
// depend on the number of threads, nor on which thread computes what.
template <class T, class P, class Sink>
void reduce_with_policy(const Tensor& out, const Tensor& in, const P& policy, int64_t grain_elems, Sink&& sink) {
  using Acc = typename P::Acc;
  const Plan p = make_plan(out, in, reduced_dims(out, in));
  const RedRuns rr(p);
  const T* in_base = in.data<T>();
  const int64_t n_runs = rr.inner == 0 ? 0 : p.n_red / rr.inner;
  auto region = [&](const T* base, int64_t r0, int64_t r1) {
    Acc acc = policy.init();
    walk(rr.outer_size, rr.outer_stride, r0, r1, [&](int64_t off) { policy.run(acc, base + off, rr.inner, rr.inner_stride); });
    return acc;
  };
  if (p.n_out == 1) {
    const int64_t runs_per_block = std::max<int64_t>(1, kReduceBlock / std::max<int64_t>(1, rr.inner));
    const int64_t n_blocks = std::max<int64_t>(1, (n_runs + runs_per_block - 1) / runs_per_block);
    std::vector<Acc> partial(static_cast<size_t>(n_blocks), policy.init());
    parallel_blocks(n_blocks, std::max<int64_t>(1, grain_elems / kReduceBlock), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b)
        partial[b] = region(in_base, b * runs_per_block, std::min(n_runs, (b + 1) * runs_per_block));
    });
    Acc acc = partial[0];
    for (size_t b = 1; b < partial.size(); ++b) acc = policy.merge(acc, partial[b]);
    sink(int64_t(0), acc, p.n_red);
    return;
  }
  if (ColumnLayout::applies(p)) {
    // Each output walked its own column at the row stride, one element at a time: 0.05-0.3x PyTorch's time
    // (prod over the columns of 4096 x 4096: 55.6 ms, PyTorch 2.8; logsumexp 100 ms, PyTorch 25).
    const ColumnLayout cl(p);
    const int64_t grain = std::max<int64_t>(1, grain_elems / std::max<int64_t>(1, p.n_red * cl.chunk));
    parallel_blocks(cl.tasks(), grain, [&](int64_t begin, int64_t end) {
      std::vector<Acc> acc(static_cast<size_t>(cl.chunk));
      for (int64_t t = begin; t < end; ++t) {
        const ColumnLayout::Task k = cl.task(t);
        std::fill(acc.begin(), acc.begin() + k.nc, policy.init());
        walk(rr.outer_size, rr.outer_stride, 0, n_runs, [&](int64_t off) {
          policy.columns(acc.data(), in_base + k.in_off + off + k.c0, k.nc, rr.inner, rr.inner_stride);
        });
        for (int64_t j = 0; j < k.nc; ++j) sink(k.out_off + (k.c0 + j) * cl.col_out, acc[j], p.n_red);
      }
    });
    return;
  }
  // Outputs in blocks of row_block's size at least: claimed one 4096-wide row at a time, the two threads took
  // alternate rows and ran no faster than one (the 2-norm of 4096 x 4096 over rows: 2.0 ms on one thread or two).
  const int64_t grain = row_block(p.n_out, p.n_red, std::max<int64_t>(1, grain_elems / std::max<int64_t>(1, p.n_red)));
  parallel_blocks(p.n_out, grain, [&](int64_t begin, int64_t end) {
    std::vector<int64_t> in_offs;
    in_offs.reserve(static_cast<size_t>(end - begin));
    walk(p.kept_size, p.kept_in, begin, end, [&](int64_t o) { in_offs.push_back(o); });
    size_t k = 0;
    walk(p.kept_size, p.kept_out, begin, end, [&](int64_t o) { sink(o, region(in_base + in_offs[k++], 0, n_runs), p.n_red); });
  });
}

}  // namespace kiln::cpu
