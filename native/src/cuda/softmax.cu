// softmax and log_softmax along a dim, forward and backward. The tensor is seen as [outer, C, inner]: for
// inner == 1 (the last dim) a warp takes a row, reading it coalesced; otherwise a thread takes a column of
// stride inner, and neighbouring threads read neighbouring columns.
#include <cmath>

#include "cuda/kernels.h"
#include "cuda/rows.cuh"

namespace kiln::cuda {
namespace {

struct Layout {
  int64_t outer = 1, classes = 1, inner = 1;
};

Layout layout_of(const Tensor& t, int64_t dim) {
  Layout l;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (d < dim) l.outer *= t.shape()[d];
    else if (d > dim) l.inner *= t.shape()[d];
  }
  l.classes = t.dim() == 0 ? 1 : t.shape()[dim];
  return l;
}

// Row r of [rows, n]: out = softmax (or log_softmax).
template <class T, bool Log>
__global__ void softmax_rows(const T* x, T* out, int64_t rows, int64_t n) {
  const int lane = threadIdx.x % kWarp;
  for (int64_t r = blockIdx.x * static_cast<int64_t>(kRowsPerBlock) + threadIdx.x / kWarp; r < rows;
       r += static_cast<int64_t>(gridDim.x) * kRowsPerBlock) {
    const T* xr = x + r * n;
    T m = neg_inf<T>();
    for (int64_t i = lane; i < n; i += kWarp) m = (xr[i] > m || xr[i] != xr[i]) ? xr[i] : m;
    m = warp_max(m);
    T s = 0;
    for (int64_t i = lane; i < n; i += kWarp) s += exp(xr[i] - m);
    s = warp_sum(s);
    T* o = out + r * n;
    if (Log) {
      const T ls = log(s);
      for (int64_t i = lane; i < n; i += kWarp) o[i] = (xr[i] - m) - ls;
    } else {
      for (int64_t i = lane; i < n; i += kWarp) o[i] = exp(xr[i] - m) / s;
    }
  }
}

// Column (o, j) of [outer, n, inner].
template <class T, bool Log>
__global__ void softmax_columns(const T* x, T* out, Layout l) {
  const int64_t columns = l.outer * l.inner;
  for (int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; c < columns;
       c += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t base = (c / l.inner) * l.classes * l.inner + c % l.inner;
    T m = neg_inf<T>();
    for (int64_t i = 0; i < l.classes; ++i) {
      const T v = x[base + i * l.inner];
      m = (v > m || v != v) ? v : m;
    }
    T s = 0;
    for (int64_t i = 0; i < l.classes; ++i) s += exp(x[base + i * l.inner] - m);
    const T ls = log(s);
    for (int64_t i = 0; i < l.classes; ++i) {
      const T v = x[base + i * l.inner] - m;
      out[base + i * l.inner] = Log ? v - ls : exp(v) / s;
    }
  }
}

// softmax: gi = y (g - sum(g y)); log_softmax: gi = g - exp(y) sum(g).
template <class T, bool Log>
__global__ void softmax_backward_rows(const T* g, const T* y, T* gi, int64_t rows, int64_t n) {
  const int lane = threadIdx.x % kWarp;
  for (int64_t r = blockIdx.x * static_cast<int64_t>(kRowsPerBlock) + threadIdx.x / kWarp; r < rows;
       r += static_cast<int64_t>(gridDim.x) * kRowsPerBlock) {
    const T *gr = g + r * n, *yr = y + r * n;
    T s = 0;
    for (int64_t i = lane; i < n; i += kWarp) s += Log ? gr[i] : gr[i] * yr[i];
    s = warp_sum(s);
    T* o = gi + r * n;
    for (int64_t i = lane; i < n; i += kWarp) o[i] = Log ? gr[i] - exp(yr[i]) * s : yr[i] * (gr[i] - s);
  }
}

template <class T, bool Log>
__global__ void softmax_backward_columns(const T* g, const T* y, T* gi, Layout l) {
  const int64_t columns = l.outer * l.inner;
  for (int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; c < columns;
       c += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t base = (c / l.inner) * l.classes * l.inner + c % l.inner;
    T s = 0;
    for (int64_t i = 0; i < l.classes; ++i) {
      const int64_t k = base + i * l.inner;
      s += Log ? g[k] : g[k] * y[k];
    }
    for (int64_t i = 0; i < l.classes; ++i) {
      const int64_t k = base + i * l.inner;
      gi[k] = Log ? g[k] - exp(y[k]) * s : y[k] * (g[k] - s);
    }
  }
}

template <class T, bool Log>
void forward(const Tensor& out, const Tensor& x, const Layout& l, cudaStream_t s) {
  if (l.inner == 1) softmax_rows<T, Log><<<blocks_for_rows(l.outer), kThreads, 0, s>>>(x.data<T>(), out.data<T>(), l.outer, l.classes);
  else softmax_columns<T, Log><<<blocks_for(l.outer * l.inner), kThreads, 0, s>>>(x.data<T>(), out.data<T>(), l);
}

template <class T, bool Log>
void backward(const Tensor& gi, const Tensor& g, const Tensor& y, const Layout& l, cudaStream_t s) {
  if (l.inner == 1)
    softmax_backward_rows<T, Log>
        <<<blocks_for_rows(l.outer), kThreads, 0, s>>>(g.data<T>(), y.data<T>(), gi.data<T>(), l.outer, l.classes);
  else
    softmax_backward_columns<T, Log>
        <<<blocks_for(l.outer * l.inner), kThreads, 0, s>>>(g.data<T>(), y.data<T>(), gi.data<T>(), l);
}

}  // namespace

void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) {
  if (out.numel() == 0) return;
  const Layout l = layout_of(x, dim);
  const cudaStream_t s = stream(out.device().index);
  floating(x.dtype(), log ? "log_softmax" : "softmax", [&](auto tag) {
    using T = decltype(tag);
    log ? forward<T, true>(out, x, l, s) : forward<T, false>(out, x, l, s);
  });
  KILN_CUDA_CHECK_LAUNCH(log ? "log_softmax" : "softmax");
}

void softmax_backward(const Tensor& grad_in, const Tensor& g, const Tensor& y, int64_t dim, bool log) {
  if (grad_in.numel() == 0) return;
  const Layout l = layout_of(y, dim);
  const cudaStream_t s = stream(grad_in.device().index);
  floating(y.dtype(), "softmax_backward", [&](auto tag) {
    using T = decltype(tag);
    log ? backward<T, true>(grad_in, g, y, l, s) : backward<T, false>(grad_in, g, y, l, s);
  });
  KILN_CUDA_CHECK_LAUNCH(log ? "_log_softmax_backward_data" : "_softmax_backward_data");
}

}  // namespace kiln::cuda
