// Convolutions against a direct reference (every stride, padding, dilation and groups combination that takes a
// different path), strided operands, the batch-parallel and serial paths, thread-count independence, gradients
// and second derivatives, unfold/fold, and errors.
#include <cmath>
#include "cpu/transpose16.h"
#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::uniform;

namespace {

struct Ref {
  Shape stride, pad_lo, pad_hi, dilation;
  int64_t groups = 1;
};

// The direct definition, in double: out[n, k, o] = sum over c in k's group, kernel offsets j of
// x[n, c, o * stride - pad + j * dilation] * w[k, c', j] (+ bias).
Tensor ref_conv(const Tensor& x, const Tensor& w, const Tensor& bias, const Ref& r) {
  const int64_t nd = x.dim() - 2, N = x.shape()[0], C = x.shape()[1], K = w.shape()[0], G = r.groups;
  const int64_t Cg = C / G, Kg = K / G;
  Shape in(3, 1), ks(3, 1), out(3, 1), st(3, 1), pd(3, 0), dl(3, 1);
  for (int64_t d = 0; d < nd; ++d) {
    const int64_t i = 3 - nd + d;
    in[i] = x.shape()[2 + d];
    ks[i] = w.shape()[2 + d];
    st[i] = r.stride[d];
    pd[i] = r.pad_lo[d];
    dl[i] = r.dilation[d];
    out[i] = (in[i] + r.pad_lo[d] + r.pad_hi[d] - r.dilation[d] * (ks[i] - 1) - 1) / r.stride[d] + 1;
  }
  const std::vector<double> xv = test::values(x), wv = test::values(w);
  const std::vector<double> bv = bias.defined() ? test::values(bias) : std::vector<double>(K, 0.0);
  std::vector<double> o(static_cast<size_t>(N * K * out[0] * out[1] * out[2]));
  size_t idx = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t a = 0; a < out[0]; ++a)
        for (int64_t b = 0; b < out[1]; ++b)
          for (int64_t c = 0; c < out[2]; ++c) {
            double s = bv[k];
            for (int64_t ci = 0; ci < Cg; ++ci)
              for (int64_t i = 0; i < ks[0]; ++i)
                for (int64_t j = 0; j < ks[1]; ++j)
                  for (int64_t l = 0; l < ks[2]; ++l) {
                    const int64_t p = a * st[0] - pd[0] + i * dl[0], q = b * st[1] - pd[1] + j * dl[1],
                                  t = c * st[2] - pd[2] + l * dl[2];
                    if (p < 0 || p >= in[0] || q < 0 || q >= in[1] || t < 0 || t >= in[2]) continue;
                    const int64_t cin = (k / Kg) * Cg + ci;
                    s += xv[(((n * C + cin) * in[0] + p) * in[1] + q) * in[2] + t] *
                         wv[(((k * Cg + ci) * ks[0] + i) * ks[1] + j) * ks[2] + l];
                  }
            o[idx++] = s;
          }
  Shape shape = {N, K};
  for (int64_t d = 0; d < nd; ++d) shape.push_back(out[3 - nd + d]);
  return test::make(o, shape, DType::Float64);
}

Ref ref(Shape stride, Shape pad, Shape dilation, int64_t groups) { return {stride, pad, pad, dilation, groups}; }

Tensor leaf(const Shape& shape, uint64_t seed) {
  Tensor t = uniform(shape, seed, -1, 1, DType::Float64);
  return set_requires_grad(t, true);
}

Tensor select_first(const Tensor& t) { return squeeze(narrow(t, 0, 0, 1), 0); }

// <g, f(x)> summed, to turn gradients into scalars for finite differences.
double dot_all(const Tensor& a, const Tensor& b) { return item(sum(mul(a, b))); }

}  // namespace

TEST(conv2d_matches_the_reference) {
  struct Case {
    Shape x, w;
    Shape stride, pad, dilation;
    int64_t groups;
  };
  const Case cases[] = {
      {{2, 3, 7, 6}, {4, 3, 3, 3}, {1, 1}, {0, 0}, {1, 1}, 1},  // plain
      {{2, 3, 7, 6}, {4, 3, 3, 2}, {2, 1}, {1, 2}, {1, 1}, 1},  // stride and padding
      {{2, 3, 9, 8}, {4, 3, 3, 3}, {1, 2}, {2, 1}, {2, 3}, 1},  // dilation
      {{2, 4, 6, 6}, {6, 2, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 2},  // groups
      {{3, 4, 6, 5}, {8, 1, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 4},  // depthwise, multiplier 2
      {{2, 3, 5, 5}, {4, 3, 1, 1}, {1, 1}, {0, 0}, {1, 1}, 1},  // 1x1: read in place
      {{2, 3, 5, 5}, {4, 3, 1, 1}, {2, 2}, {1, 0}, {1, 1}, 1},  // 1x1 strided and padded: im2col
      {{1, 2, 6, 6}, {3, 2, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1},  // one sample: OpenBLAS's threads
      {{2, 2, 3, 3}, {3, 2, 3, 3}, {3, 3}, {0, 0}, {1, 1}, 1},  // a 1x1 output
      // output plane = input plane, stride 1: im2col's shifted-plane path (offsets beyond the plane included)
      {{2, 3, 1, 1}, {4, 3, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1},
      {{2, 2, 2, 5}, {3, 2, 3, 3}, {1, 1}, {3, 3}, {3, 3}, 1},
      {{2, 3, 14, 14}, {5, 3, 5, 5}, {1, 1}, {2, 2}, {1, 1}, 1},
      // patches of at most 16 rows (the short GEMM): output channels 8 at a time and one at a time, vectors of
      // columns and a tail
      {{2, 1, 9, 10}, {11, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1},
      {{2, 1, 28, 28}, {32, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1},
      {{3, 2, 5, 7}, {16, 2, 2, 2}, {1, 1}, {0, 1}, {1, 1}, 1},
  };
  for (DType t : {DType::Float32, DType::Float64}) {
    for (const Case& c : cases) {
      const Tensor x = uniform(c.x, 1, -1, 1, t), w = uniform(c.w, 2, -1, 1, t), b = uniform({c.w[0]}, 3, -1, 1, t);
      const Ref r = ref(c.stride, c.pad, c.dilation, c.groups);
      const double tol = t == DType::Float32 ? 1e-5 : 1e-12;
      CHECK_SAME(conv2d(x, w, b, c.stride, c.pad, c.dilation, c.groups), ref_conv(x, w, b, r), tol);
      CHECK_SAME(conv2d(x, w, Tensor(), c.stride, c.pad, c.dilation, c.groups), ref_conv(x, w, Tensor(), r), tol);
    }
  }
}

TEST(conv1d_conv3d_and_padding_modes) {
  const Tensor x1 = uniform({2, 3, 9}, 1), w1 = uniform({4, 3, 3}, 2), b1 = uniform({4}, 3);
  CHECK_SAME(conv1d(x1, w1, b1, {2}, {1}, {2}), ref_conv(x1, w1, b1, ref({2}, {1}, {2}, 1)), 1e-5);
  const Tensor x3 = uniform({2, 2, 4, 5, 4}, 4), w3 = uniform({4, 1, 2, 3, 2}, 5), b3 = uniform({4}, 6);
  CHECK_SAME(conv3d(x3, w3, b3, {1, 2, 1}, {1, 1, 0}, {1, 1, 2}, 2),
             ref_conv(x3, w3, b3, ref({1, 2, 1}, {1, 1, 0}, {1, 1, 2}, 2)), 1e-5);
  // "same" with an even kernel pads one more at the end, as PyTorch does
  const Tensor x = uniform({2, 3, 6, 7}, 7), w = uniform({2, 3, 4, 3}, 8);
  const Tensor same = conv2d(x, w, Tensor(), {1, 1}, {0, 0}, {1, 2}, 1, ConvPadding::Same);
  CHECK_SHAPE(same, {2, 2, 6, 7});
  CHECK_SAME(same, ref_conv(x, w, Tensor(), {{1, 1}, {1, 2}, {2, 2}, {1, 2}, 1}), 1e-5);
  CHECK_SAME(conv2d(x, w, Tensor(), {1, 1}, {5, 5}, {1, 1}, 1, ConvPadding::Valid), conv2d(x, w), 0);
  // unbatched input
  CHECK_SAME(conv2d(select_first(x), w), select_first(conv2d(x, w)), 0);
}

TEST(strided_operands_give_the_same_result) {
  const Tensor base = uniform({3, 2, 8, 7}, 1);
  const Tensor x = transpose(base, 0, 1);                  // [2, 3, 8, 7], batch and channels swapped
  const Tensor xs = slice(uniform({2, 3, 8, 14}, 2), 3, 0, 14, 2);  // stride 2 along W
  const Tensor w = transpose(uniform({3, 4, 3, 3}, 3), 0, 1);       // [4, 3, 3, 3] not dense
  for (const Tensor* in : {&x, &xs}) {
    CHECK_SAME(conv2d(*in, w, Tensor(), {1, 1}, {1, 1}), conv2d(contiguous(*in), contiguous(w), Tensor(), {1, 1}, {1, 1}), 1e-6);
    const Tensor w1 = uniform({4, 3, 1, 1}, 4);
    CHECK_SAME(conv2d(*in, w1), conv2d(contiguous(*in), w1), 1e-6);
  }
  // an expanded (stride 0) input
  const Tensor e = expand(uniform({1, 3, 5, 5}, 5), {4, 3, 5, 5});
  CHECK_SAME(conv2d(e, w, Tensor(), {2, 1}), conv2d(contiguous(e), contiguous(w), Tensor(), {2, 1}), 1e-6);
}

TEST(conv_transpose_is_the_adjoint_of_conv) {
  // <conv(x, w), y> == <x, conv_transpose(y, w)> for every geometry, output_padding filling the extra rows
  struct Case {
    Shape x, w, stride, pad, dilation;
    int64_t groups;
  };
  const Case cases[] = {
      {{2, 3, 7, 6}, {4, 3, 3, 3}, {1, 1}, {0, 0}, {1, 1}, 1},
      {{2, 4, 8, 7}, {6, 2, 3, 2}, {2, 3}, {1, 0}, {1, 2}, 2},
      {{3, 4, 6, 6}, {4, 1, 3, 3}, {2, 2}, {1, 1}, {1, 1}, 4},
      {{2, 3, 5, 5}, {4, 3, 1, 1}, {1, 1}, {0, 0}, {1, 1}, 1},
  };
  for (const Case& c : cases) {
    const Tensor x = uniform(c.x, 1, -1, 1, DType::Float64), w = uniform(c.w, 2, -1, 1, DType::Float64);
    const Tensor y0 = conv2d(x, w, Tensor(), c.stride, c.pad, c.dilation, c.groups);
    const Tensor y = uniform(y0.shape(), 3, -1, 1, DType::Float64);
    Shape op;
    for (int d = 0; d < 2; ++d)
      op.push_back((c.x[2 + d] + 2 * c.pad[d] - c.dilation[d] * (c.w[2 + d] - 1) - 1) % c.stride[d]);
    const Tensor xt = conv_transpose2d(y, w, Tensor(), c.stride, c.pad, op, c.groups, c.dilation);
    CHECK_DIMS(xt.shape(), (c.x));
    CHECK(std::fabs(dot_all(y0, y) - dot_all(x, xt)) < 1e-10);
  }
  const Tensor y = uniform({2, 4, 5}, 4), w = uniform({4, 3, 3}, 5), b = uniform({3}, 6);
  const Tensor out = conv_transpose1d(y, w, b, {3}, {1}, {2}, 1, {1});
  CHECK_SHAPE(out, {2, 3, 15});
  // the last element gets no product (it is output_padding), only the bias
  CHECK_SAME(narrow(out, 2, 14, 1), expand(reshape(b, {1, 3, 1}), {2, 3, 1}), 0);
}

TEST(depthwise_matches_per_channel_convolutions) {
  // the direct depthwise loops against one ordinary (im2col + GEMM) convolution per channel, forward and backward
  const Tensor base = leaf({3, 3, 6, 7}, 11);
  const Tensor x = transpose(base, 2, 3);  // [3, 3, 7, 6], strided
  const Tensor w = leaf({6, 1, 3, 2}, 12), b = leaf({6}, 13);
  const Shape stride = {2, 1}, pad = {1, 1}, dil = {1, 2};
  const Tensor y = conv2d(x, w, b, stride, pad, dil, 3);
  const Tensor g = uniform(y.shape(), 14, -1, 1, DType::Float64);
  const TensorList gr = kiln::grad({y}, {base, w, b}, {g});
  for (int64_t c = 0; c < 3; ++c) {
    const Tensor xc = narrow(x, 1, c, 1), wc = narrow(w, 0, 2 * c, 2), bc = narrow(b, 0, 2 * c, 2);
    const Tensor yc = conv2d(xc, wc, bc, stride, pad, dil, 1);
    CHECK_SAME(narrow(y, 1, 2 * c, 2), yc, 1e-12);
    const TensorList gc = kiln::grad({yc}, {base, w, b}, {narrow(g, 1, 2 * c, 2)});
    CHECK_SAME(narrow(gr[0], 1, c, 1), narrow(gc[0], 1, c, 1), 1e-12);
    CHECK_SAME(narrow(gr[1], 0, 2 * c, 2), narrow(gc[1], 0, 2 * c, 2), 1e-12);
  }
  // 1-D and transposed depthwise
  const Tensor x1 = uniform({2, 4, 9}, 15), w1 = uniform({4, 1, 3}, 16);
  CHECK_SAME(conv1d(x1, w1, Tensor(), {2}, {1}, {1}, 4), ref_conv(x1, w1, Tensor(), ref({2}, {1}, {1}, 4)), 1e-5);
  const Tensor y1 = uniform({2, 4, 5}, 17, -1, 1, DType::Float64), x64 = to(x1, DType::Float64), w64 = to(w1, DType::Float64);
  const Tensor t1 = conv_transpose1d(y1, w64, Tensor(), {2}, {1}, {0}, 4);
  CHECK_SHAPE(t1, {2, 4, 9});
  CHECK(std::fabs(dot_all(conv1d(x64, w64, Tensor(), {2}, {1}, {1}, 4), y1) - dot_all(x64, t1)) < 1e-12);
}

// The depthwise loops compute each row in chunks of one, two or four 64-byte vectors (a row's last chunk
// overlapping the one before) from padded copies of the rows, split by the stride along w; the transposed loop
// gathers by residue of the column modulo the stride. Widths around the chunk sizes, strides and dilations
// along every dim, an even kernel, multipliers 1 and 2: the forward against the reference, both gradients and
// the bias's against per-channel ordinary convolutions (im2col + GEMM), in float64 and float32.
TEST(depthwise_rows_of_every_width_stride_and_dilation) {
  struct Case {
    Shape x, w, stride, pad, dilation;
  };
  const Case cases[] = {
      {{2, 3, 3, 5}, {3, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}},      // a row shorter than a vector
      {{2, 3, 4, 16}, {3, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}},     // one float vector
      {{2, 3, 4, 17}, {6, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}},     // multiplier 2, a vector and one
      {{2, 2, 3, 33}, {2, 1, 2, 3}, {1, 1}, {0, 1}, {1, 1}},     // two vectors and one
      {{1, 2, 5, 56}, {2, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}},     // ResNet's and MobileNet's 56
      {{1, 2, 3, 70}, {4, 1, 3, 5}, {1, 1}, {1, 2}, {1, 1}},     // four vectors and an overlapping chunk
      {{1, 2, 4, 130}, {2, 1, 1, 3}, {2, 2}, {0, 1}, {1, 1}},    // stride 2
      {{1, 2, 5, 41}, {4, 1, 3, 3}, {1, 3}, {1, 2}, {2, 2}},     // stride 3 along w, dilation 2
      {{1, 2, 9, 37}, {2, 1, 3, 4}, {3, 1}, {2, 3}, {1, 2}},     // stride 3 along h, an even kernel
  };
  for (const Case& c : cases) {
    const int64_t C = c.x[1], m = c.w[0] / C;
    const Tensor x = leaf(c.x, 31), w = leaf(c.w, 32), b = leaf({c.w[0]}, 33);
    const Tensor y = conv2d(x, w, b, c.stride, c.pad, c.dilation, C);
    CHECK_SAME(y, ref_conv(x, w, b, ref(c.stride, c.pad, c.dilation, C)), 1e-12);
    const Tensor g = uniform(y.shape(), 34, -1, 1, DType::Float64);
    const TensorList gr = kiln::grad({y}, {x, w, b}, {g});
    for (int64_t ch = 0; ch < C; ++ch) {
      const Tensor xc = detach(narrow(x, 1, ch, 1));
      Tensor xl = contiguous(xc), wc = contiguous(detach(narrow(w, 0, m * ch, m)));
      set_requires_grad(xl, true);
      set_requires_grad(wc, true);
      const Tensor yc = conv2d(xl, wc, Tensor(), c.stride, c.pad, c.dilation, 1);
      const TensorList gc = kiln::grad({yc}, {xl, wc}, {narrow(g, 1, m * ch, m)});
      CHECK_SAME(narrow(gr[0], 1, ch, 1), gc[0], 1e-12);
      CHECK_SAME(narrow(gr[1], 0, m * ch, m), gc[1], 1e-12);
    }
    CHECK_SAME(gr[2], sum(g, {0, 2, 3}), 1e-12);
    Tensor x32 = to(detach(x), DType::Float32), w32 = to(detach(w), DType::Float32);
    set_requires_grad(x32, true);
    set_requires_grad(w32, true);
    const Tensor y32 = conv2d(x32, w32, to(detach(b), DType::Float32), c.stride, c.pad, c.dilation, C);
    CHECK_SAME(y32, y, 1e-5);
    const TensorList g32 = kiln::grad({y32}, {x32, w32}, {to(g, DType::Float32)});
    CHECK_SAME(g32[0], gr[0], 1e-5);
    CHECK_SAME(g32[1], gr[1], 1e-4);
  }
  // transposed, with output_padding and a bias: against one transposed convolution per channel
  const Tensor y = uniform({2, 3, 6, 19}, 35, -1, 1, DType::Float64), w = uniform({3, 2, 3, 3}, 36, -1, 1, DType::Float64);
  const Tensor b = uniform({6}, 37, -1, 1, DType::Float64);
  const Tensor t = conv_transpose2d(y, w, b, {2, 2}, {1, 1}, {1, 1}, 3, {1, 2});
  CHECK_SHAPE(t, {2, 6, 12, 40});
  for (int64_t ch = 0; ch < 3; ++ch)
    CHECK_SAME(narrow(t, 1, 2 * ch, 2),
               conv_transpose2d(narrow(y, 1, ch, 1), narrow(w, 0, ch, 1), narrow(b, 0, 2 * ch, 2), {2, 2}, {1, 1},
                                {1, 1}, 1, {1, 2}),
               1e-12);
}

// A row's last partial vector adds only the products of the row: an infinite input column that the first
// kernel column never reads (the last, with padding 1) must not reach its weight's gradient as 0 * inf.
TEST(depthwise_weight_gradient_ignores_what_a_tap_does_not_read) {
  for (DType t : {DType::Float64, DType::Float32}) {
    Tensor x = to(uniform({2, 2, 3, 20}, 41, -1, 1, DType::Float64), t);
    Tensor last = narrow(x, 3, 19, 1);
    fill_(last, INFINITY);
    Tensor w = to(uniform({2, 1, 3, 3}, 42, -1, 1, DType::Float64), t);
    set_requires_grad(w, true);
    const Tensor y = conv2d(x, w, Tensor(), {1, 1}, {1, 1}, {1, 1}, 2);
    Tensor seed = zeros(y.shape(), t);
    fill_(seed, 1.0);
    const Tensor gw = kiln::grad({y}, {w}, {seed})[0];
    // with a gradient of ones, dw[k, 0, kh, 0] sums x[n, k, ih, 0..18] over the rows ih that kernel row kh reads
    const int64_t first[3] = {0, 0, 1}, count[3] = {2, 3, 2};
    for (int64_t kh = 0; kh < 3; ++kh) {
      const Tensor want = sum(narrow(narrow(x, 3, 0, 19), 2, first[kh], count[kh]), {0, 2, 3});
      CHECK_SAME(select(select(select(gw, 3, 0), 2, kh), 1, 0), want, t == DType::Float64 ? 1e-12 : 1e-5);
    }
  }
}

TEST(results_do_not_depend_on_the_thread_count) {
  const Tensor x = leaf({9, 3, 10, 10}, 1), w = leaf({5, 3, 3, 3}, 2);
  const Tensor g = uniform({9, 5, 10, 10}, 3, -1, 1, DType::Float64);
  TensorList one, two;
  for (int threads : {1, 2}) {
    test::ThreadCount tc(threads);
    const Tensor y = conv2d(x, w, Tensor(), {1, 1}, {1, 1});
    const TensorList gr = kiln::grad({y}, {x, w}, {g});
    (threads == 1 ? one : two) = {detach(y), gr[0], gr[1]};
  }
  for (size_t i = 0; i < one.size(); ++i) CHECK_SAME(one[i], two[i], 0);
}

// The float32 weight gradient has a kernel of its own on AVX-512 CPUs (weight_grad_f32.cpp): a padded copy of each
// sample read in output-row segments for stride 1, im2col's columns otherwise; tiles of 16-64 output channels by
// 6-12 patch rows with tails of each. Against the float64 path (OpenBLAS) on the same float32 values.
TEST(float32_weight_gradients_match_float64) {
  using Conv = std::function<Tensor(const Tensor&, const Tensor&)>;
  auto weight_grad = [](const Conv& f, const Tensor& x, Tensor w, uint64_t seed) {
    set_requires_grad(w, true);
    const Tensor y = f(x, w);
    return kiln::grad({y}, {w}, {uniform(y.shape(), seed, -1, 1, w.dtype())})[0];
  };
  auto check = [&](const Conv& f, const Tensor& x, const Shape& wshape) {
    const Tensor w = uniform(wshape, 2);
    const Tensor got = weight_grad(f, x, w, 3);
    const Tensor want = weight_grad(f, to(x, DType::Float64), to(detach(w), DType::Float64), 3);
    CHECK_EQ(got.dtype(), DType::Float32);
    CHECK_SAME(got, want, 2e-5);
  };
  auto conv2 = [](Shape stride, Shape pad, Shape dil, int64_t groups) -> Conv {
    return [=](const Tensor& x, const Tensor& w) { return conv2d(x, w, Tensor(), stride, pad, dil, groups); };
  };
  // stride 1 (padded copies): 20 channels (two vectors, 12-row tiles), a batch of 5 (blocks of 4 and 1)
  check(conv2({1, 1}, {1, 1}, {1, 1}, 1), uniform({5, 8, 7, 9}, 1), {20, 8, 3, 3});
  // 70 channels (four vectors, then one), no padding; 40 (three vectors, 8-row tiles and a tail of 3), uneven
  // padding and dilation
  check(conv2({1, 1}, {0, 0}, {1, 1}, 1), uniform({3, 4, 6, 6}, 4), {70, 4, 3, 3});
  check(conv2({1, 1}, {2, 1}, {1, 2}, 1), uniform({2, 3, 5, 8}, 5), {40, 3, 3, 3});
  // "same" with an even kernel (one more row and column of padding at the end)
  check([](const Tensor& x, const Tensor& w) { return conv2d(x, w, Tensor(), {1, 1}, {0, 0}, {1, 1}, 1,
                                                             ConvPadding::Same); },
        uniform({2, 5, 6, 7}, 6), {24, 5, 4, 4});
  // strides (im2col's columns), groups
  check(conv2({2, 2}, {1, 1}, {1, 1}, 1), uniform({3, 6, 9, 9}, 7), {32, 6, 3, 3});
  check(conv2({1, 2}, {1, 0}, {1, 1}, 1), uniform({2, 6, 7, 9}, 8), {17, 6, 3, 3});
  check(conv2({1, 1}, {1, 1}, {1, 1}, 2), uniform({2, 8, 6, 6}, 9), {32, 4, 3, 3});
  // 1-D and 3-D (segments that skip the padded rows between depth slices)
  check([](const Tensor& x, const Tensor& w) { return conv1d(x, w, Tensor(), {1}, {2}); }, uniform({3, 16, 20}, 10),
        {16, 16, 5});
  check([](const Tensor& x, const Tensor& w) { return conv3d(x, w, Tensor(), {1, 1, 1}, {1, 0, 1}, {1, 1, 2}); },
        uniform({2, 4, 4, 5, 6}, 11), {16, 4, 2, 3, 3});
  // a transposed convolution whose output_padding leaves input rows the weight gradient never reads
  check([](const Tensor& x, const Tensor& w) { return conv_transpose2d(x, w, Tensor(), {1, 1}, {1, 1}, {1, 1}, 1,
                                                                       {2, 2}); },
        uniform({2, 16, 5, 5}, 12), {16, 32, 3, 3});
  // inputs that are not contiguous: channels and batch swapped, every other column
  check(conv2({1, 1}, {1, 1}, {1, 1}, 1), transpose(uniform({8, 3, 6, 6}, 13), 0, 1), {16, 8, 3, 3});
  check(conv2({1, 1}, {1, 1}, {1, 1}, 1), slice(uniform({3, 8, 6, 12}, 14), 3, 0, 12, 2), {16, 8, 3, 3});
  // infinities and NaNs reach exactly the weights whose windows cover them, also next to the padding
  std::vector<double> v = test::values(uniform({2, 8, 6, 6}, 15));
  v[5] = INFINITY;
  v[8 * 36 + 3 * 36 + 6] = -INFINITY;
  v[8 * 36 + 7 * 36 + 35] = NAN;
  check(conv2({1, 1}, {1, 1}, {1, 1}, 1), test::make(v, {2, 8, 6, 6}), {16, 8, 3, 3});
  // the same bits on any number of threads
  const Tensor x = uniform({9, 8, 10, 10}, 16), w = uniform({32, 8, 3, 3}, 17);
  TensorList by_threads;
  for (int threads : {1, 2, 3}) {
    test::ThreadCount tc(threads);
    by_threads.push_back(weight_grad(conv2({1, 1}, {1, 1}, {1, 1}, 1), x, w, 18));
    by_threads.push_back(weight_grad(conv2({2, 2}, {1, 1}, {1, 1}, 1), x, w, 18));
  }
  for (size_t i = 2; i < by_threads.size(); ++i) CHECK_SAME(by_threads[i], by_threads[i % 2], 0);
}

// Float32 convolutions on AVX-512 run by direct loops (direct_conv_f32.cpp): the output and the input gradient (the
// transposed problem, by phases of the stride) against float64, by position tiles and by channel tiles, over row widths that take 1 to 4 vectors and chunks with a
// masked tail, channel counts with a tail block, groups, dilation, uneven padding, 1-D and 3-D, a bias, inputs
// that are not contiguous, a batch of one split over threads, and the same bits on any number of threads.
TEST(float32_direct_convolutions_match_float64) {
  using Conv = std::function<Tensor(const Tensor&, const Tensor&, const Tensor&)>;
  auto run = [](const Conv& f, const Tensor& x, const Tensor& w, const Tensor& b) {
    Tensor xl = clone(x);
    set_requires_grad(xl, true);
    const Tensor y = f(xl, w, b);
    return TensorList{y, kiln::grad({y}, {xl}, {uniform(y.shape(), 9, -1, 1, x.dtype())})[0]};
  };
  auto check = [&](const Conv& f, const Tensor& x, const Shape& wshape, bool with_bias, bool transposed = false) {
    const Tensor w = uniform(wshape, 2), b = with_bias ? uniform({wshape[transposed ? 1 : 0]}, 3) : Tensor();
    const TensorList got = run(f, x, w, b);
    const TensorList want = run(f, to(x, DType::Float64), to(w, DType::Float64), with_bias ? to(b, DType::Float64) : b);
    CHECK_EQ(got[0].dtype(), DType::Float32);
    CHECK_SAME(got[0], want[0], 2e-6 * static_cast<double>(w.numel() / wshape[0]));
    CHECK_SAME(got[1], want[1], 2e-6 * static_cast<double>(w.numel() / wshape[1]));
  };
  auto conv2 = [](Shape pad, Shape dil, int64_t groups) -> Conv {
    return [=](const Tensor& x, const Tensor& w, const Tensor& b) { return conv2d(x, w, b, {1, 1}, pad, dil, groups); };
  };
  // rows of 9 (one masked vector), 28 (two), 40 (three), 64 (four), 100 (a chunk of 4 and one of 3, masked);
  // 20 channels (a block of 12 and a tail of 8), 13 (6 + 6 + 1), 30 (24 + 6)
  check(conv2({1, 1}, {1, 1}, 1), uniform({2, 8, 5, 9}, 1), {30, 8, 5, 5}, true);
  check(conv2({2, 2}, {1, 1}, 1), uniform({3, 6, 4, 28}, 4), {20, 6, 5, 5}, false);
  check(conv2({0, 1}, {1, 1}, 1), uniform({2, 5, 4, 40}, 5), {13, 5, 2, 3}, true);
  check(conv2({1, 2}, {2, 1}, 1), uniform({2, 4, 6, 64}, 6), {16, 4, 3, 5}, true);
  check([](const Tensor& x, const Tensor& w, const Tensor& b) { return conv1d(x, w, b, {1}, {1}); },
        uniform({3, 16, 100}, 7), {13, 16, 3}, true);
  // rows that leave lanes idle run channel tiles instead: 64 channels (4 vectors) over rows of 28 (4 tiles of 6
  // positions and one of 4), 40 (3 vectors, the last 8 idle) over rows of 9, 16 over rows of 10
  check(conv2({2, 2}, {1, 1}, 1), uniform({2, 8, 3, 28}, 27), {64, 8, 5, 5}, true);
  check(conv2({1, 1}, {1, 1}, 1), uniform({2, 6, 4, 9}, 28), {40, 6, 3, 3}, true);
  check(conv2({1, 1}, {1, 1}, 1), uniform({3, 4, 3, 10}, 29), {16, 4, 3, 3}, false);
  // groups, and "same" with an even kernel (one more row and column of padding at the end)
  check(conv2({1, 1}, {1, 1}, 2), uniform({2, 8, 6, 17}, 8), {16, 4, 3, 3}, true);
  check([](const Tensor& x, const Tensor& w, const Tensor& b) { return conv2d(x, w, b, {1, 1}, {0, 0}, {1, 1}, 1,
                                                                              ConvPadding::Same); },
        uniform({2, 5, 6, 12}, 10), {24, 5, 4, 4}, true);
  // 3-D, dilated in depth; padding past the kernel's reach (the input gradient then takes im2col + GEMM)
  check([](const Tensor& x, const Tensor& w, const Tensor& b) { return conv3d(x, w, b, {1, 1, 1}, {1, 1, 1}, {2, 1, 1}); },
        uniform({2, 4, 6, 5, 18}, 11), {16, 4, 3, 3, 3}, true);
  check(conv2({3, 3}, {1, 1}, 1), uniform({2, 4, 5, 10}, 12), {16, 4, 3, 3}, false);
  // stride-1 transposed convolutions: their forward is the direct transpose, their input gradient the direct forward
  check([](const Tensor& x, const Tensor& w, const Tensor& b) { return conv_transpose2d(x, w, b, {1, 1}, {1, 1}); },
        uniform({2, 16, 5, 11}, 13), {16, 12, 3, 3}, true, true);
  // strided convolutions: their input gradient runs phase by phase of the stride (3x3 stride 2 pad 1: phases of
  // 1, 2, 2 and 4 taps; kernel 2 stride 3: a phase no tap reaches, bias alone; stride 2 in depth only; stride 2
  // with dilation 2, which stays with im2col + GEMM)
  auto strided2 = [](Shape stride, Shape pad, Shape dil) -> Conv {
    return [=](const Tensor& x, const Tensor& w, const Tensor& b) { return conv2d(x, w, b, stride, pad, dil, 1); };
  };
  check(strided2({2, 2}, {1, 1}, {1, 1}), uniform({2, 16, 33, 36}, 19), {12, 16, 3, 3}, true);
  check(strided2({3, 3}, {0, 0}, {1, 1}), uniform({2, 16, 9, 30}, 20), {16, 16, 2, 2}, false);
  check(strided2({2, 1}, {2, 1}, {1, 1}), uniform({2, 8, 12, 20}, 21), {16, 8, 5, 3}, true);
  check(strided2({2, 2}, {2, 2}, {2, 2}), uniform({2, 8, 12, 20}, 22), {16, 8, 3, 3}, true);
  check([](const Tensor& x, const Tensor& w, const Tensor& b) { return conv1d(x, w, b, {2}, {1}); },
        uniform({3, 16, 41}, 23), {24, 16, 4}, true);
  check([](const Tensor& x, const Tensor& w, const Tensor& b) { return conv3d(x, w, b, {2, 1, 1}, {1, 1, 1}); },
        uniform({2, 4, 7, 5, 18}, 24), {16, 4, 3, 3, 3}, true);
  // transposed convolutions with strides (their forward runs by phases): stride 2 with output_padding
  check([](const Tensor& x, const Tensor& w, const Tensor& b) {
    return conv_transpose2d(x, w, b, {2, 2}, {1, 1}, {1, 1});
  }, uniform({2, 16, 6, 12}, 25), {16, 12, 3, 3}, true, true);
  // stride 3 over a kernel of 2: a third of the positions in each dim take the bias alone
  check([](const Tensor& x, const Tensor& w, const Tensor& b) { return conv_transpose2d(x, w, b, {3, 3}); },
        uniform({2, 16, 5, 12}, 26), {16, 12, 2, 2}, true, true);
  // inputs that are not contiguous: channels and batch swapped, every other column
  check(conv2({1, 1}, {1, 1}, 1), transpose(uniform({8, 3, 6, 20}, 14), 0, 1), {16, 8, 3, 3}, false);
  check(conv2({1, 1}, {1, 1}, 1), slice(uniform({3, 8, 6, 40}, 15), 3, 0, 40, 2), {16, 8, 5, 5}, true);
  // a batch of one, its output rows split over the threads: the same bits on any number of them
  const Tensor x = uniform({1, 8, 7, 33}, 16), w = uniform({24, 8, 5, 5}, 17), b = uniform({24}, 18);
  TensorList by_threads;
  for (int threads : {1, 2, 3}) {
    test::ThreadCount tc(threads);
    const TensorList r = run(conv2({2, 2}, {1, 1}, 1), x, w, b);
    by_threads.insert(by_threads.end(), r.begin(), r.end());
  }
  check(conv2({2, 2}, {1, 1}, 1), x, {24, 8, 5, 5}, true);
  for (size_t i = 2; i < by_threads.size(); ++i) CHECK_SAME(by_threads[i], by_threads[i % 2], 0);
}

TEST(gradients_and_second_derivatives) {
  // First derivatives against finite differences of <conv(x, w) + b, g>, second ones against finite
  // differences of <grad_x, v> and <grad_w, u> (double backward through convolution and its weight gradient).
  const Tensor x = leaf({2, 4, 5, 6}, 1), w = leaf({6, 2, 3, 2}, 2), b = leaf({6}, 3);
  const Shape stride = {2, 1}, pad = {1, 0}, dil = {1, 2};
  auto f = [&](const Tensor& xx, const Tensor& ww) { return conv2d(xx, ww, b, stride, pad, dil, 2); };
  const Tensor g = uniform(f(x, w).shape(), 4, -1, 1, DType::Float64);
  const TensorList gr = kiln::grad({f(x, w)}, {x, w, b}, {g}, false, true);
  const Tensor dx = uniform(x.shape(), 5, -1, 1, DType::Float64), dw = uniform(w.shape(), 6, -1, 1, DType::Float64);
  const double h = 1e-6;
  auto fd = [&](const Tensor& xx, const Tensor& ww) { return dot_all(f(xx, ww), g); };
  const double num_x = (fd(add(x, mul(dx, Scalar(h))), w) - fd(sub(x, mul(dx, Scalar(h))), w)) / (2 * h);
  const double num_w = (fd(x, add(w, mul(dw, Scalar(h)))) - fd(x, sub(w, mul(dw, Scalar(h))))) / (2 * h);
  CHECK(std::fabs(num_x - dot_all(gr[0], dx)) < 1e-6);
  CHECK(std::fabs(num_w - dot_all(gr[1], dw)) < 1e-6);
  CHECK_SAME(gr[2], sum(g, {0, 2, 3}), 1e-12);
  // M = <grad_x, dx> + <grad_w, dw> = L(dx, w) + L(x, dw) up to the bias term (L is bilinear), so its
  // gradient in w is L's at x = dx and its gradient in x is L's at w = dw: double backward, against differences.
  const TensorList gg = kiln::grad({add(sum(mul(gr[0], dx)), sum(mul(gr[1], dw)))}, {x, w});
  const Tensor u = uniform(w.shape(), 7, -1, 1, DType::Float64), v = uniform(x.shape(), 8, -1, 1, DType::Float64);
  const double num_ww = (fd(dx, add(w, mul(u, Scalar(h)))) - fd(dx, sub(w, mul(u, Scalar(h))))) / (2 * h);
  const double num_xx = (fd(add(x, mul(v, Scalar(h))), dw) - fd(sub(x, mul(v, Scalar(h))), dw)) / (2 * h);
  CHECK(std::fabs(num_ww - dot_all(gg[1], u)) < 1e-6);
  CHECK(std::fabs(num_xx - dot_all(gg[0], v)) < 1e-6);
  // the gradient of conv's input gradient with respect to the output gradient is a convolution
  CHECK_EQ(grad_fn_name(f(x, w)), std::string("ConvolutionBackward0"));
  CHECK_EQ(grad_fn_name(gr[0]), std::string("ConvolutionBackward0"));
  CHECK_EQ(grad_fn_name(gr[1]), std::string("ConvolutionBackwardWeightBackward0"));
}

TEST(unfold_and_fold) {
  const Tensor x = uniform({2, 3, 5, 6}, 1);
  const Tensor cols = im2col(x, {2, 3}, {1, 2}, {1, 0}, {2, 1});
  // unfold followed by a GEMM is a convolution
  const Tensor w = uniform({4, 3, 2, 3}, 2);
  const Tensor via = matmul(reshape(w, {4, 18}), cols);
  const Tensor direct = conv2d(x, w, Tensor(), {2, 1}, {1, 0}, {1, 2});
  CHECK_SAME(reshape(via, direct.shape()), direct, 1e-5);
  // fold sums the blocks back: fold(unfold(ones)) counts how many blocks cover each element
  const Tensor counts = col2im(im2col(ones({1, 1, 4, 4}), {2, 2}), {4, 4}, {2, 2});
  CHECK_VALUES(counts, 0, {1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1});
  CHECK_SAME(im2col(transpose(x, 2, 3), {2, 2}), im2col(contiguous(transpose(x, 2, 3)), {2, 2}), 0);
  CHECK_SHAPE(im2col(select_first(x), {2, 2}), {12, 20});
  CHECK_SHAPE(col2im(uniform({12, 20}, 3), {5, 6}, {2, 2}), {3, 5, 6});
  Tensor xl = uniform({1, 2, 4, 4}, 4, -1, 1, DType::Float64);
  set_requires_grad(xl, true);
  CHECK_EQ(grad_fn_name(im2col(xl, {2, 2})), std::string("Im2ColBackward0"));  // PyTorch's name, "2C" included
  CHECK_EQ(grad_fn_name(col2im(im2col(xl, {2, 2}), {4, 4}, {2, 2})), std::string("Col2ImBackward0"));
}

TEST(conv_errors_name_the_function_and_shapes) {
  const Tensor x = zeros({2, 3, 5, 5}), w = zeros({4, 3, 3, 3});
  CHECK_THROWS(conv2d(zeros({3, 5}), w), Shape, "conv2d: expected a 3-D (unbatched) or 4-D (batched) input");
  CHECK_THROWS(conv2d(x, zeros({4, 2, 3, 3})), Shape, "conv2d: given groups=1, weight of size [4, 2, 3, 3], expected input[2, 3, 5, 5] to have 2 channels");
  CHECK_THROWS(conv2d(x, w, zeros({3})), Shape, "conv2d: given weight of size [4, 3, 3, 3], expected bias to be 1-dimensional with 4 elements");
  CHECK_THROWS(conv2d(x, zeros({4, 3, 7, 3})), Shape, "conv2d: calculated padded input size per channel");
  CHECK_THROWS(conv2d(x, w, Tensor(), {0, 1}), Argument, "conv2d: non-positive stride");
  CHECK_THROWS(conv2d(x, w, Tensor(), {1, 1}, {-1, 0}), Argument, "conv2d: negative padding");
  CHECK_THROWS(conv2d(x, w, Tensor(), {1, 1}, {0, 0}, {0, 1}), Argument, "conv2d: dilation should be greater than zero");
  CHECK_THROWS(conv2d(x, zeros({3, 1, 3, 3}), Tensor(), {1, 1}, {0, 0}, {1, 1}, 2), Shape, "conv2d: given groups=2, expected weight to be divisible by 2");
  CHECK_THROWS(conv2d(x, w, Tensor(), {2, 1}, {0, 0}, {1, 1}, 1, ConvPadding::Same), Argument, "conv2d: padding='same' is not supported for strided");
  CHECK_THROWS(conv2d(x, zeros({4, 3, 3, 3}, DType::Float64)), DType, "conv2d: input type (float32) and weight type (float64)");
  CHECK_THROWS(conv2d(zeros({2, 3, 5, 5}, DType::Int64), zeros({4, 3, 3, 3}, DType::Int64)), DType, "conv2d: not implemented for 'int64'");
  CHECK_THROWS(conv1d(zeros({2, 3, 5}), zeros({4, 3, 3}), Tensor(), {1, 1}), Argument, "conv1d: stride, padding and dilation need 1 values each");
  CHECK_THROWS(conv_transpose2d(x, zeros({3, 2, 3, 3}), Tensor(), {2, 2}, {0, 0}, {2, 0}), Argument, "conv_transpose2d: output padding must be smaller than either stride or dilation");
  CHECK_THROWS(conv_transpose2d(x, zeros({4, 2, 3, 3})), Shape, "conv_transpose2d: given groups=1, weight of size [4, 2, 3, 3], expected input[2, 3, 5, 5] to have 4 channels");
  CHECK_THROWS(conv_transpose2d(zeros({1, 3, 1, 1}), zeros({3, 2, 1, 1}), Tensor(), {1, 1}, {1, 1}), Shape, "conv_transpose2d: given input size per channel: (1 x 1). Calculated output size per channel: (-1 x -1)");
  CHECK_THROWS(im2col(x, {6, 2}), Shape, "unfold: given input with spatial size (5, 5), kernel_size=(6, 2)");
  CHECK_THROWS(im2col(x, {0, 2}), Argument, "unfold: kernel size should be greater than zero");
  CHECK_THROWS(col2im(zeros({2, 12, 9}), {4, 5}, {5, 1}), Shape, "fold: expected size of input's dimension 1 to be divisible");
  CHECK_THROWS(col2im(zeros({2, 12, 10}), {4, 5}, {2, 2}), Shape, "fold: given output_size=(4, 5), expected size of input's dimension 2 to match the calculated number of sliding blocks 3 * 4 = 12");
}

// Float32 3x3 and 5x5 stride-1 convolutions with 8 (3x3) or 16 (5x5) or more channels each way take Winograd
// (winograd.cpp): F(2x2, 3x3), F(4x4, 3x3) on planes of 14 x 14 and up, F(2x2, 5x5); float64 takes im2col + GEMM.
// Both must agree, within float32's rounding of sums of C * k^2 products (about 15 times a direct sum's for 4x4
// blocks and for 5x5), for the forward pass (every padding up to k - 1, odd and even sizes, bias, strided inputs,
// chunks of several samples and bands of tile rows), the input gradient and conv_transpose2d with stride 1 (the
// flipped, transposed kernel).
TEST(winograd_matches_the_direct_convolution) {
  struct Case {
    Shape x;
    int64_t k, pad, kernel;
  };
  const Case cases[] = {
      {{2, 8, 6, 6}, 8, 1, 3},     {{3, 9, 7, 5}, 11, 1, 3},   {{2, 8, 4, 4}, 12, 0, 3},    {{1, 10, 5, 8}, 8, 2, 3},
      {{2, 12, 3, 3}, 8, 0, 3},    {{1, 8, 2, 2}, 8, 2, 3},    {{3, 20, 9, 9}, 33, 1, 3},   {{2, 35, 17, 6}, 18, 1, 3},
      {{7, 16, 14, 14}, 16, 1, 3}, {{1, 8, 42, 37}, 9, 1, 3},  {{3, 9, 17, 21}, 11, 2, 3},  {{2, 12, 16, 18}, 8, 0, 3},
      {{1, 8, 50, 60}, 9, 1, 3},   {{2, 20, 15, 14}, 17, 1, 3},  // 4x4 blocks; the last but one in two bands
      {{2, 16, 8, 8}, 16, 2, 5},   {{3, 17, 9, 7}, 19, 2, 5}, {{2, 16, 6, 6}, 20, 0, 5}, {{1, 18, 5, 8}, 16, 4, 5},
      {{1, 20, 7, 6}, 17, 1, 5},   {{1, 16, 6, 7}, 16, 3, 5}, {{5, 16, 14, 14}, 32, 2, 5}, {{1, 16, 42, 37}, 17, 2, 5},
      {{2, 24, 5, 5}, 16, 0, 5},   {{1, 16, 2, 2}, 16, 4, 5}, {{3, 20, 9, 9}, 33, 2, 5},   {{2, 35, 17, 6}, 18, 2, 5},
  };
  for (const Case& c : cases) {
    const int64_t r = c.kernel;
    const Tensor x = uniform(c.x, 1), w = uniform({c.k, c.x[1], r, r}, 2), b = uniform({c.k}, 3);
    const Tensor x64 = to(x, DType::Float64), w64 = to(w, DType::Float64), b64 = to(b, DType::Float64);
    const Tensor y = conv2d(x, w, b, {1, 1}, {c.pad, c.pad});
    CHECK_SAME(y, conv2d(x64, w64, b64, {1, 1}, {c.pad, c.pad}), 4e-6 * r * c.x[1]);
    // the input gradient, and conv_transpose2d (its own op) with a bias
    const Tensor gy = uniform(y.shape(), 4);
    Tensor xl = clone(x);
    set_requires_grad(xl, true);
    const Tensor gx = kiln::grad({conv2d(xl, w, Tensor(), {1, 1}, {c.pad, c.pad})}, {xl}, {gy})[0];
    Tensor xl64 = clone(x64);
    set_requires_grad(xl64, true);
    const Tensor gx64 =
        kiln::grad({conv2d(xl64, w64, Tensor(), {1, 1}, {c.pad, c.pad})}, {xl64}, {to(gy, DType::Float64)})[0];
    CHECK_SAME(gx, gx64, 4e-6 * r * c.k);
    // the weight gradient (a sum over every output position)
    Tensor wl = clone(w), wl64 = clone(w64);
    set_requires_grad(wl, true);
    set_requires_grad(wl64, true);
    const Tensor gw = kiln::grad({conv2d(x, wl, Tensor(), {1, 1}, {c.pad, c.pad})}, {wl}, {gy})[0];
    const Tensor gw64 =
        kiln::grad({conv2d(x64, wl64, Tensor(), {1, 1}, {c.pad, c.pad})}, {wl64}, {to(gy, DType::Float64)})[0];
    CHECK_SAME(gw, gw64, 8e-6 * (r - 2) * std::sqrt(double(c.x[0] * c.x[2] * c.x[3])));
    if (std::min(c.x[2], c.x[3]) + r - 1 - 2 * c.pad < 1) continue;  // conv_transpose2d's output would be empty
    const Tensor wt = uniform({c.x[1], c.k, r, r}, 5);
    CHECK_SAME(conv_transpose2d(x, wt, b, {1, 1}, {c.pad, c.pad}),
               conv_transpose2d(x64, to(wt, DType::Float64), b64, {1, 1}, {c.pad, c.pad}), 2e-5 * r * c.x[1]);
  }
  // F(2x2, 3x3), F(4x4, 3x3), F(2x2, 5x5)
  for (const auto& [r, side] : {std::pair<int64_t, int64_t>{3, 8}, {3, 16}, {5, 8}}) {
    const int64_t pad = r / 2, c = r == 3 ? 8 : 16;  // the fewest channels Winograd takes
    // a strided input (batch and channels swapped in memory) and a non-contiguous weight
    const Tensor xs = transpose(uniform({c, 2, side + 1, side + 1}, 6), 0, 1);
    const Tensor ws = transpose(uniform({c, c + 4, r, r}, 7), 0, 1);
    CHECK_SAME(conv2d(xs, ws, Tensor(), {1, 1}, {pad, pad}),
               conv2d(contiguous(xs), contiguous(ws), Tensor(), {1, 1}, {pad, pad}), 1e-6);
    CHECK_SAME(conv2d(xs, ws, Tensor(), {1, 1}, {pad, pad}),
               conv2d(to(xs, DType::Float64), to(ws, DType::Float64), Tensor(), {1, 1}, {pad, pad}), 5e-4 * (r - 2));
    // an infinity and a NaN in the input, or an infinity in the output gradient: non-finite only where a window
    // covers them, as the direct path has it (the transforms would spread NaN over whole tiles), each way
    Tensor xn = uniform({2, c, side, side}, 14), gn = uniform({2, c + 1, side, side}, 15);
    const Tensor wn = uniform({c + 1, c, r, r}, 16);
    xn.data<float>()[7] = INFINITY;
    xn.data<float>()[150] = NAN;
    gn.data<float>()[50] = -INFINITY;
    const Tensor xn64 = to(xn, DType::Float64), wn64 = to(wn, DType::Float64), gn64 = to(gn, DType::Float64);
    CHECK_SAME(conv2d(xn, wn, Tensor(), {1, 1}, {pad, pad}), conv2d(xn64, wn64, Tensor(), {1, 1}, {pad, pad}), 1e-4);
    CHECK_SAME(conv_transpose2d(gn, wn, Tensor(), {1, 1}, {pad, pad}),
               conv_transpose2d(gn64, wn64, Tensor(), {1, 1}, {pad, pad}), 1e-4);
    for (bool input_side : {true, false}) {
      Tensor wl = clone(wn), wl64 = clone(wn64);
      set_requires_grad(wl, true);
      set_requires_grad(wl64, true);
      const Tensor& xa = input_side ? xn : uniform({2, c, side, side}, 17);
      const Tensor& ga = input_side ? uniform({2, c + 1, side, side}, 18) : gn;
      const Tensor gw = kiln::grad({conv2d(xa, wl, Tensor(), {1, 1}, {pad, pad})}, {wl}, {ga})[0];
      const Tensor gw64 = kiln::grad({conv2d(to(xa, DType::Float64), wl64, Tensor(), {1, 1}, {pad, pad})}, {wl64},
                                     {to(ga, DType::Float64)})[0];
      CHECK_SAME(gw, gw64, 1e-4);
    }
    // rows that are not contiguous (height and width swapped in memory): the window is gathered element by element
    const Tensor xt = transpose(uniform({2, c, side - 1, side + 2}, 12), 2, 3), wt = uniform({c + 1, c, r, r}, 13);
    CHECK_SAME(conv2d(xt, wt, Tensor(), {1, 1}, {pad, pad}), conv2d(contiguous(xt), wt, Tensor(), {1, 1}, {pad, pad}), 0);
    // the same result at any thread count (chunks fixed by the shapes)
    const Tensor big = uniform({5, 16, 30, 30}, 8), wb = uniform({16, 16, r, r}, 9);
    Tensor serial, parallel;
    for (int threads : {1, 2}) {
      test::ThreadCount tc(threads);
      (threads == 1 ? serial : parallel) = conv2d(big, wb, Tensor(), {1, 1}, {pad, pad});
    }
    CHECK_SAME(parallel, serial, 0);
    // the weight gradient too (its sums over tiles run in fixed blocks), and with an empty batch
    const Tensor gbig = uniform({5, 16, 30, 30}, 10);
    Tensor gw_serial, gw_parallel;
    for (int threads : {1, 2}) {
      test::ThreadCount tc(threads);
      Tensor wl = clone(wb);
      set_requires_grad(wl, true);
      (threads == 1 ? gw_serial : gw_parallel) =
          kiln::grad({conv2d(big, wl, Tensor(), {1, 1}, {pad, pad})}, {wl}, {gbig})[0];
    }
    CHECK_SAME(gw_parallel, gw_serial, 0);
    Tensor we = clone(wb);
    set_requires_grad(we, true);
    const Tensor empty = uniform({0, 16, 6, 6}, 11);
    CHECK_SAME(kiln::grad({sum(conv2d(empty, we, Tensor(), {1, 1}, {pad, pad}))}, {we})[0], zeros({16, 16, r, r}), 0);
  }
}

// 1-D kernels of 3 or 5 with 32 or more channels each way take Winograd along one dim (winograd.cpp: F(4, 3) on
// rows of 14 and up, F(2, 3) below, F(2, 5)): conv1d, and conv2d with 1 x k and k x 1 kernels. Forward (every
// padding, rows of one or several chunks), input gradient, weight gradient and the stride-1 transposed
// convolution against float64, and the same bits on any number of threads.
TEST(winograd_along_one_dim_matches_the_direct_convolution) {
  struct Case {
    Shape x, kernel, pad;
    int64_t k;
  };
  const Case cases[] = {
      {{3, 32, 40}, {3}, {1}, 33},         {{2, 33, 13}, {3}, {0}, 32},         {{2, 32, 9}, {3}, {2}, 40},
      {{1, 40, 1030}, {3}, {1}, 32},       {{3, 32, 37}, {5}, {2}, 35},         {{2, 32, 11}, {5}, {4}, 32},
      {{2, 32, 5}, {5}, {0}, 32},          {{2, 32, 6, 20}, {1, 3}, {0, 1}, 33}, {{2, 32, 20, 6}, {3, 1}, {1, 0}, 32},
      {{2, 32, 5, 9}, {1, 5}, {1, 2}, 32}, {{2, 32, 9, 5}, {5, 1}, {2, 1}, 32},
  };
  for (const Case& c : cases) {
    const bool one_d = c.x.size() == 3;
    Shape ws = {c.k, c.x[1]};
    ws.insert(ws.end(), c.kernel.begin(), c.kernel.end());
    const Shape ones(c.kernel.size(), 1);
    auto conv = [&](const Tensor& x, const Tensor& w, const Tensor& b) {
      return one_d ? conv1d(x, w, b, ones, c.pad) : conv2d(x, w, b, ones, c.pad);
    };
    const Tensor x = uniform(c.x, 1), w = uniform(ws, 2), b = uniform({c.k}, 3);
    const Tensor x64 = to(x, DType::Float64), w64 = to(w, DType::Float64), b64 = to(b, DType::Float64);
    const int64_t taps = w.numel() / c.k / c.x[1];  // the kernel's
    const Tensor y = conv(x, w, b);
    CHECK_SAME(y, conv(x64, w64, b64), 4e-6 * c.x[1] * taps);
    const Tensor gy = uniform(y.shape(), 4);
    Tensor xl = clone(x), wl = clone(w), xl64 = clone(x64), wl64 = clone(w64);
    for (Tensor* t : {&xl, &wl, &xl64, &wl64}) set_requires_grad(*t, true);
    const TensorList g = kiln::grad({conv(xl, wl, Tensor())}, {xl, wl}, {gy});
    const TensorList g64 = kiln::grad({conv(xl64, wl64, Tensor())}, {xl64, wl64}, {to(gy, DType::Float64)});
    CHECK_SAME(g[0], g64[0], 4e-6 * c.k * taps);
    CHECK_SAME(g[1], g64[1], 8e-6 * std::sqrt(double(y.numel() / c.k)));
    if (one_d) {
      const Tensor wt = uniform({c.x[1], c.k, c.kernel[0]}, 5);
      if (c.x[2] + c.kernel[0] - 1 - 2 * c.pad[0] >= 1)
        CHECK_SAME(conv_transpose1d(x, wt, b, {1}, c.pad),
                   conv_transpose1d(x64, to(wt, DType::Float64), b64, {1}, c.pad), 4e-6 * c.x[1] * taps);
    }
  }
  // the same bits on any number of threads, forward and weight gradient (chunks and blocks fixed by the shapes)
  const Tensor x = uniform({5, 32, 700}, 6), w = uniform({32, 32, 3}, 7), gy = uniform({5, 32, 700}, 8);
  TensorList by_threads;
  for (int threads : {1, 2}) {
    test::ThreadCount tc(threads);
    Tensor wl = clone(w);
    set_requires_grad(wl, true);
    const Tensor y = conv1d(x, wl, Tensor(), {1}, {1});
    by_threads.push_back(detach(y));
    by_threads.push_back(kiln::grad({y}, {wl}, {gy})[0]);
  }
  CHECK_SAME(by_threads[2], by_threads[0], 0);
  CHECK_SAME(by_threads[3], by_threads[1], 0);
}

// conv3d with stride 1 takes Winograd over height and width, one 2-D convolution per output depth slice whose
// GEMMs read the kernel's depth slices as blocks of channels: kernels 3x3x3, 2x3x3 (depth padding at one end
// only), 1x3x3, 3x5x5 and 3x1x3, against float64 forward, both gradients and conv_transpose3d, and the same bits on
// any number of threads.
TEST(winograd_over_depth_matches_the_direct_convolution) {
  struct Case {
    Shape x, kernel, pad;
    int64_t k;
  };
  const Case cases[] = {
      {{2, 8, 5, 9, 10}, {3, 3, 3}, {1, 1, 1}, 9},   {{1, 8, 4, 16, 15}, {3, 3, 3}, {0, 1, 2}, 8},
      {{2, 9, 3, 6, 6}, {2, 3, 3}, {1, 1, 1}, 8},    {{2, 8, 3, 7, 8}, {1, 3, 3}, {0, 1, 1}, 10},
      {{1, 16, 4, 8, 8}, {3, 5, 5}, {1, 2, 2}, 16},  {{2, 32, 3, 2, 20}, {3, 1, 3}, {2, 0, 1}, 32},
  };
  for (const Case& c : cases) {
    const Shape ones = {1, 1, 1};
    Shape ws = {c.k, c.x[1]};
    ws.insert(ws.end(), c.kernel.begin(), c.kernel.end());
    const Tensor x = uniform(c.x, 1), w = uniform(ws, 2), b = uniform({c.k}, 3);
    const Tensor x64 = to(x, DType::Float64), w64 = to(w, DType::Float64), b64 = to(b, DType::Float64);
    const int64_t taps = w.numel() / c.k / c.x[1];
    const Tensor y = conv3d(x, w, b, ones, c.pad);
    CHECK_SAME(y, conv3d(x64, w64, b64, ones, c.pad), 4e-6 * c.x[1] * taps);
    const Tensor gy = uniform(y.shape(), 4);
    Tensor xl = clone(x), wl = clone(w), xl64 = clone(x64), wl64 = clone(w64);
    for (Tensor* t : {&xl, &wl, &xl64, &wl64}) set_requires_grad(*t, true);
    const TensorList g = kiln::grad({conv3d(xl, wl, Tensor(), ones, c.pad)}, {xl, wl}, {gy});
    const TensorList g64 =
        kiln::grad({conv3d(xl64, wl64, Tensor(), ones, c.pad)}, {xl64, wl64}, {to(gy, DType::Float64)});
    CHECK_SAME(g[0], g64[0], 4e-6 * c.k * taps);
    CHECK_SAME(g[1], g64[1], 8e-6 * std::sqrt(double(y.numel() / c.k)));
    Shape wts = {c.x[1], c.k};
    wts.insert(wts.end(), c.kernel.begin(), c.kernel.end());
    const Tensor wt = uniform(wts, 5);
    bool fits = true;
    for (int i = 0; i < 3; ++i) fits = fits && c.x[2 + i] + c.kernel[i] - 1 - 2 * c.pad[i] >= 1;
    if (fits)
      CHECK_SAME(conv_transpose3d(x, wt, b, ones, c.pad),
                 conv_transpose3d(x64, to(wt, DType::Float64), b64, ones, c.pad), 4e-6 * c.x[1] * taps);
  }
  const Tensor x = uniform({3, 8, 6, 20, 20}, 6), w = uniform({8, 8, 3, 3, 3}, 7), gy = uniform({3, 8, 6, 20, 20}, 8);
  TensorList by_threads;
  for (int threads : {1, 2}) {
    test::ThreadCount tc(threads);
    Tensor wl = clone(w);
    set_requires_grad(wl, true);
    const Tensor y = conv3d(x, wl, Tensor(), {1, 1, 1}, {1, 1, 1});
    by_threads.push_back(detach(y));
    by_threads.push_back(kiln::grad({y}, {wl}, {gy})[0]);
  }
  CHECK_SAME(by_threads[2], by_threads[0], 0);
  CHECK_SAME(by_threads[3], by_threads[1], 0);
}

#ifdef KILN_HAS_AVX512
// CPUs without AVX-512 take portable paths: Winograd's windows and outputs by 8 x 8 transposes in generic vectors
// (cpu/transpose.cpp), the float32 weight gradient of other shapes through OpenBLAS. Forced here on a CPU that has
// it, against float64.
TEST(convolutions_without_avx512) {
  struct Portable {
    Portable() { cpu::avx512_allowed() = false; }
    ~Portable() { cpu::avx512_allowed() = true; }
  } portable;
  // Winograd's 2x2 and 4x4 blocks, then im2col + GEMM
  for (const auto& [stride, rows] : {std::pair<Shape, int64_t>{{1, 1}, 9}, {{1, 1}, 16}, {{2, 1}, 9}}) {
    // 21 columns and 20 or 33 channels: whole 8 x 8 blocks and the edges of both transposes
    const Tensor x = uniform({3, 20, rows, 21}, 1), w = uniform({33, 20, 3, 3}, 2), b = uniform({33}, 3);
    Tensor xl = clone(x), wl = clone(w), xl64 = to(x, DType::Float64), wl64 = to(w, DType::Float64);
    for (Tensor* t : {&xl, &wl, &xl64, &wl64}) set_requires_grad(*t, true);
    const Tensor y = conv2d(xl, wl, b, stride, {1, 1}), y64 = conv2d(xl64, wl64, to(b, DType::Float64), stride, {1, 1});
    CHECK_SAME(y, y64, 2e-5 * 3 * 20);
    const Tensor gy = uniform(y.shape(), 4);
    const TensorList g = kiln::grad({y}, {xl, wl}, {gy}), g64 = kiln::grad({y64}, {xl64, wl64}, {to(gy, DType::Float64)});
    CHECK_SAME(g[0], g64[0], 2e-5 * 3 * 33);
    CHECK_SAME(g[1], g64[1], 2e-5 * std::sqrt(3.0 * rows * 21));
  }
}
#endif

// A sample whose column matrix passes 4 MB goes through im2col in slabs of output rows (a partial last one here):
// the forward against the direct reference, and both gradients through the identities of a bilinear map,
// <dL/dx, x> = <dL/dw, w> = <conv(x, w), y> for L = <conv(x, w), y> (no bias).
TEST(large_samples_go_through_im2col_in_slabs) {
  struct Case {
    Shape x, w, stride, pad;
    DType t;
    double tol;
  };
  const Case cases[] = {
      {{2, 4, 6, 22, 40}, {3, 4, 3, 3, 3}, {1, 1, 1}, {1, 1, 1}, DType::Float64, 1e-12},  // 7 rows a slab, 6 last
      {{1, 16, 322, 321}, {4, 16, 3, 3}, {2, 2}, {1, 1}, DType::Float32, 1e-4},           // 2 rows a slab, 1 last
  };
  for (const Case& c : cases) {
    Tensor x = uniform(c.x, 1, -1, 1, c.t), w = uniform(c.w, 2, -1, 1, c.t);
    set_requires_grad(x, true);
    set_requires_grad(w, true);
    const bool three = c.x.size() == 5;
    const Tensor out = three ? conv3d(x, w, Tensor(), c.stride, c.pad) : conv2d(x, w, Tensor(), c.stride, c.pad);
    CHECK_SAME(out, ref_conv(x, w, Tensor(), ref(c.stride, c.pad, Shape(c.stride.size(), 1), 1)), c.tol);
    const Tensor y = uniform(out.shape(), 3, -1, 1, c.t);
    const TensorList g = kiln::grad({out}, {x, w}, {y});
    const double l = dot_all(to(out, DType::Float64), to(y, DType::Float64));
    const double gx = dot_all(to(g[0], DType::Float64), to(x, DType::Float64));
    const double gw = dot_all(to(g[1], DType::Float64), to(w, DType::Float64));
    CHECK(std::fabs(gx - l) <= c.tol * 100 * std::fabs(l) + c.tol);
    CHECK(std::fabs(gw - l) <= c.tol * 100 * std::fabs(l) + c.tol);
  }
}

// Rows wide enough for the weight gradient's 16-lane blocks (41 = 2 blocks + 9 in order), stride 1 and 2 (the
// strided path), float64 against per-channel ordinary convolutions and float32 against float64.
TEST(depthwise_weight_gradient_over_wide_rows) {
  for (int64_t stride : {1, 2}) {
    const Tensor x = leaf({2, 3, 5, 41 * stride}, 21), w = leaf({6, 1, 3, 3}, 22);
    const Tensor y = conv2d(x, w, Tensor(), {1, stride}, {1, 1}, {1, 1}, 3);
    const Tensor g = uniform(y.shape(), 23, -1, 1, DType::Float64);
    const Tensor gw = kiln::grad({y}, {w}, {g})[0];
    for (int64_t c = 0; c < 3; ++c) {
      const Tensor yc = conv2d(narrow(x, 1, c, 1), narrow(w, 0, 2 * c, 2), Tensor(), {1, stride}, {1, 1});
      const Tensor gc = kiln::grad({yc}, {w}, {narrow(g, 1, 2 * c, 2)})[0];
      CHECK_SAME(narrow(gw, 0, 2 * c, 2), narrow(gc, 0, 2 * c, 2), 1e-12);
    }
    Tensor x32 = to(detach(x), DType::Float32), w32 = to(detach(w), DType::Float32);
    set_requires_grad(w32, true);
    const Tensor y32 = conv2d(x32, w32, Tensor(), {1, stride}, {1, 1}, {1, 1}, 3);
    CHECK_SAME(kiln::grad({y32}, {w32}, {to(g, DType::Float32)})[0], gw, 1e-4);
  }
}
