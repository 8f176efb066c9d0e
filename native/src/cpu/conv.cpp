// Convolution by im2col + GEMM (a 1x1 convolution with stride 1 reads its input in place; a depthwise one runs
// direct loops, depthwise.cpp: 2-3x faster than a GEMM of one row per channel). The core's pool threads claim
// samples one at a time, with OpenBLAS on one thread inside (each thread: its own column buffer and GEMMs);
// a single sample instead spreads its large GEMMs' fixed blocks over the pool (gemm_parallel). The weight
// gradient sums over samples in fixed blocks of kWeightBlock, merged in order: results do not depend on the
// thread count. (OpenBLAS's own threads, measured against this on the shared 2-core machine, ran 3-7x slower
// under load at every batch size, and a 1024^3 sgemm 1.5-2x slower than one thread.) Float32 stride-1 convolutions
// with 3x3, 5x5 and 1-D kernels of 3 or 5 (in 3-D: over height and width, any depth) run forward and both
// gradients by Winograd (winograd.cpp); on AVX-512 CPUs other float32 convolutions run by direct loops
// (direct_conv_f32.cpp: stride-1 forwards, input gradients at any stride), and the float32 weight gradient without
// BLAS (weight_grad_f32.cpp).
#include "cpu/dispatch.h"
#include "cpu/conv.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "cpu/claim_loop.h"
#include "cpu/gemm.h"
#include "cpu/kernels.h"
#include "cpu/simd.h"
#include "cpu/winograd.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

constexpr int64_t kWeightBlock = 4;

// Spatial dims (from dim 2 on) that form one dense run, and channels whose stride BLAS accepts as a leading
// dimension: the [channels, volume] matrix of each sample is then readable in place.
bool spatially_flat(const Tensor& t) {
  int64_t expected = 1;
  for (int64_t d = t.dim() - 1; d >= 2; --d) {
    if (t.shape()[d] != 1 && t.strides()[d] != expected) return false;
    expected *= t.shape()[d];
  }
  return t.shape()[1] <= 1 || t.strides()[1] >= std::max<int64_t>(expected, 1);
}

// The weight as [K, C/g * kernel volume] rows with a leading dimension: in place when it is dense past dim 0.
bool weight_flat(const Tensor& w) {
  int64_t expected = 1;
  for (int64_t d = w.dim() - 1; d >= 1; --d) {
    if (w.shape()[d] != 1 && w.strides()[d] != expected) return false;
    expected *= w.shape()[d];
  }
  return w.shape()[0] <= 1 || w.strides()[0] >= std::max<int64_t>(expected, 1);
}

Tensor dense_copy(const Tensor& t) {
  Tensor c = Tensor::empty(t.shape(), t.dtype(), t.device());
  copy_kernel(c, t);
  return c;
}

int64_t row_stride(const Tensor& t, int64_t cols) { return t.shape()[1] <= 1 ? std::max<int64_t>(cols, 1) : t.strides()[1]; }
int64_t weight_ld(const Tensor& w, int64_t cols) { return w.shape()[0] <= 1 ? std::max<int64_t>(cols, 1) : w.strides()[0]; }

// x's strides of (channel, d, h, w), spatial dims padded in front to 3.
void patch_strides(const Tensor& x, int64_t* s) {
  const int64_t nd = x.dim() - 2;
  s[0] = x.strides()[1];
  for (int64_t i = 0; i < 3; ++i) s[1 + i] = i < 3 - nd ? 0 : x.strides()[2 + i - (3 - nd)];
}

// A GEMM that tolerates empty sizes (BLAS refuses leading dimensions of 0).
template <class T>
void gemm_any(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb,
              T beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == T(0) ? T(0) : c[i * ldc + j] * beta;
    return;
  }
  // Large products run in fixed blocks, spread over the pool when called from outside it (a single sample).
  gemm_parallel(ta, tb, m, n, k, T(1), a, std::max<int64_t>(lda, 1), b, std::max<int64_t>(ldb, 1), beta, c, ldc);
}

// Patches of at most this many rows (a 3x3 kernel over one input channel) are multiplied by the loop below:
// OpenBLAS took 3-8 µs per sample for the Fashion-MNIST CNN's first layer (32 x 784 outputs, 9 rows).
constexpr int64_t kShortPatch = 16;

// A vector of Bytes / sizeof(T) elements in GCC's generic form (each ISA clone lowers it to its own registers).
template <class T, int Bytes>
struct VecOf {
  typedef T type __attribute__((vector_size(Bytes)));
};

// kR rows of C (init[i] + A[i] B over a short k), one vector's width of columns at a time: the accumulators stay
// in registers while the k rows of B go by, each row of B loaded once for all kR rows of C. Each element sums its
// products in r order, a multiply then an add, as a scalar loop would (the kernels build without contraction).
template <class T, int kR, int Bytes>
KILN_ALWAYS_INLINE void short_gemm_rows(const T* a, int64_t lda, int64_t k, const T* b, int64_t n, const T* init,
                                        T* __restrict c) {
  using V = typename VecOf<T, Bytes>::type;
  constexpr int64_t kV = Bytes / sizeof(T);
  int64_t j = 0;
  for (; j + kV <= n; j += kV) {
    V acc[kR];
    for (int i = 0; i < kR; ++i) acc[i] = V{} + init[i];
    for (int64_t r = 0; r < k; ++r) {
      V row;
      __builtin_memcpy(&row, b + r * n + j, sizeof row);
      for (int i = 0; i < kR; ++i) acc[i] += a[i * lda + r] * row;
    }
    for (int i = 0; i < kR; ++i) __builtin_memcpy(c + i * n + j, &acc[i], sizeof acc[i]);
  }
  for (; j < n; ++j)
    for (int i = 0; i < kR; ++i) {
      T sum = init[i];
      for (int64_t r = 0; r < k; ++r) sum += a[i * lda + r] * b[r * n + j];
      c[i * n + j] = sum;
    }
}

// C[m x n] = init[i] + A[m x k] B[k x n], row-major, for a short k (init: bias[i * bias_stride], or 0 without a
// bias): rows of C eight at a time (the first conv layer's 32 x 784 outputs over 9 rows: 263 -> ~130 us for a
// batch of 64, against one row at a time with its accumulators spilled to the stack), in vectors of the running
// clone's width: 64-byte vectors on AVX2 came out as halves kept on the stack, each add waiting for the two
// stores before it (the first conv layer's forward ran 3x slower than on AVX-512, not 2x).
template <class T, int Bytes>
KILN_ALWAYS_INLINE void short_gemm_t(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b,
                                     const T* bias, int64_t bias_stride, T* c) {
  constexpr int kRows = 8;
  T init[kRows];
  int64_t i = 0;
  for (; i + kRows <= m; i += kRows) {
    for (int q = 0; q < kRows; ++q) init[q] = bias ? bias[(i + q) * bias_stride] : T(0);
    short_gemm_rows<T, kRows, Bytes>(a + i * lda, lda, k, b, n, init, c + i * n);
  }
  for (; i < m; ++i) {
    init[0] = bias ? bias[i * bias_stride] : T(0);
    short_gemm_rows<T, 1, Bytes>(a + i * lda, lda, k, b, n, init, c + i * n);
  }
}

KILN_SIMD void short_gemm(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                          const float* bias, int64_t bias_stride, float* c) {
  with_vector_bytes([&](auto bytes) KILN_INLINE_LAMBDA {
    short_gemm_t<float, bytes>(m, n, k, a, lda, b, bias, bias_stride, c);
  });
}

KILN_SIMD void short_gemm(int64_t m, int64_t n, int64_t k, const double* a, int64_t lda, const double* b,
                          const double* bias, int64_t bias_stride, double* c) {
  with_vector_bytes([&](auto bytes) KILN_INLINE_LAMBDA {
    short_gemm_t<double, bytes>(m, n, k, a, lda, b, bias, bias_stride, c);
  });
}

// Runs fn(begin, end, buffer) over the samples, claimed one at a time by the pool's threads, OpenBLAS on one
// thread throughout (a single sample's large GEMMs are split over the pool instead, gemm_parallel).
template <class T, class Fn>
void over_samples(int64_t items, int64_t buffer_size, DType dtype, Fn&& fn) {
  SingleThreadedBlas single;
  if (items >= 2) {
    claim_loop(items, 1, [&] { return Tensor::empty({buffer_size}, dtype); },
               [&](int64_t begin, int64_t end, Tensor& buffer) { fn(begin, end, buffer.data<T>()); });
    return;
  }
  Tensor buffer = Tensor::empty({buffer_size}, dtype);
  fn(0, items, buffer.data<T>());
}

// Output rows (od, oh) per im2col slab. A large sample's column matrix (a 3-D volume, a big image: 28 MB for 16
// channels of 16 x 32 x 32 under a 3x3x3 kernel) left the cache between im2col writing it and the GEMM reading it
// back; slabs of about 256 KB stay in L2 beside the GEMM's packed blocks (conv3d of that shape, forward and
// backward: 53 ms whole, 44 in slabs of 1 MB, 35 of 256 KB, 40 of one row). A column matrix of up to 4 MB stays
// whole: the GEMM runs better on its long rows than the cache gains (ResNet's 3x3 stride-2 convolution, 1.8 MB a
// sample: 33.8 ms whole, 37.3 in slabs of 256 KB).
template <class T>
int64_t slab_rows(const PatchGeometry& all) {
  constexpr int64_t kWholeBytes = int64_t(4) << 20, kSlabBytes = int64_t(256) << 10;
  const int64_t per_row = std::max<int64_t>(1, all.rows() * all.out[2] * static_cast<int64_t>(sizeof(T)));
  if (per_row * all.out_rows() <= kWholeBytes) return all.out_rows();
  return std::clamp<int64_t>(kSlabBytes / per_row, 1, all.out_rows());
}

bool is_pointwise(const PatchGeometry& p) {
  for (int i = 0; i < 3; ++i)
    if (p.kernel[i] != 1 || p.stride[i] != 1 || p.pad[i] != 0 || p.in[i] != p.out[i]) return false;
  return true;
}

// The kernel's depth, height and width of a convolution with stride 1, dilation 1 and one group, for Winograd
// (winograd_applies decides which heights and widths it takes); zeros for any other convolution.
struct Kernel3 {
  int64_t d, h, w;
};

Kernel3 winograd_kernel(const ConvGeometry& g) {
  const PatchGeometry& p = g.patch;
  bool unit = g.groups == 1;
  for (int i = 0; i < 3; ++i) unit = unit && p.stride[i] == 1 && p.dilation[i] == 1;
  return unit ? Kernel3{p.kernel[0], p.kernel[1], p.kernel[2]} : Kernel3{0, 0, 0};
}

// Element strides (n, c, d, h, w) of a 3-D to 5-D tensor, its missing spatial dims of size 1.
void volume_strides(const Tensor& t, int64_t* s) {
  s[0] = t.strides()[0];
  s[1] = t.strides()[1];
  for (int i = 0; i < 3; ++i) s[2 + i] = i >= 5 - t.dim() ? t.strides()[t.dim() - 3 + i] : 0;
}

// The arguments of winograd_conv and winograd_weight_grad: `from` is the GEMMs' input side (spatial sizes in,
// channels c_in), `to` their output side; pads at the low end.
WinogradConv winograd_geometry(const Kernel3& k, int64_t batch, int64_t c_in, int64_t c_out, const int64_t* from,
                               const int64_t* to, const int64_t* pad) {
  return {k.h, k.w, batch, c_in, c_out, from[1], from[2], to[1], to[2], pad[1], pad[2], k.d, from[0], to[0], pad[0]};
}

std::vector<float> dense_bias(const Tensor& bias) {
  std::vector<float> b;
  if (bias.defined())
    for (int64_t k = 0; k < bias.numel(); ++k) b.push_back(bias.data<float>()[k * bias.strides()[0]]);
  return b;
}

template <class T>
void forward_impl(const ConvGeometry& g, const Tensor& small, const Tensor& large_in, const Tensor& weight_in,
                  const Tensor& bias) {
  const PatchGeometry& p = g.patch;
  const int64_t L = p.out_volume(), kv = p.kernel_volume(), Cg = g.large_channels_per_group(),
                Kg = g.small_channels_per_group(), rows = Cg * kv;
  const Tensor weight = weight_flat(weight_in) ? weight_in : dense_copy(weight_in);
  if (is_depthwise(g)) return depthwise_forward(g, small, large_in, weight, bias);
  if constexpr (std::is_same_v<T, float>) {
    const Tensor w = weight_in.is_contiguous() ? weight_in : dense_copy(weight_in);
    const std::vector<float> b = dense_bias(bias);
    const Kernel3 k = winograd_kernel(g);
    if (winograd_applies(k.h, k.w, g.large_channels, g.small_channels, p.out[1], p.out[2])) {
      int64_t xs[5];
      volume_strides(large_in, xs);
      if (winograd_conv(winograd_geometry(k, g.batch, g.large_channels, g.small_channels, p.in, p.out, p.pad),
                        large_in.data<float>(), xs, w.data<float>(), false, b.empty() ? nullptr : b.data(),
                        small.data<float>()))
        return;
    }
    if (conv_forward_direct_f32(g, small, large_in, w, b.empty() ? nullptr : b.data())) return;
  }
  const bool direct = is_pointwise(p) && spatially_flat(large_in);
  const Tensor& large = large_in;
  PatchGeometry all = p;
  all.channels = g.large_channels;
  int64_t s[4];
  patch_strides(large, s);
  const T* w = weight.data<T>();
  const int64_t ldw = weight_ld(weight, rows);
  const bool short_patch = !direct && rows <= kShortPatch;
  // short_gemm writes whole rows of y: its patches are few rows, so its samples' columns are small anyway.
  const int64_t R = p.out_rows(), OW = p.out[2], slab = direct || short_patch ? R : slab_rows<T>(all);
  over_samples<T>(g.batch, direct ? 1 : all.rows() * slab * OW, small.dtype(), [&](int64_t begin, int64_t end, T* cols) {
    for (int64_t n = begin; n < end; ++n) {
      T* y = small.data<T>() + n * g.small_channels * L;
      if (bias.defined() && !short_patch)
        for (int64_t k = 0; k < g.small_channels; ++k)
          std::fill(y + k * L, y + (k + 1) * L, bias.data<T>()[k * bias.strides()[0]]);
      const T* x = large.data<T>() + n * large.strides()[0];
      for (int64_t r0 = 0; r0 < R; r0 += slab) {
        const int64_t r1 = std::min(R, r0 + slab), Ls = (r1 - r0) * OW;
        if (!direct) im2col(all, x, s, cols, r0, r1);
        for (int64_t grp = 0; grp < g.groups; ++grp) {
          const T* b = direct ? x + grp * Cg * s[0] : cols + grp * rows * Ls;
          if (short_patch)
            short_gemm(Kg, L, rows, w + grp * Kg * ldw, ldw, b,
                       bias.defined() ? bias.data<T>() + grp * Kg * bias.strides()[0] : nullptr,
                       bias.defined() ? bias.strides()[0] : 0, y + grp * Kg * L);
          else
            gemm_any<T>(false, false, Kg, Ls, rows, w + grp * Kg * ldw, ldw, b, direct ? row_stride(large, L) : Ls,
                        bias.defined() ? T(1) : T(0), y + grp * Kg * L + r0 * OW, L);
        }
      }
    }
  });
}

template <class T>
void transpose_impl(const ConvGeometry& g, const Tensor& large, const Tensor& small_in, const Tensor& weight_in,
                    const Tensor& bias) {
  const PatchGeometry& p = g.patch;
  const int64_t L = p.out_volume(), V = p.in_volume(), kv = p.kernel_volume(), Cg = g.large_channels_per_group(),
                Kg = g.small_channels_per_group(), rows = Cg * kv;
  const Tensor weight = weight_flat(weight_in) ? weight_in : dense_copy(weight_in);
  const Tensor small = spatially_flat(small_in) ? small_in : dense_copy(small_in);
  if (is_depthwise(g)) return depthwise_transpose(g, large, small, weight, bias);
  if constexpr (std::is_same_v<T, float>) {
    const Tensor w = weight_in.is_contiguous() ? weight_in : dense_copy(weight_in);
    const std::vector<float> b = dense_bias(bias);
    // Stride 1: the full correlation of small with the flipped kernel, padded by k - 1 - pad (so pad < k).
    const Kernel3 k = winograd_kernel(g);
    const int64_t full_pad[3] = {k.d - 1 - p.pad[0], k.h - 1 - p.pad[1], k.w - 1 - p.pad[2]};
    if (full_pad[0] >= 0 && full_pad[1] >= 0 && full_pad[2] >= 0 &&
        winograd_applies(k.h, k.w, g.small_channels, g.large_channels, p.in[1], p.in[2])) {
      int64_t ys[5];
      volume_strides(small, ys);
      if (winograd_conv(winograd_geometry(k, g.batch, g.small_channels, g.large_channels, p.out, p.in, full_pad),
                        small.data<float>(), ys, w.data<float>(), true, b.empty() ? nullptr : b.data(),
                        large.data<float>()))
        return;
    }
    if (conv_transpose_direct_f32(g, large, small, w, b.empty() ? nullptr : b.data())) return;
  }
  const bool direct = is_pointwise(p);
  PatchGeometry all = p;
  all.channels = g.large_channels;
  const T* w = weight.data<T>();
  const int64_t ldw = weight_ld(weight, rows), ldy = row_stride(small, L);
  const int64_t R = p.out_rows(), OW = p.out[2], slab = direct ? R : slab_rows<T>(all);
  over_samples<T>(g.batch, direct ? 1 : all.rows() * slab * OW, large.dtype(), [&](int64_t begin, int64_t end, T* cols) {
    for (int64_t n = begin; n < end; ++n) {
      T* x = large.data<T>() + n * g.large_channels * V;
      const T* y = small.data<T>() + n * small.strides()[0];
      if (!direct) std::fill(x, x + g.large_channels * V, T(0));
      for (int64_t r0 = 0; r0 < R; r0 += slab) {
        const int64_t r1 = std::min(R, r0 + slab), Ls = (r1 - r0) * OW;
        for (int64_t grp = 0; grp < g.groups; ++grp) {
          T* c = direct ? x + grp * Cg * V : cols + grp * rows * Ls;
          gemm_any<T>(true, false, rows, Ls, Kg, w + grp * Kg * ldw, ldw, y + grp * Kg * ldy + r0 * OW, ldy, T(0), c,
                      direct ? L : Ls);
        }
        if (!direct) col2im(all, cols, x, r0, r1);
      }
      if (bias.defined())
        for (int64_t c = 0; c < g.large_channels; ++c) {
          const T b = bias.data<T>()[c * bias.strides()[0]];
          for (T *q = x + c * V, *e = q + V; q < e; ++q) *q += b;
        }
    }
  });
}

template <class T>
void weight_grad_impl(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large,
                      const Tensor& small_in) {
  const PatchGeometry& p = g.patch;
  const int64_t L = p.out_volume(), kv = p.kernel_volume(), Cg = g.large_channels_per_group(),
                Kg = g.small_channels_per_group(), rows = Cg * kv, wsize = grad_weight.numel();
  const Tensor small = spatially_flat(small_in) ? small_in : dense_copy(small_in);
  if (is_depthwise(g)) return depthwise_weight_grad(g, grad_weight, large, small);
  const bool direct = is_pointwise(p) && spatially_flat(large);
  PatchGeometry all = p;
  all.channels = g.large_channels;
  int64_t s[4];
  patch_strides(large, s);
  if constexpr (std::is_same_v<T, float>) {
    const Kernel3 k = winograd_kernel(g);
    if (winograd_applies(k.h, k.w, g.large_channels, g.small_channels, p.out[1], p.out[2])) {
      int64_t xs[5], ys[5];
      volume_strides(large, xs);
      volume_strides(small, ys);
      if (winograd_weight_grad(winograd_geometry(k, g.batch, g.large_channels, g.small_channels, p.in, p.out, p.pad),
                               large.data<float>(), xs, small.data<float>(), ys, grad_weight.data<float>()))
        return;
    }
    if (!direct && conv_weight_grad_f32(g, grad_weight, large, s, small)) return;
  }
  const int64_t ldy = row_stride(small, L), ldx = row_stride(large, L);  // ldx: x read in place (direct)
  const int64_t blocks = (g.batch + kWeightBlock - 1) / kWeightBlock;
  // Block i's partial sum; with one block it is the result itself.
  Tensor partials = blocks <= 1 ? grad_weight : Tensor::empty({blocks, wsize}, grad_weight.dtype());
  if (g.batch == 0) std::fill(grad_weight.data<T>(), grad_weight.data<T>() + wsize, T(0));
  const int64_t R = p.out_rows(), OW = p.out[2], slab = direct ? R : slab_rows<T>(all);
  over_samples<T>(blocks, direct ? 1 : all.rows() * slab * OW, grad_weight.dtype(), [&](int64_t b0, int64_t b1, T* cols) {
    for (int64_t blk = b0; blk < b1; ++blk) {
      T* dw = partials.data<T>() + blk * wsize;
      for (int64_t n = blk * kWeightBlock; n < std::min(g.batch, (blk + 1) * kWeightBlock); ++n) {
        const T* x = large.data<T>() + n * large.strides()[0];
        const T* y = small.data<T>() + n * small.strides()[0];
        for (int64_t r0 = 0; r0 < R; r0 += slab) {
          const int64_t r1 = std::min(R, r0 + slab), Ls = (r1 - r0) * OW;
          if (!direct) im2col(all, x, s, cols, r0, r1);
          const T beta = n == blk * kWeightBlock && r0 == 0 ? T(0) : T(1);
          for (int64_t grp = 0; grp < g.groups; ++grp) {
            const T* b = direct ? x + grp * Cg * s[0] : cols + grp * rows * Ls;
            gemm_any<T>(false, true, Kg, rows, Ls, y + grp * Kg * ldy + r0 * OW, ldy, b, direct ? ldx : Ls, beta,
                        dw + grp * Kg * rows, rows);
          }
        }
      }
    }
  });
  if (blocks <= 1) return;
  T* out = grad_weight.data<T>();
  const T* part = partials.data<T>();
  std::copy(part, part + wsize, out);
  for (int64_t blk = 1; blk < blocks; ++blk)
    for (int64_t i = 0; i < wsize; ++i) out[i] += part[blk * wsize + i];
}

}  // namespace

void conv_forward(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                  const Tensor& bias) {
  if (small.numel() == 0) return;
  dispatch_float(small.dtype(), "conv forward", [&](auto tag) { forward_impl<decltype(tag)>(g, small, large, weight, bias); });
}

void conv_transpose(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& weight,
                    const Tensor& bias) {
  if (large.numel() == 0) return;
  dispatch_float(large.dtype(), "conv transpose", [&](auto tag) { transpose_impl<decltype(tag)>(g, large, small, weight, bias); });
}

void conv_weight_grad(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large, const Tensor& small) {
  if (grad_weight.numel() == 0) return;
  dispatch_float(grad_weight.dtype(), "conv weight gradient",
                 [&](auto tag) { weight_grad_impl<decltype(tag)>(g, grad_weight, large, small); });
}

}  // namespace kiln::cpu
