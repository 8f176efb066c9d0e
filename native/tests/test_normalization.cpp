// Batch, instance, layer, group and RMS norm: values against a float64 reference composed of ordinary ops, first
// and second derivatives against the reference's, running statistics, both batch-norm layouts, thread
// independence, bad input.
#include <cmath>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::make;
using test::ThreadCount;
using test::uniform;

namespace {

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }

Tensor f64(const Tensor& t) { return to(t, DType::Float64); }

// (x - mean) / sqrt(var + eps) over dims, then the affine (w, b broadcast as given; undefined: none).
Tensor normalize_ref(const Tensor& x, const Dims& dims, double eps, const Tensor& w, const Tensor& b) {
  const Tensor m = mean(x, dims, true);
  const Tensor v = mean(mul(sub(x, m), sub(x, m)), dims, true);
  Tensor y = div(sub(x, m), sqrt(add(v, S(eps))));
  if (w.defined()) y = mul(y, w);
  if (b.defined()) y = add(y, b);
  return y;
}

Tensor channel_view(const Tensor& t, int64_t dims) {
  if (!t.defined()) return t;
  Shape s(static_cast<size_t>(dims), 1);
  s[1] = t.numel();
  return reshape(t, s);
}

Dims all_but_1(int64_t dims) {
  Dims d;
  for (int64_t i = 0; i < dims; ++i)
    if (i != 1) d.push_back(i);
  return d;
}

Tensor batch_norm_ref(const Tensor& x, const Tensor& w, const Tensor& b, double eps) {
  return normalize_ref(x, all_but_1(x.dim()), eps, channel_view(w, x.dim()), channel_view(b, x.dim()));
}

Tensor leaf(const Tensor& t) {
  Tensor l = detach(t);
  set_requires_grad(l, true);
  return l;
}

// First and second derivatives of f and ref agree: grad of sum(f(in) seed) in every input, then the gradient of
// sum(grad_x v) (a Hessian-vector product) in every input.
template <class F, class R>
void check_derivatives(F f, R ref, const TensorList& inputs, double tol) {
  TensorList a, b;
  for (const Tensor& t : inputs) {
    a.push_back(leaf(f64(t)));
    b.push_back(leaf(f64(t)));
  }
  const Tensor ya = f(a), yb = ref(b);
  CHECK_SAME(ya, yb, tol);
  const Tensor seed = uniform(ya.shape(), 99, -1, 1, DType::Float64);
  const TensorList ga = kiln::grad({sum(mul(ya, seed))}, a, {}, true, true);
  const TensorList gb = kiln::grad({sum(mul(yb, seed))}, b, {}, true, true);
  for (size_t i = 0; i < ga.size(); ++i) CHECK_SAME(ga[i], gb[i], tol);
  const Tensor v = uniform(inputs[0].shape(), 7, -1, 1, DType::Float64);
  const TensorList ha = kiln::grad({sum(mul(ga[0], v))}, a, {}, true, false, true);
  const TensorList hb = kiln::grad({sum(mul(gb[0], v))}, b, {}, true, false, true);
  for (size_t i = 0; i < ha.size(); ++i) {
    const Tensor z = zeros(inputs[i].shape(), DType::Float64);
    CHECK_SAME(ha[i].defined() ? ha[i] : z, hb[i].defined() ? hb[i] : z, tol);
  }
}

}  // namespace

TEST(batch_norm_training_matches_the_reference_in_both_layouts) {
  // [n, c, s] with s >= 16 (runs per channel) and s < 16 (rows of c * s columns), and plain [n, c].
  for (const Shape& shape : {Shape{4, 3, 5, 7}, Shape{6, 5, 3}, Shape{40, 6}, Shape{3, 2, 1000}}) {
    const Tensor x = uniform(shape, 1, -2, 3);
    const Tensor w = uniform({shape[1]}, 2, 0.5, 1.5), b = uniform({shape[1]}, 3);
    const Tensor y = batch_norm(x, Tensor(), Tensor(), w, b, true, 0.1, 1e-5);
    CHECK_EQ(y.dtype(), DType::Float32);
    CHECK_SAME(y, batch_norm_ref(f64(x), f64(w), f64(b), 1e-5), 2e-5);
  }
}

TEST(batch_norm_moves_running_statistics_as_pytorch) {
  const Tensor x = uniform({5, 3, 4}, 4, -1, 4, DType::Float64);
  Tensor rm = make({0.5, -1, 2}, {3}, DType::Float64), rv = make({1, 2, 0.5}, {3}, DType::Float64);
  const Tensor rm0 = clone(rm), rv0 = clone(rv);
  const uint32_t version = kiln::version(rm);
  batch_norm(x, rm, rv, Tensor(), Tensor(), true, 0.3, 1e-5);
  const Dims dims{0, 2};
  const Tensor m = mean(x, dims), v = var(x, dims, 1);  // the unbiased variance
  CHECK_SAME(rm, add(mul(rm0, S(0.7)), mul(m, S(0.3))), 1e-12);
  CHECK_SAME(rv, add(mul(rv0, S(0.7)), mul(v, S(0.3))), 1e-12);
  CHECK_EQ(kiln::version(rm), version);  // as PyTorch: the graph does not see the update
  // Evaluation uses them and leaves them alone.
  const Tensor rm1 = clone(rm);
  const Tensor y = batch_norm(x, rm, rv, Tensor(), Tensor(), false, 0.3, 1e-5);
  CHECK_SAME(y, div(sub(x, reshape(rm, {1, 3, 1})), sqrt(add(reshape(rv, {1, 3, 1}), S(1e-5)))), 1e-12);
  CHECK_SAME(rm, rm1, 0);
}

TEST(batch_norm_statistics_survive_a_large_offset) {
  // Values 1e4 away from 0 with unit spread: shifted sums keep the variance exact to float precision.
  const Tensor x = add(uniform({64, 2, 40}, 5, -1, 1), S(1e4));
  const auto [y, m, invstd] = native_batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 0);
  const Tensor v = var(f64(x), {0, 2}, 0);
  CHECK_SAME(invstd, rsqrt(v), 1e-4);
  CHECK_SAME(y, batch_norm_ref(f64(x), Tensor(), Tensor(), 0), 1e-3);
}

TEST(batch_norm_derivatives_match_the_reference) {
  for (bool affine : {true, false})
    for (const Shape& shape : {Shape{3, 2, 17}, Shape{5, 3}}) {
      const Tensor x = uniform(shape, 8, -2, 2);
      TensorList in{x};
      if (affine) in.insert(in.end(), {uniform({shape[1]}, 9, 0.5, 1.5), uniform({shape[1]}, 10)});
      check_derivatives(
          [&](const TensorList& a) {
            const Tensor w = affine ? a[1] : Tensor(), b = affine ? a[2] : Tensor();
            return batch_norm(a[0], Tensor(), Tensor(), w, b, true, 0.1, 1e-5);
          },
          [&](const TensorList& a) {
            return batch_norm_ref(a[0], affine ? a[1] : Tensor(), affine ? a[2] : Tensor(), 1e-5);
          },
          in, 1e-9);
    }
}

TEST(batch_norm_evaluation_derivatives_match_the_reference) {
  const Tensor rm = uniform({3}, 11), rv = uniform({3}, 12, 0.5, 2);
  check_derivatives(
      [&](const TensorList& a) { return batch_norm(a[0], f64(rm), f64(rv), a[1], a[2], false, 0.1, 1e-5); },
      [&](const TensorList& a) {
        const Tensor m = channel_view(f64(rm), 3), v = channel_view(f64(rv), 3);
        return add(mul(div(sub(a[0], m), sqrt(add(v, S(1e-5)))), channel_view(a[1], 3)), channel_view(a[2], 3));
      },
      {uniform({4, 3, 5}, 13), uniform({3}, 14), uniform({3}, 15)}, 1e-10);
}

TEST(instance_norm_normalizes_each_instance_and_averages_running_statistics) {
  const Tensor x = uniform({3, 2, 6}, 16, -1, 2, DType::Float64);
  Tensor rm = zeros({2}, DType::Float64), rv = ones({2}, DType::Float64);
  const Tensor y = instance_norm(x, rm, rv, Tensor(), Tensor(), true, 0.5, 1e-5);
  CHECK_SAME(y, normalize_ref(x, {2}, 1e-5, Tensor(), Tensor()), 1e-12);
  CHECK_SAME(rm, mul(mean(mean(x, {2}), {0}), S(0.5)), 1e-12);
  CHECK_SAME(rv, add(mul(mean(var(x, {2}, 1), {0}), S(0.5)), S(0.5)), 1e-12);
  CHECK_EQ(grad_fn_name(y), std::string());  // no grad needed here; with grad it is a view of the batch norm
  check_derivatives([&](const TensorList& a) { return instance_norm(a[0], Tensor(), Tensor(), a[1], a[2]); },
                    [&](const TensorList& a) {
                      return normalize_ref(a[0], {2}, 1e-5, channel_view(a[1], 3), channel_view(a[2], 3));
                    },
                    {x, uniform({2}, 17), uniform({2}, 18)}, 1e-10);
}

TEST(layer_norm_matches_the_reference) {
  const Tensor x = uniform({4, 3, 40}, 19, -3, 1);
  const Tensor w = uniform({3, 40}, 20), b = uniform({3, 40}, 21);
  CHECK_SAME(layer_norm(x, {3, 40}, w, b), normalize_ref(f64(x), {1, 2}, 1e-5, f64(w), f64(b)), 2e-5);
  CHECK_SAME(layer_norm(x, {40}), normalize_ref(f64(x), {2}, 1e-5, Tensor(), Tensor()), 2e-5);
  const auto [y, m, r] = native_layer_norm(x, {40}, Tensor(), Tensor(), 1e-5);
  CHECK_SHAPE(m, {4, 3, 1});
  CHECK_SHAPE(r, {4, 3, 1});
  check_derivatives([](const TensorList& a) { return layer_norm(a[0], {5}, a[1], a[2]); },
                    [](const TensorList& a) { return normalize_ref(a[0], {2}, 1e-5, a[1], a[2]); },
                    {uniform({2, 3, 5}, 22), uniform({5}, 23), uniform({5}, 24)}, 1e-9);
  check_derivatives([](const TensorList& a) { return layer_norm(a[0], {2, 4}); },
                    [](const TensorList& a) { return normalize_ref(a[0], {1, 2}, 1e-5, Tensor(), Tensor()); },
                    {uniform({3, 2, 4}, 25)}, 1e-9);
}

TEST(rms_norm_matches_the_reference) {
  auto ref = [](const Tensor& x, const Dims& dims, double eps, const Tensor& w) {
    const Tensor y = div(x, sqrt(add(mean(mul(x, x), dims, true), S(eps))));
    return w.defined() ? mul(y, w) : y;
  };
  const Tensor x = uniform({6, 33}, 26);
  const Tensor w = uniform({33}, 27);
  CHECK_SAME(rms_norm(x, {33}, w, 1e-6), ref(f64(x), {1}, 1e-6, f64(w)), 2e-5);
  // eps defaults to the machine epsilon of the dtype
  CHECK_SAME(rms_norm(x, {33}), ref(f64(x), {1}, 1.1920928955078125e-07, Tensor()), 2e-5);
  check_derivatives([&](const TensorList& a) { return rms_norm(a[0], {4}, a[1], 1e-3); },
                    [&](const TensorList& a) { return ref(a[0], {2}, 1e-3, a[1]); },
                    {uniform({2, 3, 4}, 28), uniform({4}, 29)}, 1e-9);
}

TEST(group_norm_matches_the_reference) {
  const Tensor x = uniform({3, 6, 4, 5}, 30, -1, 3);
  const Tensor w = uniform({6}, 31), b = uniform({6}, 32);
  const Tensor grouped = reshape(f64(x), {3, 2, 3, 20});
  const Tensor want = add(mul(reshape(normalize_ref(grouped, {2, 3}, 1e-5, Tensor(), Tensor()), {3, 6, 4, 5}),
                              channel_view(f64(w), 4)),
                          channel_view(f64(b), 4));
  CHECK_SAME(group_norm(x, 2, w, b), want, 2e-5);
  check_derivatives([](const TensorList& a) { return group_norm(a[0], 2, a[1], a[2]); },
                    [](const TensorList& a) {
                      const Tensor g = reshape(a[0], {2, 2, 2, 3});
                      return add(mul(reshape(normalize_ref(g, {2, 3}, 1e-5, Tensor(), Tensor()), {2, 4, 3}),
                                     channel_view(a[1], 3)),
                                 channel_view(a[2], 3));
                    },
                    {uniform({2, 4, 3}, 33), uniform({4}, 34), uniform({4}, 35)}, 1e-9);
}

TEST(norms_do_not_depend_on_the_thread_count) {
  const Tensor x = uniform({32, 8, 300}, 36), g = uniform({32, 8, 300}, 37);
  const Tensor xr = uniform({2000, 6}, 38), gr = uniform({2000, 6}, 39);
  auto run = [&] {
    const auto [y, m, r] = native_batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5);
    const auto [gx, gw, gb] = native_batch_norm_backward(g, x, m, r, Tensor(), true);
    const auto [y2, m2, r2] = native_batch_norm(xr, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5);
    const auto [gx2, gw2, gb2] = native_batch_norm_backward(gr, xr, m2, r2, Tensor(), true);
    const auto [ly, lm, lr] = native_layer_norm(x, {300}, Tensor(), Tensor(), 1e-5);
    const auto [lgx, lgw, lgb] = native_layer_norm_backward(g, x, {300}, lm, lr, Tensor());
    const auto [gy, gm, gr3] = native_group_norm(x, Tensor(), Tensor(), 4, 1e-5);
    const auto [ggx, ggw, ggb] = native_group_norm_backward(g, x, gm, gr3, Tensor(), 4);
    return TensorList{y, m, r, gx, gw, gb, y2, gx2, gw2, gb2, ly, lgx, lgw, lgb, gy, ggx, ggw, ggb};
  };
  TensorList one, two;
  {
    ThreadCount t(1);
    one = run();
  }
  {
    ThreadCount t(2);
    two = run();
  }
  for (size_t i = 0; i < one.size(); ++i) CHECK_SAME(two[i], one[i], 0);
}

TEST(norms_handle_empty_inputs) {
  Tensor rm = zeros({3}), rv = ones({3});
  const Tensor y = batch_norm(zeros({0, 3, 2}), rm, rv, Tensor(), Tensor(), true, 0.1, 1e-5);
  CHECK_SHAPE(y, {0, 3, 2});
  CHECK_VALUES(rm, 0, {0, 0, 0});  // nothing to learn from: unchanged, as PyTorch
  CHECK_VALUES(rv, 0, {1, 1, 1});
  CHECK_SHAPE(layer_norm(zeros({0, 4}), {4}), {0, 4});
  CHECK_SHAPE(group_norm(zeros({0, 4, 2}), 2), {0, 4, 2});
}

TEST(norms_refuse_bad_input) {
  const Tensor x = uniform({4, 3, 5}, 40);
  CHECK_THROWS(batch_norm(x, zeros({4}), ones({4}), Tensor(), Tensor(), true), Shape, "running_mean should contain 3");
  CHECK_THROWS(batch_norm(x, Tensor(), Tensor()), Argument, "running_mean must be defined in evaluation mode");
  CHECK_THROWS(batch_norm(zeros({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true), Argument,
               "Expected more than 1 value per channel");
  CHECK_THROWS(batch_norm(zeros({5}), Tensor(), Tensor(), Tensor(), Tensor(), true), Shape, "at least 2 dims");
  CHECK_THROWS(batch_norm(x, Tensor(), Tensor(), ones({3}, DType::Float64), Tensor(), true), DType, "weight");
  CHECK_THROWS(batch_norm(to(x, DType::Int64), Tensor(), Tensor(), Tensor(), Tensor(), true), DType, "batch_norm");
  CHECK_THROWS(instance_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), false), Argument, "use_input_stats");
  CHECK_THROWS(layer_norm(x, {4}), Shape, "expected input with shape [*, 4]");
  CHECK_THROWS(layer_norm(x, {}), Shape, "at least 1-dimensional");
  CHECK_THROWS(layer_norm(x, {5}, ones({4})), Shape, "Expected weight to be of same shape");
  CHECK_THROWS(group_norm(x, 2), Shape, "divisible by num_groups");
  CHECK_THROWS(group_norm(x, 0), Argument, "num_groups must be positive");
  CHECK_THROWS(group_norm(x, 3, ones({4})), Shape, "number of channels");
  CHECK_THROWS(rms_norm(x, {3}), Shape, "rms_norm");
}
