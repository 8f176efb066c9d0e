// ctc_loss against the sum over every path of frames (enumerated: C^T paths, collapsed by merging repeats and
// dropping blanks), its gradient against finite differences in float64 (on log_probs that are not normalized, where
// PyTorch's kernel would differ), zero_infinity, lengths and layouts; multi_margin_loss and multilabel_margin_loss
// against their definitions written out as loops; lp_pool against the p-norm of each window; and bad input.
#include <cmath>
#include <limits>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::make;
using test::numeric_grad;
using test::uniform;
using test::values;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor longs(const std::vector<double>& v) { return make(v, {static_cast<int64_t>(v.size())}, DType::Int64); }

// -log of the summed probability of the paths over frames [0, frames) of element n of lp [T, N, C] (float64) that
// collapse to `target`.
double brute_force_nll(const Tensor& lp, int64_t n, int64_t frames, const std::vector<int64_t>& target,
                       int64_t blank) {
  const std::vector<double> v = values(lp);
  const int64_t batch = lp.size(1), classes = lp.size(2);
  int64_t paths = 1;
  for (int64_t t = 0; t < frames; ++t) paths *= classes;
  double total = 0;
  for (int64_t code = 0; code < paths; ++code) {
    std::vector<int64_t> collapsed;
    int64_t rest = code, previous = -1;
    double logp = 0;
    for (int64_t t = 0; t < frames; ++t, rest /= classes) {
      const int64_t c = rest % classes;
      logp += v[static_cast<size_t>((t * batch + n) * classes + c)];
      if (c != blank && c != previous) collapsed.push_back(c);
      previous = c;
    }
    if (collapsed == target) total += std::exp(logp);
  }
  return -std::log(total);
}

}  // namespace

TEST(ctc_loss_sums_every_alignment) {
  // Element 0: a repeated label (needs a blank between); 1: a shorter input; 2: the empty target; 3: a target that
  // no alignment of 2 frames fits (inf); blank 0 and blank 2.
  const Tensor lp = uniform({5, 4, 3}, 1, -2.5, 0, DType::Float64);  // not normalized: any real scores
  const std::vector<std::vector<int64_t>> targets{{1, 1}, {2, 1}, {}, {1, 1}};
  const std::vector<int64_t> frames{5, 4, 3, 2};
  const Tensor padded = make({1, 1, 2, 1, 0, 0, 1, 1}, {4, 2}, DType::Int64);
  const Tensor nll = ctc_loss(lp, padded, longs({5, 4, 3, 2}), longs({2, 2, 0, 2}), 0, Reduction::None);
  for (int64_t n = 0; n < 4; ++n)
    CHECK(test::close(values(nll)[n], brute_force_nll(lp, n, frames[n], targets[n], 0), 1e-12));
  CHECK(values(nll)[3] == kInf);
  // The same targets concatenated; blank 2 (label 2 of element 1 becomes 0).
  const Tensor flat = longs({1, 1, 0, 1, 1, 1});
  const Tensor other = ctc_loss(lp, flat, longs({5, 4, 3, 2}), longs({2, 2, 0, 2}), 2, Reduction::None);
  const std::vector<std::vector<int64_t>> targets2{{1, 1}, {0, 1}, {}, {1, 1}};
  for (int64_t n = 0; n < 4; ++n)
    CHECK(test::close(values(other)[n], brute_force_nll(lp, n, frames[n], targets2[n], 2), 1e-12));
  // Reductions as PyTorch: mean divides by the target lengths (at least 1) first; zero_infinity zeroes the inf.
  const Tensor finite = ctc_loss(lp, padded, longs({5, 4, 3, 2}), longs({2, 2, 0, 2}), 0, Reduction::None, true);
  CHECK_VALUES(finite, 1e-12, {values(nll)[0], values(nll)[1], values(nll)[2], 0.0});
  const double mean = (values(nll)[0] / 2 + values(nll)[1] / 2 + values(nll)[2] / 1 + 0) / 4;
  CHECK_VALUES(ctc_loss(lp, padded, longs({5, 4, 3, 2}), longs({2, 2, 0, 2}), 0, Reduction::Mean, true), 1e-12,
               {mean});
  // float32 log_probs: the same within float rounding; unbatched [T, C] input gives a 0-dim loss.
  CHECK(test::close(values(ctc_loss(to(lp, DType::Float32), padded, longs({5, 4, 3, 2}), longs({2, 2, 0, 2}), 0,
                                    Reduction::Sum, true))[0],
                    values(sum(finite))[0], 1e-6));
  const Tensor one = ctc_loss(select(lp, 1, 0), longs({1, 1}), longs({5}), longs({2}), 0, Reduction::None);
  CHECK_SHAPE(one, {});
  CHECK_VALUES(one, 1e-12, {values(nll)[0]});
}

TEST(ctc_loss_gradient_matches_finite_differences) {
  const Tensor padded = make({1, 2, 2, 2, 1, 0}, {2, 3}, DType::Int64);
  const Tensor il = longs({6, 4}), tl = longs({3, 1});
  for (Reduction r : {Reduction::None, Reduction::Mean, Reduction::Sum}) {
    Tensor lp = uniform({6, 2, 4}, 2, -3, 0.5, DType::Float64);
    set_requires_grad(lp, true);
    const Tensor probe = r == Reduction::None ? make({0.7, -1.3}, {2}, DType::Float64) : ones({}, DType::Float64);
    auto f = [&](const Tensor& in) { return ctc_loss(in, padded, il, tl, 0, r); };
    const Tensor got = grad({f(lp)}, {lp}, {probe})[0];
    CHECK_SAME(got, numeric_grad(f, lp, probe), 1e-6);
    // frames past an element's input length get no gradient
    CHECK_VALUES(sum(abs(narrow(select(got, 1, 1), 0, 4, 2))), 0, {0.0});
  }
  // float32 runs the recursions in float32 (vectorized): the loss and gradient of float64 to float rounding.
  {
    const Tensor lp64 = uniform({6, 2, 4}, 2, -3, 0.5, DType::Float64);
    Tensor lp32 = to(lp64, DType::Float32);
    set_requires_grad(lp32, true);
    const Tensor l32 = ctc_loss(lp32, padded, il, tl, 0, Reduction::Sum);
    CHECK(test::close(values(l32)[0], values(ctc_loss(lp64, padded, il, tl, 0, Reduction::Sum))[0], 1e-6));
    Tensor lp = lp64;
    set_requires_grad(lp, true);
    const Tensor g64 = grad({ctc_loss(lp, padded, il, tl, 0, Reduction::Sum)}, {lp})[0];
    CHECK_SAME(to(grad({l32}, {lp32})[0], DType::Float64), g64, 1e-5);
  }
  // Through log_softmax the gradient for the logits is softmax - occupancy: each frame's sums to 0.
  Tensor logits = uniform({6, 2, 4}, 3, -2, 2, DType::Float64);
  set_requires_grad(logits, true);
  const Tensor g = grad({ctc_loss(log_softmax(logits, 2), padded, il, tl, 0, Reduction::Sum)}, {logits})[0];
  CHECK_VALUES(amax(abs(sum(g, {2}))), 1e-12, {0.0});
}

TEST(ctc_loss_infinite_losses) {
  Tensor lp = log_softmax(uniform({2, 1, 3}, 4, -1, 1, DType::Float64), 2);
  set_requires_grad(lp, true);
  const Tensor target = make({1, 1}, {1, 2}, DType::Int64);  // needs 3 frames
  const Tensor g0 = grad({ctc_loss(lp, target, longs({2}), longs({2}), 0, Reduction::Sum, true)}, {lp})[0];
  CHECK_VALUES(g0, 0, {0, 0, 0, 0, 0, 0});
  const Tensor loss = ctc_loss(lp, target, longs({2}), longs({2}), 0, Reduction::Sum, false);
  CHECK(values(loss)[0] == kInf);
  CHECK(std::isnan(values(grad({loss}, {lp})[0])[0]));  // the derivative of an infinite loss, as in PyTorch
  // No frames: the empty target has probability 1, any other none.
  CHECK_VALUES(ctc_loss(uniform({2, 2, 3}, 12), make({1, 0}, {2, 1}, DType::Int64), longs({0, 0}), longs({0, 1}), 0,
                        Reduction::None),
               0, {0.0, kInf});
}

TEST(ctc_loss_second_derivative_is_refused_for_log_probs) {
  Tensor lp = log_softmax(uniform({4, 1, 3}, 5, -1, 1, DType::Float64), 2);
  set_requires_grad(lp, true);
  const Tensor loss = ctc_loss(lp, make({1, 2}, {1, 2}, DType::Int64), longs({4}), longs({2}), 0, Reduction::Sum);
  const Tensor g = grad({loss}, {lp}, {}, false, true)[0];
  CHECK_THROWS(grad({sum(mul(g, g))}, {lp}), NotImplemented, "ctc_loss: the second derivative");
}

TEST(ctc_loss_bad_input) {
  const Tensor lp = uniform({4, 2, 3}, 6);
  const Tensor t = make({1, 2, 1, 0}, {2, 2}, DType::Int64);
  const Tensor il = longs({4, 3}), tl = longs({2, 1});
  CHECK_THROWS(ctc_loss(lp, t, il, tl, 3), Argument, "ctc_loss: blank must be in label range [0, 3), got 3");
  CHECK_THROWS(ctc_loss(lp, t, longs({5, 3}), tl), Argument, "input_lengths to have values in [0, 4]");
  CHECK_THROWS(ctc_loss(lp, t, il, longs({-1, 1})), Argument, "target_lengths to be non-negative");
  CHECK_THROWS(ctc_loss(lp, t, longs({4}), tl), Shape, "input_lengths must be of size batch_size (2)");
  CHECK_THROWS(ctc_loss(lp, t, il, longs({3, 1})), Shape, "at least the longest target length (3)");
  CHECK_THROWS(ctc_loss(lp, longs({1, 2}), il, tl), Shape, "concatenated targets of the target lengths' sum (3)");
  CHECK_THROWS(ctc_loss(lp, make({1, 3, 1, 0}, {2, 2}, DType::Int64), il, tl), Index,
               "target 3 of element 0 is out of the label range [0, 3)");
  CHECK_THROWS(ctc_loss(lp, to(t, DType::Float32), il, tl), DType, "expected integral targets");
  CHECK_THROWS(ctc_loss(lp, t, to(il, DType::Float32), tl), DType, "input_lengths must be integral");
  CHECK_THROWS(ctc_loss(unsqueeze(lp, 0), t, il, tl), Shape, "expected log_probs of 3 dims");
  CHECK_THROWS(ctc_loss(to(lp, DType::Int64), t, il, tl), DType, "not implemented for 'int64' log_probs");
}

TEST(multi_margin_loss_matches_its_definition) {
  const Tensor x = uniform({4, 5}, 7, -1, 1, DType::Float64);
  const std::vector<int64_t> y{0, 4, 2, 2};
  const Tensor w = make({0.5, 1, 1.5, 2, 3}, {5}, DType::Float64);
  const std::vector<double> xv = values(x), wv = values(w);
  for (int64_t p : {1, 2})
    for (bool weighted : {false, true}) {
      const double margin = 0.7;
      std::vector<double> want;
      for (int64_t n = 0; n < 4; ++n) {
        double s = 0;
        for (int64_t d = 0; d < 5; ++d) {
          const double z = margin - xv[n * 5 + y[n]] + xv[n * 5 + d];
          if (d == y[n] || z <= 0) continue;
          s += (p == 1 ? z : z * z) * (weighted ? wv[y[n]] : 1.0);
        }
        want.push_back(s / 5);
      }
      const Tensor t = longs({0, 4, 2, 2});
      CHECK_VALUES(multi_margin_loss(x, t, p, margin, weighted ? w : Tensor(), Reduction::None), 1e-12, want);
      Tensor xg = x;
      set_requires_grad(xg, true);
      auto f = [&](const Tensor& in) { return multi_margin_loss(in, t, p, margin, weighted ? w : Tensor()); };
      CHECK_SAME(grad({f(xg)}, {xg})[0], numeric_grad(f, x, ones({}, DType::Float64)), 1e-6);
    }
  // [C] input with a 0-dim target is one sample; a 0-dim input is one class (no other class, so 0).
  CHECK_SHAPE(multi_margin_loss(select(x, 0, 1), make({4}, {}, DType::Int64), 1, 1, {}, Reduction::None), {});
  CHECK_VALUES(multi_margin_loss(make({1.5}, {}), make({0}, {}, DType::Int64)), 0, {0.0});
  CHECK_THROWS(multi_margin_loss(x, longs({0, 5, 1, 1})), Index, "multi_margin_loss: target out of range: 5");
  CHECK_THROWS(multi_margin_loss(x, longs({0, 1})), Shape, "inconsistent target size, expected 4 but got [2]");
  CHECK_THROWS(multi_margin_loss(x, longs({0, 1, 1, 1}), 3), Argument, "only p == 1 and p == 2 supported");
  CHECK_THROWS(multi_margin_loss(x, longs({0, 1, 1, 1}), 1, 1, ones({4}, DType::Float64)), Shape,
               "inconsistent weight size, expected 5 but got [4]");
  CHECK_THROWS(multi_margin_loss(uniform({2, 3, 4}, 8), longs({0, 1})), Shape, "Expected non-empty vector or matrix");
}

TEST(multilabel_margin_loss_matches_its_definition) {
  const Tensor x = uniform({3, 4}, 9, -1, 1, DType::Float64);
  // Sample 0: targets 3, 0 (then -1 ends the list; the 1 after it is not a target); 1: 1, 2, 3; 2: 0 listed twice.
  const std::vector<double> tv{3, 0, -1, 1, 1, 2, 3, -1, 0, 0, -1, 2};
  const Tensor t = make(tv, {3, 4}, DType::Int64);
  const std::vector<double> xv = values(x);
  std::vector<double> want;
  for (int64_t n = 0; n < 3; ++n) {
    bool target[4] = {false, false, false, false};
    int64_t listed = 0;
    while (listed < 4 && tv[n * 4 + listed] >= 0) target[static_cast<int64_t>(tv[n * 4 + listed++])] = true;
    double s = 0;
    for (int64_t j = 0; j < listed; ++j)
      for (int64_t d = 0; d < 4; ++d)
        if (!target[d]) s += std::max(0.0, 1 - xv[n * 4 + static_cast<int64_t>(tv[n * 4 + j])] + xv[n * 4 + d]);
    want.push_back(s / 4);
  }
  CHECK_VALUES(multilabel_margin_loss(x, t, Reduction::None), 1e-12, want);
  Tensor xg = x;
  set_requires_grad(xg, true);
  auto f = [&](const Tensor& in) { return multilabel_margin_loss(in, t, Reduction::Sum); };
  CHECK_SAME(grad({f(xg)}, {xg})[0], numeric_grad(f, x, ones({}, DType::Float64)), 1e-6);
  CHECK_SHAPE(multilabel_margin_loss(select(x, 0, 0), select(t, 0, 0), Reduction::None), {});
  CHECK_THROWS(multilabel_margin_loss(x, make({4, -1, 0, 0, 1, -1, 0, 0, 2, -1, 0, 0}, {3, 4}, DType::Int64)), Index,
               "target index 4 is out of range (4 classes)");
  CHECK_THROWS(multilabel_margin_loss(x, narrow(t, 1, 0, 3)), Shape, "inconsistent target size: [3, 3]");
  CHECK_THROWS(multilabel_margin_loss(x, to(t, DType::Float32)), DType, "expected a target of dtype int64");
}

TEST(lp_pool_is_the_norm_of_each_window) {
  const Tensor x = uniform({2, 3, 5, 6}, 10, -2, 2, DType::Float64);
  const Tensor sq = lp_pool2d(x, 2, {2, 3}, {2, 2});
  CHECK_SAME(sq, sqrt(mul(avg_pool2d(mul(x, x), {2, 3}, {2, 2}), wrapped_scalar(Scalar(6.0)))), 1e-12);
  // p = 1 over positive values is the window sum; 1-D and 3-D likewise.
  const Tensor pos = abs(x);
  CHECK_SAME(lp_pool1d(reshape(pos, {2, 3, 30}), 1, 4), mul(avg_pool1d(reshape(pos, {2, 3, 30}), 4),
                                                           wrapped_scalar(Scalar(4.0))), 1e-12);
  CHECK_SAME(lp_pool3d(pos, 1, {1, 2, 2}), mul(avg_pool3d(pos, {1, 2, 2}), wrapped_scalar(Scalar(4.0))), 1e-12);
  // An odd p over positive values (a negative window sum has no real root: NaN, as in PyTorch), ceil_mode.
  Tensor xg = add(pos, wrapped_scalar(Scalar(0.1)));
  set_requires_grad(xg, true);
  auto f = [&](const Tensor& in) { return lp_pool2d(in, 3, {2, 2}, {}, true); };
  const Tensor probe = uniform(f(xg).shape(), 11, -1, 1, DType::Float64);
  CHECK_SAME(grad({f(xg)}, {xg}, {probe})[0], numeric_grad(f, detach(xg), probe), 1e-6);
  CHECK_THROWS(lp_pool2d(x, 0, {2, 2}), Argument, "lp_pool2d: norm_type must not be 0");
}
