// softmax and log_softmax: every layout against a float64 reference, special values, the backward rows and
// their derivatives, thread independence, bad input.
#include <cmath>
#include <limits>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::make;
using test::ThreadCount;
using test::uniform;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// softmax (or log_softmax) along dim computed element by element in double, from exp and sum ops.
Tensor reference(const Tensor& x, int64_t dim, bool log) {
  const Tensor d = to(x, DType::Float64);
  const Tensor shifted = sub(d, amax(d, {dim}, true));
  const Tensor lse = kiln::log(sum(exp(shifted), {dim}, true));
  const Tensor r = log ? sub(shifted, lse) : exp(sub(shifted, lse));
  return to(r, x.dtype());
}

void check_layouts(const Tensor& x, double tol) {
  for (int64_t dim = 0; dim < x.dim(); ++dim)
    for (bool log : {false, true}) {
      const Tensor got = log ? log_softmax(x, dim) : softmax(x, dim);
      CHECK_SAME(got, reference(x, dim, log), tol);
      CHECK(got.is_contiguous());
    }
}

// Runs f with 1, 2 and 3 threads; the results must be identical.
template <class F>
void check_thread_independent(F f) {
  Tensor one, two, three;
  {
    ThreadCount t(1);
    one = f();
  }
  {
    ThreadCount t(2);
    two = f();
  }
  {
    ThreadCount t(3);
    three = f();
  }
  CHECK_SAME(two, one, 0);
  CHECK_SAME(three, one, 0);
}

}  // namespace

TEST(softmax_rows_and_columns_match_the_reference) {
  check_layouts(uniform({7, 45}, 1, -8, 8), 1e-6);                       // rows shorter and longer than the lanes
  check_layouts(uniform({3, 5, 70}, 2, -20, 20, DType::Float64), 1e-12);
  check_layouts(uniform({1, 1}, 3), 1e-6);
  const Tensor x = make({1, 2, 3, 4, 5, 6}, {2, 3});
  // torch.softmax(torch.tensor([[1., 2, 3], [4, 5, 6]]), 1)
  CHECK_VALUES(softmax(x, 1), 1e-5, {0.0900306, 0.244728, 0.665241, 0.0900306, 0.244728, 0.665241});
  CHECK_VALUES(log_softmax(x, -1), 1e-5, {-2.40761, -1.40761, -0.407606, -2.40761, -1.40761, -0.407606});
  CHECK_VALUES(softmax(x, 0), 1e-5, {0.0474259, 0.0474259, 0.0474259, 0.952574, 0.952574, 0.952574});
}

TEST(softmax_of_strided_inputs) {
  const Tensor base = uniform({40, 33}, 4, -5, 5);
  check_layouts(t(base), 1e-6);                                  // columns contiguous
  check_layouts(slice(base, 1, 1, 33, 3), 1e-6);                 // stepped rows
  check_layouts(expand(uniform({1, 9}, 5), {6, 9}), 1e-6);       // stride-0 rows
  check_layouts(permute(uniform({3, 4, 5}, 6, -3, 3, DType::Float64), {2, 0, 1}), 1e-12);
  CHECK_SAME(softmax(t(base), 1), softmax(contiguous(t(base)), 1), 1e-6);  // columns and rows sum in different orders
}

TEST(softmax_is_stable_and_propagates_special_values) {
  // Large values: no overflow; a whole row of -inf (or one with +inf) is NaN, as in PyTorch.
  CHECK_VALUES(softmax(make({1000, 999, -1000}, {3}), 0), 1e-5, {0.731059, 0.268941, 0});
  CHECK_VALUES(log_softmax(make({1000, 999, -1000}, {3}), 0), 1e-5, {-0.313262, -1.31326, -2000.31});
  CHECK_VALUES(softmax(make({-kInf, -kInf, -kInf, 0}, {2, 2}), 1), 0, {kNaN, kNaN, 0, 1});
  CHECK_VALUES(log_softmax(make({-kInf, 0}, {2}), 0), 0, {-kInf, 0});
  CHECK_VALUES(softmax(make({kInf, 1}, {2}), 0), 0, {kNaN, kNaN});
  CHECK_VALUES(softmax(make({kNaN, 1, 2, 0, 1, 2}, {2, 3}), 1), 1e-5, {kNaN, kNaN, kNaN, 0.0900306, 0.244728, 0.665241});
  CHECK_VALUES(softmax(Tensor::scalar(3.0, DType::Float32), 0), 0, {1});
  CHECK_VALUES(log_softmax(Tensor::scalar(3.0, DType::Float64), -1), 0, {0});
  CHECK_SHAPE(softmax(zeros({0, 3}), 1), {0, 3});
  CHECK_SHAPE(log_softmax(zeros({3, 0}), 1), {3, 0});
}

TEST(softmax_converts_to_a_requested_dtype) {
  const Tensor i = make({1, 2, 3}, {3}, DType::Int64);
  CHECK_EQ(softmax(i, 0, DType::Float64).dtype(), DType::Float64);
  CHECK_SAME(softmax(i, 0, DType::Float32), softmax(make({1, 2, 3}, {3}), 0), 0);
  CHECK_EQ(log_softmax(make({1, 2}, {2}), 0, DType::Float64).dtype(), DType::Float64);
  CHECK_THROWS(softmax(i, 0), DType, "softmax: expected a floating point tensor, got int64");
  CHECK_THROWS(log_softmax(make({1, 0}, {2}, DType::Bool), 0), DType, "log_softmax: expected a floating point");
  CHECK_THROWS(softmax(i, 0, DType::Int64), DType, "softmax: expected a floating point tensor, got int64");
  CHECK_THROWS(softmax(zeros({2, 3}), 2), Index, "softmax: dimension out of range");
  CHECK_THROWS(log_softmax(zeros({2, 3}), -3), Index, "log_softmax: dimension out of range");
}

TEST(softmax_results_do_not_depend_on_the_thread_count) {
  const Tensor x = uniform({300, 411}, 7, -30, 30);
  check_thread_independent([&] { return softmax(x, 1); });
  check_thread_independent([&] { return log_softmax(x, 0); });
  check_thread_independent([&] { return softmax(t(x), 1); });
  const Tensor y = softmax(x, 1), g = uniform({300, 411}, 8);
  check_thread_independent([&] { return softmax_backward_data(g, y, 1); });
  check_thread_independent([&] { return log_softmax_backward_data(g, log_softmax(x, 0), 0); });
}

TEST(outputs_past_the_last_level_cache_are_streamed_with_the_same_bits) {
  // Outputs of at least the last-level cache's size (64 MB at most) are computed a row at a time in a buffer and
  // streamed out (stream_store.h); slices of 100 rows are small enough to be stored plainly and must give the same
  // bits. Rows of 4099 elements start at every offset within a cache line (the partial lines are plain stores).
  const Tensor x = uniform({4100, 4099}, 21, -20, 20);  // 67 MB
  const Tensor y = softmax(x, 1), ly = log_softmax(x, 1), g = uniform({4100, 4099}, 22);
  const Tensor gy = softmax_backward_data(g, y, 1), gly = log_softmax_backward_data(g, ly, 1);
  for (int64_t r : {0, 2011, 4000}) {
    const Tensor xs = slice(x, 0, r, r + 100), gs = slice(g, 0, r, r + 100);
    CHECK_SAME(slice(y, 0, r, r + 100), softmax(xs, 1), 0);
    CHECK_SAME(slice(ly, 0, r, r + 100), log_softmax(xs, 1), 0);
    CHECK_SAME(slice(gy, 0, r, r + 100), softmax_backward_data(gs, softmax(xs, 1), 1), 0);
    CHECK_SAME(slice(gly, 0, r, r + 100), log_softmax_backward_data(gs, log_softmax(xs, 1), 1), 0);
  }
  const Tensor x64 = uniform({2100, 4099}, 23, -20, 20, DType::Float64);  // 69 MB
  const Tensor y64 = softmax(x64, 1);
  CHECK_SAME(slice(y64, 0, 1000, 1100), softmax(slice(x64, 0, 1000, 1100), 1), 0);
}

TEST(backward_rows_match_their_formulas) {
  const Tensor x = uniform({4, 6}, 9, -3, 3, DType::Float64), g = uniform({4, 6}, 10, -1, 1, DType::Float64);
  for (int64_t dim : {0, 1}) {
    const Tensor y = softmax(x, dim), ly = log_softmax(x, dim);
    CHECK_SAME(softmax_backward_data(g, y, dim), mul(y, sub(g, sum(mul(g, y), {dim}, true))), 1e-12);
    CHECK_SAME(log_softmax_backward_data(g, ly, dim), sub(g, mul(exp(ly), sum(g, {dim}, true))), 1e-12);
    // Strided and broadcast gradients reach the same result.
    CHECK_SAME(softmax_backward_data(contiguous(t(t(g))), y, dim), softmax_backward_data(g, y, dim), 0);
    const Tensor row = expand(slice(g, 0, 0, 1, 1), {4, 6});
    CHECK_SAME(log_softmax_backward_data(row, ly, dim), log_softmax_backward_data(contiguous(row), ly, dim), 0);
  }
  CHECK_THROWS(softmax_backward_data(zeros({2, 3}), zeros({3, 2}), 0), Shape,
               "_softmax_backward_data: grad of shape [2, 3] does not match the output's shape [3, 2]");
  CHECK_THROWS(log_softmax_backward_data(zeros({2}), zeros({2}, DType::Int64), 0), DType,
               "_log_softmax_backward_data: expected a floating point output");
}

TEST(autograd_goes_through_the_backward_rows) {
  Tensor x = uniform({3, 4}, 11, -2, 2, DType::Float64);
  set_requires_grad(x, true);
  const Tensor y = softmax(x, 1);
  CHECK_EQ(grad_fn_name(y), std::string("SoftmaxBackward0"));
  const TensorList g = kiln::grad({sum(mul(y, make({1, 2, 3, 4}, {4}, DType::Float64)))}, {x}, {}, true, true);
  CHECK_EQ(grad_fn_name(g[0]), std::string("SoftmaxBackwardDataBackward0"));
  const Tensor ly = log_softmax(x, 0);
  const TensorList lg = kiln::grad({sum(mul(ly, ly))}, {x}, {}, true, true);
  CHECK_EQ(grad_fn_name(lg[0]), std::string("LogSoftmaxBackwardDataBackward0"));
  // The second derivative along a direction, against a finite difference of the first.
  const Tensor v = uniform({3, 4}, 12, -1, 1, DType::Float64);
  const Tensor hv = kiln::grad({sum(mul(g[0], v))}, {x})[0];
  const double eps = 1e-6;
  auto first = [&](const Tensor& at) {
    Tensor a = clone(detach(at));
    set_requires_grad(a, true);
    return kiln::grad({sum(mul(softmax(a, 1), make({1, 2, 3, 4}, {4}, DType::Float64)))}, {a})[0];
  };
  const Tensor fd = div(sub(first(add(x, mul(v, Scalar(eps)))), first(sub(x, mul(v, Scalar(eps))))), Scalar(2 * eps));
  CHECK_SAME(hv, fd, 1e-6);
}
