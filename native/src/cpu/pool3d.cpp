// 3-D pooling kernels: each output visits its window depth, then row, then column, as PyTorch's 3-D CPU kernels
// do, so ties, NaNs and sums come out as theirs. Per volume, the windows along each dim are computed once.
#include "cpu/dispatch.h"
#include "cpu/pool3d.h"

#include <limits>
#include <vector>

#include "cpu/claim_loop.h"
#include "cpu/pool.h"
#include "cpu/pool_windows.h"

namespace kiln::cpu {
namespace {

// The windows along D, H and W, and what an average divides by: a fixed divisor, the padded window's volume, or
// the in-range elements' count.
struct Windows3 {
  Windows d, h, w;
  int64_t fixed = 0;
  bool include_pad = false;

  int64_t divisor(int64_t od, int64_t oh, int64_t ow) const {
    if (fixed) return fixed;
    if (include_pad) return d.padded[od] * h.padded[oh] * w.padded[ow];
    return (d.end[od] - d.begin[od]) * (h.end[oh] - h.begin[oh]) * (w.end[ow] - w.begin[ow]);
  }
};

// A tensor's sizes and strides as [N, C, D, H, W].
struct Volume {
  int64_t c, d, h, w, sn, sc, sd, sh, sw;
  explicit Volume(const Tensor& t)
      : c(t.shape()[1]), d(t.shape()[2]), h(t.shape()[3]), w(t.shape()[4]), sn(t.strides()[0]), sc(t.strides()[1]),
        sd(t.strides()[2]), sh(t.strides()[3]), sw(t.strides()[4]) {}
  int64_t offset(int64_t p) const { return p / c * sn + p % c * sc; }  // of volume p = n * C + c
  int64_t size() const { return d * h * w; }
};

// Runs fn(p) for each volume p of an [N, C, ...] tensor, in parallel when they carry enough work.
template <class Fn>
void over_volumes(const Tensor& t, int64_t work, Fn&& fn) {
  claim_loop(t.shape()[0] * t.shape()[1], std::max<int64_t>(1, 32768 / std::max<int64_t>(work, 1)), [] { return 0; },
             [&](int64_t begin, int64_t end, int) {
    for (int64_t p = begin; p < end; ++p) fn(p);
  });
}


// Later elements win when greater or NaN; a window starts from its first element's index at -inf. Regular
// windows (pool given) go a row of outputs at a time: for each (d, h) of their windows and each kernel offset
// along W, every output of the row takes that element when larger or NaN (max_update, vectorised); each output
// still sees its window in (d, h, w) order, so ties and NaNs come out as in PyTorch. Adaptive windows (pool null)
// go an output at a time.
// win_of(p) gives volume p's windows (the same for every volume but fractional pooling's).
template <class T, class WinOf>
void max_impl(const Pool3d* pool, WinOf&& win_of, const Tensor& out, const Tensor& indices, const Tensor& x) {
  const Volume vx(x), vo(out);
  const int64_t O = vo.size(), HW = vx.h * vx.w, OW = vo.w;
  over_volumes(out, O * 8, [&](int64_t p) {
    auto&& win = win_of(p);
    const Windows &wd = win.d, &wh = win.h, &ww = win.w;
    const T* in = x.data<T>() + vx.offset(p);
    T* o = out.data<T>() + p * O;
    int64_t* idx = indices.data<int64_t>() + p * O;
    for (int64_t od = 0; od < vo.d; ++od)
      for (int64_t oh = 0; oh < vo.h; ++oh, o += OW, idx += OW) {
        std::fill(o, o + OW, -std::numeric_limits<T>::infinity());
        for (int64_t ow = 0; ow < OW; ++ow) idx[ow] = wd.begin[od] * HW + wh.begin[oh] * vx.w + ww.begin[ow];
        for (int64_t id = wd.begin[od]; id < wd.end[od]; id += wd.step)
          for (int64_t ih = wh.begin[oh]; ih < wh.end[oh]; ih += wh.step) {
            const T* row = in + id * vx.sd + ih * vx.sh;
            const int64_t at = id * HW + ih * vx.w;
            if (pool) {
              const int64_t s = pool->stride[2];
              for (int64_t j = 0; j < pool->kernel[2]; ++j) {
                const int64_t off = j * pool->dilation[2] - pool->pad[2];
                const auto [b, e] = valid_outputs(OW, vx.w, s, off);
                if (e > b) max_update(o + b, idx + b, row + (b * s + off) * vx.sw, e - b, s * vx.sw, at + b * s + off, s);
              }
              continue;
            }
            for (int64_t ow = 0; ow < OW; ++ow)
              for (int64_t iw = ww.begin[ow]; iw < ww.end[ow]; ++iw) {
                const T v = row[iw * vx.sw];
                const bool take = (v > o[ow]) | (v != v);
                o[ow] = take ? v : o[ow];
                idx[ow] = take ? at + iw : idx[ow];
              }
          }
      }
  });
}

// Calls fn(b, e, off) for each kernel offset along W of a row of regular windows: outputs [b, e) read input
// ow * stride + off. The offsets come in window order, so each output sees its elements in order.
template <class Fn>
void row_offsets(const Pool3d& pool, int64_t OW, int64_t W, Fn&& fn) {
  for (int64_t j = 0; j < pool.kernel[2]; ++j) {
    const int64_t off = j - pool.pad[2];
    const auto [b, e] = valid_outputs(OW, W, pool.stride[2], off);
    if (e > b) fn(b, e, off);
  }
}

// Sums from 0 in (d, h, w) order, as PyTorch's loop; regular windows a row of outputs at a time (as max_impl).
template <class T>
void avg_impl(const Pool3d* pool, const Windows3& win, const Tensor& out, const Tensor& x) {
  const Volume vx(x), vo(out);
  const int64_t O = vo.size(), OW = vo.w;
  const Windows &wd = win.d, &wh = win.h, &ww = win.w;
  over_volumes(out, O * 8, [&](int64_t p) {
    const T* in = x.data<T>() + vx.offset(p);
    T* o = out.data<T>() + p * O;
    for (int64_t od = 0; od < vo.d; ++od)
      for (int64_t oh = 0; oh < vo.h; ++oh, o += OW) {
        std::fill(o, o + OW, T(0));
        for (int64_t id = wd.begin[od]; id < wd.end[od]; ++id)
          for (int64_t ih = wh.begin[oh]; ih < wh.end[oh]; ++ih) {
            const T* row = in + id * vx.sd + ih * vx.sh;
            if (pool) {
              const int64_t step = pool->stride[2] * vx.sw;
              row_offsets(*pool, OW, vx.w, [&](int64_t b, int64_t e, int64_t off) {
                const T* src = row + (b * pool->stride[2] + off) * vx.sw;
                for (int64_t i = 0; i < e - b; ++i) o[b + i] += src[i * step];
              });
              continue;
            }
            for (int64_t ow = 0; ow < OW; ++ow)
              for (int64_t iw = ww.begin[ow]; iw < ww.end[ow]; ++iw) o[ow] += row[iw * vx.sw];
          }
        for (int64_t ow = 0; ow < OW; ++ow)
          o[ow] = ww.begin[ow] < ww.end[ow] && wd.begin[od] < wd.end[od] && wh.begin[oh] < wh.end[oh]
                      ? o[ow] / static_cast<T>(win.divisor(od, oh, ow))
                      : T(0);
      }
  });
}

// grad_input's volume (dense) += each output's gradient spread evenly over its window.
template <class T>
void avg_backward_impl(const Pool3d* pool, const Windows3& win, const Tensor& gi, const Tensor& g) {
  const Volume vi(gi), vg(g);
  const int64_t V = vi.size(), HW = vi.h * vi.w, OW = vg.w;
  const Windows &wd = win.d, &wh = win.h, &ww = win.w;
  over_volumes(g, V + vg.size() * 8, [&](int64_t p) {
    const T* go = g.data<T>() + vg.offset(p);
    T* dst = gi.data<T>() + p * V;
    if (!pool && vg.size() == 1) {  // global average pooling: one window over the whole volume
      std::fill(dst, dst + V, *go / static_cast<T>(win.divisor(0, 0, 0)));
      return;
    }
    std::fill(dst, dst + V, T(0));
    std::vector<T> share(static_cast<size_t>(OW));
    for (int64_t od = 0; od < vg.d; ++od)
      for (int64_t oh = 0; oh < vg.h; ++oh) {
        if (wd.begin[od] >= wd.end[od] || wh.begin[oh] >= wh.end[oh]) continue;
        for (int64_t ow = 0; ow < OW; ++ow)
          share[ow] = ww.begin[ow] >= ww.end[ow] ? T(0)
                      : go[od * vg.sd + oh * vg.sh + ow * vg.sw] / static_cast<T>(win.divisor(od, oh, ow));
        for (int64_t id = wd.begin[od]; id < wd.end[od]; ++id)
          for (int64_t ih = wh.begin[oh]; ih < wh.end[oh]; ++ih) {
            T* row = dst + id * HW + ih * vi.w;
            if (pool) {
              const int64_t s = pool->stride[2];
              row_offsets(*pool, OW, vi.w, [&](int64_t b, int64_t e, int64_t off) {
                T* to = row + b * s + off;
                for (int64_t i = 0; i < e - b; ++i) to[i * s] += share[b + i];
              });
              continue;
            }
            for (int64_t ow = 0; ow < OW; ++ow)
              for (int64_t iw = ww.begin[ow]; iw < ww.end[ow]; ++iw) row[iw] += share[ow];
          }
      }
  });
}

Windows3 max_windows3(const Pool3d& p, const Tensor& out, const Tensor& x) {
  Windows3 w;
  Windows* dims[3] = {&w.d, &w.h, &w.w};
  for (int i = 0; i < 3; ++i)
    *dims[i] = max_windows(out.shape()[2 + i], x.shape()[2 + i], p.kernel[i], p.stride[i], p.pad[i], p.dilation[i]);
  return w;
}

// `small` is the pooled side (the output forward, the gradient backward), `large` the input's.
Windows3 avg_windows3(const Pool3d& p, const Tensor& small, const Tensor& large) {
  Windows3 w;
  Windows* dims[3] = {&w.d, &w.h, &w.w};
  for (int i = 0; i < 3; ++i)
    *dims[i] = avg_windows(small.shape()[2 + i], large.shape()[2 + i], p.kernel[i], p.stride[i], p.pad[i]);
  w.fixed = p.divisor_override;
  w.include_pad = p.count_include_pad;
  return w;
}

Windows3 adaptive_windows3(const Tensor& small, const Tensor& large) {
  Windows3 w;
  Windows* dims[3] = {&w.d, &w.h, &w.w};
  for (int i = 0; i < 3; ++i) *dims[i] = adaptive_windows(small.shape()[2 + i], large.shape()[2 + i]);
  return w;
}

auto same_windows(const Windows3& win) {
  return [&win](int64_t) -> const Windows3& { return win; };
}

// Fractional max pooling's windows along one dim, k wide, as PyTorch places them for the fraction u in [0, 1)
// (Graham 2014): start i is floor((i + u) * a) - floor(u * a) with a = (in - k) / (out - 1) in T, the last one
// in - k, so the windows overlap or skip irregularly but cover the input from end to end.
template <class T>
Windows fractional_windows(T u, int64_t out, int64_t in, int64_t k) {
  Windows w;
  const T a = out > 1 ? static_cast<T>(in - k) / static_cast<T>(out - 1) : T(0);
  for (int64_t o = 0; o < out; ++o) {
    const int64_t b = o + 1 < out ? static_cast<int>((static_cast<T>(o) + u) * a) - static_cast<int>(u * a) : in - k;
    w.begin.push_back(b);
    w.end.push_back(b + k);
  }
  return w;
}

}  // namespace

void max_pool3d(const Pool3d& p, const Tensor& out, const Tensor& indices, const Tensor& x) {
  if (out.numel() == 0) return;
  const Windows3 win = max_windows3(p, out, x);
  dispatch_float(x.dtype(), "3-D pooling", [&](auto t) { max_impl<decltype(t)>(&p, same_windows(win), out, indices, x); });
}
void adaptive_max_pool3d(const Tensor& out, const Tensor& indices, const Tensor& x) {
  if (out.numel() == 0) return;
  const Windows3 win = adaptive_windows3(out, x);
  dispatch_float(x.dtype(), "3-D pooling", [&](auto t) { max_impl<decltype(t)>(nullptr, same_windows(win), out, indices, x); });
}
void fractional_max_pool3d(const int64_t kernel[3], const int sample_col[3], const Tensor& out, const Tensor& indices,
                           const Tensor& x, const Tensor& samples) {
  if (out.numel() == 0) return;
  const int64_t S = samples.shape()[samples.dim() - 1];
  dispatch_float(x.dtype(), "3-D pooling", [&](auto t) {
    using T = decltype(t);
    const T* u = samples.data<T>();
    max_impl<T>(nullptr, [&](int64_t p) {
      Windows3 w;
      Windows* dims[3] = {&w.d, &w.h, &w.w};
      for (int i = 0; i < 3; ++i)
        *dims[i] = fractional_windows(u[p * S + sample_col[i]], out.shape()[2 + i], x.shape()[2 + i], kernel[i]);
      return w;
    }, out, indices, x);
  });
}
void avg_pool3d(const Pool3d& p, const Tensor& out, const Tensor& x) {
  if (out.numel() == 0) return;
  dispatch_float(x.dtype(), "3-D pooling", [&](auto t) { avg_impl<decltype(t)>(&p, avg_windows3(p, out, x), out, x); });
}
void avg_pool3d_backward(const Pool3d& p, const Tensor& gi, const Tensor& g) {
  if (gi.numel() == 0) return;
  dispatch_float(gi.dtype(), "3-D pooling", [&](auto t) { avg_backward_impl<decltype(t)>(&p, avg_windows3(p, g, gi), gi, g); });
}
void adaptive_avg_pool3d(const Tensor& out, const Tensor& x) {
  if (out.numel() == 0) return;
  if (out.numel() == out.shape()[0] * out.shape()[1] && x.is_contiguous()) {
    // Global average pooling: the 2-D kernel's, over [N, C, 1, D * H * W] (the same sums in the same order).
    const int64_t N = x.shape()[0], C = x.shape()[1], V = x.numel() / std::max<int64_t>(N * C, 1);
    adaptive_avg_pool2d(out.as_strided({N, C, 1, 1}, {C, 1, 1, 1}, out.offset()),
                        x.as_strided({N, C, 1, V}, {C * V, V, V, 1}, x.offset()));
    return;
  }
  dispatch_float(x.dtype(), "3-D pooling", [&](auto t) { avg_impl<decltype(t)>(nullptr, adaptive_windows3(out, x), out, x); });
}
void adaptive_avg_pool3d_backward(const Tensor& gi, const Tensor& g) {
  if (gi.numel() == 0) return;
  dispatch_float(gi.dtype(), "3-D pooling", [&](auto t) { avg_backward_impl<decltype(t)>(nullptr, adaptive_windows3(g, gi), gi, g); });
}

}  // namespace kiln::cpu
