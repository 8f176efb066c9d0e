// cross_entropy as one fused kernel over rows of classes: log_softmax and the negative log likelihood together,
// without writing log_softmax out. Forward: the row's max, then the sum of exp(x - max) (and, for smoothing or
// probability targets, weighted sums of x - max in the same pass). Backward recomputes the max and the sum
// rather than saving the log-softmax (what PyTorch keeps: a whole input-sized tensor): the exponentials are
// written into grad_x on the way, then scaled in place, so each row is read from memory once and written once
// (through a per-thread buffer and streaming stores, for a grad_x past the last-level cache). float32 rows take
// their exps in AVX-512 intrinsics where the CPU has them (softmax_avx512.h), with the portable loop's bits.
// Each row is computed by one thread, always the same way: results do not depend on the thread count.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "cpu/activation_fns.h"
#include "cpu/dispatch.h"
#include "cpu/line_loop.h"
#include "cpu/loop.h"
#include "cpu/loss.h"
#include "cpu/row_max.h"
#include "cpu/simd.h"
#include "cpu/softmax_avx512.h"
#include "cpu/softmax_row.h"
#include "cpu/stream_store.h"

namespace kiln::cpu {
namespace {

constexpr int kLanes = 32;  // independent partial results: enough to hide the latency of vector adds

// The operands of a block of rows, in the element type.
template <class T>
struct Rows {
  const T* x;
  int64_t classes;
  const int64_t* index;  // index targets, or null
  const T* probs;        // probability targets [rows, classes], or null
  const T* weight;       // [classes], or null
  int64_t ignore_index;
  T keep;         // 1 - label_smoothing: the share of the target class
  T spread;       // label_smoothing / classes: what each class gets
  T weight_sum;   // the sum of the weights (classes without weights)
  bool smoothing;
};

template <class T>
KILN_ALWAYS_INLINE T combine(T (&lanes)[kLanes]) {
  for (int w = kLanes / 2; w > 0; w /= 2)
    for (int j = 0; j < w; ++j) lanes[j] += lanes[j + w];
  return lanes[0];
}

// sum(exp(x - m)); when e is given, the exponentials are stored there too. float32 takes the AVX-512 loop where it
// may run (softmax_avx512.h: the same bits). While the exps run (bound by arithmetic), the next row in memory is
// fetched into L2: the max pass over it would otherwise wait on memory with nothing to overlap.
template <class T>
KILN_ALWAYS_INLINE T sum_exp(const T* x, int64_t n, T m, T* e) {
  if constexpr (std::is_same_v<T, float>) {
    float s;
    if (sum_exp_avx512(x, n, m, e, &s)) return s;
  }
  constexpr int64_t kLine = 64 / sizeof(T);
  T lanes[kLanes] = {};
  int64_t i = 0;
  T tail = 0;
  if (e) {
    for (; i + kLanes <= n; i += kLanes) {
      for (int j = 0; j < kLanes; j += kLine) __builtin_prefetch(x + n + i + j, 0, 2);
      for (int j = 0; j < kLanes; ++j) {
        const T v = exp_shifted(x[i + j] - m);
        e[i + j] = v;
        lanes[j] += v;
      }
    }
    for (; i < n; ++i) tail += e[i] = exp_shifted(x[i] - m);
  } else {
    for (; i + kLanes <= n; i += kLanes) {
      for (int j = 0; j < kLanes; j += kLine) __builtin_prefetch(x + n + i + j, 0, 2);
      for (int j = 0; j < kLanes; ++j) lanes[j] += exp_shifted(x[i + j] - m);
    }
    for (; i < n; ++i) tail += exp_shifted(x[i] - m);
  }
  return combine(lanes) + tail;
}

// sum(w (x - m)), w = 1 when null: the smoothing term's share of the input.
template <class T>
KILN_ALWAYS_INLINE T weighted_shift_sum(const T* x, const T* w, int64_t n, T m) {
  T lanes[kLanes] = {};
  int64_t i = 0;
  T tail = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] += (w ? w[i + j] : T(1)) * (x[i + j] - m);
  for (; i < n; ++i) tail += (w ? w[i] : T(1)) * (x[i] - m);
  return combine(lanes) + tail;
}

// The smoothed, weighted probability target of class i: w_i ((1 - eps) p_i + eps / C).
template <class T>
KILN_ALWAYS_INLINE T soft_target(const Rows<T>& r, const T* p, int64_t i) {
  const T t = r.keep * p[i] + r.spread;
  return r.weight ? r.weight[i] * t : t;
}

// For probability targets: sum(q), and sum(q (x - m)) into shifted, q the soft targets.
template <class T>
KILN_ALWAYS_INLINE T soft_target_sums(const Rows<T>& r, const T* x, const T* p, T m, T* shifted) {
  T q_lanes[kLanes] = {}, s_lanes[kLanes] = {};
  const int64_t n = r.classes;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) {
      const T q = soft_target(r, p, i + j);
      q_lanes[j] += q;
      s_lanes[j] += q * (x[i + j] - m);
    }
  T q_tail = 0, s_tail = 0;
  for (; i < n; ++i) {
    const T q = soft_target(r, p, i);
    q_tail += q;
    s_tail += q * (x[i] - m);
  }
  if (shifted) *shifted = combine(s_lanes) + s_tail;
  return combine(q_lanes) + q_tail;
}

template <class T>
KILN_ALWAYS_INLINE T log_of(T x) {
  if constexpr (act::is_f32<T>) return vm::log(x);
  else return std::log(x);
}

// A row's loss from its max m and ls = log(sum(exp(x - m))).
template <class T>
KILN_ALWAYS_INLINE T row_loss(const Rows<T>& r, int64_t row, const T* x, T m, T ls) {
  const int64_t n = r.classes;
  if (r.index) {
    const int64_t t = r.index[row];
    const T wt = r.weight ? r.weight[t] : T(1);
    // ls - (x_t - m) is -log_softmax(x)_t, rounded as PyTorch rounds it.
    T l = r.keep * (wt * (ls - (x[t] - m)));
    if (r.smoothing) l += r.spread * (r.weight_sum * ls - weighted_shift_sum(x, r.weight, n, m));
    return l;
  }
  T shifted;
  const T q = soft_target_sums(r, x, r.probs + row * n, m, &shifted);
  return n == 0 ? T(0) : q * ls - shifted;
}

// A row's gradient, g holding exp(x - m) on entry and s their sum; k is the row's scale.
template <class T>
KILN_ALWAYS_INLINE void finish_row_grad(const Rows<T>& r, int64_t row, const T* x, T* g, T* gt, T k, T m, T s) {
  const int64_t n = r.classes;
  if (r.index) {
    const int64_t t = r.index[row];
    const T wt = r.weight ? r.weight[t] : T(1);
    // softmax times Q, the sum of the row's target weights, less the target weights themselves.
    const T a = k * (r.keep * wt + r.spread * r.weight_sum) / s;
    if (!r.smoothing) {
      for (int64_t i = 0; i < n; ++i) g[i] *= a;
    } else {
      const T b = k * r.spread;
      if (r.weight)
        for (int64_t i = 0; i < n; ++i) g[i] = g[i] * a - b * r.weight[i];
      else
        for (int64_t i = 0; i < n; ++i) g[i] = g[i] * a - b;
    }
    g[t] -= k * r.keep * wt;
    return;
  }
  const T* p = r.probs + row * n;
  const T a = k * soft_target_sums(r, x, p, m, static_cast<T*>(nullptr)) / s;
  for (int64_t i = 0; i < n; ++i) g[i] = g[i] * a - k * soft_target(r, p, i);
  if (gt) {
    const T ls = std::log(s), c = -k * r.keep;
    T* o = gt + row * n;
    if (r.weight)
      for (int64_t i = 0; i < n; ++i) o[i] = c * r.weight[i] * ((x[i] - m) - ls);
    else
      for (int64_t i = 0; i < n; ++i) o[i] = c * ((x[i] - m) - ls);
  }
}

bool ignored(const Rows<float>& r, int64_t row) { return r.index && r.index[row] == r.ignore_index; }
bool ignored(const Rows<double>& r, int64_t row) { return r.index && r.index[row] == r.ignore_index; }

// Rows of fewer classes than kSmallRow are taken kBlockRows at a time: the per-row loops would be too short to
// vectorize (and the row's log too costly), so the block's exponentials are computed in one flat pass, each element
// less its row's max, and the logs across the block's rows.
constexpr int64_t kSmallRow = 64, kBlockRows = 32;

template <class T>
KILN_ALWAYS_INLINE void block_exp(const Rows<T>& r, const T* x, int64_t rows, T* m, T* e, T* s) {
  const int64_t n = r.classes;
  for (int64_t i = 0; i < rows; ++i) {
    T v = -std::numeric_limits<T>::infinity();
    for (int64_t j = 0; j < n; ++j) v = x[i * n + j] > v ? x[i * n + j] : v;
    m[i] = v;
    for (int64_t j = 0; j < n; ++j) e[i * n + j] = x[i * n + j] - v;
  }
  for (int64_t k = 0; k < rows * n; ++k) e[k] = exp_shifted(e[k]);
  for (int64_t i = 0; i < rows; ++i) {
    T v = 0;
    for (int64_t j = 0; j < n; ++j) v += e[i * n + j];
    s[i] = v;
  }
}

template <class T>
void forward_rows(const Rows<T>& r, T* loss, int64_t begin, int64_t end) {
  const int64_t n = r.classes;
  if (n < kSmallRow) {
    T m[kBlockRows], s[kBlockRows], e[kBlockRows * kSmallRow];
    for (int64_t b = begin; b < end; b += kBlockRows) {
      const int64_t rows = std::min(kBlockRows, end - b);
      block_exp(r, r.x + b * n, rows, m, e, s);
      for (int64_t i = 0; i < rows; ++i) s[i] = log_of(s[i]);
      for (int64_t i = 0; i < rows; ++i)
        loss[b + i] = ignored(r, b + i) ? T(0) : row_loss(r, b + i, r.x + (b + i) * n, m[i], s[i]);
    }
    return;
  }
  for (int64_t row = begin; row < end; ++row) {
    if (ignored(r, row)) {
      loss[row] = 0;
      continue;
    }
    const T* x = r.x + row * n;
    const T m = row_max(x, n);
    loss[row] = row_loss(r, row, x, m, std::log(sum_exp(x, n, m, static_cast<T*>(nullptr))));
  }
}

// stream: rows of gx are computed in a per-thread buffer and streamed out (stream_store.h; long rows only), for a
// gx past the last-level cache, whose plain stores' reads for ownership would be a third of the traffic.
template <class T>
void backward_rows(const Rows<T>& r, T* gx, T* gt, const T* scale, int64_t scale_stride, bool stream, int64_t begin,
                   int64_t end) {
  const int64_t n = r.classes;
  if (n < kSmallRow) {
    T m[kBlockRows], s[kBlockRows];
    for (int64_t b = begin; b < end; b += kBlockRows) {
      const int64_t rows = std::min(kBlockRows, end - b);
      block_exp(r, r.x + b * n, rows, m, gx + b * n, s);
      for (int64_t i = 0; i < rows; ++i) {
        const int64_t row = b + i;
        T* g = gx + row * n;
        if (ignored(r, row)) std::fill(g, g + n, T(0));
        else finish_row_grad(r, row, r.x + row * n, g, gt, scale[row * scale_stride], m[i], s[i]);
      }
    }
    return;
  }
  for (int64_t row = begin; row < end; ++row) {
    const T* x = r.x + row * n;
    T* const out = gx + row * n;
    T* g = stream ? reinterpret_cast<T*>(stream_row_buffer(out)) : out;
    if (ignored(r, row)) {
      std::fill(g, g + n, T(0));
    } else {
      const T m = row_max(x, n);
      const T s = sum_exp(x, n, m, g);
      finish_row_grad(r, row, x, g, gt, scale[row * scale_stride], m, s);
    }
    if (stream) stream_row_out(out, g, n * static_cast<int64_t>(sizeof(T)));
  }
  if (stream) stream_fence();
}

KILN_SIMD void forward_rows_f32(const Rows<float>& r, float* loss, int64_t begin, int64_t end) {
  forward_rows(r, loss, begin, end);
}
KILN_SIMD void forward_rows_f64(const Rows<double>& r, double* loss, int64_t begin, int64_t end) {
  forward_rows(r, loss, begin, end);
}
KILN_SIMD void backward_rows_f32(const Rows<float>& r, float* gx, float* gt, const float* scale, int64_t scale_stride,
                                 bool stream, int64_t begin, int64_t end) {
  backward_rows(r, gx, gt, scale, scale_stride, stream, begin, end);
}
KILN_SIMD void backward_rows_f64(const Rows<double>& r, double* gx, double* gt, const double* scale,
                                 int64_t scale_stride, bool stream, int64_t begin, int64_t end) {
  backward_rows(r, gx, gt, scale, scale_stride, stream, begin, end);
}

void run_forward(const Rows<float>& r, float* loss, int64_t b, int64_t e) { forward_rows_f32(r, loss, b, e); }
void run_forward(const Rows<double>& r, double* loss, int64_t b, int64_t e) { forward_rows_f64(r, loss, b, e); }
void run_backward(const Rows<float>& r, float* gx, float* gt, const float* s, int64_t ss, bool stream, int64_t b,
                  int64_t e) {
  backward_rows_f32(r, gx, gt, s, ss, stream, b, e);
}
void run_backward(const Rows<double>& r, double* gx, double* gt, const double* s, int64_t ss, bool stream, int64_t b,
                  int64_t e) {
  backward_rows_f64(r, gx, gt, s, ss, stream, b, e);
}

template <class T>
Rows<T> rows_of(const Tensor& x, const Tensor& target, const Tensor& weight, const CrossEntropyPlan& plan) {
  const int64_t classes = x.size(1);
  Rows<T> r{};
  r.x = x.data<T>();
  r.classes = classes;
  r.index = plan.probabilities ? nullptr : target.data<int64_t>();
  r.probs = plan.probabilities ? target.data<T>() : nullptr;
  r.weight = weight.defined() ? weight.data<T>() : nullptr;
  r.ignore_index = plan.ignore_index;
  r.smoothing = plan.label_smoothing != 0;
  r.keep = static_cast<T>(1 - plan.label_smoothing);
  r.spread = classes == 0 ? T(0) : static_cast<T>(plan.label_smoothing / static_cast<double>(classes));
  T sum = 0;
  if (r.weight)
    for (int64_t i = 0; i < classes; ++i) sum += r.weight[i];
  r.weight_sum = r.weight ? sum : static_cast<T>(classes);
  return r;
}

// Rows per block a thread claims: enough elements that waking a thread pays, and runs of rows long enough that
// each core's prefetchers stay in its own (line_loop.h's row_block).
int64_t rows_per_block(int64_t rows, int64_t classes) {
  return row_block(rows, classes, std::max<int64_t>(1, kGrainCostly / std::max<int64_t>(classes, 1)));
}

}  // namespace

void cross_entropy_kernel(const Tensor& loss, const Tensor& x, const Tensor& target, const Tensor& weight,
                          const CrossEntropyPlan& plan) {
  const int64_t rows = x.size(0);
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const Rows<T> r = rows_of<T>(x, target, weight, plan);
      T* l = loss.data<T>();
      parallel_blocks(rows, rows_per_block(rows, r.classes), [&](int64_t b, int64_t e) { run_forward(r, l, b, e); });
    } else {
      fail(ErrorKind::Internal, "cross_entropy kernel: floating dtypes only");
    }
  });
}

void cross_entropy_backward_kernel(const Tensor& grad_x, const Tensor& grad_target, const Tensor& scale,
                                   const Tensor& x, const Tensor& target, const Tensor& weight,
                                   const CrossEntropyPlan& plan) {
  const int64_t rows = x.size(0);
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const Rows<T> r = rows_of<T>(x, target, weight, plan);
      T* gx = grad_x.data<T>();
      T* gt = grad_target.defined() ? grad_target.data<T>() : nullptr;
      const T* s = scale.data<T>();
      const int64_t ss = scale.dim() == 0 ? 0 : scale.strides()[0];
      const int64_t row_bytes = r.classes * static_cast<int64_t>(sizeof(T));
      const bool stream = r.classes >= kSmallRow && row_bytes <= kStreamRowBytes && stream_output(rows * row_bytes);
      parallel_blocks(rows, rows_per_block(rows, r.classes),
                      [&](int64_t b, int64_t e) { run_backward(r, gx, gt, s, ss, stream, b, e); });
    } else {
      fail(ErrorKind::Internal, "cross_entropy backward kernel: floating dtypes only");
    }
  });
}

}  // namespace kiln::cpu
