// Pooling kernels. Windows follow PyTorch's CPU kernels exactly (where a padded or dilated window starts,
// which element a tie or a NaN selects, what an average divides by), so indices and values match it.
#include "cpu/pool.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "cpu/claim_loop.h"

namespace kiln::cpu {
namespace {

// Runs fn(plane, n, c) for every (n, c) of an [N, C, ...] tensor, in parallel when the planes carry enough work.
template <class Fn>
void over_planes(const Tensor& t, int64_t work_per_plane, Fn&& fn) {
  const int64_t n = t.shape()[0], c = t.shape()[1];
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(work_per_plane, 1));
  claim_loop(n * c, grain, [] { return 0; }, [&](int64_t begin, int64_t end, int) {
    for (int64_t p = begin; p < end; ++p) fn(p, p / c, p % c);
  });
}

template <class T>
const T* plane_of(const Tensor& x, int64_t n, int64_t c) {
  return x.data<T>() + n * x.strides()[0] + c * x.strides()[1];
}

template <class Fn>
void by_dtype(DType t, Fn&& fn) {
  if (t == DType::Float32) fn(float{});
  else fn(double{});
}

// PyTorch's adaptive windows (in float, as its kernels compute them).
int64_t start_index(int64_t o, int64_t out, int64_t in) {
  return static_cast<int64_t>(std::floor(static_cast<float>(o * in) / static_cast<float>(out)));
}
int64_t end_index(int64_t o, int64_t out, int64_t in) {
  return static_cast<int64_t>(std::ceil(static_cast<float>((o + 1) * in) / static_cast<float>(out)));
}

template <class T>
void max_pool_impl(const Pool2d& p, const Tensor& out, const Tensor& indices, const Tensor& x) {
  const int64_t H = x.shape()[2], W = x.shape()[3], OH = out.shape()[2], OW = out.shape()[3];
  const int64_t sh = x.strides()[2], sw = x.strides()[3];
  over_planes(x, OH * OW * p.kernel[0] * p.kernel[1], [&](int64_t plane, int64_t n, int64_t c) {
    const T* in = plane_of<T>(x, n, c);
    T* o = out.data<T>() + plane * OH * OW;
    int64_t* idx = indices.data<int64_t>() + plane * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      int64_t h0 = oh * p.stride[0] - p.pad[0];
      const int64_t h1 = std::min(h0 + (p.kernel[0] - 1) * p.dilation[0] + 1, H);
      while (h0 < 0) h0 += p.dilation[0];
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t w0 = ow * p.stride[1] - p.pad[1];
        const int64_t w1 = std::min(w0 + (p.kernel[1] - 1) * p.dilation[1] + 1, W);
        while (w0 < 0) w0 += p.dilation[1];
        int64_t best = h0 * W + w0;
        T max = -std::numeric_limits<T>::infinity();
        for (int64_t ih = h0; ih < h1; ih += p.dilation[0])
          for (int64_t iw = w0; iw < w1; iw += p.dilation[1]) {
            const T v = in[ih * sh + iw * sw];
            if (v > max || std::isnan(v)) {
              max = v;
              best = ih * W + iw;
            }
          }
        o[oh * OW + ow] = max;
        idx[oh * OW + ow] = best;
      }
    }
  });
}

template <class T>
void adaptive_max_impl(const Tensor& out, const Tensor& indices, const Tensor& x) {
  const int64_t H = x.shape()[2], W = x.shape()[3], OH = out.shape()[2], OW = out.shape()[3];
  const int64_t sh = x.strides()[2], sw = x.strides()[3];
  over_planes(x, H * W, [&](int64_t plane, int64_t n, int64_t c) {
    const T* in = plane_of<T>(x, n, c);
    T* o = out.data<T>() + plane * OH * OW;
    int64_t* idx = indices.data<int64_t>() + plane * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      const int64_t h0 = start_index(oh, OH, H), h1 = end_index(oh, OH, H);
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t w0 = start_index(ow, OW, W), w1 = end_index(ow, OW, W);
        int64_t best = h0 * W + w0;
        T max = -std::numeric_limits<T>::infinity();
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw) {
            const T v = in[ih * sh + iw * sw];
            if (v > max || std::isnan(v)) {
              max = v;
              best = ih * W + iw;
            }
          }
        o[oh * OW + ow] = max;
        idx[oh * OW + ow] = best;
      }
    }
  });
}

template <class T>
void max_backward_impl(const Tensor& grad_input, const Tensor& grad_out, const Tensor& indices) {
  const int64_t V = grad_input.shape()[2] * grad_input.shape()[3], O = grad_out.shape()[2] * grad_out.shape()[3];
  const int64_t OW = grad_out.shape()[3];
  over_planes(grad_out, O, [&](int64_t plane, int64_t n, int64_t c) {
    T* gi = grad_input.data<T>() + plane * V;
    std::fill(gi, gi + V, T(0));
    const T* g = plane_of<T>(grad_out, n, c);
    const int64_t* idx = plane_of<int64_t>(indices, n, c);
    const int64_t gh = grad_out.strides()[2], gw = grad_out.strides()[3];
    const int64_t ih = indices.strides()[2], iw = indices.strides()[3];
    for (int64_t o = 0; o < O; ++o) {
      const int64_t i = idx[(o / OW) * ih + (o % OW) * iw];
      if (i >= 0 && i < V) gi[i] += g[(o / OW) * gh + (o % OW) * gw];
    }
  });
}

// One average window along a dim: its clipped range and the size it counts when padding is included.
struct AvgWindow {
  int64_t begin, end, padded_size;
};

AvgWindow avg_window(int64_t o, int64_t stride, int64_t pad, int64_t kernel, int64_t in) {
  int64_t begin = o * stride - pad, end = std::min(begin + kernel, in + pad);
  const int64_t padded = end - begin;
  return {std::max<int64_t>(begin, 0), std::min(end, in), padded};
}

template <class T>
T avg_divisor(const Pool2d& p, const AvgWindow& h, const AvgWindow& w) {
  if (p.divisor_override) return static_cast<T>(p.divisor_override);
  return static_cast<T>(p.count_include_pad ? h.padded_size * w.padded_size : (h.end - h.begin) * (w.end - w.begin));
}

template <class T>
void avg_impl(const Pool2d& p, const Tensor& out, const Tensor& x) {
  const int64_t H = x.shape()[2], W = x.shape()[3], OH = out.shape()[2], OW = out.shape()[3];
  const int64_t sh = x.strides()[2], sw = x.strides()[3];
  over_planes(x, OH * OW * p.kernel[0] * p.kernel[1], [&](int64_t plane, int64_t n, int64_t c) {
    const T* in = plane_of<T>(x, n, c);
    T* o = out.data<T>() + plane * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      const AvgWindow h = avg_window(oh, p.stride[0], p.pad[0], p.kernel[0], H);
      for (int64_t ow = 0; ow < OW; ++ow) {
        const AvgWindow w = avg_window(ow, p.stride[1], p.pad[1], p.kernel[1], W);
        if (h.begin >= h.end || w.begin >= w.end) {
          o[oh * OW + ow] = T(0);
          continue;
        }
        T sum = 0;
        for (int64_t ih = h.begin; ih < h.end; ++ih)
          for (int64_t iw = w.begin; iw < w.end; ++iw) sum += in[ih * sh + iw * sw];
        o[oh * OW + ow] = sum / avg_divisor<T>(p, h, w);
      }
    }
  });
}

template <class T>
void avg_backward_impl(const Pool2d& p, const Tensor& grad_input, const Tensor& grad_out) {
  const int64_t H = grad_input.shape()[2], W = grad_input.shape()[3], OH = grad_out.shape()[2],
                OW = grad_out.shape()[3];
  const int64_t gh = grad_out.strides()[2], gw = grad_out.strides()[3];
  over_planes(grad_out, OH * OW * p.kernel[0] * p.kernel[1], [&](int64_t plane, int64_t n, int64_t c) {
    T* gi = grad_input.data<T>() + plane * H * W;
    std::fill(gi, gi + H * W, T(0));
    const T* g = plane_of<T>(grad_out, n, c);
    for (int64_t oh = 0; oh < OH; ++oh) {
      const AvgWindow h = avg_window(oh, p.stride[0], p.pad[0], p.kernel[0], H);
      for (int64_t ow = 0; ow < OW; ++ow) {
        const AvgWindow w = avg_window(ow, p.stride[1], p.pad[1], p.kernel[1], W);
        if (h.begin >= h.end || w.begin >= w.end) continue;
        const T share = g[oh * gh + ow * gw] / avg_divisor<T>(p, h, w);
        for (int64_t ih = h.begin; ih < h.end; ++ih)
          for (int64_t iw = w.begin; iw < w.end; ++iw) gi[ih * W + iw] += share;
      }
    }
  });
}

template <class T>
void adaptive_avg_impl(const Tensor& out, const Tensor& x) {
  const int64_t H = x.shape()[2], W = x.shape()[3], OH = out.shape()[2], OW = out.shape()[3];
  const int64_t sh = x.strides()[2], sw = x.strides()[3];
  over_planes(x, H * W, [&](int64_t plane, int64_t n, int64_t c) {
    const T* in = plane_of<T>(x, n, c);
    T* o = out.data<T>() + plane * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      const int64_t h0 = start_index(oh, OH, H), h1 = end_index(oh, OH, H);
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t w0 = start_index(ow, OW, W), w1 = end_index(ow, OW, W);
        T sum = 0;
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw) sum += in[ih * sh + iw * sw];
        o[oh * OW + ow] = sum / static_cast<T>((h1 - h0) * (w1 - w0));
      }
    }
  });
}

template <class T>
void adaptive_avg_backward_impl(const Tensor& grad_input, const Tensor& grad_out) {
  const int64_t H = grad_input.shape()[2], W = grad_input.shape()[3], OH = grad_out.shape()[2],
                OW = grad_out.shape()[3];
  const int64_t gh = grad_out.strides()[2], gw = grad_out.strides()[3];
  over_planes(grad_out, H * W, [&](int64_t plane, int64_t n, int64_t c) {
    T* gi = grad_input.data<T>() + plane * H * W;
    std::fill(gi, gi + H * W, T(0));
    const T* g = plane_of<T>(grad_out, n, c);
    for (int64_t oh = 0; oh < OH; ++oh) {
      const int64_t h0 = start_index(oh, OH, H), h1 = end_index(oh, OH, H);
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t w0 = start_index(ow, OW, W), w1 = end_index(ow, OW, W);
        const T share = g[oh * gh + ow * gw] / static_cast<T>((h1 - h0) * (w1 - w0));
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw) gi[ih * W + iw] += share;
      }
    }
  });
}

}  // namespace

void max_pool2d(const Pool2d& p, const Tensor& out, const Tensor& indices, const Tensor& x) {
  if (out.numel() == 0) return;
  by_dtype(x.dtype(), [&](auto tag) { max_pool_impl<decltype(tag)>(p, out, indices, x); });
}

void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Tensor& indices) {
  if (grad_input.numel() == 0) return;
  by_dtype(grad_input.dtype(), [&](auto tag) { max_backward_impl<decltype(tag)>(grad_input, grad_out, indices); });
}

void avg_pool2d(const Pool2d& p, const Tensor& out, const Tensor& x) {
  if (out.numel() == 0) return;
  by_dtype(x.dtype(), [&](auto tag) { avg_impl<decltype(tag)>(p, out, x); });
}

void avg_pool2d_backward(const Pool2d& p, const Tensor& grad_input, const Tensor& grad_out) {
  if (grad_input.numel() == 0) return;
  by_dtype(grad_input.dtype(), [&](auto tag) { avg_backward_impl<decltype(tag)>(p, grad_input, grad_out); });
}

void adaptive_avg_pool2d(const Tensor& out, const Tensor& x) {
  if (out.numel() == 0) return;
  by_dtype(x.dtype(), [&](auto tag) { adaptive_avg_impl<decltype(tag)>(out, x); });
}

void adaptive_avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out) {
  if (grad_input.numel() == 0) return;
  by_dtype(grad_input.dtype(), [&](auto tag) { adaptive_avg_backward_impl<decltype(tag)>(grad_input, grad_out); });
}

void adaptive_max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& x) {
  if (out.numel() == 0) return;
  by_dtype(x.dtype(), [&](auto tag) { adaptive_max_impl<decltype(tag)>(out, indices, x); });
}

}  // namespace kiln::cpu
