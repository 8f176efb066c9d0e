// The loops the normalization kernels share, over one contiguous run of elements: sums for statistics and the
// affine passes that apply them. Sums run in vector lanes of the data's type over blocks of kFlush elements,
// each block then added into double accumulators: vector speed, double-precision totals.
// Every function is KILN_ALWAYS_INLINE so that the KILN_SIMD function calling it compiles it for each ISA.
#pragma once
#include <algorithm>
#include <cstdint>

#include "cpu/simd.h"
#include "cpu/wide.h"

namespace kiln::cpu::norm {

constexpr int64_t kFlush = 1024;  // elements per block of partial sums in T (32 adds per float lane)

// Sums run in 64 bytes of lanes (16 floats, 8 doubles) whatever the CPU, so that every ISA clone adds the same
// values in the same order; the lanes are held in vectors of the clone's width B (wide.h), and each function
// that takes B is instantiated for every width by its caller (with_vector_bytes). Sums accumulate in two such
// sets of lanes (independent add chains) and are folded in a fixed order.
template <class T, int B>
using vec = Wide<T, B>;
template <class T>
constexpr int64_t kWidth = 64 / sizeof(T);

template <int B, class T>
KILN_ALWAYS_INLINE vec<T, B> load(const T* p) {
  return vec<T, B>::load(p);
}

template <int B, class T>
KILN_ALWAYS_INLINE vec<T, B> splat(T v) {
  return vec<T, B>::splat(v);
}

template <int B, class T>
KILN_ALWAYS_INLINE void store(T* p, const vec<T, B>& v) {
  v.store(p);
}

// The lanes' total: halves added pairwise in T down to four lanes (a few vector adds), those four in double.
template <int B, class T>
KILN_ALWAYS_INLINE double fold(const vec<T, B>& v) {
  T lanes[kWidth<T>];
  for (int64_t j = 0; j < kWidth<T>; ++j) lanes[j] = v.lane(j);
  for (int64_t w = kWidth<T> / 2; w >= 4; w /= 2)
    for (int64_t j = 0; j < w; ++j) lanes[j] += lanes[j + w];
  return (static_cast<double>(lanes[0]) + lanes[1]) + (static_cast<double>(lanes[2]) + lanes[3]);
}

// s1 += sum(x - shift), s2 += sum((x - shift)^2): shifted sums, one pass. With the shift a sample of the
// data, var = s2/n - (s1/n)^2 loses no precision to cancellation in double.
template <int B, class T>
KILN_ALWAYS_INLINE void shifted_sums(const T* __restrict x, int64_t n, T shift, double& s1, double& s2) {
  constexpr int64_t W = kWidth<T>;
  const vec<T, B> k = splat<B>(shift);
  for (int64_t i = 0; i < n;) {
    const int64_t end = std::min(n, i + kFlush);
    vec<T, B> a0 = {}, a1 = {}, b0 = {}, b1 = {};
    for (; i + 2 * W <= end; i += 2 * W) {
      const vec<T, B> d0 = load<B>(x + i) - k, d1 = load<B>(x + i + W) - k;
      a0 += d0;
      a1 += d1;
      b0 += d0 * d0;
      b1 += d1 * d1;
    }
    double ta = fold<B>(a0 + a1), tb = fold<B>(b0 + b1);
    for (; i < end; ++i) {
      const T d = x[i] - shift;
      ta += d;
      tb += static_cast<double>(d) * d;
    }
    s1 += ta;
    s2 += tb;
  }
}

// sum((x - c)^2) in double, or sum(x) when square is false.
template <int B, class T>
KILN_ALWAYS_INLINE double sum_of(const T* __restrict x, int64_t n, T c, bool square) {
  constexpr int64_t W = kWidth<T>;
  const vec<T, B> k = splat<B>(c);
  double total = 0;
  for (int64_t i = 0; i < n;) {
    const int64_t end = std::min(n, i + kFlush);
    vec<T, B> a0 = {}, a1 = {};
    if (square) {
      for (; i + 2 * W <= end; i += 2 * W) {
        const vec<T, B> d0 = load<B>(x + i) - k, d1 = load<B>(x + i + W) - k;
        a0 += d0 * d0;
        a1 += d1 * d1;
      }
    } else {
      for (; i + 2 * W <= end; i += 2 * W) {
        a0 += load<B>(x + i);
        a1 += load<B>(x + i + W);
      }
    }
    total += fold<B>(a0 + a1);
    for (; i < end; ++i) {
      const T d = x[i] - c;
      total += square ? static_cast<double>(d) * d : static_cast<double>(x[i]);
    }
  }
  return total;
}

// sum(x) in double.
template <int B, class T>
KILN_ALWAYS_INLINE double sum(const T* __restrict x, int64_t n) {
  return sum_of<B>(x, n, T(0), false);
}

// sum((x - c)^2) in double.
template <int B, class T>
KILN_ALWAYS_INLINE double sum_sq_dev(const T* __restrict x, int64_t n, T c) {
  return sum_of<B>(x, n, c, true);
}

// sg += sum(h), sgx += sum(h (x - c)) with h = g w, or h = g when w is null (elementwise weights).
template <int B, class T>
KILN_ALWAYS_INLINE void grad_sums(const T* __restrict g, const T* __restrict x, const T* __restrict w, int64_t n, T c,
                                  double& sg, double& sgx) {
  constexpr int64_t W = kWidth<T>;
  const vec<T, B> k = splat<B>(c);
  for (int64_t i = 0; i < n;) {
    const int64_t end = std::min(n, i + kFlush);
    vec<T, B> a0 = {}, a1 = {}, b0 = {}, b1 = {};
    if (w) {
      for (; i + 2 * W <= end; i += 2 * W) {
        const vec<T, B> h0 = load<B>(g + i) * load<B>(w + i), h1 = load<B>(g + i + W) * load<B>(w + i + W);
        a0 += h0;
        a1 += h1;
        b0 += h0 * (load<B>(x + i) - k);
        b1 += h1 * (load<B>(x + i + W) - k);
      }
    } else {
      for (; i + 2 * W <= end; i += 2 * W) {
        const vec<T, B> h0 = load<B>(g + i), h1 = load<B>(g + i + W);
        a0 += h0;
        a1 += h1;
        b0 += h0 * (load<B>(x + i) - k);
        b1 += h1 * (load<B>(x + i + W) - k);
      }
    }
    double ta = fold<B>(a0 + a1), tb = fold<B>(b0 + b1);
    for (; i < end; ++i) {
      const T h = w ? g[i] * w[i] : g[i];
      ta += h;
      tb += static_cast<double>(h * (x[i] - c));
    }
    sg += ta;
    sgx += tb;
  }
}

// y = (x - c) a + b, with scalars c, a, b (a channel's statistics and affine parameters).
template <class T>
KILN_ALWAYS_INLINE void affine(T* __restrict y, const T* __restrict x, int64_t n, T c, T a, T b) {
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - c) * a + b;
}

// y = (x - c) a + b with one c, a, b per element (vectors of n).
template <class T>
KILN_ALWAYS_INLINE void affine_v(T* __restrict y, const T* __restrict x, int64_t n, const T* __restrict c,
                                const T* __restrict a, const T* __restrict b) {
  for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - c[i]) * a[i] + b[i];
}

// y = ((x - c) r) w + b: a row normalised by its mean c and inverse deviation r, then the elementwise affine
// (w and b may be null).
template <class T>
KILN_ALWAYS_INLINE void normalize_row(T* __restrict y, const T* __restrict x, int64_t n, T c, T r,
                                     const T* __restrict w, const T* __restrict b) {
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
KILN_ALWAYS_INLINE void grad_affine(T* __restrict gx, const T* __restrict g, const T* __restrict x, int64_t n, T c, T a,
                                   T b, T d) {
  for (int64_t i = 0; i < n; ++i) gx[i] = g[i] * a + (x[i] - c) * b + d;
}

// The same with one c, a, b, d per element.
template <class T>
KILN_ALWAYS_INLINE void grad_affine_v(T* __restrict gx, const T* __restrict g, const T* __restrict x, int64_t n,
                                     const T* __restrict c, const T* __restrict a, const T* __restrict b,
                                     const T* __restrict d) {
  for (int64_t i = 0; i < n; ++i) gx[i] = g[i] * a[i] + (x[i] - c[i]) * b[i] + d[i];
}

// R rows of layer norm's (or RMS norm's, c = 0) backward at once: for row k, gx = g w a + (x - c) b + d (w may
// be null), and the rows' part of the weight and bias gradients: gw += g (x - c) r, gb += g. Taking R rows
// together loads and stores the gw and gb partial rows once per R rows.
template <int B, class T, int R>
KILN_ALWAYS_INLINE void grad_rows(T* const* gx, const T* const* g, const T* const* x, const T* w, int64_t n,
                                  const T* c, const T* r, const T* a, const T* b, const T* d, T* gw, T* gb) {
  constexpr int64_t W = kWidth<T>;
  int64_t j = 0;
  for (; j + W <= n; j += W) {
    vec<T, B> sw = load<B>(gw + j), sb = load<B>(gb + j);
    const vec<T, B> wv = w ? load<B>(w + j) : splat<B>(T(1));
    for (int k = 0; k < R; ++k) {
      const vec<T, B> gv = load<B>(g[k] + j), xc = load<B>(x[k] + j) - splat<B>(c[k]);
      store<B>(gx[k] + j, (gv * wv) * splat<B>(a[k]) + xc * splat<B>(b[k]) + splat<B>(d[k]));
      sw += gv * (xc * splat<B>(r[k]));
      sb += gv;
    }
    store<B>(gw + j, sw);
    store<B>(gb + j, sb);
  }
  for (; j < n; ++j)
    for (int k = 0; k < R; ++k) {
      const T gv = g[k][j], xc = x[k][j] - c[k];
      gx[k][j] = (w ? gv * w[j] : gv) * a[k] + xc * b[k] + d[k];
      gw[j] += gv * (xc * r[k]);
      gb[j] += gv;
    }
}

}  // namespace kiln::cpu::norm
