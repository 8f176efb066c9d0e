// Losses: cross_entropy against a float64 reference built from other ops (weights, ignore_index, smoothing,
// probability targets, spatial inputs, every layout), its fused backward against finite differences and its
// double backward against finite differences of the gradient, thread independence, nll_loss, the elementwise
// losses at their branch points, the composites' shapes, 16-bit inputs, and bad input.
#include <cmath>
#include <functional>
#include <limits>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::make;
using test::numeric_grad;
using test::ThreadCount;
using test::uniform;
using test::values;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }

// cross_entropy from log_softmax and gathers in float64, as PyTorch composes it (index targets, class dim 1).
Tensor reference_ce(const Tensor& x, const Tensor& t, const Tensor& w, Reduction r, int64_t ignore, double eps) {
  const Tensor xd = to(x, DType::Float64);
  const int64_t classes = xd.size(1);
  const Tensor lsm = log_softmax(xd, 1);
  const Tensor valid = ne(t, wrapped_scalar(Scalar(ignore)));
  const Tensor safe = where(valid, t, zeros({}, DType::Int64));
  const Tensor wd = w.defined() ? to(w, DType::Float64) : ones({classes}, DType::Float64);
  Shape view_shape(static_cast<size_t>(xd.dim()), 1);
  view_shape[1] = classes;
  const Tensor wb = reshape(wd, view_shape);
  const Tensor picked = squeeze(gather(lsm, 1, unsqueeze(safe, 1)), 1);
  const Tensor wt = mul(index_select(wd, 0, reshape(safe, {-1})), to(reshape(valid, {-1}), DType::Float64));
  const Tensor wt_shaped = reshape(wt, t.shape());
  const Tensor nll = neg(mul(picked, wt_shaped));
  const Tensor smooth = mul(neg(sum(mul(lsm, wb), {1})), to(valid, DType::Float64));
  const Tensor loss = add(mul(nll, S(1 - eps)), mul(smooth, S(eps / static_cast<double>(classes))));
  switch (r) {
    case Reduction::None: return loss;
    case Reduction::Sum: return sum(loss);
    case Reduction::Mean: return div(sum(loss), sum(wt));
  }
  return loss;
}

template <class F>
void expect_error(ErrorKind kind, const char* text, F f) {
  try {
    f();
  } catch (const Error& e) {
    if (e.kind() != kind || std::string(e.what()).find(text) == std::string::npos)
      test::fail_at(__FILE__, __LINE__, std::string("wrong error: ") + e.what());
    return;
  }
  test::fail_at(__FILE__, __LINE__, std::string("no error; expected one with: ") + text);
}

}  // namespace

TEST(cross_entropy_matches_the_composition) {
  const Tensor x = uniform({6, 5}, 1, -3, 3);
  const Tensor t = make({0, 4, 2, -100, 1, 3}, {6}, DType::Int64);
  const Tensor w = uniform({5}, 2, 0.5, 2);
  for (Reduction r : {Reduction::None, Reduction::Mean, Reduction::Sum})
    for (double eps : {0.0, 0.2})
      for (bool weighted : {false, true}) {
        const Tensor wt = weighted ? w : Tensor();
        CHECK_SAME(cross_entropy(x, t, wt, r, -100, eps), reference_ce(x, t, wt, r, -100, eps), 1e-5);
        CHECK_SAME(cross_entropy(to(x, DType::Float64), t, weighted ? to(w, DType::Float64) : Tensor(), r, -100, eps),
                   reference_ce(x, t, wt, r, -100, eps), 1e-12);
      }
}

TEST(cross_entropy_spatial_and_strided_inputs) {
  // [N, C, d1, d2] is cross_entropy of the rows [N d1 d2, C]; a transposed input gives the same values.
  const Tensor x = uniform({2, 4, 3, 2}, 3, -2, 2, DType::Float64);
  const Tensor t = make({0, 1, 2, 3, 0, 1, 2, 3, 3, 2, 1, 0}, {2, 3, 2}, DType::Int64);
  const Tensor none = cross_entropy(x, t, {}, Reduction::None);
  CHECK_SHAPE(none, {2, 3, 2});
  CHECK_SAME(none, reference_ce(x, t, {}, Reduction::None, -100, 0), 1e-12);
  const Tensor xt = transpose(contiguous(transpose(x, 1, 3)), 1, 3);
  CHECK(!xt.is_contiguous());
  CHECK_SAME(cross_entropy(xt, t, {}, Reduction::None), none, 0);
  // one sample of shape [C] with a 0-dim target
  const Tensor one = cross_entropy(make({1, 2, 3}, {3}), make({2}, {}, DType::Int64), {}, Reduction::None);
  CHECK_SHAPE(one, {});
  CHECK(test::close(values(one)[0], std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3, 1e-6));
}

TEST(cross_entropy_probability_targets) {
  const Tensor x = uniform({3, 4}, 4, -2, 2, DType::Float64);
  const Tensor p = softmax(uniform({3, 4}, 5, -1, 1, DType::Float64), 1);
  const Tensor w = uniform({4}, 6, 0.5, 1.5, DType::Float64);
  const Tensor soft = add(mul(p, S(0.9)), S(0.1 / 4));
  const Tensor expect = neg(sum(mul(mul(log_softmax(x, 1), soft), reshape(w, {1, 4})), {1}));
  CHECK_SAME(cross_entropy(x, p, w, Reduction::None, -100, 0.1), expect, 1e-12);
  CHECK_SAME(cross_entropy(x, p, w, Reduction::Mean, -100, 0.1), div(sum(expect), S(3)), 1e-12);
}

TEST(cross_entropy_extreme_logits) {
  const Tensor x = make({1e4, -1e4, 0, -1e4, -1e4, -1e4}, {2, 3});
  const Tensor t = make({1, 0}, {2}, DType::Int64);
  CHECK_SAME(cross_entropy(x, t, {}, Reduction::None), make({2e4, std::log(3.0)}, {2}), 1e-6);
  Tensor xg = x;
  set_requires_grad(xg, true);
  const Tensor g = grad({cross_entropy(xg, t, {}, Reduction::Sum)}, {xg})[0];
  CHECK_SAME(g, make({1, -1, 0, 1.0 / 3 - 1, 1.0 / 3, 1.0 / 3}, {2, 3}), 1e-6);
}

TEST(cross_entropy_backward_matches_finite_differences) {
  const Tensor t = make({2, -100, 0, 1}, {4}, DType::Int64);
  const Tensor w = make({0.5, 2, 1.5}, {3}, DType::Float64);
  for (Reduction r : {Reduction::None, Reduction::Mean})
    for (double eps : {0.0, 0.3}) {
      Tensor x = uniform({4, 3}, 7, -2, 2, DType::Float64);
      set_requires_grad(x, true);
      const Tensor probe = r == Reduction::None ? uniform({4}, 8, -1, 1, DType::Float64) : S(1.0);
      auto f = [&](const Tensor& in) { return cross_entropy(in, t, w, r, -100, eps); };
      const Tensor got = grad({f(x)}, {x}, {r == Reduction::None ? probe : ones({}, DType::Float64)})[0];
      CHECK_SAME(got, numeric_grad(f, x, probe), 1e-6);
    }
}

TEST(cross_entropy_double_backward_matches_finite_differences) {
  // The gradient of <d loss / d x, v> for x and for a probability target, against differences of the first gradient.
  const Tensor v = uniform({3, 4}, 9, -1, 1, DType::Float64);
  const Tensor p0 = softmax(uniform({3, 4}, 10, -1, 1, DType::Float64), 1);
  for (bool probs : {false, true}) {
    Tensor x = uniform({3, 4}, 11, -2, 2, DType::Float64);
    Tensor p = clone(p0);
    set_requires_grad(x, true);
    set_requires_grad(p, true);
    const Tensor t = probs ? p : make({3, 0, 2}, {3}, DType::Int64);
    auto first = [&](const Tensor& in, const Tensor& target) {
      Tensor leaf = in;
      if (!requires_grad(leaf)) set_requires_grad(leaf, true);
      return grad({cross_entropy(leaf, target, {}, Reduction::Mean, -100, 0.1)}, {leaf}, {}, false, true)[0];
    };
    const Tensor gx = first(x, t);
    const Tensor second = grad({sum(mul(gx, v))}, {x})[0];
    CHECK_SAME(second, numeric_grad([&](const Tensor& in) { return first(clone(in), probs ? detach(p) : t); }, x, v),
               1e-5);
    if (probs) {
      const Tensor gx2 = first(x, p);
      const Tensor by_target = grad({sum(mul(gx2, v))}, {p})[0];
      CHECK_SAME(by_target,
                 numeric_grad([&](const Tensor& in) { return first(detach(clone(x)), in); }, p0, v), 1e-5);
    }
  }
}

TEST(cross_entropy_is_thread_independent) {
  // long rows (one at a time) and short ones (blocks of rows)
  for (const Shape& shape : {Shape{64, 1000}, Shape{4096, 10}}) {
    const Tensor x = uniform(shape, 12, -5, 5);
    const Tensor t = remainder(arange(0, static_cast<double>(shape[0] * 37), 37, DType::Int64), Scalar(shape[1]));
    Tensor l1, l2, g1, g2;
    for (int threads : {1, 2}) {
      ThreadCount tc(threads);
      Tensor xg = clone(x);
      set_requires_grad(xg, true);
      const Tensor l = cross_entropy(xg, t, {}, Reduction::None, -100, 0.1);
      const Tensor g = grad({sum(l)}, {xg})[0];
      (threads == 1 ? l1 : l2) = l;
      (threads == 1 ? g1 : g2) = g;
    }
    CHECK_SAME(l1, l2, 0);
    CHECK_SAME(g1, g2, 0);
    CHECK_SAME(l1, reference_ce(x, t, {}, Reduction::None, -100, 0.1), 1e-5);
  }
}

TEST(cross_entropy_gradients_past_the_last_level_cache_are_streamed_with_the_same_bits) {
  // A gradient of at least the last-level cache's size is computed a row at a time in a buffer and streamed out
  // (stream_store.h); slices of 100 rows are small enough to be stored plainly and must give the same bits. Rows
  // of 4099 classes start at every offset within a cache line. Some targets are ignored, some smoothed.
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const int64_t rows = dtype == DType::Float32 ? 4100 : 2100, n = 4099;  // 67 and 69 MB
    const Tensor x = uniform({rows, n}, 24, -20, 20, dtype);
    Tensor t = remainder(arange(0, static_cast<double>(rows * 37), 37, DType::Int64), Scalar(n));
    t = where(eq(remainder(t, Scalar(7)), wrapped_scalar(Scalar(0))), full({rows}, Scalar(-100), DType::Int64), t);
    auto gradient = [&](const Tensor& xs, const Tensor& ts) {
      Tensor xg = detach(xs);
      set_requires_grad(xg, true);
      return grad({cross_entropy(xg, ts, {}, Reduction::Sum, -100, 0.1)}, {xg})[0];
    };
    const Tensor g = gradient(x, t);
    for (int64_t r : {int64_t(0), rows / 2 - 37, rows - 100})
      CHECK_SAME(slice(g, 0, r, r + 100), gradient(slice(x, 0, r, r + 100), slice(t, 0, r, r + 100)), 0);
  }
}

TEST(nll_loss_is_cross_entropy_of_log_probabilities) {
  const Tensor x = uniform({5, 4, 3}, 13, -2, 2, DType::Float64);
  const Tensor t = make({0, 1, 2, 3, -100, 1, 2, 3, 0, 1, 2, 3, 3, 3, 3}, {5, 3}, DType::Int64);
  const Tensor w = make({1, 2, 3, 4}, {4}, DType::Float64);
  for (Reduction r : {Reduction::None, Reduction::Mean, Reduction::Sum})
    CHECK_SAME(nll_loss(log_softmax(x, 1), t, w, r), cross_entropy(x, t, w, r), 1e-12);
  // every target ignored: the mean is 0 / 0
  const Tensor all_ignored = nll_loss(x, make({-100, -100, -100, -100, -100, -100, -100, -100, -100, -100, -100, -100,
                                              -100, -100, -100},
                                             {5, 3}, DType::Int64));
  CHECK(std::isnan(values(all_ignored)[0]));
}

// Positions per sample (a [N, C, L] input) across the threads' chunks, which begin inside a sample: the picked
// log-probabilities, against a gather, and the gradient against a scatter of the weights.
TEST(nll_loss_over_long_samples_matches_a_gather) {
  const int64_t n = 3, c = 4, l = 30001;
  const Tensor x = uniform({n, c, l}, 61, -3, 0, DType::Float64);
  std::vector<double> tv = values(uniform({n, l}, 62, 0, static_cast<double>(c), DType::Float64));
  for (size_t i = 0; i < tv.size(); ++i) tv[i] = i % 11 == 0 ? -100 : std::floor(tv[i]);
  const Tensor t = make(tv, {n, l}, DType::Int64);
  const Tensor kept = to(ne(t, full({}, Scalar(int64_t{-100}), DType::Int64)), DType::Float64);
  const Tensor picked = squeeze(gather(x, 1, unsqueeze(clamp_min(t, Scalar(int64_t{0})), 1)), 1);
  const Tensor want = mul(neg(picked), kept);
  CHECK_SAME(nll_loss(x, t, {}, Reduction::None), want, 0);
  CHECK_SAME(nll_loss(x, t), div(sum(want), sum(kept)), 1e-12);
  Tensor xg = clone(x);
  set_requires_grad(xg, true);
  const Tensor g = kiln::grad({nll_loss(xg, t, {}, Reduction::Sum)}, {xg})[0];
  CHECK_SAME(sum(g, {1}), neg(kept), 0);
  CHECK_SAME(squeeze(gather(g, 1, unsqueeze(clamp_min(t, Scalar(int64_t{0})), 1)), 1), neg(kept), 0);
}

TEST(point_losses_at_their_branch_points) {
  const Tensor d = make({-2, -1, -0.5, 0, 0.5, 1, 2}, {7}, DType::Float64);
  const Tensor z = zeros({7}, DType::Float64);
  CHECK_SAME(smooth_l1_loss(d, z, Reduction::None, 1.0), make({1.5, 0.5, 0.125, 0, 0.125, 0.5, 1.5}, {7}), 1e-12);
  CHECK_SAME(smooth_l1_loss(d, z, Reduction::None, 0.0), abs(d), 0);
  CHECK_SAME(huber_loss(d, z, Reduction::None, 1.0), make({1.5, 0.5, 0.125, 0, 0.125, 0.5, 1.5}, {7}), 1e-12);
  CHECK_SAME(smooth_l1_loss_backward(ones({7}, DType::Float64), d, z, Reduction::None, 0.0),
             make({-1, -1, -1, -1, 1, 1, 1}, {7}), 0);
  CHECK_SAME(l1_loss_backward(ones({}, DType::Float64), d, z, Reduction::Sum), make({-1, -1, -1, 0, 1, 1, 1}, {7}), 0);
  CHECK_SAME(mse_loss(d, z, Reduction::Mean), make({10.5 / 7}, {}), 1e-12);
  // binary cross entropy: logs clamped at -100, so certainty that is wrong costs 100
  const Tensor p = make({0, 1, 0, 1, 0.5}, {5});
  const Tensor y = make({0, 1, 1, 0, 0.3}, {5});
  CHECK_SAME(binary_cross_entropy(p, y, {}, Reduction::None), make({0, 0, 100, 100, std::log(2.0)}, {5}), 1e-6);
  // with logits: no overflow at +-1e4, and pos_weight scales the positive term
  const Tensor l = make({1e4, -1e4, 0, 50, -50}, {5});
  const Tensor lt = make({1, 1, 0.5, 0, 1}, {5});
  CHECK_SAME(binary_cross_entropy_with_logits(l, lt, {}, {}, Reduction::None),
             make({0, 1e4, std::log(2.0), 50, 50}, {5}), 1e-6);
  CHECK_SAME(binary_cross_entropy_with_logits(l, lt, {}, make({3}, {1}), Reduction::None),
             make({0, 3e4, 2 * std::log(2.0), 50, 150}, {5}), 1e-6);
  // kl_div: 0 log 0 is 0; log_target compares log-probabilities
  const Tensor kx = make({0.3, -0.2}, {2}, DType::Float64), kt = make({0, 0.5}, {2}, DType::Float64);
  CHECK_SAME(kl_div(kx, kt, Reduction::None), make({0, 0.5 * std::log(0.5) + 0.1}, {2}, DType::Float64), 1e-12);
  CHECK_SAME(kl_div(kx, kt, Reduction::None, true), mul(exp(kt), sub(kt, kx)), 1e-12);
}

TEST(point_loss_gradients_match_finite_differences) {
  const Tensor t = uniform({2, 3}, 14, 0.1, 0.9, DType::Float64);
  const Tensor probe = uniform({2, 3}, 15, -1, 1, DType::Float64);
  const std::vector<std::function<Tensor(const Tensor&, const Tensor&)>> losses = {
      [](const Tensor& a, const Tensor& b) { return mse_loss(a, b, Reduction::None); },
      [](const Tensor& a, const Tensor& b) { return smooth_l1_loss(a, b, Reduction::None, 0.5); },
      [](const Tensor& a, const Tensor& b) { return huber_loss(a, b, Reduction::None, 0.5); },
      [](const Tensor& a, const Tensor& b) { return kl_div(a, b, Reduction::None); },
      [](const Tensor& a, const Tensor& b) { return kl_div(a, b, Reduction::None, true); },
      [](const Tensor& a, const Tensor& b) { return binary_cross_entropy(sigmoid(a), b, {}, Reduction::None); },
      [](const Tensor& a, const Tensor& b) {
        return binary_cross_entropy_with_logits(a, b, make({0.5, 1, 2}, {3}, DType::Float64),
                                                make({2, 1, 0.5}, {3}, DType::Float64), Reduction::None);
      },
  };
  for (const auto& f : losses) {
    Tensor x = uniform({2, 3}, 16, -1, 1, DType::Float64), y = clone(t);
    set_requires_grad(x, true);
    set_requires_grad(y, true);
    const TensorList g = grad({f(x, y)}, {x, y}, {probe});
    CHECK_SAME(g[0], numeric_grad([&](const Tensor& in) { return f(in, t); }, x, probe), 1e-6);
    CHECK_SAME(g[1], numeric_grad([&](const Tensor& in) { return f(detach(x), in); }, t, probe), 1e-6);
  }
}

TEST(composite_losses_reduce_like_pytorch) {
  const Tensor a = uniform({4, 3}, 17), p = uniform({4, 3}, 18), n = uniform({4, 3}, 19);
  CHECK_SHAPE(triplet_margin_loss(a, p, n, 1, 2, 1e-6, true, Reduction::None), {4});
  CHECK_SHAPE(cosine_embedding_loss(a, p, make({1, -1, 1, -1}, {4}), 0.1, Reduction::None), {4});
  CHECK_SHAPE(multilabel_soft_margin_loss(a, to(ge(p, S(0)), DType::Float32), {}, Reduction::None), {4});
  CHECK_SHAPE(gaussian_nll_loss(a, p, uniform({4}, 20, 0.1, 1), false, 1e-6, Reduction::None), {4, 3});
  // the distance to itself is eps-sized, so the loss of a triplet whose negative is the anchor is about the margin
  CHECK(test::close(values(triplet_margin_loss(a, a, a, 1.0))[0], 1.0, 1e-5));
  CHECK_SAME(margin_ranking_loss(make({1, 2}, {2}), make({2, 1}, {2}), make({1, 1}, {2}), 0.5, Reduction::None),
             make({1.5, 0}, {2}), 0);
  CHECK_SAME(hinge_embedding_loss(make({0.3, 2}, {2}), make({-1, 1}, {2}), 1.0, Reduction::None), make({0.7, 2}, {2}),
             1e-7);
}

TEST(sixteen_bit_inputs_compute_in_float32) {
  const Tensor x = uniform({4, 6}, 21, -2, 2);
  const Tensor t = make({0, 5, 2, 3}, {4}, DType::Int64);
  for (DType half : {DType::BFloat16, DType::Float16}) {
    const Tensor xh = to(x, half);
    const Tensor l = cross_entropy(xh, t, {}, Reduction::None);
    CHECK_EQ(l.dtype(), half);
    CHECK_SAME(l, to(cross_entropy(to(xh, DType::Float32), t, {}, Reduction::None), half), 0);
    CHECK_EQ(mse_loss(xh, xh).dtype(), half);
  }
}

TEST(bad_input_raises_and_changes_nothing) {
  const Tensor x = uniform({3, 4}, 22);
  const Tensor before = clone(x);
  expect_error(ErrorKind::Index, "cross_entropy: Target 12 is out of bounds.",
               [&] { cross_entropy(x, make({0, 12, 1}, {3}, DType::Int64)); });
  expect_error(ErrorKind::Index, "Target -1 is out of bounds.",
               [&] { nll_loss(x, make({0, -1, 1}, {3}, DType::Int64)); });
  expect_error(ErrorKind::Shape, "Expected input batch_size (3) to match target batch_size (2).",
               [&] { cross_entropy(x, make({0, 1}, {2}, DType::Int64)); });
  expect_error(ErrorKind::Shape, "weight tensor should be defined either for all 4 classes",
               [&] { cross_entropy(x, make({0, 1, 2}, {3}, DType::Int64), ones({3})); });
  expect_error(ErrorKind::DType, "expected a target of dtype int64",
               [&] { cross_entropy(x, make({0, 1, 2}, {3}, DType::Int32)); });
  expect_error(ErrorKind::Argument, "label_smoothing must be between 0.0 and 1.0",
               [&] { cross_entropy(x, make({0, 1, 2}, {3}, DType::Int64), {}, Reduction::Mean, -100, 1.5); });
  expect_error(ErrorKind::Argument, "all elements of input should be between 0 and 1",
               [&] { binary_cross_entropy(add(x, S(2)), zeros({3, 4})); });
  expect_error(ErrorKind::Shape, "must be the same as input size",
               [&] { binary_cross_entropy_with_logits(x, zeros({4})); });
  expect_error(ErrorKind::Argument, "huber_loss does not support non-positive values for delta",
               [&] { huber_loss(x, x, Reduction::Mean, 0); });
  expect_error(ErrorKind::DType, "mse_loss: not implemented for 'int64'",
               [&] { mse_loss(ones({2}, DType::Int64), ones({2}, DType::Int64)); });
  expect_error(ErrorKind::Argument, "var has negative entry/entries",
               [&] { gaussian_nll_loss(x, x, neg(ones({3, 4}))); });
  CHECK_SAME(x, before, 0);
}

