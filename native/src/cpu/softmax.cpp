// softmax and log_softmax along a dim, forward and backward. Each line along dim is one row: contiguous
// rows are computed in place in memory (max, exp, sum, scale: every pass after the first reads the row from
// L1/L2); other lines are gathered into a buffer, computed, and scattered back. float32 rows use the
// vectorizable exp of vec_math.h; every pass is a plain loop the compiler vectorizes for each ISA clone.
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
#include "cpu/simd.h"
#include "cpu/vec_math.h"

namespace kiln::cpu {
namespace {

constexpr int kLanes = 32;  // independent partial sums: enough to hide the latency of vector adds

template <class T>
KILN_ALWAYS_INLINE T exp_of(T x) {
  if constexpr (std::is_same_v<T, float>) return vm::exp(x);
  else return std::exp(x);
}

// The largest element. A NaN is skipped here: it turns every result of its row into NaN later anyway.
template <class T>
KILN_ALWAYS_INLINE T row_max(const T* x, int64_t n) {
  T lanes[kLanes];
  for (int j = 0; j < kLanes; ++j) lanes[j] = -std::numeric_limits<T>::infinity();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] = x[i + j] > lanes[j] ? x[i + j] : lanes[j];
  T m = -std::numeric_limits<T>::infinity();
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  for (int j = 0; j < kLanes; ++j) m = lanes[j] > m ? lanes[j] : m;
  return m;
}

// sum(a[i] * b[i]), or sum(a[i]) when b is null, in kLanes partial sums combined in a fixed order.
template <class T>
KILN_ALWAYS_INLINE T row_sum(const T* a, const T* b, int64_t n) {
  T lanes[kLanes] = {};
  int64_t i = 0;
  if (b) {
    for (; i + kLanes <= n; i += kLanes)
      for (int j = 0; j < kLanes; ++j) lanes[j] += a[i + j] * b[i + j];
  } else {
    for (; i + kLanes <= n; i += kLanes)
      for (int j = 0; j < kLanes; ++j) lanes[j] += a[i + j];
  }
  for (int w = kLanes / 2; w > 0; w /= 2)
    for (int j = 0; j < w; ++j) lanes[j] += lanes[j + w];
  T s = lanes[0];
  for (; i < n; ++i) s += b ? a[i] * b[i] : a[i];
  return s;
}

// y = softmax(x) or log_softmax(x) of one contiguous row (y and x do not overlap).
template <class T>
KILN_ALWAYS_INLINE void softmax_row(T* y, const T* x, int64_t n, bool log) {
  const T m = row_max(x, n);
  for (int64_t i = 0; i < n; ++i) y[i] = exp_of(x[i] - m);
  const T s = row_sum<T>(y, nullptr, n);
  if (log) {
    // (x - m) - log(s), in this order as PyTorch: folding m + log(s) first would round away the small
    // results of rows with large values.
    const T ls = std::log(s);
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - m) - ls;
  } else {
    const T inv = T(1) / s;
    for (int64_t i = 0; i < n; ++i) y[i] *= inv;
  }
}

// gx from g and the forward's output y for one contiguous row.
template <class T>
KILN_ALWAYS_INLINE void softmax_backward_row(T* gx, const T* g, const T* y, int64_t n, bool log) {
  if (log) {
    const T s = row_sum<T>(g, nullptr, n);
    for (int64_t i = 0; i < n; ++i) gx[i] = g[i] - exp_of(y[i]) * s;
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

void forward_row(float* y, const float* x, int64_t n, bool log) { softmax_row_f32(y, x, n, log); }
void forward_row(double* y, const double* x, int64_t n, bool log) { softmax_row_f64(y, x, n, log); }
void backward_row(float* gx, const float* g, const float* y, int64_t n, bool log) {
  softmax_backward_row_f32(gx, g, y, n, log);
}
void backward_row(double* gx, const double* g, const double* y, int64_t n, bool log) {
  softmax_backward_row_f64(gx, g, y, n, log);
}

// Runs row(ptrs...) on every line of the N tensors along dim; operand 0 is written, the others read. Lines
// that are not contiguous in all of them go through buffers, a batch of lines at a time, gathered element by
// element across the batch: neighbouring lines (softmax over the columns of a matrix) then read and write
// whole cache lines.
template <class T, int N, class Row>
void for_each_row(const std::array<const Tensor*, N>& ts, int64_t dim, Row&& row) {
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
  LineLoop<N> loop(ts, dim);
  const int64_t batch_lines = std::clamp<int64_t>(32768 / n, 1, 16);  // a batch's buffers stay in L2
  const int64_t block = std::max<int64_t>(batch_lines, kGrainCostly / n);  // lines per claimed block
  auto lines = [&](int64_t begin, int64_t end) {
    if (contiguous) {
      loop.range(begin, end, [&](const int64_t* off) {
        std::array<T*, N> p;
        for (int k = 0; k < N; ++k) p[k] = base[k] + off[k];
        row(p);
      });
      return;
    }
    std::vector<T> buf(static_cast<size_t>(N * batch_lines * n));
    std::vector<std::array<int64_t, N>> batch;
    auto line_buf = [&](int k, size_t j) { return buf.data() + (static_cast<int64_t>(k) * batch_lines + j) * n; };
    auto flush = [&] {
      for (int k = 1; k < N; ++k)
        for (int64_t i = 0; i < n; ++i)
          for (size_t j = 0; j < batch.size(); ++j) line_buf(k, j)[i] = base[k][batch[j][k] + i * stride[k]];
      for (size_t j = 0; j < batch.size(); ++j) {
        std::array<T*, N> b;
        for (int k = 0; k < N; ++k) b[k] = line_buf(k, j);
        row(b);
      }
      for (int64_t i = 0; i < n; ++i)
        for (size_t j = 0; j < batch.size(); ++j) base[0][batch[j][0] + i * stride[0]] = line_buf(0, j)[i];
      batch.clear();
    };
    loop.range(begin, end, [&](const int64_t* off) {
      std::array<int64_t, N> o;
      for (int k = 0; k < N; ++k) o[k] = off[k];
      batch.push_back(o);
      if (static_cast<int64_t>(batch.size()) == batch_lines) flush();
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
      for_each_row<T, 2>({&o, &in}, dim, [&](const std::array<T*, 2>& p) { forward_row(p[0], p[1], n, log); });
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
      for_each_row<T, 3>({&gi, &g, &y}, dim,
                         [&](const std::array<T*, 3>& p) { backward_row(p[0], p[1], p[2], n, log); });
    } else {
      fail(ErrorKind::Internal, "softmax backward kernel: floating dtypes only");
    }
  });
}

}  // namespace kiln::cpu
