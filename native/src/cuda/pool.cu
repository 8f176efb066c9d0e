// 2-D pooling over [N, C, H, W]: a thread per output walks its window, placed as the CPU kernels place it
// (cpu/pool_windows.h: where padded, dilated and adaptive windows start and end, what an average divides by),
// so values and indices match. The backward passes scatter each output's gradient with atomic adds.
#include <cmath>

#include "cuda/kernels.h"
#include "cuda/rows.cuh"

namespace kiln::cuda {
namespace {

enum class Kind { Max, Avg, Adaptive };

// One dim's window: [begin, end) by step; padded: the size an average counts with include_pad.
struct Window {
  int64_t begin, end, step, padded;
};

struct Dim {
  int64_t in, out, kernel, stride, pad, dilation;
};

template <Kind K>
__device__ __forceinline__ Window window(const Dim& d, int64_t o) {
  if (K == Kind::Max) {
    int64_t b = o * d.stride - d.pad;
    const int64_t e = min(b + (d.kernel - 1) * d.dilation + 1, d.in);
    while (b < 0) b += d.dilation;
    return {b, e, d.dilation, 0};
  }
  if (K == Kind::Avg) {
    const int64_t b = o * d.stride - d.pad, e = min(b + d.kernel, d.in + d.pad);
    return {max(b, int64_t(0)), min(e, d.in), 1, e - b};
  }
  // Adaptive windows in float, as PyTorch computes them.
  const int64_t b = static_cast<int64_t>(floorf(static_cast<float>(o * d.in) / static_cast<float>(d.out)));
  const int64_t e = static_cast<int64_t>(ceilf(static_cast<float>((o + 1) * d.in) / static_cast<float>(d.out)));
  return {b, e, 1, e - b};
}

struct Geometry {
  Dim h, w;
  int64_t planes, channels;
  int64_t sn, sc, sh, sw;  // the input's (max, avg forward) or the gradient's (backward) strides
  int64_t fixed_divisor;   // 0: none
  bool include_pad;
};

__device__ __forceinline__ int64_t divisor_of(const Geometry& g, const Window& a, const Window& b) {
  if (g.fixed_divisor) return g.fixed_divisor;
  if (g.include_pad) return a.padded * b.padded;
  return (a.end - a.begin) * (b.end - b.begin);
}

// Output i = ((plane) * OH + oh) * OW + ow, the plane's input at p.
__device__ __forceinline__ void locate(const Geometry& g, int64_t i, int64_t& plane, int64_t& oh, int64_t& ow,
                                       int64_t& base) {
  ow = i % g.w.out;
  oh = (i / g.w.out) % g.h.out;
  plane = i / (g.w.out * g.h.out);
  base = (plane / g.channels) * g.sn + (plane % g.channels) * g.sc;
}

template <class T, Kind K>
__global__ void max_pool(Geometry g, const T* x, T* out, int64_t* indices, int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t plane, oh, ow, base;
    locate(g, i, plane, oh, ow, base);
    const Window a = window<K>(g.h, oh), b = window<K>(g.w, ow);
    int64_t best = a.begin * g.w.in + b.begin;
    T m = neg_inf<T>();
    for (int64_t ih = a.begin; ih < a.end; ih += a.step)
      for (int64_t iw = b.begin; iw < b.end; iw += b.step) {
        const T v = x[base + ih * g.sh + iw * g.sw];
        if (v > m || v != v) {
          m = v;
          best = ih * g.w.in + iw;
        }
      }
    out[i] = m;
    indices[i] = best;
  }
}

template <class T, Kind K>
__global__ void avg_pool(Geometry g, const T* x, T* out, int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t plane, oh, ow, base;
    locate(g, i, plane, oh, ow, base);
    const Window a = window<K>(g.h, oh), b = window<K>(g.w, ow);
    if (a.begin >= a.end || b.begin >= b.end) {
      out[i] = 0;
      continue;
    }
    T sum = 0;
    for (int64_t ih = a.begin; ih < a.end; ++ih)
      for (int64_t iw = b.begin; iw < b.end; ++iw) sum += x[base + ih * g.sh + iw * g.sw];
    out[i] = sum / static_cast<T>(divisor_of(g, a, b));
  }
}

// grad_input (contiguous, zeroed) += each output's gradient over its window; g's strides in the geometry.
template <class T, Kind K>
__global__ void avg_pool_backward(Geometry g, const T* grad, T* gi, int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t plane, oh, ow, base;
    locate(g, i, plane, oh, ow, base);
    const Window a = window<K>(g.h, oh), b = window<K>(g.w, ow);
    if (a.begin >= a.end || b.begin >= b.end) continue;
    const T share = grad[base + oh * g.sh + ow * g.sw] / static_cast<T>(divisor_of(g, a, b));
    T* dst = gi + plane * g.h.in * g.w.in;
    for (int64_t ih = a.begin; ih < a.end; ++ih)
      for (int64_t iw = b.begin; iw < b.end; ++iw) atomicAdd(dst + ih * g.w.in + iw, share);
  }
}

// grad_input (contiguous, zeroed) [plane, H W] += grad at each output's maximum.
template <class T>
__global__ void max_pool_backward(Geometry g, const T* grad, const int64_t* indices, T* gi, int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t plane, oh, ow, base;
    locate(g, i, plane, oh, ow, base);
    atomicAdd(gi + plane * g.h.in * g.w.in + indices[i], grad[base + oh * g.sh + ow * g.sw]);
  }
}

// small: the pooled side [N, C, OH, OW], large: [N, C, H, W]; strided: the tensor the kernel reads with strides.
Geometry geometry(const Pool2d& p, const Tensor& large, const Tensor& small, const Tensor& strided) {
  Geometry g{};
  g.h = {large.shape()[2], small.shape()[2], p.kernel[0], p.stride[0], p.pad[0], p.dilation[0]};
  g.w = {large.shape()[3], small.shape()[3], p.kernel[1], p.stride[1], p.pad[1], p.dilation[1]};
  g.planes = small.shape()[0] * small.shape()[1];
  g.channels = small.shape()[1];
  g.sn = strided.strides()[0];
  g.sc = strided.strides()[1];
  g.sh = strided.strides()[2];
  g.sw = strided.strides()[3];
  g.fixed_divisor = p.divisor_override;
  g.include_pad = p.count_include_pad;
  return g;
}

cudaStream_t stream_of(const Tensor& t) { return stream(t.device().index); }

template <Kind K>
void max_forward(const Pool2d& p, const Tensor& out, const Tensor& indices, const Tensor& x, const char* op) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const Geometry g = geometry(p, x, out, x);
  floating(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    max_pool<T, K><<<blocks_for(n), kThreads, 0, stream_of(out)>>>(g, x.data<T>(), out.data<T>(),
                                                                     indices.data<int64_t>(), n);
  });
  KILN_CUDA_CHECK_LAUNCH(op);
}

template <Kind K>
void avg_forward(const Pool2d& p, const Tensor& out, const Tensor& x, const char* op) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const Geometry g = geometry(p, x, out, x);
  floating(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    avg_pool<T, K><<<blocks_for(n), kThreads, 0, stream_of(out)>>>(g, x.data<T>(), out.data<T>(), n);
  });
  KILN_CUDA_CHECK_LAUNCH(op);
}

template <Kind K>
void avg_backward(const Pool2d& p, const Tensor& gi, const Tensor& grad, const char* op) {
  fill(gi, Scalar(int64_t(0)));
  const int64_t n = grad.numel();
  if (n == 0 || gi.numel() == 0) return;
  const Geometry g = geometry(p, gi, grad, grad);
  floating(gi.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    avg_pool_backward<T, K><<<blocks_for(n), kThreads, 0, stream_of(gi)>>>(g, grad.data<T>(), gi.data<T>(), n);
  });
  KILN_CUDA_CHECK_LAUNCH(op);
}

}  // namespace

void max_pool2d(const Pool2d& p, const Tensor& out, const Tensor& indices, const Tensor& x) {
  max_forward<Kind::Max>(p, out, indices, x, "max_pool2d");
}

void adaptive_max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& x) {
  max_forward<Kind::Adaptive>(Pool2d{}, out, indices, x, "adaptive_max_pool2d");
}

void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Tensor& indices) {
  fill(grad_input, Scalar(int64_t(0)));
  const int64_t n = grad_out.numel();
  if (n == 0 || grad_input.numel() == 0) return;
  const Geometry g = geometry(Pool2d{}, grad_input, grad_out, grad_out);
  floating(grad_input.dtype(), "max_pool2d_with_indices_backward", [&](auto tag) {
    using T = decltype(tag);
    max_pool_backward<T><<<blocks_for(n), kThreads, 0, stream_of(grad_input)>>>(
        g, grad_out.data<T>(), indices.data<int64_t>(), grad_input.data<T>(), n);
  });
  KILN_CUDA_CHECK_LAUNCH("max_pool2d_with_indices_backward");
}

void avg_pool2d(const Pool2d& p, const Tensor& out, const Tensor& x) { avg_forward<Kind::Avg>(p, out, x, "avg_pool2d"); }

void avg_pool2d_backward(const Pool2d& p, const Tensor& grad_input, const Tensor& grad_out) {
  avg_backward<Kind::Avg>(p, grad_input, grad_out, "avg_pool2d_backward");
}

void adaptive_avg_pool2d(const Tensor& out, const Tensor& x) {
  avg_forward<Kind::Adaptive>(Pool2d{}, out, x, "adaptive_avg_pool2d");
}

void adaptive_avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out) {
  avg_backward<Kind::Adaptive>(Pool2d{}, grad_input, grad_out, "adaptive_avg_pool2d_backward");
}

}  // namespace kiln::cuda
