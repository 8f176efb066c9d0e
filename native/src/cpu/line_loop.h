// Iterates over the lines of tensors along one dim: for each position of the other dims, the offset (in
// elements) of the line's first element in every tensor. Kernels that work on whole lines (softmax, scans,
// sorting, selection) run on it; the tensors share their shape except, possibly, the size at dim.
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "kiln/tensor.h"
#include "thread_pool.h"

namespace kiln::cpu {

// fn(begin, end) over [0, n) in blocks claimed one at a time by the pool's threads: a thread that starts late
// (the machine is busy) takes fewer blocks instead of holding the others up, as the pool's one chunk per
// thread would. Only for work whose results do not depend on which thread computes which block. Blocks are
// at least `block` long; less than two blocks of work runs on the calling thread.
template <class Fn>
void parallel_blocks(int64_t n, int64_t block, Fn&& fn) {
  if (n < 2 * block) {  // too little work to share, as parallel_for
    if (n > 0) fn(int64_t(0), n);
    return;
  }
  const int64_t blocks = (n + block - 1) / block;
  std::atomic<int64_t> next{0};
  parallel_for(std::min<int64_t>(blocks, get_num_threads()), 1, [&](int64_t, int64_t) {
    for (int64_t b = next.fetch_add(1); b < blocks; b = next.fetch_add(1)) fn(b * block, std::min(n, (b + 1) * block));
  });
}

// Rows per claimed block for kernels that work on whole rows: at least min_rows (below that, waking a thread
// does not pay), else about kRowBlockElements elements' worth while that leaves 8 blocks or more to share.
// Claimed one 4096-wide row at a time, two threads took alternate rows, each core's prefetcher ran into the
// other's next row and the claim counter's line moved between the cores on every row: a 4096 x 4096 softmax took
// 4.8-6.8 ms on two threads, 3.8-4.4 ms in blocks of 16 rows (7.0-7.3 ms on one thread).
constexpr int64_t kRowBlockElements = int64_t(1) << 16;
inline int64_t row_block(int64_t rows, int64_t row_len, int64_t min_rows) {
  const int64_t wide = kRowBlockElements / std::max<int64_t>(row_len, 1);
  return std::max<int64_t>(min_rows, std::min<int64_t>(wide, rows / 8));
}

template <int N>
class LineLoop {
 public:
  LineLoop(const std::array<const Tensor*, N>& tensors, int64_t dim) {
    const Tensor& first = *tensors[0];
    for (int64_t d = 0; d < first.dim(); ++d) {
      if (d == dim || first.shape()[d] == 1) continue;
      sizes_.push_back(first.shape()[d]);
      for (int k = 0; k < N; ++k) strides_[k].push_back(tensors[k]->strides()[d]);
      lines_ *= first.shape()[d];
    }
  }

  int64_t lines() const { return lines_; }
  // The size of the innermost other dim: adjacent lines come in runs of this many.
  int64_t inner_size() const { return sizes_.empty() ? 1 : sizes_.back(); }

  // Whether consecutive lines lie next to each other in every tensor (the innermost other dim has stride 1):
  // then a run of lines is a block of whole rows of memory (softmax over the columns of a matrix).
  bool adjacent_lines() const {
    if (sizes_.empty()) return false;
    for (int k = 0; k < N; ++k)
      if (strides_[k].back() != 1) return false;
    return true;
  }

  // fn(const int64_t* offsets) for the lines [begin, end), in row-major order of the other dims.
  template <class Fn>
  void range(int64_t begin, int64_t end, Fn&& fn) const {
    if (begin >= end) return;
    const int nd = static_cast<int>(sizes_.size());
    std::vector<int64_t> idx(static_cast<size_t>(nd));
    std::array<int64_t, N> off{};
    int64_t rest = begin;
    for (int d = nd - 1; d >= 0; --d) {
      idx[d] = rest % sizes_[d];
      rest /= sizes_[d];
      for (int k = 0; k < N; ++k) off[k] += idx[d] * strides_[k][d];
    }
    for (int64_t line = begin; line < end; ++line) {
      fn(off.data());
      for (int d = nd - 1; d >= 0; --d) {
        for (int k = 0; k < N; ++k) off[k] += strides_[k][d];
        if (++idx[d] < sizes_[d]) break;
        for (int k = 0; k < N; ++k) off[k] -= sizes_[d] * strides_[k][d];
        idx[d] = 0;
      }
    }
  }

  // range() over all lines, in blocks of grain_lines claimed by the pool's threads (parallel_blocks).
  template <class Fn>
  void run(int64_t grain_lines, Fn&& fn) const {
    parallel_blocks(lines_, grain_lines, [&](int64_t begin, int64_t end) { range(begin, end, fn); });
  }

 private:
  std::vector<int64_t> sizes_;
  std::array<std::vector<int64_t>, N> strides_;
  int64_t lines_ = 1;
};

// fn(offsets, count, j) for every line of loop and every j < n, where offsets are those of a line and the next
// count - 1 lines are adjacent to it (each tensor's offsets one further per line): the kernels that accumulate into
// their lines (scatter_add, index_add). Each line is one thread's, its j in increasing order, so no two threads
// write one element and the sums come out with the bits of one thread. Adjacent lines (a dim before the last) go
// in blocks of up to 256 with j outside, a row of memory at a time; other lines one by one (count 1) with j inside.
// grain: elements per claimed block.
template <int N, class Fn>
void for_each_line_element(const LineLoop<N>& loop, int64_t n, int64_t grain, Fn&& fn) {
  if (n <= 0) return;
  const int64_t grain_lines = std::max<int64_t>(1, grain / n);
  if (!loop.adjacent_lines()) {
    loop.run(grain_lines, [&](const int64_t* off) {
      std::array<int64_t, N> o;
      std::copy(off, off + N, o.begin());
      for (int64_t j = 0; j < n; ++j) fn(o, int64_t(1), j);
    });
    return;
  }
  constexpr int64_t kBlock = 256;  // lines in lockstep: their rows of memory stay in L1 across j
  const int64_t inner = loop.inner_size();
  parallel_blocks(loop.lines(), std::max(grain_lines, kBlock), [&](int64_t begin, int64_t end) {
    for (int64_t l = begin; l < end;) {
      const int64_t stop = std::min({end, (l / inner + 1) * inner, l + kBlock});  // within one run of the inner dim
      std::array<int64_t, N> first{};
      loop.range(l, l + 1, [&](const int64_t* off) { std::copy(off, off + N, first.begin()); });
      for (int64_t j = 0; j < n; ++j) fn(first, stop - l, j);
      l = stop;
    }
  });
}

// A 0-dim tensor seen as one element along dim 0, so line kernels need no special case.
inline Tensor as_line(const Tensor& t) { return t.dim() == 0 ? t.as_strided({1}, {1}, t.offset()) : t; }

}  // namespace kiln::cpu
