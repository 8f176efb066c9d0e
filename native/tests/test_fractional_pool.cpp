// Fractional max pooling against a direct reference of PyTorch's window rule, in 2-D and 3-D: values, indices,
// NaNs, unbatched inputs, float32's rounding of the window starts, the gradient (max pooling's scatter, its double
// backward), drawing the fractions, and errors.
#include <cmath>
#include <limits>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::make;
using test::uniform;

namespace {

// PyTorch's window starts for the fraction u, computed in T: floor((i + u) a) - floor(u a), the last in - k.
template <class T>
std::vector<int64_t> starts(T u, int64_t in, int64_t out, int64_t k) {
  std::vector<int64_t> s(static_cast<size_t>(out));
  const T a = out > 1 ? static_cast<T>(in - k) / static_cast<T>(out - 1) : T(0);
  for (int64_t i = 0; i + 1 < out; ++i) s[i] = static_cast<int>((static_cast<T>(i) + u) * a) - static_cast<int>(u * a);
  s[out - 1] = in - k;
  return s;
}

// The reference over [N, C, D, H, W] with per-plane fractions u[p][3] (for D, H, W) given as doubles but rounded
// to T first; the maximum's first occurrence wins, a later NaN over anything.
template <class T>
std::pair<Tensor, Tensor> ref_fractional(const Tensor& x, const std::vector<double>& u, const Shape& k,
                                         const Shape& out) {
  const Shape& s = x.shape();
  const int64_t P = s[0] * s[1];
  const std::vector<double> v = test::values(x);
  std::vector<double> vals, idx;
  for (int64_t p = 0; p < P; ++p) {
    std::vector<int64_t> st[3];
    for (int d = 0; d < 3; ++d) st[d] = starts<T>(static_cast<T>(u[p * 3 + d]), s[2 + d], out[d], k[d]);
    for (int64_t od = 0; od < out[0]; ++od)
      for (int64_t oh = 0; oh < out[1]; ++oh)
        for (int64_t ow = 0; ow < out[2]; ++ow) {
          double best = -INFINITY;
          int64_t at = (st[0][od] * s[3] + st[1][oh]) * s[4] + st[2][ow];
          for (int64_t d = st[0][od]; d < st[0][od] + k[0]; ++d)
            for (int64_t h = st[1][oh]; h < st[1][oh] + k[1]; ++h)
              for (int64_t w = st[2][ow]; w < st[2][ow] + k[2]; ++w) {
                const int64_t i = (d * s[3] + h) * s[4] + w;
                const double e = v[p * s[2] * s[3] * s[4] + i];
                if (e > best || std::isnan(e)) {
                  best = e;
                  at = i;
                }
              }
          vals.push_back(best);
          idx.push_back(static_cast<double>(at));
        }
  }
  const Shape shape = {s[0], s[1], out[0], out[1], out[2]};
  return {make(vals, shape, x.dtype()), make(idx, shape, DType::Int64)};
}

// [N, C, nd] fractions with every column distinct, so a swapped column shows.
Tensor fractions(int64_t n, int64_t c, int64_t nd, uint64_t seed, DType t) {
  return uniform({n, c, nd}, seed, 0, 1, t);
}

}  // namespace

TEST(fractional_max_pool2d_matches_the_reference) {
  Tensor x = uniform({2, 3, 11, 9}, 1, -1, 1, DType::Float64);
  x = index_put(x, {make({1}, {1}, DType::Int64), make({2}, {1}, DType::Int64), make({4}, {1}, DType::Int64),
                    make({5}, {1}, DType::Int64)},
                make({NAN}, {1}, DType::Float64));
  const Tensor u = fractions(2, 3, 2, 2, DType::Float64);
  const std::vector<double> uv = test::values(u);
  std::vector<double> u3;  // (D, H, W) per plane: the 2-D op reads W from column 0 and H from column 1
  for (size_t p = 0; p < uv.size() / 2; ++p) u3.insert(u3.end(), {0.0, uv[2 * p + 1], uv[2 * p]});
  for (const auto& [k, out] : {std::pair<Shape, Shape>{{2, 2}, {5, 4}}, {{3, 2}, {9, 8}}, {{1, 1}, {11, 9}},
                               {{2, 3}, {1, 1}}, {{3, 3}, {6, 7}}}) {
    const auto [v, i] = fractional_max_pool2d(x, k, out, u);
    const auto [rv, ri] = ref_fractional<double>(unsqueeze(x, 2), u3, {1, k[0], k[1]}, {1, out[0], out[1]});
    CHECK_SAME(v, squeeze(rv, 2), 0);
    CHECK_SAME(i, squeeze(ri, 2), 0);
    // strided input, unbatched input
    const Tensor strided = transpose(contiguous(transpose(x, 2, 3)), 2, 3);
    CHECK_SAME(fractional_max_pool2d(strided, k, out, u).first, v, 0);
    CHECK_SAME(fractional_max_pool2d(select(x, 0, 1), k, out, narrow(u, 0, 1, 1)).second, select(i, 0, 1), 0);
  }
}

TEST(fractional_max_pool3d_matches_the_reference) {
  const Tensor x = uniform({2, 2, 7, 8, 9}, 3, -1, 1, DType::Float64);
  const Tensor u = fractions(2, 2, 3, 4, DType::Float64);
  for (const auto& [k, out] : {std::pair<Shape, Shape>{{2, 2, 2}, {3, 4, 5}}, {{3, 1, 2}, {5, 8, 6}},
                               {{1, 2, 3}, {7, 2, 1}}}) {
    const auto [v, i] = fractional_max_pool3d(x, k, out, u);
    const auto [rv, ri] = ref_fractional<double>(x, test::values(u), k, out);
    CHECK_SAME(v, rv, 0);
    CHECK_SAME(i, ri, 0);
    CHECK_SAME(fractional_max_pool3d(select(x, 0, 0), k, out, narrow(u, 0, 0, 1)).first, select(v, 0, 0), 0);
  }
}

// float32 places windows by float arithmetic, as PyTorch's float kernel: with a = 1 (in - k = out - 1) and a
// fraction just under 1, i + u rounds up to i + 1 in float, so the windows start one later than in double.
TEST(fractional_max_pool_float32_places_windows_in_float) {
  const Tensor x = uniform({1, 2, 5, 6, 50}, 5, -1, 1, DType::Float32);
  const Tensor u = make({0.3, 0.6, 0.99999994, 0.7, 0.2, 0.9999999}, {1, 2, 3}, DType::Float32);
  const auto [v, i] = fractional_max_pool3d(x, {2, 2, 3}, {3, 4, 48}, u);
  const auto [rv, ri] = ref_fractional<float>(x, test::values(u), {2, 2, 3}, {3, 4, 48});
  CHECK_EQ(v.dtype(), DType::Float32);
  CHECK_SAME(v, rv, 0);
  CHECK_SAME(i, ri, 0);
  CHECK(test::values(ri) != test::values(ref_fractional<double>(x, test::values(u), {2, 2, 3}, {3, 4, 48}).second));
}

TEST(fractional_max_pool_gradients) {
  Tensor x = uniform({2, 2, 9, 8}, 7, -1, 1, DType::Float64);
  set_requires_grad(x, true);
  const Tensor u = fractions(2, 2, 2, 8, DType::Float64);
  const auto [v, i] = fractional_max_pool2d(x, {3, 2}, {4, 5}, u);
  const Tensor probe = uniform(v.shape(), 9, -1, 1, DType::Float64);
  const TensorList g = kiln::grad({v}, {x}, {probe}, false, true);
  const auto pool2 = [&](const Tensor& in) { return fractional_max_pool2d(in, {3, 2}, {4, 5}, u).first; };
  CHECK_SAME(g[0], test::numeric_grad(pool2, detach(x), probe), 1e-6);
  // the double backward: the gradient is linear in probe, its derivative a gather of the seed at the indices
  const Tensor seed = uniform(x.shape(), 10, -1, 1, DType::Float64);
  Tensor lp = contiguous(probe);
  set_requires_grad(lp, true);
  const Tensor gx = kiln::grad({fractional_max_pool2d(x, {3, 2}, {4, 5}, u).first}, {x}, {lp}, false, true)[0];
  const Tensor gg = kiln::grad({gx}, {lp}, {seed})[0];
  CHECK_SAME(gg, reshape(gather(flatten(seed, 2), 2, flatten(i, 2)), i.shape()), 0);

  Tensor y = uniform({1, 2, 5, 6, 7}, 11, -1, 1, DType::Float64);
  set_requires_grad(y, true);
  const Tensor u3 = fractions(1, 2, 3, 12, DType::Float64);
  const Tensor v3 = fractional_max_pool3d(y, {2, 3, 2}, {3, 3, 4}, u3).first;
  const Tensor p3 = uniform(v3.shape(), 13, -1, 1, DType::Float64);
  const auto pool3 = [&](const Tensor& in) { return fractional_max_pool3d(in, {2, 3, 2}, {3, 3, 4}, u3).first; };
  CHECK_SAME(kiln::grad({v3}, {y}, {p3})[0], test::numeric_grad(pool3, detach(y), p3), 1e-6);
}

// Without fractions, they are drawn from the generator: a seeded generator gives the same windows again, and
// every drawn placement is one the reference gives for some fraction.
TEST(fractional_max_pool_draws_its_fractions) {
  const Tensor x = uniform({3, 2, 10, 10}, 14, -1, 1, DType::Float32);
  Generator a(5), b(5), c(6);
  const auto [va, ia] = fractional_max_pool2d(x, {2, 2}, {6, 6}, Tensor(), &a);
  const auto [vb, ib] = fractional_max_pool2d(x, {2, 2}, {6, 6}, Tensor(), &b);
  CHECK_SAME(ia, ib, 0);
  CHECK_SHAPE(va, {3, 2, 6, 6});
  bool differs = false;
  for (int t = 0; t < 4 && !differs; ++t)
    differs = test::values(fractional_max_pool2d(x, {2, 2}, {6, 6}, Tensor(), &c).second) != test::values(ia);
  CHECK(differs);
  CHECK_SHAPE(fractional_max_pool3d(uniform({2, 6, 7, 8}, 15), {2, 2, 2}, {3, 4, 5}).first, {2, 3, 4, 5});
}

TEST(fractional_max_pool_errors) {
  const Tensor x = uniform({2, 3, 8, 8}, 16);
  const Tensor u = fractions(2, 3, 2, 17, DType::Float32);
  CHECK_THROWS(fractional_max_pool2d(x, {3, 3}, {7, 4}, u), Shape,
               "fractional_max_pool2d(): pool height 3 too large relative to input height 8");
  CHECK_THROWS(fractional_max_pool2d(x, {2, 2}, {4, 8}, u), Shape,
               "fractional_max_pool2d(): pool width 2 too large relative to input width 8");
  CHECK_THROWS(fractional_max_pool2d(reshape(x, {48, 8}), {2, 2}, {4, 4}), Shape,
               "fractional_max_pool2d(): Expected 3D or 4D tensor, but got: [48, 8]");
  CHECK_THROWS(fractional_max_pool3d(x, {2, 2, 2}, {3, 2, 2}), Shape,
               "fractional_max_pool3d(): pool time 2 too large relative to input time 3");
  CHECK_THROWS(fractional_max_pool2d(x, {2, 2}, {4, 4}, narrow(u, 1, 0, 2)), Shape,
               "fractional_max_pool2d: expected _random_samples of shape [2, 3, 2] and dtype float32, got [2, 2, 2]");
  CHECK_THROWS(fractional_max_pool2d(x, {2, 2}, {4, 4}, to(u, DType::Float64)), Shape,
               "fractional_max_pool2d: expected _random_samples");
  CHECK_THROWS(fractional_max_pool2d(x, {2, 2}, {0, 4}, u), Argument,
               "fractional_max_pool2d: kernel_size and output_size must be positive, got 2 and 0");
  CHECK_THROWS(fractional_max_pool2d(to(x, DType::Int64), {2, 2}, {4, 4}), DType,
               "fractional_max_pool2d: not implemented for 'int64'");
  CHECK_THROWS(fractional_max_pool2d(narrow(x, 2, 0, 0), {1, 1}, {1, 1}, u), Shape,
               "fractional_max_pool2d(): Expected input to have non-zero size for non-batch dimensions");
}

