// im2col/col2im. The innermost output dim is split into the stretch that reads inside the input (copied,
// with memcpy when both sides are dense) and the padding on either side (zeros), so the loops carry no
// per-element bounds checks.
#include "cpu/im2col.h"

#include <algorithm>
#include <cstring>

#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

// The outputs o in [0, out) whose input position o * stride + offset falls in [0, in).
struct Span {
  int64_t begin, end;
};

Span valid_span(int64_t out, int64_t in, int64_t stride, int64_t offset) {
  // o * stride + offset >= 0  <=>  o >= ceil(-offset / stride)
  int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  // o * stride + offset < in  <=>  o < ceil((in - offset) / stride)
  int64_t end = in - offset <= 0 ? 0 : (in - offset + stride - 1) / stride;
  begin = std::min(begin, out);
  end = std::clamp(end, begin, out);
  return {begin, end};
}

template <class T>
KILN_ALWAYS_INLINE void copy_strided_t(T* dst, const T* src, int64_t n, int64_t src_stride) {
  if (src_stride == 2) {  // stride-2 convolutions: a constant stride, which the compiler turns into shuffles
    for (int64_t i = 0; i < n; ++i) dst[i] = src[2 * i];
    return;
  }
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i * src_stride];
}
// Per ISA: ResNet's 3x3 stride-2 convolution spent 13% of its forward and backward here as a scalar loop.
KILN_SIMD void copy_strided(float* dst, const float* src, int64_t n, int64_t src_stride) {
  copy_strided_t(dst, src, n, src_stride);
}
KILN_SIMD void copy_strided(double* dst, const double* src, int64_t n, int64_t src_stride) {
  copy_strided_t(dst, src, n, src_stride);
}

template <class T>
KILN_ALWAYS_INLINE void add_strided_t(T* dst, const T* src, int64_t n, int64_t dst_stride) {
  if (dst_stride == 2) {
    for (int64_t i = 0; i < n; ++i) dst[2 * i] += src[i];
    return;
  }
  for (int64_t i = 0; i < n; ++i) dst[i * dst_stride] += src[i];
}
KILN_SIMD void add_strided(float* dst, const float* src, int64_t n, int64_t dst_stride) {
  add_strided_t(dst, src, n, dst_stride);
}
KILN_SIMD void add_strided(double* dst, const double* src, int64_t n, int64_t dst_stride) {
  add_strided_t(dst, src, n, dst_stride);
}

// target_clones wants plain functions: one per type.
KILN_SIMD void add_dense(float* dst, const float* src, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] += src[i];
}

KILN_SIMD void add_dense(double* dst, const double* src, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] += src[i];
}

// A 2-D convolution with stride 1 whose output plane has the input's size (3x3 with padding 1, the common case)
// over dense input rows: each column row is the input plane shifted by off_h * W + off_w, so it is one long copy,
// then the columns that wrapped around from the neighbouring row are zeroed, and the rows that fall in the
// padding. (The general loop below copies W elements at a time: 14 per call in the Fashion-MNIST CNN, where
// the calls cost more than the copying.)
bool is_same_plane_stride_1(const PatchGeometry& g, const int64_t* s) {
  return g.in[0] == 1 && g.out[0] == 1 && g.kernel[0] == 1 && g.pad[0] == 0 && g.stride[1] == 1 &&
         g.stride[2] == 1 && g.out[1] == g.in[1] && g.out[2] == g.in[2] && s[3] == 1 && s[2] == g.in[2];
}

template <class T>
void im2col_same_plane(const PatchGeometry& g, const T* x, const int64_t* s, T* cols) {
  const int64_t H = g.in[1], W = g.in[2], L = H * W;
  T* row = cols;
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
      for (int64_t kw = 0; kw < g.kernel[2]; ++kw, row += L) {
        const int64_t off_h = kh * g.dilation[1] - g.pad[1], off_w = kw * g.dilation[2] - g.pad[2];
        const T* plane = x + c * s[0];
        // Output rows whose input row is inside: [h0, h1); the rest are padding.
        const int64_t h0 = std::clamp<int64_t>(-off_h, 0, H), h1 = std::clamp<int64_t>(H - off_h, h0, H);
        std::fill(row, row + h0 * W, T(0));
        std::fill(row + h1 * W, row + L, T(0));
        if (h1 <= h0 || off_w <= -W || off_w >= W) {
          std::fill(row + h0 * W, row + h1 * W, T(0));
          continue;
        }
        // row[j] = plane[j + shift] for j in [h0 W, h1 W), reading only inside the plane; what that leaves out
        // (one end of the range) lies in the wrapped columns, zeroed next.
        const int64_t shift = off_h * W + off_w;
        const int64_t j0 = std::max(h0 * W, -shift), j1 = std::min(h1 * W, L - shift);
        if (j1 > j0) std::memcpy(row + j0, plane + j0 + shift, static_cast<size_t>(j1 - j0) * sizeof(T));
        const int64_t wrap0 = off_w < 0 ? 0 : W - off_w, wrap1 = off_w < 0 ? -off_w : W;  // columns to zero
        for (int64_t oh = h0; oh < h1; ++oh) std::fill(row + oh * W + wrap0, row + oh * W + wrap1, T(0));
      }
}

}  // namespace

template <class T>
void im2col(const PatchGeometry& g, const T* x, const int64_t* s, T* cols, int64_t r0, int64_t r1) {
  const int64_t OH = g.out[1], OW = g.out[2], L = (r1 - r0) * OW;
  if (r0 == 0 && r1 == g.out[0] * OH && is_same_plane_stride_1(g, s)) return im2col_same_plane(g, x, s, cols);
  T* row = cols;
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw, row += L) {
          const int64_t off_d = kd * g.dilation[0] - g.pad[0], off_h = kh * g.dilation[1] - g.pad[1],
                        off_w = kw * g.dilation[2] - g.pad[2];
          const Span w = valid_span(OW, g.in[2], g.stride[2], off_w);
          T* dst = row;
          for (int64_t r = r0, od = r0 / OH, oh = r0 % OH; r < r1; ++r, dst += OW) {
            const int64_t id = od * g.stride[0] + off_d, ih = oh * g.stride[1] + off_h;
            if (++oh == OH) oh = 0, ++od;
            if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
              std::fill(dst, dst + OW, T(0));
              continue;
            }
            std::fill(dst, dst + w.begin, T(0));
            if (w.end > w.begin) {
              const T* src = x + c * s[0] + id * s[1] + ih * s[2] + (w.begin * g.stride[2] + off_w) * s[3];
              const int64_t step = g.stride[2] * s[3];
              if (step == 1) std::memcpy(dst + w.begin, src, static_cast<size_t>(w.end - w.begin) * sizeof(T));
              else copy_strided(dst + w.begin, src, w.end - w.begin, step);
            }
            std::fill(dst + w.end, dst + OW, T(0));
          }
        }
}

template <class T>
void col2im(const PatchGeometry& g, const T* cols, T* x, int64_t r0, int64_t r1) {
  const int64_t OH = g.out[1], OW = g.out[2], L = (r1 - r0) * OW;
  const int64_t sh = g.in[2], sd = g.in[1] * g.in[2], sc = g.in_volume();
  const T* row = cols;
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t kd = 0; kd < g.kernel[0]; ++kd)
      for (int64_t kh = 0; kh < g.kernel[1]; ++kh)
        for (int64_t kw = 0; kw < g.kernel[2]; ++kw, row += L) {
          const int64_t off_d = kd * g.dilation[0] - g.pad[0], off_h = kh * g.dilation[1] - g.pad[1],
                        off_w = kw * g.dilation[2] - g.pad[2];
          const Span w = valid_span(OW, g.in[2], g.stride[2], off_w);
          if (w.end <= w.begin) continue;
          const T* src = row;
          for (int64_t r = r0, od = r0 / OH, oh = r0 % OH; r < r1; ++r, src += OW) {
            const int64_t id = od * g.stride[0] + off_d, ih = oh * g.stride[1] + off_h;
            if (++oh == OH) oh = 0, ++od;
            if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) continue;
            T* dst = x + c * sc + id * sd + ih * sh + w.begin * g.stride[2] + off_w;
            if (g.stride[2] == 1) add_dense(dst, src + w.begin, w.end - w.begin);
            else add_strided(dst, src + w.begin, w.end - w.begin, g.stride[2]);
          }
        }
}

template void im2col<float>(const PatchGeometry&, const float*, const int64_t*, float*, int64_t, int64_t);
template void im2col<double>(const PatchGeometry&, const double*, const int64_t*, double*, int64_t, int64_t);
template void col2im<float>(const PatchGeometry&, const float*, float*, int64_t, int64_t);
template void col2im<double>(const PatchGeometry&, const double*, double*, int64_t, int64_t);

}  // namespace kiln::cpu
