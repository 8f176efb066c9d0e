// Pooling kernels. Windows follow PyTorch's CPU kernels exactly (where a padded or dilated window starts,
// which element a tie or a NaN selects, what an average divides by), so indices and values match it.
#include "cpu/dispatch.h"
#include "cpu/pool.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "cpu/claim_loop.h"
#include "cpu/kernels.h"
#include "cpu/pool_windows.h"
#include "cpu/simd.h"

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


// One plane of adaptive max pooling, one window at a time (a NaN wins, as in PyTorch: v > max || isnan(v)).
template <class T>
void max_plane(const T* __restrict in, int64_t sh, int64_t sw, int64_t W, const Windows& hw, const Windows& ww,
               T* __restrict o, int64_t* __restrict idx) {
  const int64_t OH = static_cast<int64_t>(hw.begin.size()), OW = static_cast<int64_t>(ww.begin.size());
  const int64_t dh = hw.step, dw = ww.step;
  const int64_t *wb = ww.begin.data(), *we = ww.end.data();
  for (int64_t oh = 0; oh < OH; ++oh) {
    const int64_t hb = hw.begin[oh], he = hw.end[oh];
    for (int64_t ow = 0; ow < OW; ++ow) {
      int64_t best = hb * W + wb[ow];
      T max = -std::numeric_limits<T>::infinity();
      for (int64_t ih = hb; ih < he; ih += dh) {
        const T* row = in + ih * sh;
        for (int64_t iw = wb[ow]; iw < we[ow]; iw += dw) {
          const T v = row[iw * sw];
          const bool take = (v > max) | (v != v);
          max = take ? v : max;
          best = take ? ih * W + iw : best;
        }
      }
      o[oh * OW + ow] = max;
      idx[oh * OW + ow] = best;
    }
  }
}

}  // namespace

// Max pooling row by row: for each kernel offset in the order a window visits its elements (row by row, left to
// right), every output of the row takes that element when it is larger or NaN. The window order, and so which
// of equal maxima wins, is PyTorch's; the loop over outputs has no branches and vectorises.
KILN_SIMD void max_update(float* m, int64_t* best, const float* src, int64_t n, int64_t step, int64_t idx0,
                          int64_t idx_step) {
  // Constant strides for the common cases (stride 1 or 2 over a dense row) let the loop vectorise.
  if (step == 1) max_update_loop(m, best, src, n, std::integral_constant<int64_t, 1>{}, idx0, idx_step);
  else if (step == 2) max_update_loop(m, best, src, n, std::integral_constant<int64_t, 2>{}, idx0, idx_step);
  else max_update_loop(m, best, src, n, step, idx0, idx_step);
}

KILN_SIMD void max_update(double* m, int64_t* best, const double* src, int64_t n, int64_t step, int64_t idx0,
                          int64_t idx_step) {
  // Constant strides for the common cases (stride 1 or 2 over a dense row) let the loop vectorise.
  if (step == 1) max_update_loop(m, best, src, n, std::integral_constant<int64_t, 1>{}, idx0, idx_step);
  else if (step == 2) max_update_loop(m, best, src, n, std::integral_constant<int64_t, 2>{}, idx0, idx_step);
  else max_update_loop(m, best, src, n, step, idx0, idx_step);
}

namespace {

// The 2x2, stride-2 window without padding over a plane with dense rows: the common case. Its loops run over
// all of a plane's outputs at once rather than row by row: the Fashion-MNIST CNN's rows are 14 and 7 outputs
// wide, and a loop per row spent its time in the scalar tail, mispredicting the comparisons (2 ms per 64x32x28x28
// input on one core, against 0.4 ms over the plane). The windows' rows are staged by chunks of outputs, top[2 i +
// d] and bottom[2 i + d] holding row 2 oh and 2 oh + 1, column 2 ow + d of output i, so that the loops read and
// write them with unit stride (reading each window at its corner in the plane took four scalar loads per output:
// GCC builds no gathers for these CPUs).
constexpr int64_t k2x2Chunk = 512;

// Calls fn(oh, ow, count, k) for each run of the outputs [i0, i0 + n) that lies in one row of OW outputs: count
// outputs from (oh, ow), the chunk's k to k + count.
template <class Fn>
void row_runs(int64_t i0, int64_t n, int64_t OW, Fn&& fn) {
  for (int64_t i = i0; i < i0 + n;) {
    const int64_t oh = i / OW, ow = i % OW, count = std::min(OW - ow, i0 + n - i);
    fn(oh, ow, count, i - i0);
    i += count;
  }
}

// corner[i]: the top-left index in the plane of output i's window. Starting from the window's first element is
// the same as starting from -inf with its index; later elements win when greater or NaN, as PyTorch.
template <class T>
KILN_ALWAYS_INLINE void max2x2_loop(const T* __restrict top, const T* __restrict bottom,
                                    const int32_t* __restrict corner, int64_t n, int64_t W, T* __restrict o,
                                    int64_t* __restrict idx) {
  for (int64_t i = 0; i < n; ++i) {
    const T a = top[2 * i], b = top[2 * i + 1], c = bottom[2 * i], d = bottom[2 * i + 1];
    T m = a;
    int64_t at = 0;
    bool take = (b > m) | (b != b);
    m = take ? b : m;
    at = take ? 1 : at;
    take = (c > m) | (c != c);
    m = take ? c : m;
    at = take ? W : at;
    take = (d > m) | (d != d);
    m = take ? d : m;
    at = take ? W + 1 : at;
    o[i] = m;
    idx[i] = corner[i] + at;
  }
}

KILN_SIMD void max2x2_run(const float* top, const float* bottom, const int32_t* corner, int64_t n, int64_t W, float* o,
                          int64_t* idx) {
  max2x2_loop(top, bottom, corner, n, W, o, idx);
}

KILN_SIMD void max2x2_run(const double* top, const double* bottom, const int32_t* corner, int64_t n, int64_t W,
                          double* o, int64_t* idx) {
  max2x2_loop(top, bottom, corner, n, W, o, idx);
}

// The windows of outputs [i0, i0 + n) of a plane with rows of W elements, into top and bottom (above).
template <class T>
void stage_2x2(const T* in, int64_t i0, int64_t n, int64_t OW, int64_t W, T* top, T* bottom) {
  row_runs(i0, n, OW, [&](int64_t oh, int64_t ow, int64_t count, int64_t k) {
    std::copy_n(in + 2 * oh * W + 2 * ow, 2 * count, top + 2 * k);
    std::copy_n(in + (2 * oh + 1) * W + 2 * ow, 2 * count, bottom + 2 * k);
  });
}

// One plane (rows of W elements) into OH x OW outputs and their indices.
template <class T>
void max2x2_plane(const T* in, const int32_t* corner, int64_t OH, int64_t OW, int64_t W, T* o, int64_t* idx) {
  T top[2 * k2x2Chunk], bottom[2 * k2x2Chunk];
  for (int64_t i0 = 0; i0 < OH * OW; i0 += k2x2Chunk) {
    const int64_t n = std::min(k2x2Chunk, OH * OW - i0);
    stage_2x2(in, i0, n, OW, W, top, bottom);
    max2x2_run(top, bottom, corner + i0, n, W, o + i0, idx + i0);
  }
}

// The average of each 2 x 2 window, in avg_plane's order (from 0, row by row) for the same bits.
template <class T>
KILN_ALWAYS_INLINE void avg2x2_loop(const T* __restrict top, const T* __restrict bottom, int64_t n, T divisor,
                                    T* __restrict o) {
  for (int64_t i = 0; i < n; ++i)
    o[i] = ((((T(0) + top[2 * i]) + top[2 * i + 1]) + bottom[2 * i]) + bottom[2 * i + 1]) / divisor;
}

KILN_SIMD void avg2x2_run(const float* top, const float* bottom, int64_t n, float divisor, float* o) {
  avg2x2_loop(top, bottom, n, divisor, o);
}

KILN_SIMD void avg2x2_run(const double* top, const double* bottom, int64_t n, double divisor, double* o) {
  avg2x2_loop(top, bottom, n, divisor, o);
}

template <class T>
void avg2x2_plane(const T* in, int64_t OH, int64_t OW, int64_t W, T divisor, T* o) {
  T top[2 * k2x2Chunk], bottom[2 * k2x2Chunk];
  for (int64_t i0 = 0; i0 < OH * OW; i0 += k2x2Chunk) {
    const int64_t n = std::min(k2x2Chunk, OH * OW - i0);
    stage_2x2(in, i0, n, OW, W, top, bottom);
    avg2x2_run(top, bottom, n, divisor, o + i0);
  }
}

// corner[oh * OW + ow] = 2 oh W + 2 ow.
std::vector<int32_t> max2x2_corners(int64_t OH, int64_t OW, int64_t W) {
  std::vector<int32_t> corner(static_cast<size_t>(OH * OW));
  for (int64_t oh = 0; oh < OH; ++oh)
    for (int64_t ow = 0; ow < OW; ++ow) corner[oh * OW + ow] = static_cast<int32_t>(2 * oh * W + 2 * ow);
  return corner;
}

bool is_2x2_stride_2(const Pool2d& p) {
  for (int d = 0; d < 2; ++d)
    if (p.kernel[d] != 2 || p.stride[d] != 2 || p.pad[d] != 0 || p.dilation[d] != 1) return false;
  return true;
}

template <class T>
void max_pool_plane(const T* in, int64_t sh, int64_t sw, int64_t W, const Pool2d& p, const Windows& hw,
                    const Windows& ww, T* o, int64_t* idx) {
  const int64_t OH = static_cast<int64_t>(hw.begin.size()), OW = static_cast<int64_t>(ww.begin.size());
  const int64_t s = p.stride[1], kw = p.kernel[1], dw = p.dilation[1], pad = p.pad[1];
  for (int64_t oh = 0; oh < OH; ++oh) {
    T* m = o + oh * OW;
    int64_t* best = idx + oh * OW;
    std::fill(m, m + OW, -std::numeric_limits<T>::infinity());
    for (int64_t ow = 0; ow < OW; ++ow) best[ow] = hw.begin[oh] * W + ww.begin[ow];
    for (int64_t ih = hw.begin[oh]; ih < hw.end[oh]; ih += hw.step)
      for (int64_t j = 0; j < kw; ++j) {
        const int64_t off = j * dw - pad;
        const auto [b, e] = valid_outputs(OW, W, s, off);
        if (e > b) max_update(m + b, best + b, in + ih * sh + (b * s + off) * sw, e - b, s * sw, ih * W + b * s + off, s);
      }
  }
}

// What an average divides by: a fixed divisor, the padded window's size, or the in-range elements' count.
struct Divisor {
  int64_t fixed = 0;
  bool include_pad = false;

  int64_t of(const Windows& hw, const Windows& ww, int64_t oh, int64_t ow) const {
    if (fixed) return fixed;
    if (include_pad) return hw.padded[oh] * ww.padded[ow];
    return (hw.end[oh] - hw.begin[oh]) * (ww.end[ow] - ww.begin[ow]);
  }
};

template <class T>
void avg_plane(const T* __restrict in, int64_t sh, int64_t sw, const Windows& hw, const Windows& ww, Divisor div,
               T* __restrict o) {
  const int64_t OH = static_cast<int64_t>(hw.begin.size()), OW = static_cast<int64_t>(ww.begin.size());
  for (int64_t oh = 0; oh < OH; ++oh) {
    const int64_t hb = hw.begin[oh], he = hw.end[oh];
    for (int64_t ow = 0; ow < OW; ++ow) {
      const int64_t wb = ww.begin[ow], we = ww.end[ow];
      if (hb >= he || wb >= we) {
        o[oh * OW + ow] = T(0);
        continue;
      }
      T sum = 0;
      for (int64_t ih = hb; ih < he; ++ih)
        for (int64_t iw = wb; iw < we; ++iw) sum += in[ih * sh + iw * sw];
      o[oh * OW + ow] = sum / static_cast<T>(div.of(hw, ww, oh, ow));
    }
  }
}

// grad_input's plane (dense, W wide) += each output's gradient spread evenly over its window.
template <class T>
void avg_backward_plane(const T* __restrict g, int64_t gh, int64_t gw, int64_t W, const Windows& hw,
                        const Windows& ww, Divisor div, T* __restrict gi) {
  const int64_t OH = static_cast<int64_t>(hw.begin.size()), OW = static_cast<int64_t>(ww.begin.size());
  for (int64_t oh = 0; oh < OH; ++oh) {
    const int64_t hb = hw.begin[oh], he = hw.end[oh];
    for (int64_t ow = 0; ow < OW; ++ow) {
      const int64_t wb = ww.begin[ow], we = ww.end[ow];
      if (hb >= he || wb >= we) continue;
      const T share = g[oh * gh + ow * gw] / static_cast<T>(div.of(hw, ww, oh, ow));
      for (int64_t ih = hb; ih < he; ++ih)
        for (int64_t iw = wb; iw < we; ++iw) gi[ih * W + iw] += share;
    }
  }
}

// pool: the window of a max pool (rows of outputs at once), or null for adaptive windows (one output at a time).
template <class T>
void max_impl(const Pool2d* pool, const Windows& hw, const Windows& ww, const Tensor& out, const Tensor& indices,
              const Tensor& x) {
  const int64_t W = x.shape()[3], O = out.shape()[2] * out.shape()[3], sh = x.strides()[2], sw = x.strides()[3];
  const int64_t work = O * ((hw.end[0] - hw.begin[0]) * (ww.end[0] - ww.begin[0]) + 1);
  // ceil_mode can add a last window that hangs over the edge: the 2x2 path reads every window's four elements
  const bool full_2x2 = pool && is_2x2_stride_2(*pool) && 2 * out.shape()[2] <= x.shape()[2] &&
                        2 * out.shape()[3] <= x.shape()[3];
  const bool dense_2x2 = full_2x2 && sw == 1 && sh == W && x.shape()[2] * W < INT32_MAX;
  const std::vector<int32_t> corner =
      dense_2x2 ? max2x2_corners(out.shape()[2], out.shape()[3], W) : std::vector<int32_t>();
  over_planes(x, work, [&](int64_t plane, int64_t n, int64_t c) {
    T* o = out.data<T>() + plane * O;
    int64_t* idx = indices.data<int64_t>() + plane * O;
    if (dense_2x2) max2x2_plane(plane_of<T>(x, n, c), corner.data(), out.shape()[2], out.shape()[3], W, o, idx);
    else if (pool) max_pool_plane(plane_of<T>(x, n, c), sh, sw, W, *pool, hw, ww, o, idx);
    else max_plane(plane_of<T>(x, n, c), sh, sw, W, hw, ww, o, idx);
  });
}

// The gradient of a plane whose every index lies in its own output's 2 x 2 block (rows 2 oh and 2 oh + 1,
// columns 2 ow and 2 ow + 1), as a 2x2 stride-2 max pool leaves them: the blocks are disjoint, so each input
// element gets at most one gradient and is written once, the block's other three with zeros, instead of zeroing
// the plane and adding each gradient at its index. For outputs [0, n) (corner[i]: the block's top-left index),
// top[2 i + d] and bottom[2 i + d] get the values of row 2 oh and 2 oh + 1, column 2 ow + d: one branch-free loop
// over all of them, which vectorises where a loop per row (7 or 14 outputs in the Fashion-MNIST CNN) ran scalar,
// mispredicting the random position of each maximum. `+ T(0)` turns -0 into +0 as the scatter's addition would
// (PyTorch's kernel adds too). Returns whether every index was inside its block.
template <class T>
KILN_ALWAYS_INLINE bool max2x2_backward_loop(const T* __restrict g, const int64_t* __restrict idx,
                                             const int32_t* __restrict corner, int64_t n, int64_t W,
                                             T* __restrict top, T* __restrict bottom) {
  int64_t misses = 0;  // a count, not a bool: GCC vectorizes the sum
  for (int64_t i = 0; i < n; ++i) {
    // The index against the block's four positions (no subtraction: any index a caller passes compares safely).
    const int64_t at = idx[i], q = corner[i];
    const T v = g[i] + T(0);
    top[2 * i] = at == q ? v : T(0);
    top[2 * i + 1] = at == q + 1 ? v : T(0);
    bottom[2 * i] = at == q + W ? v : T(0);
    bottom[2 * i + 1] = at == q + W + 1 ? v : T(0);
    misses += (at != q) & (at != q + 1) & (at != q + W) & (at != q + W + 1);
  }
  return misses == 0;
}

KILN_SIMD bool max2x2_backward_run(const float* g, const int64_t* idx, const int32_t* corner, int64_t n, int64_t W,
                                   float* top, float* bottom) {
  return max2x2_backward_loop(g, idx, corner, n, W, top, bottom);
}

KILN_SIMD bool max2x2_backward_run(const double* g, const int64_t* idx, const int32_t* corner, int64_t n, int64_t W,
                                   double* top, double* bottom) {
  return max2x2_backward_loop(g, idx, corner, n, W, top, bottom);
}

// A dense plane's gradient by 2 x 2 blocks (above), staged by chunks of outputs as max2x2_plane stages its input.
// Returns false, having written part of the plane, when an index lies outside its block.
template <class T>
bool max2x2_backward_plane(const T* g, const int64_t* idx, const int32_t* corner, int64_t OH, int64_t OW, int64_t H,
                           int64_t W, T* gi) {
  T top[2 * k2x2Chunk], bottom[2 * k2x2Chunk];
  for (int64_t i0 = 0; i0 < OH * OW; i0 += k2x2Chunk) {
    const int64_t n = std::min(k2x2Chunk, OH * OW - i0);
    if (!max2x2_backward_run(g + i0, idx + i0, corner + i0, n, W, top, bottom)) return false;
    row_runs(i0, n, OW, [&](int64_t oh, int64_t ow, int64_t count, int64_t k) {
      std::copy_n(top + 2 * k, 2 * count, gi + 2 * oh * W + 2 * ow);
      std::copy_n(bottom + 2 * k, 2 * count, gi + (2 * oh + 1) * W + 2 * ow);
    });
  }
  if (W > 2 * OW)  // an odd last column, which no window covers
    for (int64_t h = 0; h < 2 * OH; ++h) gi[h * W + W - 1] = T(0);
  std::fill(gi + 2 * OH * W, gi + H * W, T(0));  // an odd last row
  return true;
}

template <class T>
void max_backward_impl(const Tensor& grad_input, const Tensor& grad_out, const Tensor& indices) {
  const int64_t H = grad_input.shape()[2], W = grad_input.shape()[3], V = H * W;
  const int64_t OH = grad_out.shape()[2], OW = grad_out.shape()[3], O = OH * OW;
  const int64_t gh = grad_out.strides()[2], gw = grad_out.strides()[3];
  const int64_t ih = indices.strides()[2], iw = indices.strides()[3];
  // Output planes of a 2 x 2 block each (the input at most one row and column wider), both dense.
  const bool blocks = 2 * OH <= H && H <= 2 * OH + 1 && 2 * OW <= W && W <= 2 * OW + 1 && gw == 1 && gh == OW &&
                      iw == 1 && ih == OW && V < INT32_MAX;
  const std::vector<int32_t> corner = blocks ? max2x2_corners(OH, OW, W) : std::vector<int32_t>();
  over_planes(grad_out, O, [&](int64_t plane, int64_t n, int64_t c) {
    T* __restrict gi = grad_input.data<T>() + plane * V;
    const T* __restrict g = plane_of<T>(grad_out, n, c);
    const int64_t* __restrict idx = plane_of<int64_t>(indices, n, c);
    if (blocks && max2x2_backward_plane(g, idx, corner.data(), OH, OW, H, W, gi)) return;
    std::fill(gi, gi + V, T(0));
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t i = idx[oh * ih + ow * iw];
        if (i >= 0 && i < V) gi[i] += g[oh * gh + ow * gw];
      }
  });
}

// Global average pooling (one window over each whole plane of a contiguous input): kPlanes planes summed side
// by side, each in avg_plane's order (the same bits), so that their add chains overlap. One plane at a time, the
// latency of one chain set the pace: [64, 512, 7, 7] took 0.37-0.42 ms on two threads; 8 planes 0.12-0.14, 16
// planes 0.115 (PyTorch 1.13: 0.13-0.15).
template <class T>
void global_avg(const T* x, int64_t planes, int64_t area, T* out) {
  constexpr int64_t kPlanes = 16;
  const int64_t groups = (planes + kPlanes - 1) / kPlanes;
  claim_loop(groups, std::max<int64_t>(1, 32768 / (kPlanes * area)), [] { return 0; }, [&](int64_t g0, int64_t g1, int) {
    for (int64_t g = g0; g < g1; ++g) {
      const int64_t p0 = g * kPlanes, w = std::min(kPlanes, planes - p0);
      T sum[kPlanes] = {};
      if (w == kPlanes) {
        for (int64_t e = 0; e < area; ++e)
          for (int64_t p = 0; p < kPlanes; ++p) sum[p] += x[(p0 + p) * area + e];
      } else {
        for (int64_t p = 0; p < w; ++p)
          for (int64_t e = 0; e < area; ++e) sum[p] += x[(p0 + p) * area + e];
      }
      for (int64_t p = 0; p < w; ++p) out[p0 + p] = sum[p] / static_cast<T>(area);
    }
  });
}

template <class T>
void avg_impl(const Windows& hw, const Windows& ww, Divisor div, const Tensor& out, const Tensor& x) {
  const int64_t O = out.shape()[2] * out.shape()[3], sh = x.strides()[2], sw = x.strides()[3];
  const int64_t area = x.shape()[2] * x.shape()[3];
  if (O == 1 && area > 0 && hw.end[0] - hw.begin[0] == x.shape()[2] && ww.end[0] - ww.begin[0] == x.shape()[3] &&
      div.of(hw, ww, 0, 0) == area) {
    // Contiguous planes of 64 or more: the mean's vector sums (PyTorch's adaptive pooling to 1 x 1 takes the
    // mean too); global_avg's planes side by side read 16 lines at a time ([32, 512, 14, 14]: 0.30 ms, the mean
    // 0.16). Smaller ones side by side, with the bits of the plane loop below (which other layouts take).
    if (x.is_contiguous()) {
      if (area >= 64) return reduce_kernel(ReduceOp::Mean, out, x);
      return global_avg(x.data<T>(), x.shape()[0] * x.shape()[1], area, out.data<T>());
    }
  }
  // Windows [2 o, 2 o + 2) in both dims over dense rows, with one divisor (whatever the pool or adaptive pool that
  // made them): a 2x2 stride-2 pool, staged as max pooling's (a loop per output over its window took 4x as long).
  const int64_t W = x.shape()[3], divisor = div.of(hw, ww, 0, 0);
  auto blocks = [&](const Windows& win) {
    for (size_t o = 0; o < win.begin.size(); ++o)
      if (win.begin[o] != 2 * static_cast<int64_t>(o) || win.end[o] != win.begin[o] + 2) return false;
    return true;
  };
  bool dense_2x2 = sw == 1 && sh == W && blocks(hw) && blocks(ww);
  const int64_t OH = out.shape()[2], OW = out.shape()[3];
  for (int64_t oh = 0; dense_2x2 && oh < OH; ++oh) dense_2x2 = div.of(hw, ww, oh, 0) == divisor;
  for (int64_t ow = 0; dense_2x2 && ow < OW; ++ow) dense_2x2 = div.of(hw, ww, 0, ow) == divisor;
  over_planes(x, O * ((hw.end[0] - hw.begin[0]) * (ww.end[0] - ww.begin[0]) + 1), [&](int64_t plane, int64_t n, int64_t c) {
    T* o = out.data<T>() + plane * O;
    if (dense_2x2) avg2x2_plane(plane_of<T>(x, n, c), OH, OW, W, static_cast<T>(divisor), o);
    else avg_plane(plane_of<T>(x, n, c), sh, sw, hw, ww, div, o);
  });
}

template <class T>
void avg_backward_impl(const Windows& hw, const Windows& ww, Divisor div, const Tensor& gi, const Tensor& g) {
  const int64_t V = gi.shape()[2] * gi.shape()[3], W = gi.shape()[3], gh = g.strides()[2], gw = g.strides()[3];
  over_planes(g, V + g.shape()[2] * g.shape()[3], [&](int64_t plane, int64_t n, int64_t c) {
    T* dst = gi.data<T>() + plane * V;
    std::fill(dst, dst + V, T(0));
    avg_backward_plane(plane_of<T>(g, n, c), gh, gw, W, hw, ww, div, dst);
  });
}

}  // namespace

void max_pool2d(const Pool2d& p, const Tensor& out, const Tensor& indices, const Tensor& x) {
  if (out.numel() == 0) return;
  const Windows hw = max_windows(out.shape()[2], x.shape()[2], p.kernel[0], p.stride[0], p.pad[0], p.dilation[0]);
  const Windows ww = max_windows(out.shape()[3], x.shape()[3], p.kernel[1], p.stride[1], p.pad[1], p.dilation[1]);
  dispatch_float(x.dtype(), "pooling", [&](auto tag) { max_impl<decltype(tag)>(&p, hw, ww, out, indices, x); });
}

void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Tensor& indices) {
  if (grad_input.numel() == 0) return;
  dispatch_float(grad_input.dtype(), "pooling", [&](auto tag) { max_backward_impl<decltype(tag)>(grad_input, grad_out, indices); });
}

void avg_pool2d(const Pool2d& p, const Tensor& out, const Tensor& x) {
  if (out.numel() == 0) return;
  const Windows hw = avg_windows(out.shape()[2], x.shape()[2], p.kernel[0], p.stride[0], p.pad[0]);
  const Windows ww = avg_windows(out.shape()[3], x.shape()[3], p.kernel[1], p.stride[1], p.pad[1]);
  dispatch_float(x.dtype(), "pooling", [&](auto tag) { avg_impl<decltype(tag)>(hw, ww, {p.divisor_override, p.count_include_pad}, out, x); });
}

void avg_pool2d_backward(const Pool2d& p, const Tensor& grad_input, const Tensor& grad_out) {
  if (grad_input.numel() == 0) return;
  const Windows hw = avg_windows(grad_out.shape()[2], grad_input.shape()[2], p.kernel[0], p.stride[0], p.pad[0]);
  const Windows ww = avg_windows(grad_out.shape()[3], grad_input.shape()[3], p.kernel[1], p.stride[1], p.pad[1]);
  dispatch_float(grad_input.dtype(), "pooling", [&](auto tag) {
    avg_backward_impl<decltype(tag)>(hw, ww, {p.divisor_override, p.count_include_pad}, grad_input, grad_out);
  });
}

void adaptive_avg_pool2d(const Tensor& out, const Tensor& x) {
  if (out.numel() == 0) return;
  const Windows hw = adaptive_windows(out.shape()[2], x.shape()[2]), ww = adaptive_windows(out.shape()[3], x.shape()[3]);
  dispatch_float(x.dtype(), "pooling", [&](auto tag) { avg_impl<decltype(tag)>(hw, ww, {}, out, x); });
}

void adaptive_avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out) {
  if (grad_input.numel() == 0) return;
  const Windows hw = adaptive_windows(grad_out.shape()[2], grad_input.shape()[2]);
  const Windows ww = adaptive_windows(grad_out.shape()[3], grad_input.shape()[3]);
  dispatch_float(grad_input.dtype(), "pooling", [&](auto tag) { avg_backward_impl<decltype(tag)>(hw, ww, {}, grad_input, grad_out); });
}

void adaptive_max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& x) {
  if (out.numel() == 0) return;
  const Windows hw = adaptive_windows(out.shape()[2], x.shape()[2]), ww = adaptive_windows(out.shape()[3], x.shape()[3]);
  dispatch_float(x.dtype(), "pooling", [&](auto tag) { max_impl<decltype(tag)>(nullptr, hw, ww, out, indices, x); });
}

}  // namespace kiln::cpu
