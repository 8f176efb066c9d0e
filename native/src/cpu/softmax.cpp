// softmax and log_softmax along a dim, forward and backward. Each line along dim is one row: contiguous
// rows are computed in place in memory (max, exp, sum, scale: every pass after the first reads the row from
// L1/L2), or, for outputs past the last-level cache, in a per-thread buffer that is then streamed out; lines next
// to each other (the columns of a matrix) are computed in place 16 at a time, with vectors across them; other
// lines are gathered into a buffer, computed, and scattered back. float32 takes exp(x - max) from
// vm::exp_nonpositive (its exp pass in AVX-512 intrinsics where the CPU has them: softmax_avx512.h); every other
// pass is a plain loop the compiler vectorizes for each ISA clone, so every path gives the same bits.
// Results do not depend on the thread count: each row is computed by one thread, always the same way.
#include "cpu/softmax.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "cpu/dispatch.h"
#include "cpu/line_loop.h"
#include "cpu/loop.h"
#include "cpu/row_max.h"
#include "cpu/softmax_avx512.h"
#include "cpu/softmax_row.h"
#include "cpu/simd.h"
#include "cpu/stream_store.h"
#include "cpu/vec_math.h"

namespace kiln::cpu {
namespace {

// y = softmax(x) or log_softmax(x) of one contiguous row (y and x do not overlap).
template <class T>
KILN_ALWAYS_INLINE void softmax_row(T* y, const T* x, int64_t n, bool log) {
  const T m = row_max(x, n);
  // While the exps run (bound by arithmetic), the next row in memory is fetched into L2 a line at a time:
  // the max pass over it would otherwise wait on memory with nothing to overlap.
  constexpr int64_t kLine = 64 / sizeof(T);
  int64_t i = 0;
  for (; i + kLine <= n; i += kLine) {
    __builtin_prefetch(x + n + i, 0, 2);
    for (int64_t j = 0; j < kLine; ++j) y[i + j] = exp_shifted(x[i + j] - m);
  }
  for (; i < n; ++i) y[i] = exp_shifted(x[i] - m);
  softmax_finish(y, x, n, m, log);
}

// gx from g and the forward's output y for one contiguous row.
template <class T>
KILN_ALWAYS_INLINE void softmax_backward_row(T* gx, const T* g, const T* y, int64_t n, bool log) {
  if (log) {
    const T s = row_sum<T>(g, nullptr, n);
    for (int64_t i = 0; i < n; ++i) gx[i] = g[i] - vm::exp(y[i]) * s;
  } else {
    const T dot = row_sum<T>(g, y, n);
    for (int64_t i = 0; i < n; ++i) gx[i] = y[i] * (g[i] - dot);
  }
}

KILN_SIMD void softmax_row_f32(float* y, const float* x, int64_t n, bool log) { softmax_row(y, x, n, log); }
KILN_SIMD void softmax_row_f64(double* y, const double* x, int64_t n, bool log) { softmax_row(y, x, n, log); }
KILN_SIMD void softmax_backward_row_f32(float* gx, const float* g, const float* y, int64_t n, bool log) {
  softmax_backward_row(gx, g, y, n, log);
}
KILN_SIMD void softmax_backward_row_f64(double* gx, const double* g, const double* y, int64_t n, bool log) {
  softmax_backward_row(gx, g, y, n, log);
}

// kCols adjacent lines at once (line i of column j at x[i * stride + j]): the columns of a matrix, computed in
// place with vectors across the lines. Each pass reads n rows of kCols elements, which stay in L2 between passes.
constexpr int kCols = 16;

template <class T>
KILN_ALWAYS_INLINE void softmax_cols(T* y, int64_t ys, const T* x, int64_t xs, int64_t n, bool log) {
  T m[kCols], s[kCols] = {};
  for (int j = 0; j < kCols; ++j) m[j] = -std::numeric_limits<T>::infinity();
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kCols; ++j) m[j] = x[i * xs + j] > m[j] ? x[i * xs + j] : m[j];
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kCols; ++j) {
      const T e = exp_shifted(x[i * xs + j] - m[j]);
      y[i * ys + j] = e;
      s[j] += e;
    }
  if (log) {
    T ls[kCols];
    for (int j = 0; j < kCols; ++j) ls[j] = std::log(s[j]);
    for (int64_t i = 0; i < n; ++i)
      for (int j = 0; j < kCols; ++j) y[i * ys + j] = (x[i * xs + j] - m[j]) - ls[j];
  } else {
    T inv[kCols];
    for (int j = 0; j < kCols; ++j) inv[j] = T(1) / s[j];
    for (int64_t i = 0; i < n; ++i)
      for (int j = 0; j < kCols; ++j) y[i * ys + j] *= inv[j];
  }
}

template <class T>
KILN_ALWAYS_INLINE void softmax_backward_cols(T* gx, int64_t gxs, const T* g, int64_t gs, const T* y, int64_t ys,
                                              int64_t n, bool log) {
  T acc[kCols] = {};
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kCols; ++j) acc[j] += log ? g[i * gs + j] : g[i * gs + j] * y[i * ys + j];
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < kCols; ++j)
      gx[i * gxs + j] = log ? g[i * gs + j] - vm::exp(y[i * ys + j]) * acc[j] : y[i * ys + j] * (g[i * gs + j] - acc[j]);
}

KILN_SIMD void softmax_cols_f32(float* y, int64_t ys, const float* x, int64_t xs, int64_t n, bool log) {
  softmax_cols(y, ys, x, xs, n, log);
}
KILN_SIMD void softmax_cols_f64(double* y, int64_t ys, const double* x, int64_t xs, int64_t n, bool log) {
  softmax_cols(y, ys, x, xs, n, log);
}
KILN_SIMD void softmax_backward_cols_f32(float* gx, int64_t gxs, const float* g, int64_t gs, const float* y,
                                         int64_t ys, int64_t n, bool log) {
  softmax_backward_cols(gx, gxs, g, gs, y, ys, n, log);
}
KILN_SIMD void softmax_backward_cols_f64(double* gx, int64_t gxs, const double* g, int64_t gs, const double* y,
                                         int64_t ys, int64_t n, bool log) {
  softmax_backward_cols(gx, gxs, g, gs, y, ys, n, log);
}

void forward_cols(float* y, int64_t ys, const float* x, int64_t xs, int64_t n, bool log) {
  softmax_cols_f32(y, ys, x, xs, n, log);
}
void forward_cols(double* y, int64_t ys, const double* x, int64_t xs, int64_t n, bool log) {
  softmax_cols_f64(y, ys, x, xs, n, log);
}
void backward_cols(float* gx, int64_t gxs, const float* g, int64_t gs, const float* y, int64_t ys, int64_t n, bool log) {
  softmax_backward_cols_f32(gx, gxs, g, gs, y, ys, n, log);
}
void backward_cols(double* gx, int64_t gxs, const double* g, int64_t gs, const double* y, int64_t ys, int64_t n,
                   bool log) {
  softmax_backward_cols_f64(gx, gxs, g, gs, y, ys, n, log);
}

void forward_row(float* y, const float* x, int64_t n, bool log) {
  if (!softmax_row_avx512(y, x, n, log)) softmax_row_f32(y, x, n, log);
}
void forward_row(double* y, const double* x, int64_t n, bool log) { softmax_row_f64(y, x, n, log); }
void backward_row(float* gx, const float* g, const float* y, int64_t n, bool log) {
  softmax_backward_row_f32(gx, g, y, n, log);
}
void backward_row(double* gx, const double* g, const double* y, int64_t n, bool log) {
  softmax_backward_row_f64(gx, g, y, n, log);
}

// Runs row(ptrs...) on every line of the N tensors along dim; operand 0 is written, the others read. Where
// lines are not contiguous but lie next to each other (the columns of a matrix), runs of kCols of them go to
// cols(ptrs, strides) in place; any other line is gathered into a buffer, computed, and scattered back.
template <class T, int N, class Row, class Cols>
void for_each_row(const std::array<const Tensor*, N>& ts, int64_t dim, Row&& row, Cols&& cols) {
  const int64_t n = ts[0]->shape()[dim];
  if (ts[0]->numel() == 0) return;
  bool contiguous = true;
  std::array<int64_t, N> stride;
  std::array<T*, N> base;
  for (int k = 0; k < N; ++k) {
    stride[k] = ts[k]->strides()[dim];
    base[k] = ts[k]->template data<T>();
    contiguous &= n == 1 || stride[k] == 1;
  }
  // An output larger than the last-level cache is written by streaming stores (stream_store.h), each row computed
  // in a buffer first: the plain stores' reads for ownership are a third of the traffic once the exps are cheap.
  const bool stream = contiguous && n * static_cast<int64_t>(sizeof(T)) <= kStreamRowBytes &&
                      stream_output(ts[0]->numel() * static_cast<int64_t>(sizeof(T)));
  LineLoop<N> loop(ts, dim);
  const int64_t run = !contiguous && loop.adjacent_lines() ? kCols : 1;  // lines handled together
  // lines per claimed block, a multiple of run
  const int64_t block = (row_block(loop.lines(), n, std::max<int64_t>(run, kGrainCostly / n)) + run - 1) / run * run;
  auto lines = [&](int64_t begin, int64_t end) {
    if (contiguous) {
      loop.range(begin, end, [&](const int64_t* off) {
        std::array<T*, N> p;
        for (int k = 0; k < N; ++k) p[k] = base[k] + off[k];
        if (!stream) return row(p);
        T* const out = p[0];
        p[0] = reinterpret_cast<T*>(stream_row_buffer(out));
        row(p);
        stream_row_out(out, p[0], n * static_cast<int64_t>(sizeof(T)));
      });
      if (stream) stream_fence();
      return;
    }
    std::vector<T> buf(static_cast<size_t>(N * n));
    std::array<int64_t, N> first{};
    int64_t count = 0;  // lines collected from `first` on, each next to the previous
    auto one_line = [&](int64_t j) {
      std::array<T*, N> b;
      for (int k = 0; k < N; ++k) {
        b[k] = buf.data() + k * n;
        if (k > 0)
          for (int64_t i = 0; i < n; ++i) b[k][i] = base[k][first[k] + j + i * stride[k]];
      }
      row(b);
      for (int64_t i = 0; i < n; ++i) base[0][first[0] + j + i * stride[0]] = b[0][i];
    };
    auto flush = [&] {
      if (count == kCols) {
        std::array<T*, N> p;
        for (int k = 0; k < N; ++k) p[k] = base[k] + first[k];
        cols(p, stride);
      } else {
        for (int64_t j = 0; j < count; ++j) one_line(j);
      }
      count = 0;
    };
    loop.range(begin, end, [&](const int64_t* off) {
      bool next = count > 0;
      for (int k = 0; k < N && next; ++k) next = off[k] == first[k] + count;
      if (count > 0 && !next) flush();
      if (count == 0)
        for (int k = 0; k < N; ++k) first[k] = off[k];
      if (++count == run) flush();
    });
    flush();
  };
  parallel_blocks(loop.lines(), block, lines);
}

}  // namespace

void softmax_kernel(const Tensor& out, const Tensor& x, int64_t dim, bool log) {
  const Tensor o = as_line(out), in = as_line(x);
  const int64_t n = in.shape()[dim];
  dispatch(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      for_each_row<T, 2>(
          {&o, &in}, dim, [&](const std::array<T*, 2>& p) { forward_row(p[0], p[1], n, log); },
          [&](const std::array<T*, 2>& p, const std::array<int64_t, 2>& s) { forward_cols(p[0], s[0], p[1], s[1], n, log); });
    } else {
      fail(ErrorKind::Internal, "softmax kernel: floating dtypes only");
    }
  });
}

void softmax_backward_kernel(const Tensor& grad_in, const Tensor& grad, const Tensor& out, int64_t dim, bool log) {
  const Tensor gi = as_line(grad_in), g = as_line(grad), y = as_line(out);
  const int64_t n = y.shape()[dim];
  dispatch(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      for_each_row<T, 3>(
          {&gi, &g, &y}, dim, [&](const std::array<T*, 3>& p) { backward_row(p[0], p[1], p[2], n, log); },
          [&](const std::array<T*, 3>& p, const std::array<int64_t, 3>& s) {
            backward_cols(p[0], s[0], p[1], s[1], p[2], s[2], n, log);
          });
    } else {
      fail(ErrorKind::Internal, "softmax backward kernel: floating dtypes only");
    }
  });
}

}  // namespace kiln::cpu
