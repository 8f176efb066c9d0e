// Convolutions by im2col + GEMM (cuBLAS, or Kiln's tiled kernel without it), over chunks of samples so the
// column buffer stays bounded. The columns of a chunk are laid out per group: [groups][rows][samples x positions]
// for the weight gradient (one GEMM per group, summing over samples inside its inner dim) and
// [groups][samples][rows][positions] otherwise (a batched GEMM per group, the weight read with batch stride 0).
// col2im gathers rather than scatters: each input element sums the column entries that read it, so the input
// gradient needs no atomics and does not depend on scheduling.
#include <algorithm>

#include "cuda/kernels.h"
#include "cuda/rows.cuh"

namespace kiln::cuda {
namespace {

constexpr int64_t kColumnElements = int64_t(1) << 25;  // a chunk's column buffer: 128 MiB of float32

// A convolution's sizes as the kernels read them; spatial dims padded in front to 3.
struct Patch {
  int64_t channels;  // per group
  int64_t groups, samples;
  int64_t in[3], out[3], kernel[3], stride[3], pad[3], dilation[3];
  int64_t kvol, positions, rows;  // kernel volume, output positions, channels * kvol
  int64_t sg, sb, sr;             // column strides of (group, sample, row); positions are dense
};

Patch patch_of(const ConvGeometry& cg, int64_t samples, bool rows_major) {
  const PatchGeometry& g = cg.patch;
  Patch p{};
  p.channels = g.channels;
  p.groups = cg.groups;
  p.samples = samples;
  for (int i = 0; i < 3; ++i) {
    p.in[i] = g.in[i];
    p.out[i] = g.out[i];
    p.kernel[i] = g.kernel[i];
    p.stride[i] = g.stride[i];
    p.pad[i] = g.pad[i];
    p.dilation[i] = g.dilation[i];
  }
  p.kvol = g.kernel_volume();
  p.positions = g.out_volume();
  p.rows = g.rows();
  if (rows_major) {  // [groups][rows][samples x positions]
    p.sr = samples * p.positions;
    p.sb = p.positions;
    p.sg = p.rows * p.sr;
  } else {  // [groups][samples][rows][positions]
    p.sr = p.positions;
    p.sb = p.rows * p.positions;
    p.sg = samples * p.sb;
  }
  return p;
}

// cols from x (strides xs of sample, channel, d, h, w); one thread per column entry.
template <class T>
__global__ void im2col(Patch p, const T* x, int64_t xs0, int64_t xs1, int64_t xs2, int64_t xs3, int64_t xs4, T* cols,
                       int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t l = i % p.positions;
    int64_t rest = i / p.positions;
    const int64_t k = rest % p.kvol;
    rest /= p.kvol;
    const int64_t c = rest % (p.channels * p.groups), b = rest / (p.channels * p.groups);
    const int64_t kw = k % p.kernel[2], kh = (k / p.kernel[2]) % p.kernel[1], kd = k / (p.kernel[2] * p.kernel[1]);
    const int64_t ow = l % p.out[2], oh = (l / p.out[2]) % p.out[1], od = l / (p.out[2] * p.out[1]);
    const int64_t id = od * p.stride[0] - p.pad[0] + kd * p.dilation[0];
    const int64_t ih = oh * p.stride[1] - p.pad[1] + kh * p.dilation[1];
    const int64_t iw = ow * p.stride[2] - p.pad[2] + kw * p.dilation[2];
    const bool inside = id >= 0 && id < p.in[0] && ih >= 0 && ih < p.in[1] && iw >= 0 && iw < p.in[2];
    const int64_t g = c / p.channels, r = (c % p.channels) * p.kvol + k;
    cols[g * p.sg + b * p.sb + r * p.sr + l] = inside ? x[b * xs0 + c * xs1 + id * xs2 + ih * xs3 + iw * xs4] : T(0);
  }
}

// large [samples, channels x groups, in...] (contiguous) = the sum of the column entries that read each element.
template <class T>
__global__ void col2im(Patch p, const T* cols, T* large, int64_t n) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t iw = i % p.in[2], ih = (i / p.in[2]) % p.in[1], id = (i / (p.in[2] * p.in[1])) % p.in[0];
    const int64_t rest = i / (p.in[2] * p.in[1] * p.in[0]);
    const int64_t c = rest % (p.channels * p.groups), b = rest / (p.channels * p.groups);
    const int64_t g = c / p.channels;
    const T* base = cols + g * p.sg + b * p.sb + (c % p.channels) * p.kvol * p.sr;
    T sum = 0;
    for (int64_t kd = 0; kd < p.kernel[0]; ++kd) {
      const int64_t td = id + p.pad[0] - kd * p.dilation[0];
      if (td < 0 || td % p.stride[0] != 0 || td / p.stride[0] >= p.out[0]) continue;
      for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
        const int64_t th = ih + p.pad[1] - kh * p.dilation[1];
        if (th < 0 || th % p.stride[1] != 0 || th / p.stride[1] >= p.out[1]) continue;
        for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
          const int64_t tw = iw + p.pad[2] - kw * p.dilation[2];
          if (tw < 0 || tw % p.stride[2] != 0 || tw / p.stride[2] >= p.out[2]) continue;
          const int64_t k = (kd * p.kernel[1] + kh) * p.kernel[2] + kw;
          const int64_t l = ((td / p.stride[0]) * p.out[1] + th / p.stride[1]) * p.out[2] + tw / p.stride[2];
          sum += base[k * p.sr + l];
        }
      }
    }
    large[i] = sum;
  }
}

// Samples per chunk: as many as keep the column buffer within kColumnElements (at least one).
int64_t chunk_of(const ConvGeometry& g) {
  const int64_t per_sample = std::max<int64_t>(1, g.patch.rows() * g.groups * g.patch.out_volume());
  return std::max<int64_t>(1, std::min(g.batch, kColumnElements / per_sample));
}

Tensor dense(const Tensor& t) {
  if (t.is_contiguous()) return t;
  Tensor c = Tensor::empty(t.shape(), t.dtype(), t.device());
  copy_on_device(c, t);
  return c;
}

// A [batch, rows, cols] view of t's elements from offset (elements) with the given strides.
Tensor matrices(const Tensor& t, int64_t batch, int64_t rows, int64_t cols, int64_t sb, int64_t sr, int64_t sc,
                int64_t offset) {
  return t.as_strided({batch, rows, cols}, {sb, sr, sc}, t.offset() + offset);
}

void fill_columns(const Patch& p, const Tensor& x, int64_t n0, const Tensor& cols) {
  const int64_t n = p.samples * p.groups * p.channels * p.kvol * p.positions;
  const int64_t nd = x.dim() - 2;
  int64_t s[5] = {x.strides()[0], x.strides()[1], 0, 0, 0};
  for (int64_t i = 0; i < 3; ++i) s[2 + i] = i < 3 - nd ? 0 : x.strides()[2 + i - (3 - nd)];
  floating(x.dtype(), "convolution", [&](auto tag) {
    using T = decltype(tag);
    im2col<T><<<blocks_for(n), kThreads, 0, stream(x.device().index)>>>(p, x.data<T>() + n0 * s[0], s[0], s[1], s[2],
                                                                         s[3], s[4], cols.data<T>(), n);
  });
  KILN_CUDA_CHECK_LAUNCH("convolution (im2col)");
}

// t [N, C, ...] += bias over C.
void add_bias(const Tensor& t, const Tensor& bias) {
  if (!bias.defined()) return;
  Shape strides(t.dim(), 0);
  strides[1] = bias.strides()[0];
  binary(BinaryOp::Add, t, t, bias.as_strided(t.shape(), strides, bias.offset()));
}

}  // namespace

void conv_forward(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                  const Tensor& bias) {
  if (small.numel() == 0) return;
  const Tensor w = dense(weight);
  const int64_t K = g.small_channels, Kg = g.small_channels_per_group(), L = g.patch.out_volume();
  const int64_t rows = g.patch.rows(), chunk = chunk_of(g);
  for (int64_t n0 = 0; n0 < g.batch; n0 += chunk) {
    const int64_t B = std::min(chunk, g.batch - n0);
    const Patch p = patch_of(g, B, false);
    const Tensor cols = Tensor::empty({g.groups * B * rows * L}, small.dtype(), small.device());
    fill_columns(p, large, n0, cols);
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const Tensor a = matrices(w, B, Kg, rows, 0, rows, 1, grp * Kg * rows);
      const Tensor b = matrices(cols, B, rows, L, rows * L, L, 1, grp * p.sg);
      const Tensor out = matrices(small, B, Kg, L, K * L, L, 1, (n0 * K + grp * Kg) * L);
      if (g.groups == 1) {
        gemm(out, a, b, 1, 0);
      } else {
        const Tensor tmp = Tensor::empty({B, Kg, L}, small.dtype(), small.device());
        gemm(tmp, a, b, 1, 0);
        copy_on_device(out, tmp);
      }
    }
  }
  add_bias(small, bias);
}

void conv_transpose(const ConvGeometry& g, const Tensor& large, const Tensor& small_in, const Tensor& weight,
                    const Tensor& bias) {
  if (large.numel() == 0) return;
  const Tensor w = dense(weight), small = dense(small_in);
  const int64_t K = g.small_channels, Kg = g.small_channels_per_group(), L = g.patch.out_volume();
  const int64_t rows = g.patch.rows(), chunk = chunk_of(g);
  const int64_t per_sample = g.large_channels * g.patch.in_volume();
  for (int64_t n0 = 0; n0 < g.batch; n0 += chunk) {
    const int64_t B = std::min(chunk, g.batch - n0);
    const Patch p = patch_of(g, B, false);
    const Tensor cols = Tensor::empty({g.groups * B * rows * L}, large.dtype(), large.device());
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const Tensor a = matrices(w, B, rows, Kg, 0, 1, rows, grp * Kg * rows);  // the group's weight, transposed
      const Tensor b = matrices(small, B, Kg, L, K * L, L, 1, (n0 * K + grp * Kg) * L);
      gemm(matrices(cols, B, rows, L, rows * L, L, 1, grp * p.sg), a, b, 1, 0);
    }
    const int64_t n = B * per_sample;
    floating(large.dtype(), "convolution", [&](auto tag) {
      using T = decltype(tag);
      col2im<T><<<blocks_for(n), kThreads, 0, stream(large.device().index)>>>(p, cols.data<T>(),
                                                                               large.data<T>() + n0 * per_sample, n);
    });
    KILN_CUDA_CHECK_LAUNCH("convolution (col2im)");
  }
  add_bias(large, bias);
}

void conv_weight_grad(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large, const Tensor& small_in) {
  if (grad_weight.numel() == 0) return;
  const Tensor small = dense(small_in);
  const int64_t K = g.small_channels, Kg = g.small_channels_per_group(), L = g.patch.out_volume();
  const int64_t rows = g.patch.rows(), chunk = chunk_of(g);
  if (g.batch == 0 || L == 0) return fill(grad_weight, Scalar(int64_t(0)));
  for (int64_t n0 = 0; n0 < g.batch; n0 += chunk) {
    const int64_t B = std::min(chunk, g.batch - n0);
    const Patch p = patch_of(g, B, true);
    const Tensor cols = Tensor::empty({g.groups * rows * B * L}, large.dtype(), large.device());
    fill_columns(p, large, n0, cols);
    // The chunk's gradient as [K, B x L]: channels outermost, so each group's rows are one matrix.
    const Tensor by_channel = Tensor::empty({K, B, L}, small.dtype(), small.device());
    copy_on_device(matrices(by_channel, B, K, L, L, B * L, 1, 0), matrices(small, B, K, L, K * L, L, 1, n0 * K * L));
    for (int64_t grp = 0; grp < g.groups; ++grp) {
      const Tensor a = matrices(by_channel, 1, Kg, B * L, 0, B * L, 1, grp * Kg * B * L);
      const Tensor b = matrices(cols, 1, B * L, rows, 0, 1, B * L, grp * p.sg);  // the group's columns, transposed
      gemm(matrices(grad_weight, 1, Kg, rows, 0, rows, 1, grp * Kg * rows), a, b, 1, n0 == 0 ? 0 : 1);
    }
  }
}

}  // namespace kiln::cuda
