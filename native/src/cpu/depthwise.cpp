// Depthwise convolution (one input channel per group) as direct loops: each output row is a sum of shifted
// input rows scaled by one weight, an axpy along the innermost dim, so no column matrix is written and no
// GEMM of one row is called per channel. Forward, transposed and weight gradient; each output element is
// computed by one thread in a fixed order, so results do not depend on the thread count. The weight is dense
// past dim 0 and the small side's planes are dense (conv.cpp copies them when not); the large side any strides.
#include <algorithm>
#include <vector>

#include "cpu/conv.h"
#include "cpu/simd.h"
#include "cpu/claim_loop.h"

namespace kiln::cpu {
namespace {

struct Span {
  int64_t begin, end;
};

// The outputs o in [0, out) whose input o * stride + offset falls in [0, in).
Span valid_span(int64_t out, int64_t in, int64_t stride, int64_t offset) {
  int64_t begin = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t end = in - offset <= 0 ? 0 : (in - offset + stride - 1) / stride;
  begin = std::min(begin, out);
  return {begin, std::clamp(end, begin, out)};
}

KILN_SIMD void axpy(float* y, const float* x, int64_t n, float a) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}
KILN_SIMD void axpy(double* y, const double* x, int64_t n, double a) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}
// The weight gradient's dot products: lanes[j] += x[i + j] y[i + j] over whole blocks of 16 (kept per weight across
// all the rows and samples of a channel, added up once at the end), the elements past the last whole block summed
// in order into the return value. The compiler vectorizes the blocks, where one running sum must stay scalar (its
// order of rounding is fixed); the same bits on every ISA. The lanes see only whole-vector loads and stores: a
// tail written into them element by element stalled the next vector load of them (store forwarding) for 80% of
// the function's time. As scalar chains, the dots over 56-wide rows took 28% of a depthwise layer's forward and
// backward, and a horizontal sum per row 22%.
constexpr int64_t kLanes = 16;
template <class T>
KILN_ALWAYS_INLINE T dot_into_lanes(T* lanes, const T* x, const T* y, int64_t n) {
  T acc[kLanes];  // a local copy: through the pointer, which may alias x and y, the loop stayed scalar
  std::copy(lanes, lanes + kLanes, acc);
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t j = 0; j < kLanes; ++j) acc[j] += x[i + j] * y[i + j];
  std::copy(acc, acc + kLanes, lanes);
  T rest = 0;
  for (; i < n; ++i) rest += x[i] * y[i];
  return rest;
}
KILN_SIMD float dot_into(float* lanes, const float* x, const float* y, int64_t n) { return dot_into_lanes(lanes, x, y, n); }
KILN_SIMD double dot_into(double* lanes, const double* x, const double* y, int64_t n) {
  return dot_into_lanes(lanes, x, y, n);
}

// Calls fn(out_row, in_row, count, weight_index) for every kernel offset and output row of one plane pair,
// where in_row[i * in_step] pairs with out_row[i] (in_step 1 when both are dense).
template <class Fn>
void for_rows(const PatchGeometry& p, int64_t kernel_base, Fn&& fn) {
  int64_t widx = kernel_base;
  for (int64_t kd = 0; kd < p.kernel[0]; ++kd)
    for (int64_t kh = 0; kh < p.kernel[1]; ++kh)
      for (int64_t kw = 0; kw < p.kernel[2]; ++kw, ++widx) {
        const int64_t off_w = kw * p.dilation[2] - p.pad[2];
        const Span w = valid_span(p.out[2], p.in[2], p.stride[2], off_w);
        if (w.end <= w.begin) continue;
        for (int64_t od = 0; od < p.out[0]; ++od) {
          const int64_t id = od * p.stride[0] + kd * p.dilation[0] - p.pad[0];
          if (id < 0 || id >= p.in[0]) continue;
          for (int64_t oh = 0; oh < p.out[1]; ++oh) {
            const int64_t ih = oh * p.stride[1] + kh * p.dilation[1] - p.pad[1];
            if (ih < 0 || ih >= p.in[1]) continue;
            fn((od * p.out[1] + oh) * p.out[2] + w.begin, id, ih, w.begin * p.stride[2] + off_w, w.end - w.begin, widx);
          }
        }
      }
}

template <class T>
void forward_impl(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                  const Tensor& bias) {
  const PatchGeometry& p = g.patch;
  const int64_t K = g.small_channels, m = g.small_channels_per_group(), L = p.out_volume(), kv = p.kernel_volume();
  const int64_t nd_pad = 5 - large.dim();  // spatial dims padded in front to 3
  int64_t s[3];
  for (int i = 0; i < 3; ++i) s[i] = i < nd_pad ? 0 : large.strides()[2 + i - nd_pad];
  const int64_t sw = s[2] * p.stride[2];
  claim_loop(g.batch * K, std::max<int64_t>(1, 16384 / std::max<int64_t>(L * kv, 1)), [] { return 0; },
             [&](int64_t b0, int64_t b1, int) {
    for (int64_t plane = b0; plane < b1; ++plane) {
      const int64_t n = plane / K, k = plane % K, c = k / m;
      T* y = small.data<T>() + plane * L;
      std::fill(y, y + L, bias.defined() ? bias.data<T>()[k * bias.strides()[0]] : T(0));
      const T* x = large.data<T>() + n * large.strides()[0] + c * large.strides()[1];
      const T* w = weight.data<T>() + k * weight.strides()[0];
      for_rows(p, 0, [&](int64_t o, int64_t id, int64_t ih, int64_t iw, int64_t count, int64_t widx) {
        const T a = w[widx];
        const T* src = x + id * s[0] + ih * s[1] + iw * s[2];
        if (sw == 1) axpy(y + o, src, count, a);
        else
          for (int64_t i = 0; i < count; ++i) y[o + i] += a * src[i * sw];
      });
    }
  });
}

template <class T>
void transpose_impl(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& weight,
                    const Tensor& bias) {
  const PatchGeometry& p = g.patch;
  const int64_t C = g.large_channels, m = g.small_channels_per_group(), L = p.out_volume(), V = p.in_volume();
  const int64_t sh = p.in[2], sd = p.in[1] * p.in[2], step = p.stride[2];
  claim_loop(g.batch * C, std::max<int64_t>(1, 16384 / std::max<int64_t>(L * m * p.kernel_volume(), 1)),
             [] { return 0; }, [&](int64_t b0, int64_t b1, int) {
    for (int64_t plane = b0; plane < b1; ++plane) {
      const int64_t n = plane / C, c = plane % C;
      T* x = large.data<T>() + plane * V;
      std::fill(x, x + V, bias.defined() ? bias.data<T>()[c * bias.strides()[0]] : T(0));
      for (int64_t j = 0; j < m; ++j) {
        const int64_t k = c * m + j;
        const T* y = small.data<T>() + n * small.strides()[0] + k * small.strides()[1];
        const T* w = weight.data<T>() + k * weight.strides()[0];
        for_rows(p, 0, [&](int64_t o, int64_t id, int64_t ih, int64_t iw, int64_t count, int64_t widx) {
          const T a = w[widx];
          T* dst = x + id * sd + ih * sh + iw;
          if (step == 1) axpy(dst, y + o, count, a);
          else
            for (int64_t i = 0; i < count; ++i) dst[i * step] += a * y[o + i];
        });
      }
    }
  });
}

template <class T>
void weight_grad_impl(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large, const Tensor& small) {
  const PatchGeometry& p = g.patch;
  const int64_t K = g.small_channels, m = g.small_channels_per_group(), kv = p.kernel_volume();
  const int64_t nd_pad = 5 - large.dim();
  int64_t s[3];
  for (int i = 0; i < 3; ++i) s[i] = i < nd_pad ? 0 : large.strides()[2 + i - nd_pad];
  const int64_t sw = s[2] * p.stride[2];
  claim_loop(K, 1, [] { return 0; }, [&](int64_t k0, int64_t k1, int) {
    std::vector<T> lanes(static_cast<size_t>(kv * kLanes)), rest(static_cast<size_t>(kv));
    for (int64_t k = k0; k < k1; ++k) {
      std::fill(lanes.begin(), lanes.end(), T(0));
      std::fill(rest.begin(), rest.end(), T(0));
      for (int64_t n = 0; n < g.batch; ++n) {
        const T* x = large.data<T>() + n * large.strides()[0] + (k / m) * large.strides()[1];
        const T* y = small.data<T>() + n * small.strides()[0] + k * small.strides()[1];
        for_rows(p, 0, [&](int64_t o, int64_t id, int64_t ih, int64_t iw, int64_t count, int64_t widx) {
          const T* src = x + id * s[0] + ih * s[1] + iw * s[2];
          T& r = rest[static_cast<size_t>(widx)];
          if (sw == 1) {
            r += dot_into(lanes.data() + widx * kLanes, y + o, src, count);
          } else {
            for (int64_t i = 0; i < count; ++i) r += y[o + i] * src[i * sw];
          }
        });
      }
      T* dw = grad_weight.data<T>() + k * kv;
      for (int64_t widx = 0; widx < kv; ++widx) {
        T sum = rest[static_cast<size_t>(widx)];
        for (int64_t j = 0; j < kLanes; ++j) sum += lanes[static_cast<size_t>(widx * kLanes + j)];
        dw[widx] = sum;
      }
    }
  });
}

}  // namespace

bool is_depthwise(const ConvGeometry& g) { return g.groups > 1 && g.large_channels == g.groups; }

void depthwise_forward(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                       const Tensor& bias) {
  if (small.dtype() == DType::Float32) forward_impl<float>(g, small, large, weight, bias);
  else forward_impl<double>(g, small, large, weight, bias);
}

void depthwise_transpose(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& weight,
                         const Tensor& bias) {
  if (large.dtype() == DType::Float32) transpose_impl<float>(g, large, small, weight, bias);
  else transpose_impl<double>(g, large, small, weight, bias);
}

void depthwise_weight_grad(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large, const Tensor& small) {
  if (grad_weight.dtype() == DType::Float32) weight_grad_impl<float>(g, grad_weight, large, small);
  else weight_grad_impl<double>(g, grad_weight, large, small);
}

}  // namespace kiln::cpu
