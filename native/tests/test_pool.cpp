// Pooling and upsampling against direct references: window placement with padding, dilation and ceil_mode,
// NaN and tie handling, averages' divisors, adaptive windows, strided inputs, 1-D forms, gradients (adjoints
// and the double backward of max pooling), interpolate's sizes, and errors.
#include <limits>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::make;
using test::uniform;

namespace {

struct Win {
  int64_t k[2], s[2], p[2], d[2];
  bool ceil;
};

int64_t out_size(int64_t in, int64_t k, int64_t p, int64_t s, int64_t d, bool ceil) {
  const double span = static_cast<double>(in + 2 * p - d * (k - 1) - 1) / static_cast<double>(s);
  int64_t o = static_cast<int64_t>(ceil ? std::ceil(span) : std::floor(span)) + 1;
  if (ceil && (o - 1) * s >= in + p) --o;
  return o;
}

// Max over each window's in-range elements; the first maximum wins, a NaN wins over numbers.
std::pair<Tensor, Tensor> ref_max_pool(const Tensor& x, const Win& w) {
  const int64_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const int64_t OH = out_size(H, w.k[0], w.p[0], w.s[0], w.d[0], w.ceil), OW = out_size(W, w.k[1], w.p[1], w.s[1], w.d[1], w.ceil);
  const std::vector<double> v = test::values(x);
  std::vector<double> out, idx;
  for (int64_t pl = 0; pl < N * C; ++pl)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        double best = -INFINITY;
        int64_t at = -1;
        for (int64_t i = 0; i < w.k[0]; ++i)
          for (int64_t j = 0; j < w.k[1]; ++j) {
            const int64_t h = oh * w.s[0] - w.p[0] + i * w.d[0], c = ow * w.s[1] - w.p[1] + j * w.d[1];
            if (h < 0 || h >= H || c < 0 || c >= W) continue;
            const double e = v[pl * H * W + h * W + c];
            if (at < 0 || e > best || (std::isnan(e) && !std::isnan(best))) {
              best = e;
              at = h * W + c;
            }
          }
        out.push_back(best);
        idx.push_back(static_cast<double>(at));
      }
  return {make(out, {N, C, OH, OW}, DType::Float64), make(idx, {N, C, OH, OW}, DType::Int64)};
}

Tensor ref_avg_pool(const Tensor& x, const Win& w, bool include_pad, int64_t divisor) {
  const int64_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const int64_t OH = out_size(H, w.k[0], w.p[0], w.s[0], 1, w.ceil), OW = out_size(W, w.k[1], w.p[1], w.s[1], 1, w.ceil);
  const std::vector<double> v = test::values(x);
  std::vector<double> out;
  for (int64_t pl = 0; pl < N * C; ++pl)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        const int64_t h0 = oh * w.s[0] - w.p[0], c0 = ow * w.s[1] - w.p[1];
        // the padded window stops at the right/bottom padding's end
        const int64_t hp = std::min(h0 + w.k[0], H + w.p[0]) - h0, cp = std::min(c0 + w.k[1], W + w.p[1]) - c0;
        double sum = 0;
        int64_t count = 0;
        for (int64_t h = std::max<int64_t>(h0, 0); h < std::min(h0 + w.k[0], H); ++h)
          for (int64_t c = std::max<int64_t>(c0, 0); c < std::min(c0 + w.k[1], W); ++c) {
            sum += v[pl * H * W + h * W + c];
            ++count;
          }
        out.push_back(sum / static_cast<double>(divisor ? divisor : include_pad ? hp * cp : count));
      }
  return make(out, {N, C, OH, OW}, DType::Float64);
}

Tensor leaf(const Shape& shape, uint64_t seed) {
  Tensor t = uniform(shape, seed, -1, 1, DType::Float64);
  return set_requires_grad(t, true);
}

double dot_all(const Tensor& a, const Tensor& b) { return item(sum(mul(a, b))); }

// A max pool's input gradient by definition: each output's gradient added at its index in its plane.
Tensor scatter_reference(const Tensor& g, const Tensor& indices, const Shape& input_shape) {
  const std::vector<double> gv = test::values(g), iv = test::values(indices);
  const int64_t planes = input_shape[0] * input_shape[1], V = input_shape[2] * input_shape[3];
  const int64_t O = static_cast<int64_t>(gv.size()) / planes;
  std::vector<double> out(static_cast<size_t>(planes * V), 0.0);
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t o = 0; o < O; ++o) out[p * V + static_cast<int64_t>(iv[p * O + o])] += gv[p * O + o];
  return make(out, input_shape, DType::Float64);
}

}  // namespace

TEST(max_pool2d_matches_the_reference) {
  const Win wins[] = {
      {{2, 2}, {2, 2}, {0, 0}, {1, 1}, false}, {{3, 3}, {2, 2}, {1, 1}, {1, 1}, false},
      {{3, 2}, {2, 1}, {1, 0}, {2, 2}, false}, {{3, 3}, {2, 2}, {1, 1}, {1, 1}, true},
      {{2, 3}, {3, 2}, {0, 1}, {1, 1}, true},  {{3, 3}, {1, 1}, {0, 0}, {1, 2}, false},
      {{2, 2}, {2, 2}, {0, 0}, {1, 1}, true},  // ceil_mode over an odd size: a last window past the edge
  };
  for (DType t : {DType::Float32, DType::Float64})
    for (const Win& w : wins) {
      const Tensor x = uniform({2, 3, 7, 9}, 1, -1, 1, t);
      const auto [v, i] = max_pool2d_with_indices(x, {w.k[0], w.k[1]}, {w.s[0], w.s[1]}, {w.p[0], w.p[1]},
                                                  {w.d[0], w.d[1]}, w.ceil);
      const auto [rv, ri] = ref_max_pool(x, w);
      CHECK_SAME(v, rv, 0);
      CHECK_SAME(i, ri, 0);
    }
  // NaN wins; the stride defaults to the kernel; strided and unbatched inputs
  const Tensor n = make({1, NAN, -INFINITY, -INFINITY, 3, 2, -INFINITY, -INFINITY}, {1, 1, 2, 4});
  const auto [nv, ni] = max_pool2d_with_indices(n, {2, 2});
  CHECK_VALUES(nv, 0, {NAN, -INFINITY});
  CHECK_VALUES(ni, 0, {1, 2});
  const Tensor x = transpose(uniform({2, 3, 8, 7}, 2), 2, 3);
  CHECK_SAME(max_pool2d(x, {3, 2}, {2, 2}, {1, 1}), max_pool2d(contiguous(x), {3, 2}, {2, 2}, {1, 1}), 0);
  CHECK_SAME(max_pool2d(narrow(x, 0, 0, 1), {2, 2}), unsqueeze(max_pool2d(squeeze(narrow(x, 0, 0, 1), 0), {2, 2}), 0), 0);
  const Tensor x1 = uniform({2, 3, 9}, 3);
  const auto [v1, i1] = max_pool1d_with_indices(x1, 3, 2, 1);
  const auto [v2, i2] = max_pool2d_with_indices(unsqueeze(x1, 2), {1, 3}, {1, 2}, {0, 1});
  CHECK_SAME(v1, squeeze(v2, 2), 0);
  CHECK_SAME(i1, squeeze(i2, 2), 0);
}

TEST(max_pool2d_2x2_fast_path_over_wide_rows) {
  // The 2x2 stride-2 path vectorises along a row: rows of 37 outputs (vector loop and tail), an odd input width
  // (the last column dropped), NaNs in some windows, and its backward scattering through the indices.
  const Win w{{2, 2}, {2, 2}, {0, 0}, {1, 1}, false};
  for (DType t : {DType::Float32, DType::Float64}) {
    Tensor x = uniform({2, 3, 10, 75}, 4, -1, 1, t);
    std::vector<double> vals = test::values(x);
    for (size_t i = 5; i < vals.size(); i += 97) vals[i] = NAN;
    x = make(vals, x.shape(), t);
    const auto [v, i] = max_pool2d_with_indices(x, {2, 2});
    const auto [rv, ri] = ref_max_pool(x, w);
    CHECK_SAME(v, rv, 0);
    CHECK_SAME(i, ri, 0);
    const Tensor xl = leaf({2, 3, 10, 75}, 5);
    const auto [vl, il] = max_pool2d_with_indices(xl, {2, 2});
    const Tensor g = uniform(vl.shape(), 6, -1, 1, DType::Float64);
    const TensorList gx = kiln::grad({vl}, {xl}, {g});
    CHECK(std::fabs(dot_all(gx[0], detach(xl)) - dot_all(g, detach(vl))) < 1e-10);
    CHECK_SAME(gx[0], scatter_reference(g, il, xl.shape()), 0);
  }
  // Overlapping 3x3 windows with the output shape of a 2x2 pool: inputs that are the maximum of several windows
  // get the sum of their gradients.
  for (uint64_t seed : {21, 22, 23, 24}) {
    const Tensor xl = leaf({2, 2, 6, 8}, seed);
    const auto [vl, il] = max_pool2d_with_indices(xl, {3, 3}, {2, 2}, {1, 1});
    const Tensor g = uniform(vl.shape(), seed + 100, -1, 1, DType::Float64);
    CHECK_SAME(kiln::grad({vl}, {xl}, {g})[0], scatter_reference(g, il, xl.shape()), 0);
  }
  // Ramps: rising towards the bottom right, every 3x3 window's maximum is in its own 2x2 cell; rising towards the
  // top left, neighbouring windows share their maxima.
  for (double sign : {1.0, -1.0}) {
    Tensor ramp = mul(test::iota({1, 1, 6, 8}, DType::Float64), Tensor::scalar(sign, DType::Float64));
    set_requires_grad(ramp, true);
    const auto [vr, ir] = max_pool2d_with_indices(ramp, {3, 3}, {2, 2}, {1, 1});
    const Tensor gr = uniform(vr.shape(), 30, -1, 1, DType::Float64);
    CHECK_SAME(kiln::grad({vr}, {ramp}, {gr})[0], scatter_reference(gr, ir, ramp.shape()), 0);
  }
}

TEST(avg_pool2d_matches_the_reference) {
  const Win wins[] = {
      {{2, 2}, {2, 2}, {0, 0}, {1, 1}, false}, {{3, 3}, {2, 2}, {1, 1}, {1, 1}, false},
      {{3, 2}, {2, 3}, {1, 1}, {1, 1}, true},  {{3, 3}, {3, 3}, {1, 0}, {1, 1}, true},
  };
  for (DType t : {DType::Float32, DType::Float64})
    for (const Win& w : wins)
      for (bool include_pad : {true, false})
        for (int64_t divisor : {0, 5}) {
          const Tensor x = uniform({2, 2, 7, 8}, 4, -1, 1, t);
          const Tensor got = avg_pool2d(x, {w.k[0], w.k[1]}, {w.s[0], w.s[1]}, {w.p[0], w.p[1]}, w.ceil, include_pad,
                                        divisor ? std::optional<int64_t>(divisor) : std::nullopt);
          CHECK_SAME(got, ref_avg_pool(x, w, include_pad, divisor), t == DType::Float32 ? 1e-6 : 1e-14);
        }
  const Tensor x1 = uniform({2, 3, 9}, 5);
  CHECK_SAME(avg_pool1d(x1, 3, 2, 1, true, false), squeeze(avg_pool2d(unsqueeze(x1, 2), {1, 3}, {1, 2}, {0, 1}, true, false), 2), 0);
}

TEST(avg_pool2d_2x2_gives_the_bits_of_the_plane_loop) {
  // 2x2 stride-2 windows over dense rows take a staged path (chunks of 512 outputs, rows split between them);
  // a transposed view of the same values takes the loop per output: the same bits, for every divisor, for the
  // adaptive pool whose windows are the same, and for -0 and NaN inputs. ceil_mode over an odd size (a last
  // window cut short) stays on the loop.
  for (DType t : {DType::Float32, DType::Float64}) {
    std::vector<double> v = test::values(uniform({2, 3, 47, 71}, 50, -3, 3, DType::Float64));
    for (size_t e = 0; e < v.size(); e += 89) v[e] = -0.0;
    for (size_t e = 7; e < v.size(); e += 997) v[e] = NAN;
    for (size_t e : {6 * 71 + 10, 6 * 71 + 11, 7 * 71 + 10, 7 * 71 + 11}) v[e] = -0.0;  // a window of -0 only
    const Tensor x = make(v, {2, 3, 47, 71}, t);
    const Tensor strided = transpose(contiguous(transpose(x, 2, 3)), 2, 3);  // the same values, columns dense
    for (std::optional<int64_t> divisor : {std::optional<int64_t>(), std::optional<int64_t>(3)})
      for (bool include_pad : {true, false}) {
        const Tensor fast = avg_pool2d(x, {2, 2}, {2, 2}, {0, 0}, false, include_pad, divisor);
        CHECK_SHAPE(fast, {2, 3, 23, 35});
        const Tensor loop = avg_pool2d(strided, {2, 2}, {2, 2}, {0, 0}, false, include_pad, divisor);
        const std::vector<double> a = test::values(fast), b = test::values(loop);
        for (size_t i = 0; i < a.size(); ++i)
          CHECK((a[i] == b[i] && std::signbit(a[i]) == std::signbit(b[i])) || (std::isnan(a[i]) && std::isnan(b[i])));
        CHECK_SAME(fast, ref_avg_pool(x, {{2, 2}, {2, 2}, {0, 0}, {1, 1}, false}, include_pad, divisor.value_or(0)),
                   t == DType::Float32 ? 1e-6 : 1e-14);
      }
    const Tensor even = contiguous(narrow(narrow(x, 2, 0, 46), 3, 0, 70));  // adaptive windows of 2 x 2 exactly
    CHECK_SAME(adaptive_avg_pool2d(even, {23, 35}), avg_pool2d(narrow(narrow(strided, 2, 0, 46), 3, 0, 70), {2, 2}), 0);
    CHECK_SAME(avg_pool2d(x, {2, 2}, {2, 2}, {0, 0}, true), avg_pool2d(strided, {2, 2}, {2, 2}, {0, 0}, true), 0);
  }
}

TEST(global_average_pooling_gives_the_bits_of_the_plane_loop) {
  // Contiguous inputs pooled to 1 x 1 take the side-by-side planes (20 planes: a group of 16 and a tail); the same
  // values laid out channels-last take the plane-by-plane loop: the same bits, for planes under 64 elements.
  // avg_pool2d over whole planes too.
  for (DType t : {DType::Float32, DType::Float64}) {
    const Tensor x = uniform({4, 5, 7, 6}, 8, -1, 1, t);
    const Tensor strided = permute(contiguous(permute(x, {0, 2, 3, 1})), {0, 3, 1, 2});
    CHECK(!strided.is_contiguous());
    CHECK_SAME(adaptive_avg_pool2d(x, {1, 1}), adaptive_avg_pool2d(strided, {1, 1}), 0);
    CHECK_SAME(adaptive_avg_pool2d(x, {1, 1}), mean(x, {2, 3}, true), t == DType::Float32 ? 1e-6 : 1e-14);
    CHECK_SAME(avg_pool2d(x, {7, 6}), avg_pool2d(strided, {7, 6}), 0);
    CHECK_SAME(avg_pool2d(x, {7, 6}, {1, 1}, {0, 0}, false, true, 5), avg_pool2d(strided, {7, 6}, {1, 1}, {0, 0}, false, true, 5), 0);
    // Contiguous planes of 64 and more take the mean's kernel (other layouts the plane loop still).
    const Tensor large = uniform({3, 5, 9, 8}, 9, -1, 1, t);
    const Tensor large_strided = permute(contiguous(permute(large, {0, 2, 3, 1})), {0, 3, 1, 2});
    CHECK_SAME(adaptive_avg_pool2d(large, {1, 1}), mean(large, {2, 3}, true), 0);
    CHECK_SAME(avg_pool2d(large, {9, 8}), mean(large, {2, 3}, true), 0);
    CHECK_SAME(adaptive_avg_pool2d(large_strided, {1, 1}), mean(large, {2, 3}, true), t == DType::Float32 ? 1e-6 : 1e-14);
  }
}

TEST(adaptive_pools) {
  const Tensor x = uniform({2, 3, 7, 5}, 6, -1, 1, DType::Float64);
  // windows [floor(o * in / out), ceil((o + 1) * in / out)): H 7 -> 3 gives [0, 3), [2, 5), [4, 7); W 5 -> 2
  // gives [0, 3), [2, 5)
  auto window = [&](int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
    return narrow(narrow(x, 2, h0, h1 - h0), 3, w0, w1 - w0);
  };
  const Tensor a = adaptive_avg_pool2d(x, {3, 2});
  CHECK_SAME(narrow(narrow(a, 2, 1, 1), 3, 1, 1), mean(window(2, 5, 2, 5), {2, 3}, true), 1e-14);
  CHECK_SAME(narrow(narrow(a, 2, 2, 1), 3, 0, 1), mean(window(4, 7, 0, 3), {2, 3}, true), 1e-14);
  CHECK_SAME(adaptive_avg_pool2d(x, {7, 5}), x, 1e-15);
  CHECK_SAME(adaptive_avg_pool2d(x, {1, 1}), mean(x, {2, 3}, true), 1e-14);
  const auto [m, i] = adaptive_max_pool2d(x, {1, 1});
  CHECK_SAME(reshape(m, {2, 3}), max(reshape(x, {2, 3, 35}), 2).first, 0);
  CHECK_SAME(reshape(i, {2, 3}), argmax(reshape(x, {2, 3, 35}), 2), 0);
  const auto [m2, i2] = adaptive_max_pool2d(x, {3, 2});
  CHECK_SAME(reshape(narrow(narrow(m2, 2, 1, 1), 3, 0, 1), {2, 3}), max(reshape(contiguous(window(2, 5, 0, 3)), {2, 3, 9}), 2).first, 0);
  CHECK_SAME(gather(reshape(x, {2, 3, 35}), 2, reshape(i2, {2, 3, 6})), reshape(m2, {2, 3, 6}), 0);
  const Tensor x1 = uniform({2, 3, 7}, 7);
  CHECK_SAME(adaptive_avg_pool1d(x1, 3), squeeze(adaptive_avg_pool2d(unsqueeze(x1, 2), {1, 3}), 2), 0);
  CHECK_SAME(adaptive_max_pool1d(x1, 3).first, squeeze(adaptive_max_pool2d(unsqueeze(x1, 2), {1, 3}).first, 2), 0);
  CHECK_SHAPE(adaptive_avg_pool2d(x, {0, 2}), {2, 3, 0, 2});
}

TEST(max_pool2d_2x2_by_chunks) {
  // The 2x2 stride-2 pool stages its windows by chunks of outputs, and its backward writes each 2x2 block once
  // when every index lies in its own block. Odd sizes (a last row and column no window covers), planes of more
  // outputs than a chunk (805, rows split between chunks), NaNs and ties in the input, NaN and infinite
  // gradients; indices from overlapping windows fall back to the scatter.
  for (DType t : {DType::Float32, DType::Float64}) {
    std::vector<double> xv = test::values(uniform({2, 3, 47, 71}, 40, -1, 1, DType::Float64));
    for (size_t e = 3; e < xv.size(); e += 101) xv[e] = NAN;
    for (size_t e = 50; e + 72 < xv.size(); e += 997) xv[e] = xv[e + 1] = xv[e + 71] = xv[e + 72] = 2;  // ties
    Tensor x = make(xv, {2, 3, 47, 71}, t);
    set_requires_grad(x, true);
    const auto [v, i] = max_pool2d_with_indices(x, {2, 2});
    const auto [rv, ri] = ref_max_pool(detach(x), {{2, 2}, {2, 2}, {0, 0}, {1, 1}, false});
    CHECK_SAME(v, rv, 0);
    CHECK_SAME(i, ri, 0);
    std::vector<double> gv = test::values(uniform(v.shape(), 41, -1, 1, DType::Float64));
    gv[7] = NAN;
    gv[900] = INFINITY;
    gv[1500] = -INFINITY;
    const Tensor g = make(gv, v.shape(), t);
    CHECK_SAME(kiln::grad({v}, {x}, {g})[0], scatter_reference(g, i, x.shape()), 0);
  }
  // A rising ramp keeps every 3x3 window's maximum in its own 2x2 block, except for a spike in the fourth row of
  // outputs past the first chunk: the plane is redone by the scatter after some of it was written by blocks.
  for (DType t : {DType::Float32, DType::Float64}) {
    std::vector<double> ramp = test::values(test::iota({1, 2, 46, 70}, DType::Float64));
    ramp[39 * 70 + 19] = 1e6;  // row 39 belongs to output row 19's block, and output row 20's window reaches it
    Tensor x = make(ramp, {1, 2, 46, 70}, t);
    set_requires_grad(x, true);
    const auto [v, i] = max_pool2d_with_indices(x, {3, 3}, {2, 2}, {1, 1});
    CHECK_SHAPE(v, {1, 2, 23, 35});
    const Tensor g = uniform(v.shape(), 42, -1, 1, t);
    const Tensor gx = kiln::grad({v}, {x}, {g})[0];
    // the spike gathers three gradients: in float32 their sum rounds at each step, the reference's in double
    CHECK_SAME(gx, scatter_reference(g, i, x.shape()), t == DType::Float32 ? 1e-6 : 0);
    CHECK(test::values(gx)[39 * 70 + 19] != 0);
  }
  // A -0 gradient arrives as +0, as the scatter's 0 + (-0) makes it (PyTorch's kernel adds too).
  Tensor x = make({1, 2, 3, 4}, {1, 1, 2, 2});
  set_requires_grad(x, true);
  const Tensor gx = kiln::grad({max_pool2d(x, {2, 2})}, {x}, {make({-0.0}, {1, 1, 1, 1})})[0];
  for (double e : test::values(gx)) CHECK(e == 0 && !std::signbit(e));
}

TEST(pooling_gradients) {
  const Tensor x = leaf({2, 3, 6, 5}, 7);
  const auto [v, idx] = max_pool2d_with_indices(x, {3, 2}, {2, 2}, {1, 1});
  const Tensor g = uniform(v.shape(), 8, -1, 1, DType::Float64);
  const TensorList gx = kiln::grad({v}, {x}, {g}, true, true);
  // the gradient lands at each window's maximum: <gx, x> == <g, max values> (each max is x at its index)
  CHECK(std::fabs(dot_all(gx[0], detach(x)) - dot_all(g, detach(v))) < 1e-12);
  // double backward: d<gx, u>/dg gathers u at the indices
  const Tensor u = uniform(x.shape(), 9, -1, 1, DType::Float64);
  Tensor gl = g;
  set_requires_grad(gl, true);
  const TensorList gx2 = kiln::grad({v}, {x}, {gl}, false, true);
  const TensorList ggl = kiln::grad({sum(mul(gx2[0], u))}, {gl});
  CHECK_SAME(ggl[0], reshape(gather(reshape(u, {2, 3, 30}), 2, reshape(idx, {2, 3, -1})), v.shape()), 0);
  // average and adaptive average are linear: their gradients are their adjoints
  for (int which = 0; which < 2; ++which) {
    const Tensor y = which == 0 ? avg_pool2d(x, {3, 3}, {2, 1}, {1, 1}, true, false) : adaptive_avg_pool2d(x, {4, 3});
    const Tensor gy = uniform(y.shape(), 10, -1, 1, DType::Float64);
    const TensorList gr = kiln::grad({y}, {x}, {gy}, false, true);
    CHECK(std::fabs(dot_all(detach(y), gy) - dot_all(detach(x), gr[0])) < 1e-12);
    // and the gradient's gradient in the seed is the forward again
    Tensor s = gy;
    set_requires_grad(s, true);
    const Tensor y2 = which == 0 ? avg_pool2d(x, {3, 3}, {2, 1}, {1, 1}, true, false) : adaptive_avg_pool2d(x, {4, 3});
    const TensorList g2 = kiln::grad({y2}, {x}, {s}, false, true);
    const TensorList gs = kiln::grad({sum(mul(g2[0], u))}, {s});
    CHECK_SAME(gs[0], which == 0 ? avg_pool2d(u, {3, 3}, {2, 1}, {1, 1}, true, false) : adaptive_avg_pool2d(u, {4, 3}), 1e-14);
  }
  CHECK_EQ(grad_fn_name(v), std::string("MaxPool2DWithIndicesBackward0"));
  CHECK_EQ(grad_fn_name(avg_pool2d(x, {2, 2})), std::string("AvgPool2DBackward0"));
  CHECK_EQ(grad_fn_name(adaptive_avg_pool2d(x, {2, 2})), std::string("AdaptiveAvgPool2DBackward0"));
  CHECK_EQ(grad_fn_name(adaptive_max_pool2d(x, {2, 2}).first), std::string("AdaptiveMaxPool2DBackward0"));
}

TEST(interpolate_nearest_and_linear) {
  const Tensor x = make({1, 2, 3, 4}, {1, 1, 2, 2});
  CHECK_VALUES(interpolate(x, {}, {2, 2}), 0, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  CHECK_VALUES(interpolate(x, {3, 3}, {}, InterpolateMode::Bilinear, true), 1e-6,
               {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});
  // align_corners=false: source = (o + 0.5) * in / out - 0.5, clamped at 0
  CHECK_VALUES(interpolate(make({0, 4}, {1, 1, 2}), {4}, {}, InterpolateMode::Linear), 1e-6, {0, 1, 3, 4});
  CHECK_VALUES(interpolate(make({0, 3, 6}, {1, 1, 3}), {2}, {}, InterpolateMode::Nearest), 0, {0, 3});
  // a scale factor sets the size (floor) and, unless recomputed, the source positions
  const Tensor y = uniform({2, 3, 5, 4}, 1);
  CHECK_SHAPE(interpolate(y, {}, {1.5, 2.7}), {2, 3, 7, 10});
  CHECK_SAME(interpolate(y, {}, {2, 2}, InterpolateMode::Area), adaptive_avg_pool2d(y, {10, 8}), 0);
  CHECK_SAME(interpolate(transpose(y, 2, 3), {7, 9}, {}, InterpolateMode::Bilinear),
             interpolate(contiguous(transpose(y, 2, 3)), {7, 9}, {}, InterpolateMode::Bilinear), 0);
  // gradients are the adjoints, and differentiable again
  const Tensor l = leaf({2, 2, 3, 4}, 2);
  for (InterpolateMode m : {InterpolateMode::Nearest, InterpolateMode::Bilinear}) {
    const Tensor out = interpolate(l, {5, 7}, {}, m);
    const Tensor g = uniform(out.shape(), 3, -1, 1, DType::Float64);
    const TensorList gr = kiln::grad({out}, {l}, {g}, false, true);
    CHECK(std::fabs(dot_all(detach(out), g) - dot_all(detach(l), gr[0])) < 1e-12);
  }
  CHECK_EQ(grad_fn_name(interpolate(l, {5, 7}, {})), std::string("UpsampleNearest2DBackward0"));
}

TEST(pool_and_interpolate_errors) {
  const Tensor x = zeros({2, 3, 5, 5});
  CHECK_THROWS(max_pool2d(x, {3, 3}, {}, {2, 2}), Argument, "max_pool2d: pad should be at most half of kernel size");
  CHECK_THROWS(max_pool2d(x, {6, 6}), Shape, "max_pool2d: given input size [2, 3, 5, 5], the calculated output size");
  CHECK_THROWS(max_pool2d(zeros({5, 5}), {2, 2}), Shape, "max_pool2d: expected a 3-D (unbatched) or 4-D (batched)");
  CHECK_THROWS(max_pool2d(zeros({2, 3, 5, 5}, DType::Int64), {2, 2}), DType, "max_pool2d: not implemented for 'int64'");
  CHECK_THROWS(max_pool2d(x, {2, 2}, {0, 1}), Argument, "max_pool2d: stride should be greater than zero");
  CHECK_THROWS(max_pool2d(x, {2}), Argument, "max_pool2d: kernel_size, stride, padding and dilation need 2 values");
  CHECK_THROWS(max_pool1d(zeros({3, 5}), 3, 1, 2), Argument, "max_pool1d: pad should be at most half");
  CHECK_THROWS(avg_pool2d(x, {2, 2}, {}, {0, 0}, false, true, 0), Argument, "avg_pool2d: divisor must be not zero");
  CHECK_THROWS(avg_pool1d(zeros({2, 3}), 4), Shape, "avg_pool1d: given input size [2, 3]");
  CHECK_THROWS(adaptive_avg_pool2d(zeros({2, 3, 0, 4}), {2, 2}), Shape, "adaptive_avg_pool2d: expected input to have non-zero size");
  CHECK_THROWS(adaptive_avg_pool2d(x, {-1, 2}), Argument, "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0");
  CHECK_THROWS(interpolate(x, {0, 3}), Shape, "interpolate: input and output sizes should be greater than 0");
  CHECK_THROWS(interpolate(x, {3}), Argument, "interpolate: input and output must have the same number of spatial dimensions");
  CHECK_THROWS(interpolate(x, {3, 3}, {2, 2}), Argument, "interpolate: only one of size or scale_factor");
  CHECK_THROWS(interpolate(x, {}, {}), Argument, "interpolate: either size or scale_factor");
  CHECK_THROWS(interpolate(x, {3, 3}, {}, InterpolateMode::Nearest, true), Argument, "interpolate: align_corners option");
  CHECK_THROWS(interpolate(x, {3, 3}, {}, InterpolateMode::Linear), NotImplemented, "interpolate: got 4-D input, but linear mode");
  CHECK_THROWS(interpolate(zeros({2, 3, 4}), {3, 3}, {}, InterpolateMode::Bilinear), Argument, "interpolate: input and output must have");
  CHECK_THROWS(interpolate(zeros({2, 3}), {3}), NotImplemented, "interpolate: only 3-D, 4-D and 5-D inputs");
  CHECK_THROWS(interpolate(zeros({2, 3, 4}), {3}, {}, InterpolateMode::Bicubic), NotImplemented,
               "interpolate: got 3-D input, but bicubic mode needs 4-D input");
  CHECK_THROWS(interpolate(x, {3, 3}, {}, InterpolateMode::Trilinear), NotImplemented,
               "interpolate: got 4-D input, but trilinear mode needs 5-D input");
  CHECK_THROWS(interpolate(x, {3, 3}, {}, InterpolateMode::NearestExact, false), Argument,
               "interpolate: align_corners option can only be set with the interpolating modes: linear | bilinear | "
               "bicubic | trilinear (got nearest-exact)");
  CHECK_THROWS(interpolate(zeros({1, 1, 2, 2, 2}), {3, 0, 3}, {}, InterpolateMode::Nearest), Shape,
               "interpolate: input and output sizes should be greater than 0, but got input [2, 2, 2] and output "
               "[3, 0, 3]");
  CHECK_THROWS(interpolate(zeros({2, 3, 4, 4}, DType::Int64), {3, 3}), DType, "interpolate: not implemented for 'int64'");
}

// Bilinear interpolation runs separably (rows along W once, then two rows to one); its backward in the same two
// steps is still the forward's adjoint: up and down, both corner modes, a strided gradient.
TEST(bilinear_backward_is_the_adjoint_both_ways) {
  const Tensor l = leaf({2, 3, 9, 11}, 4);
  for (bool corners : {false, true})
    for (const Shape& size : {Shape{20, 23}, Shape{4, 5}, Shape{9, 30}}) {
      const Tensor out = interpolate(l, size, {}, InterpolateMode::Bilinear, corners);
      const Tensor g = transpose(contiguous(transpose(uniform(out.shape(), 5, -1, 1, DType::Float64), 2, 3)), 2, 3);
      const Tensor gl = kiln::grad({out}, {l}, {g})[0];
      CHECK(std::fabs(dot_all(detach(out), g) - dot_all(detach(l), gl)) < 1e-12);
    }
}

namespace {

// Each output position along one dim: the inputs it reads and their weights, by the textbook formulas in double
// (half-pixel centres unless align_corners; Keys' cubic with A = -0.75 over clamped neighbours).
std::vector<std::vector<std::pair<int64_t, double>>> ref_taps(int64_t in, int64_t out, InterpolateMode m, bool align) {
  std::vector<std::vector<std::pair<int64_t, double>>> taps(static_cast<size_t>(out));
  const double ratio = align ? (out > 1 ? double(in - 1) / double(out - 1) : 0.0) : double(in) / double(out);
  for (int64_t o = 0; o < out; ++o) {
    auto& t = taps[o];
    const double centre = align ? o * ratio : (o + 0.5) * ratio - 0.5;
    if (m == InterpolateMode::Nearest || m == InterpolateMode::NearestExact) {
      const double at = m == InterpolateMode::Nearest ? o * ratio : (o + 0.5) * ratio;
      t.push_back({std::min<int64_t>(static_cast<int64_t>(std::floor(at)), in - 1), 1.0});
    } else if (m == InterpolateMode::Bicubic) {
      const double A = -0.75, i = std::floor(centre);
      for (int k = -1; k <= 2; ++k) {
        const double d = std::fabs(centre - (i + k));
        const double w = d <= 1 ? ((A + 2) * d - (A + 3)) * d * d + 1 : ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
        t.push_back({std::clamp<int64_t>(static_cast<int64_t>(i) + k, 0, in - 1), w});
      }
    } else {
      const double c = std::max(centre, 0.0);
      const int64_t i0 = static_cast<int64_t>(c), i1 = std::min(i0 + 1, in - 1);
      t.push_back({i0, 1 - (c - double(i0))});
      t.push_back({i1, c - double(i0)});
    }
  }
  return taps;
}

// interpolate by definition over [N, C, D, H, W] (4-D as D = 1): every output a sum over its taps' products.
Tensor ref_interpolate(const Tensor& x, const Shape& size, InterpolateMode m, bool align) {
  const bool vol = x.dim() == 5;
  const int64_t P = x.shape()[0] * x.shape()[1], D = vol ? x.shape()[2] : 1, H = x.shape()[x.dim() - 2],
                W = x.shape()[x.dim() - 1];
  const int64_t OD = vol ? size[0] : 1, OH = size[size.size() - 2], OW = size[size.size() - 1];
  const auto td = ref_taps(D, OD, vol ? m : InterpolateMode::Nearest, align), th = ref_taps(H, OH, m, align),
             tw = ref_taps(W, OW, m, align);
  const std::vector<double> v = test::values(x);
  std::vector<double> out;
  for (int64_t p = 0; p < P; ++p)
    for (int64_t od = 0; od < OD; ++od)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double acc = 0;
          for (auto [d, wd] : td[od])
            for (auto [h, wh] : th[oh])
              for (auto [w, ww] : tw[ow]) acc += wd * wh * ww * v[((p * D + d) * H + h) * W + w];
          out.push_back(acc);
        }
  Shape shape{x.shape()[0], x.shape()[1]};
  shape.insert(shape.end(), size.begin(), size.end());
  return make(out, shape, DType::Float64);
}

}  // namespace

// Trilinear, bicubic, 3-D nearest and nearest-exact against the formulas in double: up, down and unchanged dims,
// both corner modes, strided inputs; their gradients are the adjoints.
TEST(interpolate_trilinear_bicubic_and_nearest_exact) {
  struct Case {
    Shape in, size;
    InterpolateMode mode;
    bool align;
  };
  const Case cases[] = {
      {{2, 3, 4, 5, 6}, {7, 3, 9}, InterpolateMode::Trilinear, false},
      {{2, 3, 4, 5, 6}, {7, 3, 9}, InterpolateMode::Trilinear, true},
      {{1, 2, 4, 5, 6}, {4, 8, 4}, InterpolateMode::Trilinear, false},  // depth unchanged
      {{1, 2, 3, 5, 6}, {1, 2, 11}, InterpolateMode::Trilinear, true},
      {{2, 2, 5, 6}, {9, 4}, InterpolateMode::Bicubic, false},
      {{2, 2, 5, 6}, {9, 4}, InterpolateMode::Bicubic, true},
      {{1, 3, 7, 4}, {3, 13}, InterpolateMode::Bicubic, false},
      {{1, 3, 4, 4}, {4, 4}, InterpolateMode::Bicubic, false},  // unchanged: the input again
      {{2, 2, 3, 5, 4}, {7, 2, 9}, InterpolateMode::Nearest, false},
      {{2, 2, 3, 5, 4}, {7, 2, 9}, InterpolateMode::NearestExact, false},
      {{2, 2, 5, 7}, {3, 12}, InterpolateMode::NearestExact, false},
  };
  for (const Case& c : cases) {
    const Tensor l = leaf(c.in, 7);
    const std::optional<bool> align =
        c.mode == InterpolateMode::Nearest || c.mode == InterpolateMode::NearestExact ? std::nullopt
                                                                                       : std::optional<bool>(c.align);
    const Tensor out = interpolate(l, c.size, {}, c.mode, align);
    CHECK_SAME(out, ref_interpolate(detach(l), c.size, c.mode, c.align), 1e-12);
    const Tensor flipped = transpose(contiguous(transpose(detach(l), -1, -2)), -1, -2);  // the same values, strided
    CHECK_SAME(interpolate(flipped, c.size, {}, c.mode, align), out, 0);
    CHECK_SAME(interpolate(to(detach(l), DType::Float32), c.size, {}, c.mode, align), out, 1e-5);
    const Tensor g = uniform(out.shape(), 8, -1, 1, DType::Float64);
    const Tensor gl = kiln::grad({out}, {l}, {g})[0];
    CHECK(std::fabs(dot_all(detach(out), g) - dot_all(detach(l), gl)) < 1e-12);
  }
  CHECK_EQ(grad_fn_name(interpolate(leaf({1, 1, 2, 2, 2}, 1), {3, 3, 3}, {}, InterpolateMode::Trilinear)),
           std::string("UpsampleTrilinear3DBackward0"));
  // a scale factor places the sources at o / scale, as PyTorch (size 5 * 1.3 -> 6, sources at (o + 0.5) / 1.3)
  const Tensor x = uniform({1, 1, 5, 5}, 9, -1, 1, DType::Float64);
  const Tensor by_scale = interpolate(x, {}, {1.3, 1.3}, InterpolateMode::Bicubic);
  CHECK_SHAPE(by_scale, {1, 1, 6, 6});
  CHECK(item(amax(abs(sub(by_scale, interpolate(x, {6, 6}, {}, InterpolateMode::Bicubic))))) > 1e-3);
  CHECK_SAME(interpolate(x, {}, {1.3, 1.3}, InterpolateMode::Bicubic, false, true),
             interpolate(x, {6, 6}, {}, InterpolateMode::Bicubic), 0);
}

namespace {

struct Pool3 {
  int64_t k[3], s[3], p[3], d[3];
  bool ceil;
};

// 3-D pooling by definition: each output's window in (d, h, w) order; max keeps the first maximum (a NaN wins),
// avg divides by the padded window, the in-range count or a fixed divisor. Returns values and flat indices.
std::pair<Tensor, Tensor> ref_pool3d(const Tensor& x, const Pool3& w, bool max, bool include_pad, int64_t divisor) {
  const int64_t P = x.shape()[0] * x.shape()[1], D = x.shape()[2], H = x.shape()[3], W = x.shape()[4];
  const int64_t in[3] = {D, H, W};
  int64_t out[3];
  for (int i = 0; i < 3; ++i) out[i] = out_size(in[i], w.k[i], w.p[i], w.s[i], max ? w.d[i] : 1, w.ceil);
  const std::vector<double> v = test::values(x);
  std::vector<double> vals, idx;
  for (int64_t pl = 0; pl < P; ++pl)
    for (int64_t a = 0; a < out[0]; ++a)
      for (int64_t b = 0; b < out[1]; ++b)
        for (int64_t c = 0; c < out[2]; ++c) {
          const int64_t o[3] = {a, b, c};
          int64_t lo[3], hi[3], padded = 1, count = 0;
          for (int i = 0; i < 3; ++i) {
            lo[i] = o[i] * w.s[i] - w.p[i];
            hi[i] = max ? lo[i] + (w.k[i] - 1) * w.d[i] + 1 : std::min(lo[i] + w.k[i], in[i] + w.p[i]);
            padded *= hi[i] - lo[i];
          }
          double best = -INFINITY, sum = 0;
          int64_t at = -1;
          const int64_t step[3] = {max ? w.d[0] : 1, max ? w.d[1] : 1, max ? w.d[2] : 1};
          for (int64_t i = lo[0]; i < hi[0]; i += step[0])
            for (int64_t j = lo[1]; j < hi[1]; j += step[1])
              for (int64_t k = lo[2]; k < hi[2]; k += step[2]) {
                if (i < 0 || i >= D || j < 0 || j >= H || k < 0 || k >= W) continue;
                const double e = v[((pl * D + i) * H + j) * W + k];
                ++count;
                sum += e;
                if (at < 0 || e > best || (std::isnan(e) && !std::isnan(best))) {
                  best = e;
                  at = (i * H + j) * W + k;
                }
              }
          vals.push_back(max ? best : sum / double(divisor ? divisor : include_pad ? padded : count));
          idx.push_back(double(at));
        }
  const Shape shape{x.shape()[0], x.shape()[1], out[0], out[1], out[2]};
  return {make(vals, shape, DType::Float64), make(idx, shape, DType::Int64)};
}

// Adaptive 3-D pooling by definition: window [floor(o * in / out), ceil((o + 1) * in / out)) along each dim.
std::pair<Tensor, Tensor> ref_adaptive3d(const Tensor& x, const Shape& size, bool max) {
  const int64_t P = x.shape()[0] * x.shape()[1], D = x.shape()[2], H = x.shape()[3], W = x.shape()[4];
  const int64_t in[3] = {D, H, W};
  const std::vector<double> v = test::values(x);
  std::vector<double> vals, idx;
  for (int64_t pl = 0; pl < P; ++pl)
    for (int64_t a = 0; a < size[0]; ++a)
      for (int64_t b = 0; b < size[1]; ++b)
        for (int64_t c = 0; c < size[2]; ++c) {
          const int64_t o[3] = {a, b, c};
          int64_t lo[3], hi[3];
          for (int i = 0; i < 3; ++i) {
            lo[i] = o[i] * in[i] / size[i];
            hi[i] = ((o[i] + 1) * in[i] + size[i] - 1) / size[i];
          }
          double best = -INFINITY, sum = 0;
          int64_t at = -1, count = 0;
          for (int64_t i = lo[0]; i < hi[0]; ++i)
            for (int64_t j = lo[1]; j < hi[1]; ++j)
              for (int64_t k = lo[2]; k < hi[2]; ++k) {
                const double e = v[((pl * D + i) * H + j) * W + k];
                ++count;
                sum += e;
                if (at < 0 || e > best) {
                  best = e;
                  at = (i * H + j) * W + k;
                }
              }
          vals.push_back(max ? best : sum / double(count));
          idx.push_back(double(at));
        }
  const Shape shape{x.shape()[0], x.shape()[1], size[0], size[1], size[2]};
  return {make(vals, shape, DType::Float64), make(idx, shape, DType::Int64)};
}

Shape dims3(const int64_t* v) { return {v[0], v[1], v[2]}; }

}  // namespace

// 3-D max and average pooling against the definitions: padding, dilation, ceil_mode, the divisors, NaN, strided
// and unbatched inputs; gradients are the scatter by index (max) and the adjoints (averages).
TEST(pool3d_matches_the_reference) {
  const Pool3 windows[] = {{{2, 2, 2}, {2, 2, 2}, {0, 0, 0}, {1, 1, 1}, false},
                           {{3, 2, 3}, {2, 1, 2}, {1, 0, 1}, {1, 1, 1}, true},
                           {{2, 3, 2}, {1, 2, 2}, {1, 1, 0}, {2, 1, 2}, false},
                           {{1, 3, 3}, {1, 2, 2}, {0, 1, 1}, {1, 1, 1}, true}};
  Tensor x = uniform({2, 3, 5, 6, 7}, 11, -1, 1, DType::Float64);
  x = index_put(x, {make({1}, {1}, DType::Int64), make({2}, {1}, DType::Int64), make({3}, {1}, DType::Int64),
                    make({2}, {1}, DType::Int64), make({4}, {1}, DType::Int64)},
                make({NAN}, {1}, DType::Float64));
  const Tensor strided = permute(contiguous(permute(x, {0, 1, 4, 3, 2})), {0, 1, 4, 3, 2});
  for (const Pool3& w : windows) {
    const auto [v, i] = max_pool3d_with_indices(x, dims3(w.k), dims3(w.s), dims3(w.p), dims3(w.d), w.ceil);
    const auto [rv, ri] = ref_pool3d(x, w, true, false, 0);
    CHECK_SAME(v, rv, 0);
    CHECK_SAME(i, ri, 0);
    CHECK_SAME(max_pool3d(strided, dims3(w.k), dims3(w.s), dims3(w.p), dims3(w.d), w.ceil), v, 0);
    for (bool include_pad : {true, false})
      for (int64_t divisor : {0, 5}) {
        const Tensor a = avg_pool3d(x, dims3(w.k), dims3(w.s), dims3(w.p), w.ceil, include_pad,
                                    divisor ? std::optional<int64_t>(divisor) : std::nullopt);
        CHECK_SAME(a, ref_pool3d(x, w, false, include_pad, divisor).first, 1e-12);
      }
    // gradients
    const Tensor l = leaf({2, 2, 5, 6, 7}, 12);
    const auto [lv, li] = max_pool3d_with_indices(l, dims3(w.k), dims3(w.s), dims3(w.p), dims3(w.d), w.ceil);
    const Tensor g = uniform(lv.shape(), 13, -1, 1, DType::Float64);
    const Tensor gmax = kiln::grad({lv}, {l}, {g})[0];
    CHECK_SAME(gmax, reshape(scatter_reference(g, li, {2, 2, 5 * 6, 7}), {2, 2, 5, 6, 7}), 1e-15);
    const Tensor avg = avg_pool3d(l, dims3(w.k), dims3(w.s), dims3(w.p), w.ceil, false);
    const Tensor ga = kiln::grad({avg}, {l}, {uniform(avg.shape(), 14, -1, 1, DType::Float64)})[0];
    CHECK(std::fabs(dot_all(detach(avg), uniform(avg.shape(), 14, -1, 1, DType::Float64)) - dot_all(detach(l), ga)) <
          1e-12);
  }
  // unbatched [C, D, H, W], float32
  const Tensor u = uniform({3, 4, 4, 5}, 15);
  CHECK_SAME(avg_pool3d(u, {2, 2, 2}), squeeze(avg_pool3d(unsqueeze(u, 0), {2, 2, 2}), 0), 0);
  CHECK_SAME(max_pool3d(u, {2, 2, 2}), squeeze(max_pool3d(unsqueeze(u, 0), {2, 2, 2}), 0), 0);
}

TEST(adaptive_pool3d_matches_the_reference) {
  const Tensor x = uniform({2, 2, 5, 7, 6}, 16, -1, 1, DType::Float64);
  for (const Shape& size : {Shape{2, 3, 4}, Shape{5, 7, 6}, Shape{1, 1, 1}, Shape{3, 5, 2}}) {
    const auto [mv, mi] = adaptive_max_pool3d(x, size);
    const auto [rv, ri] = ref_adaptive3d(x, size, true);
    CHECK_SAME(mv, rv, 0);
    CHECK_SAME(mi, ri, 0);
    CHECK_SAME(adaptive_avg_pool3d(x, size), ref_adaptive3d(x, size, false).first, 1e-12);
    const Tensor l = leaf({2, 2, 5, 7, 6}, 17);
    const Tensor a = adaptive_avg_pool3d(l, size);
    const Tensor g = uniform(a.shape(), 18, -1, 1, DType::Float64);
    const TensorList ga = kiln::grad({a}, {l}, {g}, false, true);
    CHECK(std::fabs(dot_all(detach(a), g) - dot_all(detach(l), ga[0])) < 1e-12);
    const auto [lm, li] = adaptive_max_pool3d(l, size);
    CHECK_SAME(kiln::grad({lm}, {l}, {g})[0], reshape(scatter_reference(g, li, {2, 2, 35, 6}), {2, 2, 5, 7, 6}), 1e-15);
  }
  CHECK_SAME(interpolate(x, {3, 4, 2}, {}, InterpolateMode::Area), adaptive_avg_pool3d(x, {3, 4, 2}), 0);
  CHECK_THROWS(adaptive_avg_pool3d(zeros({2, 3, 4}), {1, 1, 1}), Shape, "adaptive_avg_pool3d: expected a 4-D");
  CHECK_THROWS(adaptive_max_pool3d(x, {1, 1}), Argument, "adaptive_max_pool3d: output_size needs 3 values");
  CHECK_THROWS(max_pool3d(x, {2, 2}), Argument, "max_pool3d: kernel_size, stride, padding and dilation need 3 values");
  CHECK_THROWS(avg_pool3d(x, {3, 3, 3}, {1, 1, 1}, {2, 0, 0}), Argument, "avg_pool3d: pad should be at most half");
  CHECK_THROWS(max_pool3d(zeros({3, 4, 4}), {2, 2, 2}), Shape, "max_pool3d: expected a 4-D (unbatched) or 5-D (batched) input");
}

// max_unpool puts each pooled value back at its index (the rest 0): the scatter by index of the values, in 1-D,
// 2-D and 3-D; its gradient is the adjoint (a gather); output sizes and bad indices are checked.
TEST(max_unpool_inverts_max_pool) {
  const Tensor x = uniform({2, 3, 6, 7}, 21, -1, 1, DType::Float64);
  const auto [v, i] = max_pool2d_with_indices(x, {2, 2});
  Tensor lv = contiguous(v);
  set_requires_grad(lv, true);
  const Tensor u = max_unpool2d(lv, i, {2, 2}, {}, {}, {6, 7});
  CHECK_SAME(u, scatter_reference(v, i, {2, 3, 6, 7}), 0);
  const auto [v6, i6] = max_pool2d_with_indices(narrow(x, 3, 0, 6), {2, 2});
  CHECK_SAME(max_unpool2d(v6, i6, {2, 2}), scatter_reference(v6, i6, {2, 3, 6, 6}), 0);  // the default size
  const Tensor g = uniform(u.shape(), 22, -1, 1, DType::Float64);
  CHECK(std::fabs(dot_all(detach(u), g) - dot_all(detach(lv), kiln::grad({u}, {lv}, {g})[0])) < 1e-12);
  const auto [v1, i1] = max_pool1d_with_indices(reshape(x, {6, 42}), 2);  // windows apart: no index twice
  CHECK_SAME(max_unpool1d(v1, i1, 2), reshape(scatter_reference(v1, i1, {6, 1, 1, 42}), {6, 42}), 0);
  const auto [v3, i3] = max_pool3d_with_indices(reshape(x, {2, 3, 2, 3, 7}), {2, 3, 2});
  CHECK_SAME(max_unpool3d(v3, i3, {2, 3, 2}, {}, {}, {2, 3, 7}),
             reshape(scatter_reference(v3, i3, {2, 3, 6, 7}), {2, 3, 2, 3, 7}), 0);
  CHECK_THROWS(max_unpool2d(v, i, {2, 2}, {}, {}, {9, 9}), Argument, "max_unpool2d: invalid output_size");
  // The default size is 6 x 6: the 7th column's maxima do not fit; the first in order is named.
  CHECK_THROWS(max_unpool2d(v, i, {2, 2}), Index, "max_unpool2d: found an invalid max index: 37 (output volumes "
               "are of size [6, 6])");
  CHECK_THROWS(max_unpool2d(v, sub(i, Scalar(int64_t{1})), {2, 2}, {}, {}, {6, 7}), Index,
               "max_unpool2d: found an invalid max index: -1");
  CHECK_THROWS(max_unpool2d(v, narrow(i, 1, 0, 1), {2, 2}), Shape, "max_unpool2d: expected shape of indices");
  // Enough planes to be shared by threads, float32, a strided input: each plane zeroed and filled by itself.
  const Tensor big = transpose(uniform({20, 40, 40, 4}, 23, -1, 1), 1, 3);
  const auto [vb, ib] = max_pool2d_with_indices(big, {2, 2});
  CHECK_SAME(max_unpool2d(vb, ib, {2, 2}), to(scatter_reference(vb, ib, {20, 4, 40, 40}), DType::Float32), 0);
}

// local_response_norm against its definition in double: x / (k + alpha / size * sum of x^2 over the channels
// [c - size / 2, c + (size - 1) / 2])^beta, for 3-D, 4-D and 5-D inputs, odd and even sizes.
TEST(local_response_norm_matches_the_definition) {
  for (const Shape& shape : {Shape{2, 5, 7}, Shape{2, 6, 3, 4}, Shape{1, 4, 2, 3, 2}})
    for (int64_t size : {1, 2, 3, 8}) {
      const Tensor x = uniform(shape, 23, -2, 2, DType::Float64);
      const double alpha = 0.3, beta = 0.7, k = 1.5;
      const std::vector<double> v = test::values(x);
      const int64_t C = shape[1], S = x.numel() / (shape[0] * C);
      std::vector<double> want(v.size());
      for (int64_t n = 0; n < shape[0]; ++n)
        for (int64_t c = 0; c < C; ++c)
          for (int64_t s = 0; s < S; ++s) {
            double sq = 0;
            for (int64_t j = c - size / 2; j <= c + (size - 1) / 2; ++j)
              if (j >= 0 && j < C) sq += v[(n * C + j) * S + s] * v[(n * C + j) * S + s];
            const int64_t at = (n * C + c) * S + s;
            want[at] = v[at] / std::pow(k + alpha * sq / double(size), beta);
          }
      CHECK_SAME(local_response_norm(x, size, alpha, beta, k), make(want, shape, DType::Float64), 1e-12);
    }
  CHECK_THROWS(local_response_norm(zeros({3, 4}), 2), Shape, "local_response_norm: expected 3D or higher");
}

// grid_sample at the identity grid (affine_grid of the identity) gives the input back in both corner rules and
// both modes; a grid moved by one pixel gives the input moved by one, the edge column read as 0 (zeros) or
// clamped (border). Values against PyTorch are in the Java parity fixtures.
TEST(grid_sample_at_the_identity_and_shifted) {
  const Tensor x = uniform({2, 3, 4, 5}, 31, -1, 1, DType::Float64);
  const Tensor eye = expand(reshape(make({1, 0, 0, 0, 1, 0}, {2, 3}, DType::Float64), {1, 2, 3}), {2, 2, 3});
  for (bool align : {false, true})
    for (GridSampleMode mode : {GridSampleMode::Bilinear, GridSampleMode::Nearest, GridSampleMode::Bicubic}) {
      const Tensor grid = affine_grid(eye, {2, 3, 4, 5}, align);
      CHECK_SAME(grid_sample(x, grid, mode, GridPadding::Zeros, align), x, 1e-12);
    }
  const Tensor shift = expand(reshape(make({1, 0, 2.0 / 5, 0, 1, 0}, {2, 3}, DType::Float64), {1, 2, 3}), {2, 2, 3});
  const Tensor grid = affine_grid(shift, {2, 3, 4, 5}, false);
  const Tensor moved = narrow(x, 3, 1, 4);
  const Tensor zeros_out = grid_sample(x, grid, GridSampleMode::Bilinear, GridPadding::Zeros, false);
  CHECK_SAME(narrow(zeros_out, 3, 0, 4), moved, 1e-12);
  CHECK_SAME(narrow(zeros_out, 3, 4, 1), zeros({2, 3, 4, 1}, DType::Float64), 1e-12);
  const Tensor border_out = grid_sample(x, grid, GridSampleMode::Bilinear, GridPadding::Border, false);
  CHECK_SAME(narrow(border_out, 3, 4, 1), narrow(x, 3, 4, 1), 1e-12);
  CHECK_THROWS(grid_sample(x, zeros({1, 2, 2, 2}, DType::Float64)), Shape, "grid_sample: expected grid and input to "
               "have same batch size");
}

// An out-of-range corner adds nothing, even where the edge pixel it would have been clamped to holds an inf
// (PyTorch's kernel skips it); a NaN grid position samples nothing in zeros padding.
TEST(grid_sample_out_of_range_corners_add_nothing) {
  const Tensor x = make({1, 2, 3, INFINITY}, {1, 1, 2, 2}, DType::Float64);
  // (1, 1) with align_corners: the bottom-right centre exactly; its other three corners are out of range.
  const Tensor grid = make({1, 1, NAN, 0}, {1, 1, 2, 2}, DType::Float64);
  const std::vector<double> v = test::values(grid_sample(x, grid, GridSampleMode::Bilinear, GridPadding::Zeros, true));
  CHECK(v.size() == 2 && v[0] == INFINITY && v[1] == 0);
}

// grid_sample's first derivative comes from the fused kernel, and under create_graph from ops (whose derivatives
// give the second): the two agree in every mode, padding and corner rule, and match finite differences (positions
// kept off pixel boundaries and clamps, where the weights have kinks).
TEST(grid_sample_fused_gradient_matches_the_differentiable_one) {
  for (GridSampleMode mode : {GridSampleMode::Bilinear, GridSampleMode::Nearest, GridSampleMode::Bicubic})
    for (GridPadding pad : {GridPadding::Zeros, GridPadding::Border, GridPadding::Reflection})
      for (bool align : {false, true}) {
        Tensor x = uniform({2, 3, 4, 5}, 32, -1, 1, DType::Float64);
        Tensor grid = uniform({2, 3, 2, 2}, 33, -1.3, 1.3, DType::Float64);
        set_requires_grad(x, true);
        set_requires_grad(grid, true);
        const Tensor probe = uniform({2, 3, 3, 2}, 34, -1, 1, DType::Float64);
        const Tensor out = grid_sample(x, grid, mode, pad, align);
        const TensorList fused = grad({out}, {x, grid}, {probe}, true);
        const TensorList ops = grad({out}, {x, grid}, {probe}, false, true);
        CHECK_SAME(fused[0], ops[0], 1e-12);
        CHECK_SAME(fused[1], ops[1], 1e-12);
        const Tensor by_input = test::numeric_grad(
            [&](const Tensor& in) { return grid_sample(in, detach(grid), mode, pad, align); }, detach(x), probe);
        CHECK_SAME(fused[0], by_input, 1e-6);
        if (mode != GridSampleMode::Nearest) {
          const Tensor by_grid = test::numeric_grad(
              [&](const Tensor& in) { return grid_sample(detach(x), in, mode, pad, align); }, detach(grid), probe);
          CHECK_SAME(fused[1], by_grid, 1e-6);
        }
      }
}

// The same over 5-D input (trilinear): both derivative paths and finite differences; affine_grid's identity in 3-D
// gives the volume back.
TEST(grid_sample_volumes) {
  for (GridSampleMode mode : {GridSampleMode::Bilinear, GridSampleMode::Nearest})
    for (GridPadding pad : {GridPadding::Zeros, GridPadding::Border, GridPadding::Reflection})
      for (bool align : {false, true}) {
        Tensor x = uniform({2, 2, 3, 4, 5}, 37, -1, 1, DType::Float64);
        Tensor grid = uniform({2, 2, 3, 2, 3}, 38, -1.3, 1.3, DType::Float64);
        set_requires_grad(x, true);
        set_requires_grad(grid, true);
        const Tensor probe = uniform({2, 2, 2, 3, 2}, 39, -1, 1, DType::Float64);
        const Tensor out = grid_sample(x, grid, mode, pad, align);
        CHECK_SHAPE(out, {2, 2, 2, 3, 2});
        const TensorList fused = grad({out}, {x, grid}, {probe}, true);
        const TensorList ops = grad({out}, {x, grid}, {probe}, false, true);
        CHECK_SAME(fused[0], ops[0], 1e-12);
        CHECK_SAME(fused[1], ops[1], 1e-12);
        CHECK_SAME(fused[0], test::numeric_grad([&](const Tensor& in) {
          return grid_sample(in, detach(grid), mode, pad, align); }, detach(x), probe), 1e-6);
        if (mode == GridSampleMode::Bilinear)
          CHECK_SAME(fused[1], test::numeric_grad([&](const Tensor& in) {
            return grid_sample(detach(x), in, mode, pad, align); }, detach(grid), probe), 1e-6);
      }
  const Tensor x = uniform({2, 3, 3, 4, 5}, 40, -1, 1, DType::Float64);
  const Tensor eye = expand(reshape(make({1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}, {3, 4}, DType::Float64), {1, 3, 4}),
                            {2, 3, 4});
  for (bool align : {false, true}) {
    const Tensor grid = affine_grid(eye, {2, 3, 3, 4, 5}, align);
    CHECK_SHAPE(grid, {2, 3, 4, 5, 3});
    CHECK_SAME(grid_sample(x, grid, GridSampleMode::Bilinear, GridPadding::Zeros, align), x, 1e-12);
  }
  CHECK_THROWS(affine_grid(eye, {2, 3, 4, 5}), Shape, "affine_grid: expected a batch of 2D affine matrices of shape "
               "Nx2x3");
  CHECK_THROWS(grid_sample(x, zeros({2, 3, 4, 5, 2}, DType::Float64)), Shape,
               "grid_sample: expected a grid of shape [N, D_out, H_out, W_out, 3] for 5-D input");
  CHECK_THROWS(grid_sample(x, zeros({2, 3, 4, 5, 3}, DType::Float64), GridSampleMode::Bicubic), Argument,
               "grid_sample: bicubic interpolation only supports 4D input");
}

// float32 computes in float32, as PyTorch's kernel: the same as float64 to float rounding.
TEST(grid_sample_float32) {
  const Tensor x = uniform({2, 3, 6, 7}, 35, -1, 1, DType::Float64);
  const Tensor grid = uniform({2, 5, 4, 2}, 36, -1.2, 1.2, DType::Float64);
  const Tensor y32 = grid_sample(to(x, DType::Float32), to(grid, DType::Float32), GridSampleMode::Bilinear,
                                 GridPadding::Reflection, false);
  CHECK_EQ(y32.dtype(), DType::Float32);
  CHECK_SAME(y32, grid_sample(x, grid, GridSampleMode::Bilinear, GridPadding::Reflection, false), 1e-5);
}
