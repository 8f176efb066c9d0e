// The loops the normalization kernels share, over one contiguous run of elements: sums for statistics and the
// affine passes that apply them. Sums run in kLanes independent float (or double) partials over blocks of
// kFlush elements, each block then added into double accumulators: vector speed, double-precision totals.
// Every function is KILN_ALWAYS_INLINE so that the KILN_SIMD function calling it compiles it for each ISA.
#pragma once
#include <algorithm>
#include <cstdint>

#include "cpu/simd.h"

namespace kiln::cpu::norm {

constexpr int kLanes = 16;
constexpr int64_t kFlush = 256;  // elements per block of float partial sums (16 adds per lane)

// s1 += sum(x - shift), s2 += sum((x - shift)^2): shifted sums, one pass. With the shift a sample of the
// data, var = s2/n - (s1/n)^2 loses no precision to cancellation in double.
template <class T>
KILN_ALWAYS_INLINE void shifted_sums(const T* x, int64_t n, T shift, double& s1, double& s2) {
  for (int64_t i = 0; i < n;) {
    const int64_t end = std::min(n, i + kFlush);
    T a[kLanes] = {}, b[kLanes] = {};
    for (; i + kLanes <= end; i += kLanes)
      for (int j = 0; j < kLanes; ++j) {
        const T d = x[i + j] - shift;
        a[j] += d;
        b[j] += d * d;
      }
    double ta = 0, tb = 0;
    for (; i < end; ++i) {
      const T d = x[i] - shift;
      ta += d;
      tb += static_cast<double>(d) * d;
    }
    for (int j = 0; j < kLanes; ++j) {
      ta += a[j];
      tb += b[j];
    }
    s1 += ta;
    s2 += tb;
  }
}

// sum(x) in double.
template <class T>
KILN_ALWAYS_INLINE double sum(const T* x, int64_t n) {
  double total = 0;
  for (int64_t i = 0; i < n;) {
    const int64_t end = std::min(n, i + kFlush);
    T a[kLanes] = {};
    for (; i + kLanes <= end; i += kLanes)
      for (int j = 0; j < kLanes; ++j) a[j] += x[i + j];
    for (; i < end; ++i) total += x[i];
    for (int j = 0; j < kLanes; ++j) total += a[j];
  }
  return total;
}

// sum((x - c)^2) in double.
template <class T>
KILN_ALWAYS_INLINE double sum_sq_dev(const T* x, int64_t n, T c) {
  double total = 0;
  for (int64_t i = 0; i < n;) {
    const int64_t end = std::min(n, i + kFlush);
    T a[kLanes] = {};
    for (; i + kLanes <= end; i += kLanes)
      for (int j = 0; j < kLanes; ++j) {
        const T d = x[i + j] - c;
        a[j] += d * d;
      }
    for (; i < end; ++i) {
      const T d = x[i] - c;
      total += static_cast<double>(d) * d;
    }
    for (int j = 0; j < kLanes; ++j) total += a[j];
  }
  return total;
}

// sum(x^2) in double.
template <class T>
KILN_ALWAYS_INLINE double sum_sq(const T* x, int64_t n) {
  return sum_sq_dev(x, n, T(0));
}

// sg += sum(g), sgx += sum(g (x - c)), and with w (elementwise weights, may be null) the same of g w.
template <class T>
KILN_ALWAYS_INLINE void grad_sums(const T* g, const T* x, const T* w, int64_t n, T c, double& sg, double& sgx) {
  for (int64_t i = 0; i < n;) {
    const int64_t end = std::min(n, i + kFlush);
    T a[kLanes] = {}, b[kLanes] = {};
    if (w) {
      for (; i + kLanes <= end; i += kLanes)
        for (int j = 0; j < kLanes; ++j) {
          const T h = g[i + j] * w[i + j];
          a[j] += h;
          b[j] += h * (x[i + j] - c);
        }
    } else {
      for (; i + kLanes <= end; i += kLanes)
        for (int j = 0; j < kLanes; ++j) {
          a[j] += g[i + j];
          b[j] += g[i + j] * (x[i + j] - c);
        }
    }
    double ta = 0, tb = 0;
    for (; i < end; ++i) {
      const T h = w ? g[i] * w[i] : g[i];
      ta += h;
      tb += static_cast<double>(h * (x[i] - c));
    }
    for (int j = 0; j < kLanes; ++j) {
      ta += a[j];
      tb += b[j];
    }
    sg += ta;
    sgx += tb;
  }
}

// y = (x - c) a + b, with scalars c, a, b (a channel's statistics and affine parameters).
template <class T>
KILN_ALWAYS_INLINE void affine(T* y, const T* x, int64_t n, T c, T a, T b) {
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - c) * a + b;
}

// y = (x - c) a + b with one c, a, b per element (vectors of n).
template <class T>
KILN_ALWAYS_INLINE void affine_v(T* y, const T* x, int64_t n, const T* c, const T* a, const T* b) {
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - c[i]) * a[i] + b[i];
}

// y = ((x - c) r) w + b: a row normalised by its mean c and inverse deviation r, then the elementwise affine
// (w and b may be null).
template <class T>
KILN_ALWAYS_INLINE void normalize_row(T* y, const T* x, int64_t n, T c, T r, const T* w, const T* b) {
  if (w && b) {
    for (int64_t i = 0; i < n; ++i) y[i] = ((x[i] - c) * r) * w[i] + b[i];
  } else if (w) {
    for (int64_t i = 0; i < n; ++i) y[i] = ((x[i] - c) * r) * w[i];
  } else if (b) {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - c) * r + b[i];
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - c) * r;
  }
}

// gx = g a + (x - c) b + d: the input gradient of every mean-and-variance normalization, with per-run scalars.
template <class T>
KILN_ALWAYS_INLINE void grad_affine(T* gx, const T* g, const T* x, int64_t n, T c, T a, T b, T d) {
  for (int64_t i = 0; i < n; ++i) gx[i] = g[i] * a + (x[i] - c) * b + d;
}

// The same with one c, a, b, d per element.
template <class T>
KILN_ALWAYS_INLINE void grad_affine_v(T* gx, const T* g, const T* x, int64_t n, const T* c, const T* a, const T* b,
                                      const T* d) {
  for (int64_t i = 0; i < n; ++i) gx[i] = g[i] * a[i] + (x[i] - c[i]) * b[i] + d[i];
}

// One row of layer norm's (or RMS norm's, c = 0) backward: gx = g w a + (x - c) b + d (w may be null), and the
// row's part of the weight and bias gradients: gw += g (x - c) r, gb += g.
template <class T>
KILN_ALWAYS_INLINE void grad_row(T* gx, const T* g, const T* x, const T* w, int64_t n, T c, T r, T a, T b, T d, T* gw,
                                 T* gb) {
  if (w) {
    for (int64_t i = 0; i < n; ++i) {
      const T xc = x[i] - c;
      gx[i] = (g[i] * w[i]) * a + xc * b + d;
      gw[i] += g[i] * (xc * r);
      gb[i] += g[i];
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      const T xc = x[i] - c;
      gx[i] = g[i] * a + xc * b + d;
      gw[i] += g[i] * (xc * r);
      gb[i] += g[i];
    }
  }
}

}  // namespace kiln::cpu::norm
