// Group norm over x [n, c, s]: the channels of a group are adjacent, so each (sample, group) is one contiguous
// row of c / groups * s elements, normalized on its own with a per-channel affine. The backward reduces each
// channel run to two sums, from which both the input gradient of the row and the weight and bias gradients
// (merged over samples in order) follow.
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
  return t.defined() && t.numel() > 0 ? t.data<T>() : nullptr;
}

// One (sample, group) row: its statistics, then each channel's run y = (x - mean) rstd w + b.
template <int B, class T>
KILN_ALWAYS_INLINE void forward_row_t(T* y, const T* x, const T* w, const T* b, int64_t channels, int64_t s, double eps,
                                      T& mean, T& rstd) {
  const int64_t len = channels * s;
  const double inv = 1.0 / static_cast<double>(len);
  const T m = static_cast<T>(norm::sum<B>(x, len) * inv);
  const T r = static_cast<T>(1.0 / std::sqrt(norm::sum_sq_dev<B>(x, len, m) * inv + eps));
  for (int64_t k = 0; k < channels; ++k)
    norm::affine(y + k * s, x + k * s, s, m, w ? r * w[k] : r, b ? b[k] : T(0));
  mean = m;
  rstd = r;
}

KILN_SIMD void forward_row_f32(float* y, const float* x, const float* w, const float* b, int64_t channels, int64_t s,
                               double eps, float& mean, float& rstd) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { forward_row_t<B>(y, x, w, b, channels, s, eps, mean, rstd); });
}
KILN_SIMD void forward_row_f64(double* y, const double* x, const double* w, const double* b, int64_t channels,
                               int64_t s, double eps, double& mean, double& rstd) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA { forward_row_t<B>(y, x, w, b, channels, s, eps, mean, rstd); });
}
void forward_row(float* y, const float* x, const float* w, const float* b, int64_t channels, int64_t s, double eps,
                 float& mean, float& rstd) {
  forward_row_f32(y, x, w, b, channels, s, eps, mean, rstd);
}
void forward_row(double* y, const double* x, const double* w, const double* b, int64_t channels, int64_t s, double eps,
                 double& mean, double& rstd) {
  forward_row_f64(y, x, w, b, channels, s, eps, mean, rstd);
}

// One row's backward. sg[k] = sum(g), sgx[k] = sum(g (x - mean)) of each channel run are written for the
// weight and bias gradients; with h = g w, gx = rstd (h - E[h] - xhat E[h xhat]).
template <int B, class T>
KILN_ALWAYS_INLINE void backward_row_t(T* gx, const T* g, const T* x, const T* w, int64_t channels, int64_t s, T mean,
                                       T rstd, double* sg, double* sgx) {
  double sh = 0, shx = 0;
  for (int64_t k = 0; k < channels; ++k) {
    double a = 0, b = 0;
    norm::grad_sums<B>(g + k * s, x + k * s, static_cast<const T*>(nullptr), s, mean, a, b);
    sg[k] = a;
    sgx[k] = b;
    const double wk = w ? static_cast<double>(w[k]) : 1.0;
    sh += wk * a;
    shx += wk * b;
  }
  const double r = rstd, inv = 1.0 / static_cast<double>(channels * s);
  const T b = static_cast<T>(-r * r * r * shx * inv);
  const T d = static_cast<T>(-r * sh * inv);
  for (int64_t k = 0; k < channels; ++k)
    norm::grad_affine(gx + k * s, g + k * s, x + k * s, s, mean, w ? rstd * w[k] : rstd, b, d);
}

KILN_SIMD void backward_row_f32(float* gx, const float* g, const float* x, const float* w, int64_t channels, int64_t s,
                                float mean, float rstd, double* sg, double* sgx) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA {
    backward_row_t<B>(gx, g, x, w, channels, s, mean, rstd, sg, sgx);
  });
}
KILN_SIMD void backward_row_f64(double* gx, const double* g, const double* x, const double* w, int64_t channels,
                                int64_t s, double mean, double rstd, double* sg, double* sgx) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA {
    backward_row_t<B>(gx, g, x, w, channels, s, mean, rstd, sg, sgx);
  });
}
void backward_row(float* gx, const float* g, const float* x, const float* w, int64_t channels, int64_t s, float mean,
                  float rstd, double* sg, double* sgx) {
  backward_row_f32(gx, g, x, w, channels, s, mean, rstd, sg, sgx);
}
void backward_row(double* gx, const double* g, const double* x, const double* w, int64_t channels, int64_t s,
                  double mean, double rstd, double* sg, double* sgx) {
  backward_row_f64(gx, g, x, w, channels, s, mean, rstd, sg, sgx);
}

}  // namespace

void group_norm_kernel(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight,
                       const Tensor& bias, ChannelShape sh, int64_t groups, double eps) {
  const int64_t rows = sh.n * groups, per = sh.c / groups, len = per * sh.s;
  if (rows == 0) return;
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      T* py = len > 0 ? y.data<T>() : nullptr;
      const T* px = len > 0 ? x.data<T>() : nullptr;
      const T *pw = ptr_or_null<T>(weight), *pb = ptr_or_null<T>(bias);
      T *pm = mean.data<T>(), *pr = rstd.data<T>();
      parallel_blocks(rows, row_block(rows, len, std::max<int64_t>(1, kGrainCostly / std::max<int64_t>(len, 1))),
                      [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t first = (r % groups) * per;  // the group's first channel
          forward_row(py + r * len, px + r * len, pw ? pw + first : nullptr, pb ? pb + first : nullptr, per, sh.s, eps,
                      pm[r], pr[r]);
        }
      });
    } else {
      fail(ErrorKind::Internal, "group norm kernel: floating dtypes only");
    }
  });
}

void group_norm_backward_kernel(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& g, const Tensor& x,
                                const Tensor& mean, const Tensor& rstd, const Tensor& weight, ChannelShape sh,
                                int64_t groups) {
  const int64_t rows = sh.n * groups, per = sh.c / groups, len = per * sh.s;
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      std::vector<double> sg(static_cast<size_t>(sh.n * sh.c), 0.0), sgx(static_cast<size_t>(sh.n * sh.c), 0.0);
      const T* pw = ptr_or_null<T>(weight);
      const T* pm = rows > 0 ? mean.data<T>() : nullptr;
      const T* pr = rows > 0 ? rstd.data<T>() : nullptr;
      if (rows > 0 && len > 0) {
        T* po = gx.data<T>();
        const T *pg = g.data<T>(), *px = x.data<T>();
        parallel_blocks(rows, row_block(rows, len, std::max<int64_t>(1, kGrainCostly / len)), [&](int64_t r0, int64_t r1) {
          for (int64_t r = r0; r < r1; ++r) {
            const int64_t first = (r % groups) * per;
            backward_row(po + r * len, pg + r * len, px + r * len, pw ? pw + first : nullptr, per, sh.s, pm[r], pr[r],
                         sg.data() + r * per, sgx.data() + r * per);
          }
        });
      }
      T* ow = gw.defined() && sh.c > 0 ? gw.data<T>() : nullptr;
      T* ob = gb.defined() && sh.c > 0 ? gb.data<T>() : nullptr;
      for (int64_t k = 0; k < sh.c && (ow || ob); ++k) {
        double sw = 0, sb = 0;
        for (int64_t i = 0; i < sh.n; ++i) {
          const size_t at = static_cast<size_t>(i * sh.c + k);
          sw += sgx[at] * static_cast<double>(pr[i * groups + k / per]);
          sb += sg[at];
        }
        if (ow) ow[k] = static_cast<T>(sw);
        if (ob) ob[k] = static_cast<T>(sb);
      }
    } else {
      fail(ErrorKind::Internal, "group norm backward kernel: floating dtypes only");
    }
  });
}

}  // namespace kiln::cpu
