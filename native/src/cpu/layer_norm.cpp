// Layer norm and RMS norm: every row (the last dims, of length d) normalized on its own. A row is read from
// memory once per pass and stays in cache between its passes (two-pass statistics, then the output). The
// backward also sums the weight and bias gradients over rows: each fixed block of rows adds into partial rows
// of its own, merged in order in double at the end.
#include <algorithm>
#include <cmath>

#include "cpu/dispatch.h"
#include "cpu/line_loop.h"
#include "cpu/loop.h"
#include "cpu/norm_rows.h"
#include "cpu/normalization.h"

namespace kiln::cpu {
namespace {

template <class T>
const T* ptr_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

// Mean and rstd of one row (centered: layer norm; else RMS norm, whose "mean" is 0), then the row's output.
template <int B, class T>
KILN_ALWAYS_INLINE void forward_row_t(T* y, const T* x, const T* w, const T* b, int64_t d, double eps, bool centered,
                                      T& mean, T& rstd) {
  const double inv_d = 1.0 / static_cast<double>(d);
  const T m = centered ? static_cast<T>(norm::sum<B>(x, d) * inv_d) : T(0);
  const double var = norm::sum_sq_dev<B>(x, d, m) * inv_d;
  const T r = static_cast<T>(1.0 / std::sqrt(var + eps));
  norm::normalize_row(y, x, d, m, r, w, b);
  mean = m;
  rstd = r;
}

KILN_SIMD void forward_row_f32(float* y, const float* x, const float* w, const float* b, int64_t d, double eps,
                               bool centered, float& mean, float& rstd) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { forward_row_t<B>(y, x, w, b, d, eps, centered, mean, rstd); });
}
KILN_SIMD void forward_row_f64(double* y, const double* x, const double* w, const double* b, int64_t d, double eps,
                               bool centered, double& mean, double& rstd) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { forward_row_t<B>(y, x, w, b, d, eps, centered, mean, rstd); });
}
void forward_row(float* y, const float* x, const float* w, const float* b, int64_t d, double eps, bool centered,
                 float& mean, float& rstd) {
  forward_row_f32(y, x, w, b, d, eps, centered, mean, rstd);
}
void forward_row(double* y, const double* x, const double* w, const double* b, int64_t d, double eps, bool centered,
                 double& mean, double& rstd) {
  forward_row_f64(y, x, w, b, d, eps, centered, mean, rstd);
}

// Up to kRowGroup rows of the backward: each row's sums of h = g w give its gx = r (h - E[h] - xhat E[h xhat])
// (RMS norm: without E[h] and the mean), written with the rows' part of gw and gb.
constexpr int kRowGroup = 4;

template <int B, class T, int R>
KILN_ALWAYS_INLINE void backward_rows_t(T* gx, const T* g, const T* x, const T* w, int64_t d, const T* mean,
                                        const T* rstd, T* gw, T* gb) {
  T* gxs[R];
  const T *gs[R], *xs[R];
  T a[R], b[R], dd[R], c[R];
  const double inv_d = 1.0 / static_cast<double>(d);
  for (int k = 0; k < R; ++k) {
    gxs[k] = gx + k * d;
    gs[k] = g + k * d;
    xs[k] = x + k * d;
    c[k] = mean ? mean[k] : T(0);
    double sh = 0, shx = 0;
    norm::grad_sums<B>(gs[k], xs[k], w, d, c[k], sh, shx);
    const double r = rstd[k];
    a[k] = rstd[k];
    b[k] = static_cast<T>(-r * r * r * shx * inv_d);
    dd[k] = mean ? static_cast<T>(-r * sh * inv_d) : T(0);
  }
  norm::grad_rows<B, T, R>(gxs, gs, xs, w, d, c, rstd, a, b, dd, gw, gb);
}

template <int B, class T>
KILN_ALWAYS_INLINE void backward_block_t(T* gx, const T* g, const T* x, const T* w, int64_t rows, int64_t d,
                                         const T* mean, const T* rstd, T* gw, T* gb) {
  int64_t i = 0;
  for (; i + kRowGroup <= rows; i += kRowGroup)
    backward_rows_t<B, T, kRowGroup>(gx + i * d, g + i * d, x + i * d, w, d, mean ? mean + i : nullptr, rstd + i, gw,
                                     gb);
  for (; i < rows; ++i)
    backward_rows_t<B, T, 1>(gx + i * d, g + i * d, x + i * d, w, d, mean ? mean + i : nullptr, rstd + i, gw, gb);
}

KILN_SIMD void backward_block_f32(float* gx, const float* g, const float* x, const float* w, int64_t rows, int64_t d,
                                  const float* mean, const float* rstd, float* gw, float* gb) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { backward_block_t<B>(gx, g, x, w, rows, d, mean, rstd, gw, gb); });
}
KILN_SIMD void backward_block_f64(double* gx, const double* g, const double* x, const double* w, int64_t rows,
                                  int64_t d, const double* mean, const double* rstd, double* gw, double* gb) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { backward_block_t<B>(gx, g, x, w, rows, d, mean, rstd, gw, gb); });
}
void backward_block(float* gx, const float* g, const float* x, const float* w, int64_t rows, int64_t d,
                    const float* mean, const float* rstd, float* gw, float* gb) {
  backward_block_f32(gx, g, x, w, rows, d, mean, rstd, gw, gb);
}
void backward_block(double* gx, const double* g, const double* x, const double* w, int64_t rows, int64_t d,
                    const double* mean, const double* rstd, double* gw, double* gb) {
  backward_block_f64(gx, g, x, w, rows, d, mean, rstd, gw, gb);
}

// mean may be undefined (RMS norm).
void row_norm_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight,
                      const Tensor& bias, int64_t rows, int64_t d, double eps) {
  if (rows == 0) return;
  const bool centered = mean.defined();
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      T* py = d > 0 ? y.data<T>() : nullptr;
      const T* px = d > 0 ? x.data<T>() : nullptr;
      const T *pw = ptr_or_null<T>(weight), *pb = ptr_or_null<T>(bias);
      T* pm = centered ? mean.data<T>() : nullptr;
      T* pr = rstd.data<T>();
      parallel_blocks(rows, row_block(rows, d, std::max<int64_t>(1, kGrainCostly / std::max<int64_t>(d, 1))),
                      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          T m, s;
          forward_row(py + r * d, px + r * d, pw, pb, d, eps, centered, m, s);
          if (pm) pm[r] = m;
          pr[r] = s;
        }
      });
    } else {
      fail(ErrorKind::Internal, "layer norm kernel: floating dtypes only");
    }
  });
}

void row_norm_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& g, const Tensor& x,
                       const Tensor& mean, const Tensor& rstd, const Tensor& weight, int64_t rows, int64_t d) {
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      // Blocks of rows fixed by the shape alone, each with its own partial gw and gb rows.
      const int64_t per_block = std::clamp<int64_t>((rows + 31) / 32, 1, 64);
      const int64_t blocks = rows == 0 ? 0 : (rows + per_block - 1) / per_block;
      std::vector<T> pw(static_cast<size_t>(blocks * d), T(0)), pb(static_cast<size_t>(blocks * d), T(0));
      T* po = rows * d > 0 ? gx.data<T>() : nullptr;
      const T* pg = rows * d > 0 ? g.data<T>() : nullptr;
      const T* px = rows * d > 0 ? x.data<T>() : nullptr;
      const T* pweight = ptr_or_null<T>(weight);
      const T* pm = mean.defined() ? mean.data<T>() : nullptr;
      const T* pr = rows > 0 ? rstd.data<T>() : nullptr;
      parallel_blocks(blocks, std::max<int64_t>(1, kGrainCostly / std::max<int64_t>(per_block * d, 1)),
                      [&](int64_t b0, int64_t b1) {
                        for (int64_t blk = b0; blk < b1; ++blk) {
                          const int64_t r0 = blk * per_block, n = std::min(rows, r0 + per_block) - r0;
                          backward_block(po + r0 * d, pg + r0 * d, px + r0 * d, pweight, n, d, pm ? pm + r0 : nullptr,
                                         pr + r0, pw.data() + blk * d, pb.data() + blk * d);
                        }
                      });
      if (gw.defined() || gb.defined()) {
        T* ow = gw.defined() ? gw.data<T>() : nullptr;
        T* ob = gb.defined() ? gb.data<T>() : nullptr;
        for (int64_t j = 0; j < d; ++j) {
          double sw = 0, sb = 0;
          for (int64_t blk = 0; blk < blocks; ++blk) {
            sw += pw[static_cast<size_t>(blk * d + j)];
            sb += pb[static_cast<size_t>(blk * d + j)];
          }
          if (ow) ow[j] = static_cast<T>(sw);
          if (ob) ob[j] = static_cast<T>(sb);
        }
      }
    } else {
      fail(ErrorKind::Internal, "layer norm backward kernel: floating dtypes only");
    }
  });
}

}  // namespace

void layer_norm_kernel(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight,
                       const Tensor& bias, int64_t rows, int64_t d, double eps) {
  row_norm_forward(y, mean, rstd, x, weight, bias, rows, d, eps);
}

void layer_norm_backward_kernel(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& g, const Tensor& x,
                                const Tensor& mean, const Tensor& rstd, const Tensor& weight, int64_t rows, int64_t d) {
  row_norm_backward(gx, gw, gb, g, x, mean, rstd, weight, rows, d);
}

void rms_norm_kernel(const Tensor& y, const Tensor& rstd, const Tensor& x, const Tensor& weight, int64_t rows, int64_t d,
                     double eps) {
  row_norm_forward(y, Tensor(), rstd, x, weight, Tensor(), rows, d, eps);
}

void rms_norm_backward_kernel(const Tensor& gx, const Tensor& gw, const Tensor& g, const Tensor& x, const Tensor& rstd,
                              const Tensor& weight, int64_t rows, int64_t d) {
  row_norm_backward(gx, gw, Tensor(), g, x, Tensor(), rstd, weight, rows, d);
}

}  // namespace kiln::cpu
