// Upsampling kernels. Source indices and weights are computed once per output row and column, as PyTorch's
// CPU kernels compute them: nearest in float ("nearest", not "nearest-exact"), linear weights in the
// input's own precision.
#include "cpu/upsample.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu/claim_loop.h"

namespace kiln::cpu {
namespace {

// PyTorch's compute_scales_value: 1 / scale when one was given, else in / out.
template <class T>
T scale_value(double scale, int64_t in, int64_t out) {
  return scale > 0 ? static_cast<T>(1.0 / scale) : static_cast<T>(in) / static_cast<T>(out);
}

std::vector<int64_t> nearest_sources(int64_t in, int64_t out, double scale) {
  std::vector<int64_t> src(static_cast<size_t>(out));
  const float s = scale_value<float>(scale, in, out);
  for (int64_t o = 0; o < out; ++o) {
    if (out == in) src[o] = o;
    else if (out == 2 * in) src[o] = o >> 1;
    else src[o] = std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * s)), in - 1);
  }
  return src;
}

// Each output position reads i0 with weight l0 and i1 with weight l1.
template <class T>
struct Lerp {
  int64_t i0, i1;
  T l0, l1;
};

template <class T>
std::vector<Lerp<T>> linear_sources(int64_t in, int64_t out, double scale, bool align_corners) {
  std::vector<Lerp<T>> src(static_cast<size_t>(out));
  const T ratio = align_corners ? (out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0))
                                : scale_value<T>(scale, in, out);
  for (int64_t o = 0; o < out; ++o) {
    if (out == in) {
      src[o] = {o, o, T(1), T(0)};
      continue;
    }
    T real = align_corners ? ratio * static_cast<T>(o)
                           : static_cast<T>(static_cast<double>(ratio) * (static_cast<double>(o) + 0.5) - 0.5);
    if (!align_corners && real < 0) real = 0;
    const int64_t i0 = static_cast<int64_t>(real);
    const int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
    const T l1 = std::min(std::max(real - static_cast<T>(i0), T(0)), T(1));
    src[o] = {i0, i1, T(1) - l1, l1};
  }
  return src;
}

template <class Fn>
void over_planes(const Tensor& t, int64_t work, Fn&& fn) {
  const int64_t c = t.shape()[1];
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(work, 1));
  claim_loop(t.shape()[0] * c, grain, [] { return 0; }, [&](int64_t begin, int64_t end, int) {
    for (int64_t p = begin; p < end; ++p) fn(p, p / c, p % c);
  });
}

template <class Fn>
void by_dtype(DType t, Fn&& fn) {
  if (t == DType::Float32) fn(float{});
  else fn(double{});
}

template <class T>
void nearest_impl(const Upsample2d& u, const Tensor& out, const Tensor& x) {
  const int64_t OH = out.shape()[2], OW = out.shape()[3];
  const auto hs = nearest_sources(x.shape()[2], OH, u.scale[0]), ws = nearest_sources(x.shape()[3], OW, u.scale[1]);
  const int64_t sh = x.strides()[2], sw = x.strides()[3];
  over_planes(out, OH * OW, [&](int64_t p, int64_t n, int64_t c) {
    const T* in = x.data<T>() + n * x.strides()[0] + c * x.strides()[1];
    T* o = out.data<T>() + p * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      const T* row = in + hs[oh] * sh;
      for (int64_t ow = 0; ow < OW; ++ow) o[oh * OW + ow] = row[ws[ow] * sw];
    }
  });
}

template <class T>
void nearest_backward_impl(const Upsample2d& u, const Tensor& gi, const Tensor& g) {
  const int64_t H = gi.shape()[2], W = gi.shape()[3], OH = g.shape()[2], OW = g.shape()[3];
  const auto hs = nearest_sources(H, OH, u.scale[0]), ws = nearest_sources(W, OW, u.scale[1]);
  over_planes(g, OH * OW, [&](int64_t p, int64_t n, int64_t c) {
    const T* go = g.data<T>() + n * g.strides()[0] + c * g.strides()[1];
    T* o = gi.data<T>() + p * H * W;
    std::fill(o, o + H * W, T(0));
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) o[hs[oh] * W + ws[ow]] += go[oh * g.strides()[2] + ow * g.strides()[3]];
  });
}

template <class T>
void bilinear_impl(const Upsample2d& u, const Tensor& out, const Tensor& x) {
  const int64_t OH = out.shape()[2], OW = out.shape()[3];
  const auto hs = linear_sources<T>(x.shape()[2], OH, u.scale[0], u.align_corners);
  const auto ws = linear_sources<T>(x.shape()[3], OW, u.scale[1], u.align_corners);
  const int64_t sh = x.strides()[2], sw = x.strides()[3];
  over_planes(out, OH * OW, [&](int64_t p, int64_t n, int64_t c) {
    const T* in = x.data<T>() + n * x.strides()[0] + c * x.strides()[1];
    T* o = out.data<T>() + p * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      const Lerp<T>& h = hs[oh];
      const T *r0 = in + h.i0 * sh, *r1 = in + h.i1 * sh;
      for (int64_t ow = 0; ow < OW; ++ow) {
        const Lerp<T>& w = ws[ow];
        o[oh * OW + ow] = h.l0 * (w.l0 * r0[w.i0 * sw] + w.l1 * r0[w.i1 * sw]) +
                          h.l1 * (w.l0 * r1[w.i0 * sw] + w.l1 * r1[w.i1 * sw]);
      }
    }
  });
}

template <class T>
void bilinear_backward_impl(const Upsample2d& u, const Tensor& gi, const Tensor& g) {
  const int64_t H = gi.shape()[2], W = gi.shape()[3], OH = g.shape()[2], OW = g.shape()[3];
  const auto hs = linear_sources<T>(H, OH, u.scale[0], u.align_corners);
  const auto ws = linear_sources<T>(W, OW, u.scale[1], u.align_corners);
  over_planes(g, OH * OW, [&](int64_t p, int64_t n, int64_t c) {
    const T* go = g.data<T>() + n * g.strides()[0] + c * g.strides()[1];
    T* o = gi.data<T>() + p * H * W;
    std::fill(o, o + H * W, T(0));
    for (int64_t oh = 0; oh < OH; ++oh) {
      const Lerp<T>& h = hs[oh];
      for (int64_t ow = 0; ow < OW; ++ow) {
        const Lerp<T>& w = ws[ow];
        const T v = go[oh * g.strides()[2] + ow * g.strides()[3]];
        o[h.i0 * W + w.i0] += h.l0 * w.l0 * v;
        o[h.i0 * W + w.i1] += h.l0 * w.l1 * v;
        o[h.i1 * W + w.i0] += h.l1 * w.l0 * v;
        o[h.i1 * W + w.i1] += h.l1 * w.l1 * v;
      }
    }
  });
}

}  // namespace

void upsample_nearest2d(const Upsample2d& u, const Tensor& out, const Tensor& x) {
  if (out.numel() > 0) by_dtype(x.dtype(), [&](auto t) { nearest_impl<decltype(t)>(u, out, x); });
}
void upsample_nearest2d_backward(const Upsample2d& u, const Tensor& gi, const Tensor& g) {
  if (gi.numel() > 0) by_dtype(gi.dtype(), [&](auto t) { nearest_backward_impl<decltype(t)>(u, gi, g); });
}
void upsample_bilinear2d(const Upsample2d& u, const Tensor& out, const Tensor& x) {
  if (out.numel() > 0) by_dtype(x.dtype(), [&](auto t) { bilinear_impl<decltype(t)>(u, out, x); });
}
void upsample_bilinear2d_backward(const Upsample2d& u, const Tensor& gi, const Tensor& g) {
  if (gi.numel() > 0) by_dtype(gi.dtype(), [&](auto t) { bilinear_backward_impl<decltype(t)>(u, gi, g); });
}

}  // namespace kiln::cpu
