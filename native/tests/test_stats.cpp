// Statistics over dims: prod, var/std and their _mean forms, norms, logsumexp, nansum/nanmean, all/any/
// count_nonzero, amax/amin. Values from PyTorch 1.13, layouts against contiguous copies, edge cases, the
// derivatives at zeros, thread independence and bad input.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::iota;
using test::make;
using test::ThreadCount;
using test::uniform;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// The gradient of f at x (a float64 leaf made from values).
template <class F>
Tensor grad_at(const std::vector<double>& values, const Shape& shape, F f) {
  Tensor x = make(values, shape, DType::Float64);
  set_requires_grad(x, true);
  return kiln::grad({sum(f(x))}, {x})[0];
}

// Non-contiguous views of the same 3-D values, to check that every layout reduces alike.
std::vector<Tensor> layouts() {
  return {permute(uniform({4, 5, 6}, 21), {2, 0, 1}), slice(uniform({6, 4, 10}, 22), 2, 0, 10, 2),
          expand(uniform({6, 1, 5}, 23), {6, 4, 5}), t(uniform({5, 7}, 24))};
}

}  // namespace

TEST(prod_values_dtypes_and_zeros) {
  const Tensor x = iota({2, 3});
  CHECK_VALUES(prod(add(x, Scalar(1))), 0, {720});
  CHECK_VALUES(prod(add(x, Scalar(1)), 1), 0, {6, 120});
  CHECK_SHAPE(prod(x, 0, true), {1, 3});
  CHECK_VALUES(prod(make({0, 2, 3, 1, 0, 0}, {2, 3}), 1), 0, {0, 0});
  CHECK_EQ(prod(make({1, 1, 0}, {3}, DType::Bool)).dtype(), DType::Int64);
  CHECK_VALUES(prod(make({1, 1, 0}, {3}, DType::Bool)), 0, {0});
  const int64_t big[] = {int64_t(1) << 62, 4, 3};  // wraps like PyTorch: torch.tensor([2**62, 4, 3]).prod() is 0
  CHECK_EQ(prod(from_data(big, 3, {3}, DType::Int64)).data<int64_t>()[0], int64_t(0));
  CHECK_VALUES(prod(Tensor::scalar(-3.0, DType::Float32)), 0, {-3});
  CHECK_VALUES(prod(zeros({0})), 0, {1});
  CHECK_VALUES(prod(zeros({2, 0}), 1), 0, {1, 1});
  CHECK_VALUES(prod(make({kNaN, 2, kInf, 0}, {2, 2}), 1), 0, {kNaN, kNaN});
  for (const Tensor& v : layouts())
    for (int64_t d = 0; d < v.dim(); ++d) CHECK_SAME(prod(v, d), prod(contiguous(v), d), 0);
  CHECK_THROWS(prod(x, 2), Index, "prod: dimension out of range");
}

TEST(prod_gradient_is_exact_at_zeros) {
  // torch: x.prod().backward() for x = [0, 3, 2] gives [6, 0, 0]; two zeros give all zeros.
  CHECK_VALUES(grad_at({0, 3, 2}, {3}, [](const Tensor& x) { return prod(x); }), 0, {6, 0, 0});
  CHECK_VALUES(grad_at({0, 3, 0}, {3}, [](const Tensor& x) { return prod(x); }), 0, {0, 0, 0});
  CHECK_VALUES(grad_at({0, 3, 0, 1, 0, 2}, {2, 3}, [](const Tensor& x) { return prod(x, 1); }), 0, {0, 0, 0, 0, 2, 0});
  CHECK_VALUES(grad_at({2, 3, 4}, {3}, [](const Tensor& x) { return prod(x); }), 1e-12, {12, 8, 6});
  CHECK_VALUES(grad_at({1, 2, 0, 4, 5, 6}, {2, 3}, [](const Tensor& x) { return prod(x); }), 0, {0, 0, 240, 0, 0, 0});
}

TEST(var_and_std_with_corrections) {
  const Tensor x = make({1, 2, 3, 4, 6, 8}, {2, 3}, DType::Float64);
  CHECK_VALUES(var(x), 1e-12, {6.8});              // torch.var: unbiased
  CHECK_VALUES(var(x, {}, 0), 1e-12, {34.0 / 6});
  CHECK_VALUES(var(x, {1}), 1e-12, {1, 4});
  CHECK_VALUES(kiln::std(x, {0}, 0), 1e-12, {1.5, 2, 2.5});
  CHECK_VALUES(var(x, {1}, 2.0), 1e-12, {2, 8});
  CHECK_SHAPE(var(x, {1}, 1, true), {2, 1});
  CHECK_VALUES(var(make({1.5}, {1})), 0, {kNaN});             // one element, unbiased: 0 / 0
  CHECK_VALUES(var(make({1, 2, 4}, {3}), {0}, 5), 0, {kInf});  // correction past the count
  CHECK_VALUES(var(zeros({0})), 0, {kNaN});
  CHECK_VALUES(var(make({1, kNaN, 2, kInf, 1, 2}, {2, 3}), {1}), 0, {kNaN, kNaN});
  // Two-pass accuracy: a large offset does not swamp the spread.
  CHECK_VALUES(var(make({1e8 + 1, 1e8 + 2, 1e8 + 3, 1e8 + 4}, {4}, DType::Float64)), 1e-12, {5.0 / 3});
  const auto vm = var_mean(x, {1}, 1, true);
  CHECK_VALUES(vm.first, 1e-12, {1, 4});
  CHECK_VALUES(vm.second, 1e-12, {2, 6});
  const auto sm = std_mean(x);
  CHECK_VALUES(sm.first, 1e-12, {std::sqrt(6.8)});
  CHECK_VALUES(sm.second, 1e-12, {4});
  for (const Tensor& v : layouts())
    for (const Dims& dims : {Dims{0}, Dims{1, 2}, Dims{}}) {
      if (v.dim() < 3 && dims.size() > 1) continue;
      CHECK_SAME(var(v, dims), var(contiguous(v), dims), 1e-6);
      CHECK_SAME(kiln::std(v, dims, 0), kiln::std(contiguous(v), dims, 0), 1e-6);
    }
  CHECK_THROWS(var(make({1, 2}, {2}, DType::Int64)), DType, "var: std and var only support floating point dtypes, got int64");
  CHECK_THROWS(std_mean(x, {2}), Index, "std_mean: dimension out of range");
}

TEST(var_over_leading_dims_of_wide_inputs_matches_a_two_pass_reference) {
  // Contiguous inputs reduced over their leading dims take the column-block path (blocks of 32 columns, a ragged
  // last one here); against the mean and squared deviations in double, column by column.
  const auto reference = [](const Tensor& x, int64_t rows, int64_t cols, double correction, bool sqrt_of) {
    const std::vector<double> v = test::values(x);
    std::vector<double> var_v, mean_v;
    for (int64_t j = 0; j < cols; ++j) {
      double m = 0, m2 = 0;
      for (int64_t i = 0; i < rows; ++i) m += v[i * cols + j];
      m /= static_cast<double>(rows);
      for (int64_t i = 0; i < rows; ++i) m2 += (v[i * cols + j] - m) * (v[i * cols + j] - m);
      const double r = m2 / std::max(0.0, static_cast<double>(rows) - correction);
      var_v.push_back(sqrt_of ? std::sqrt(r) : r);
      mean_v.push_back(m);
    }
    return std::make_pair(var_v, mean_v);
  };
  for (DType dt : {DType::Float32, DType::Float64}) {
    const Tensor x = add(uniform({5, 60, 70}, 31, -1, 1, dt), 1000.0);  // an offset that a one-pass formula would lose
    const auto [want, want_mean] = reference(x, 300, 70, 1, false);
    const double tol = dt == DType::Float32 ? 1e-5 : 1e-12;
    CHECK_SAME(var(x, {0, 1}), make(want, {70}, DType::Float64), tol);
    CHECK_SAME(var(x, {0, 1}, 1, true), make(want, {1, 1, 70}, DType::Float64), tol);
    const auto vm = var_mean(x, {0, 1});
    CHECK_SAME(vm.first, make(want, {70}, DType::Float64), tol);
    CHECK_SAME(vm.second, make(want_mean, {70}, DType::Float64), tol);
    const auto [want_std, unused] = reference(x, 5, 60 * 70, 0, true);
    CHECK_SAME(kiln::std(x, {0}, 0), make(want_std, {60, 70}, DType::Float64), tol);
    CHECK_SAME(var(x, {0, 1}), var(transpose(contiguous(transpose(x, 0, 2)), 0, 2), {0, 1}), tol);  // the general path
  }
  // A single row (n = 1, unbiased): NaN, as elsewhere.
  const Tensor one = var(uniform({1, 64}, 32), {0});
  for (double v : test::values(one)) CHECK(std::isnan(v));
}

TEST(std_gradient_is_zero_where_std_is_zero) {
  CHECK_VALUES(grad_at({2, 2, 2}, {3}, [](const Tensor& x) { return kiln::std(x); }), 0, {0, 0, 0});
  // d var = 2 (x - mean) / (n - 1): for [1, 2, 6], mean 3 -> [-2, -1, 3].
  CHECK_VALUES(grad_at({1, 2, 6}, {3}, [](const Tensor& x) { return var(x); }), 1e-12, {-2, -1, 3});
  CHECK_VALUES(grad_at({1, 2, 6}, {3}, [](const Tensor& x) {
                 const auto vm = var_mean(x);
                 return add(vm.first, vm.second);
               }), 1e-12, {-2 + 1.0 / 3, -1 + 1.0 / 3, 3 + 1.0 / 3});
}

TEST(norms_of_every_order) {
  const Tensor x = make({3, -4, 0, 1, 2.5, -2}, {2, 3});
  CHECK_VALUES(norm(x), 1e-6, {std::sqrt(9 + 16 + 1 + 6.25 + 4)});
  CHECK_VALUES(norm(x, 1, {1}), 1e-6, {7, 5.5});
  CHECK_VALUES(norm(x, 0, {1}), 0, {2, 3});
  CHECK_VALUES(norm(x, kInf, {0}), 0, {3, 4, 2});
  CHECK_VALUES(norm(x, -kInf, {1}), 0, {0, 1});
  CHECK_VALUES(norm(x, 3, {1}), 1e-6, {std::cbrt(27 + 64), std::cbrt(1 + 15.625 + 8)});
  CHECK_VALUES(norm(x, -1, {1}), 1e-6, {0, 1 / (1 + 0.4 + 0.5)});  // a zero makes a negative order 0
  CHECK_VALUES(norm(make({1, kNaN, kInf}, {3}), kInf), 0, {kNaN});
  CHECK_VALUES(norm(make({1e20}, {1})), 1e-6, {1e20});  // squares in double: no overflow
  CHECK_VALUES(norm(zeros({0}), kInf), 0, {0});           // torch.norm: 0 on empty input, for every order
  CHECK_VALUES(norm(zeros({0}), -1), 0, {0});
  CHECK_VALUES(vector_norm(zeros({0}), 0), 0, {0});
  CHECK_THROWS(vector_norm(zeros({0}), kInf), Argument, "linalg.vector_norm: cannot compute the inf norm on an empty");
  CHECK_THROWS(vector_norm(zeros({2, 0}), -1, {1}), Argument, "cannot compute the -1 norm");
  CHECK_VALUES(vector_norm(zeros({0, 3}), kInf, {1}), 0, {});
  CHECK_THROWS(norm(make({1, 2}, {2}, DType::Int64)), DType, "norm: input dtype should be floating point. Got int64");
  CHECK_THROWS(vector_norm(make({1, 2}, {2}, DType::Int64)), DType, "linalg.vector_norm: Expected a floating point");
  CHECK_THROWS(norm(x, 2, {2}), Index, "norm: dimension out of range");
  for (const Tensor& v : layouts())
    for (double p : {0.0, 1.0, 2.0, 3.5, kInf})
      CHECK_SAME(norm(v, p, {0}), norm(contiguous(v), p, {0}), 1e-6);
}

TEST(norm_gradients_at_zero_follow_pytorch) {
  // torch: x = [0, 1, -2, 0]; x.norm(p).backward() gives 0 at the zeros (and everywhere for p = -1, -inf).
  const std::vector<double> v{0, 1, -2, 0};
  CHECK_VALUES(grad_at(v, {4}, [](const Tensor& x) { return norm(x, 1); }), 0, {0, 1, -1, 0});
  CHECK_VALUES(grad_at(v, {4}, [](const Tensor& x) { return norm(x, 2); }), 1e-12, {0, 1 / std::sqrt(5.0), -2 / std::sqrt(5.0), 0});
  CHECK_VALUES(grad_at(v, {4}, [](const Tensor& x) { return norm(x, 0.5); }), 1e-5, {0, 2.41421, -1.70711, 0});
  CHECK_VALUES(grad_at(v, {4}, [](const Tensor& x) { return norm(x, -1); }), 0, {0, 0, 0, 0});
  CHECK_VALUES(grad_at(v, {4}, [](const Tensor& x) { return norm(x, kInf); }), 0, {0, 0, -1, 0});
  CHECK_VALUES(grad_at({1, 3, -3}, {3}, [](const Tensor& x) { return norm(x, kInf); }), 0, {0, 0.5, -0.5});
  CHECK_VALUES(grad_at({0, 0, 0}, {3}, [](const Tensor& x) { return norm(x, 3); }), 0, {0, 0, 0});
  Tensor x = make(v, {4}, DType::Float64);
  set_requires_grad(x, true);
  backward({norm(x, 0)});
  CHECK(!kiln::grad(x).defined());  // p = 0: no gradient at all, as in PyTorch
}

TEST(logsumexp_is_stable) {
  CHECK_VALUES(logsumexp(make({1, 2, 3, 4}, {2, 2}), {1}), 1e-6, {2.31326, 4.31326});
  CHECK_VALUES(logsumexp(make({1000, 1000, -1000, -1001}, {2, 2}), {1}), 1e-6, {1000.693147, -999.686738});
  CHECK_VALUES(logsumexp(make({kInf, 1, -kInf, -kInf, kNaN, 1, kInf, -kInf}, {4, 2}), {1}), 0, {kInf, -kInf, kNaN, kInf});
  CHECK_VALUES(logsumexp(zeros({0, 3}), {0}), 0, {-kInf, -kInf, -kInf});
  CHECK_EQ(logsumexp(make({1, 2}, {2}, DType::Int64), {0}).dtype(), DType::Float32);
  const Tensor big = uniform({300, 411}, 25, -50, 50);
  check_thread_independent([&] { return logsumexp(big); });
  check_thread_independent([&] { return logsumexp(big, {0}); });
  CHECK_SAME(logsumexp(big), kiln::log(sum(exp(to(big, DType::Float64)))), 1e-6);
  for (const Tensor& v : layouts()) CHECK_SAME(logsumexp(v, {0}), logsumexp(contiguous(v), {0}), 1e-6);
}

TEST(logsumexp_of_long_rows_matches_float64_and_keeps_nan_and_inf) {
  // Rows long enough for the vector lanes of the max and of the sum (and a tail), with a NaN, +inf and -inf
  // placed inside the lanes, in both float dtypes; regular rows against the float64 formula.
  const int64_t n = 101;
  for (DType dt : {DType::Float32, DType::Float64}) {
    std::vector<double> v(5 * n);
    for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.37 * static_cast<double>(i)) * 30;
    v[1 * n + 40] = kNaN;
    v[2 * n + 17] = kInf;
    for (int64_t j = 0; j < n; ++j) v[3 * n + j] = -kInf;
    v[4 * n + 70] = 1e30;  // one value far above the rest: the shift keeps exp from overflowing
    const Tensor x = make(v, {5, n}, dt);
    const Tensor r = to(logsumexp(x, {1}), DType::Float64);
    CHECK_VALUES(narrow(r, 0, 1, 3), 0, {kNaN, kInf, -kInf});
    const Tensor x64 = to(x, DType::Float64);
    const Tensor want = add(kiln::log(sum(exp(sub(x64, amax(x64, {1}, true))), {1})), amax(x64, {1}));
    CHECK_SAME(narrow(r, 0, 0, 1), narrow(want, 0, 0, 1), 1e-6);
    CHECK_SAME(narrow(r, 0, 4, 1), narrow(want, 0, 4, 1), 1e-6);
  }
}

TEST(nansum_and_nanmean_skip_nan) {
  const Tensor x = make({1, kNaN, 2, kNaN, kNaN, kNaN}, {2, 3});
  CHECK_VALUES(nansum(x), 0, {3});
  CHECK_VALUES(nansum(x, {1}), 0, {3, 0});
  CHECK_VALUES(nanmean(x, {1}), 0, {1.5, kNaN});
  CHECK_VALUES(nanmean(x, {0}, true), 0, {1, kNaN, 2});
  CHECK_EQ(nansum(make({1, 2}, {2}, DType::Int64)).dtype(), DType::Int64);
  CHECK_THROWS(nanmean(make({1, 2}, {2}, DType::Int64)), DType, "nanmean: expected input to have floating point dtype");
  CHECK_VALUES(grad_at({1, kNaN, 2}, {3}, [](const Tensor& t) { return nansum(t); }), 0, {1, 0, 1});
  CHECK_VALUES(grad_at({1, kNaN, 2}, {3}, [](const Tensor& t) { return nanmean(t); }), 0, {0.5, 0, 0.5});
}

// prod, nansum and the 0-, 1- and 2-norms of contiguous rows run in 32 double lanes (cpu/lanes.h): rows of every
// length around the lanes' and folds' edges against serial loops in long double, float32 and float64. A lane left
// out of a fold, or a part of the lanes, is off by whole factors or terms.
TEST(lane_reductions_of_rows_match_serial_loops) {
  for (DType dtype : {DType::Float32, DType::Float64})
    for (int64_t n : {1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 96, 127, 128, 129, 1031}) {
      // Values near 1 keep products of 1031 of them in range; every fifth a NaN for nansum.
      const Tensor x = uniform({3, n}, 40 + n, 0.7, 1.4, dtype);
      const Tensor xd = to(x, DType::Float64);
      std::vector<double> want_prod, want_nansum, want_l0, want_l1, want_l2;
      Tensor with_nans = clone(x);
      for (int64_t r = 0; r < 3; ++r) {
        long double p = 1, ns = 0, l1 = 0, l2 = 0;
        double l0 = 0;
        for (int64_t i = 0; i < n; ++i) {
          const long double v = xd.data<double>()[r * n + i];
          p *= v;
          l1 += v;
          l2 += v * v;
          l0 += 1;
          if ((r * n + i) % 5 == 0) {
            if (dtype == DType::Float32) with_nans.data<float>()[r * n + i] = NAN;
            else with_nans.data<double>()[r * n + i] = NAN;
          } else {
            ns += v;
          }
        }
        want_prod.push_back(static_cast<double>(p));
        want_nansum.push_back(static_cast<double>(ns));
        want_l0.push_back(l0);
        want_l1.push_back(static_cast<double>(l1));
        want_l2.push_back(std::sqrt(static_cast<double>(l2)));
      }
      const double tol = dtype == DType::Float32 ? 3e-7 : 1e-13;  // relative: the outputs' rounding
      auto check = [&](const Tensor& got, const std::vector<double>& want, const char* what) {
        const Tensor g = to(got, DType::Float64);
        for (int64_t r = 0; r < 3; ++r) {
          const double v = g.data<double>()[r];
          if (std::fabs(v - want[r]) > tol * std::fabs(want[r])) {
            std::ostringstream m;
            m << what << " of a row of " << n << " " << dtype_name(dtype) << ": " << v << " against " << want[r];
            test::fail_at(__FILE__, __LINE__, m.str());
          }
        }
      };
      check(prod(x, 1), want_prod, "prod");
      check(nansum(with_nans, {1}), want_nansum, "nansum");
      check(norm(x, 0.0, {1}), want_l0, "0-norm");
      check(norm(x, 1.0, {1}), want_l1, "1-norm");
      check(norm(x, 2.0, {1}), want_l2, "2-norm");
    }
}

TEST(logical_reductions_of_every_dtype) {
  for (DType t : {DType::Float32, DType::Float64, DType::Int64, DType::Bool}) {
    const Tensor x = make({0, 1, 1, 1, 1, 1}, {2, 3}, t);
    CHECK_EQ(all(x).dtype(), DType::Bool);
    CHECK_VALUES(all(x), 0, {0});
    CHECK_VALUES(any(x), 0, {1});
    CHECK_VALUES(all(x, {1}), 0, {0, 1});
    CHECK_VALUES(any(x, {0}, true), 0, {1, 1, 1});
    CHECK_EQ(count_nonzero(x).dtype(), DType::Int64);
    CHECK_VALUES(count_nonzero(x, {1}), 0, {2, 3});
  }
  CHECK_VALUES(all(make({kNaN, -0.0}, {2})), 0, {0});  // NaN counts as true, -0 as zero
  CHECK_VALUES(any(make({kNaN}, {1})), 0, {1});
  CHECK_VALUES(all(zeros({0})), 0, {1});
  CHECK_VALUES(any(zeros({2, 0}), {1}), 0, {0, 0});
  CHECK_VALUES(count_nonzero(zeros({0})), 0, {0});
  const Tensor big = uniform({300, 411}, 26, -1, 1);
  check_thread_independent([&] { return count_nonzero(gt(big, wrapped_scalar(Scalar(0.5)))); });
  for (const Tensor& v : layouts()) {
    const Tensor b = gt(v, wrapped_scalar(Scalar(0.0)));
    CHECK_SAME(count_nonzero(b, {0}), count_nonzero(contiguous(b), {0}), 0);
    CHECK_SAME(all(b, {1}), all(contiguous(b), {1}), 0);
  }
  CHECK_THROWS(count_nonzero(zeros({2, 3}), {1, 1}), Argument, "count_nonzero: dim 1 appears multiple times");
  // Contiguous runs are counted in blocks of 2^16 elements: runs across block ends, of every dtype the kernel
  // takes, with NaN (non-zero) and -0 (zero) among the floats, against the sum of x != 0.
  for (DType t : {DType::Float32, DType::Float64, DType::Int64, DType::Int32, DType::Int16, DType::Int8, DType::UInt8,
                  DType::Bool}) {
    Tensor x = to(round(uniform({3, 70001}, 27, -1.2, 1.2, DType::Float64)), t);  // about a third zeros
    if (is_floating(t)) {
      Tensor head = narrow(x, 1, 0, 4);
      copy_(head, to(make({kNaN, -0.0, kNaN, -0.0}, {1, 4}, DType::Float64), t));
    }
    const Tensor want = sum(ne(x, zeros({}, t)), {1});
    CHECK_SAME(count_nonzero(x, {1}), want, 0);
    CHECK_SAME(count_nonzero(x), sum(want), 0);
    CHECK_SAME(count_nonzero(narrow(x, 1, 3, 65540), {1}), sum(ne(narrow(x, 1, 3, 65540), zeros({}, t)), {1}), 0);
    CHECK_SAME(any(x, {1}), gt(want, zeros({}, DType::Int64)), 0);
    CHECK_SAME(all(x, {1}), eq(want, full({}, Scalar(int64_t(70001)), DType::Int64)), 0);
  }
}

TEST(amax_and_amin_over_dims) {
  const Tensor x = iota({2, 3, 4});
  CHECK_VALUES(amax(x, {0, 2}), 0, {15, 19, 23});
  CHECK_VALUES(amin(x, {1}, true), 0, {0, 1, 2, 3, 12, 13, 14, 15});
  CHECK_VALUES(amax(x), 0, {23});
  CHECK_VALUES(amax(make({1, kNaN, 3}, {3})), 0, {kNaN});
  CHECK_EQ(amax(make({0, 1}, {2}, DType::Bool)).dtype(), DType::Bool);
  CHECK_SHAPE(amax(zeros({0, 3}), {1}), {0});
  CHECK_THROWS(amax(zeros({0, 3})), Argument, "amax: Expected reduction dim to be specified for input.numel() == 0");
  CHECK_THROWS(amin(zeros({2, 0}), {1}), Index, "amin: Expected reduction dim 1 to have non-zero size");
  // The gradient is shared by ties; a NaN slice gets NaN everywhere (PyTorch's amax_backward).
  CHECK_VALUES(grad_at({1, 3, 3}, {3}, [](const Tensor& t) { return amax(t); }), 0, {0, 0.5, 0.5});
  CHECK_VALUES(grad_at({1, kNaN, 3}, {3}, [](const Tensor& t) { return amin(t); }), 0, {kNaN, kNaN, kNaN});
}

namespace {

// Per-column references in double for a [rows, cols] matrix v (row-major), NaN and inf as PyTorch treats them.
struct ColumnRefs {
  std::vector<double> prod, var, mean, nansum, count, all, any, lse;
  std::vector<std::vector<double>> norm;  // per order in kOrders
};
const double kOrders[] = {0, 1, 2, 3, kInf, -kInf};

ColumnRefs column_refs(const std::vector<double>& v, int64_t rows, int64_t cols) {
  ColumnRefs r;
  r.norm.resize(std::size(kOrders));
  for (int64_t j = 0; j < cols; ++j) {
    std::vector<double> c;
    for (int64_t i = 0; i < rows; ++i) c.push_back(v[i * cols + j]);
    double prod = 1, sum = 0, nansum = 0, count = 0, top = -kInf;
    bool nan = false;
    for (double x : c) {
      prod *= x;
      sum += x;
      nansum += std::isnan(x) ? 0 : x;
      count += x != 0;
      nan = nan || std::isnan(x);
      if (x > top) top = x;
    }
    const double mean = sum / static_cast<double>(rows);
    double m2 = 0;
    for (double x : c) m2 += (x - mean) * (x - mean);
    r.prod.push_back(prod);
    r.mean.push_back(mean);
    r.var.push_back(m2 / static_cast<double>(rows - 1));
    r.nansum.push_back(nansum);
    r.count.push_back(count);
    r.all.push_back(count == static_cast<double>(rows));
    r.any.push_back(count > 0);
    double lse = nan ? kNaN : top;
    if (!nan && !std::isinf(top)) {
      double e = 0;
      for (double x : c) e += std::exp(x - top);
      lse = std::log(e) + top;
    }
    r.lse.push_back(lse);
    for (size_t k = 0; k < std::size(kOrders); ++k) {
      const double p = kOrders[k];
      double acc = p == -kInf ? kInf : 0;
      for (double x : c) {
        const double a = std::fabs(x);
        if (p == kInf) acc = std::isnan(acc) || std::isnan(a) ? kNaN : std::max(acc, a);
        else if (p == -kInf) acc = std::isnan(acc) || std::isnan(a) ? kNaN : std::min(acc, a);
        else if (p == 0) acc += x != 0;
        else acc += std::pow(a, p);
      }
      r.norm[k].push_back(p == 2 ? std::sqrt(acc) : p == 3 ? std::cbrt(acc) : acc);
    }
  }
  return r;
}

// Every statistic of x over dims against the column references (x's reduced elements are the refs' rows); prod,
// which takes one dim, in check_column_prod.
void check_column_prod(const Tensor& x, int64_t dim, const ColumnRefs& r, double tol) {
  CHECK_SAME(flatten(prod(x, dim)), make(r.prod, {static_cast<int64_t>(r.prod.size())}, DType::Float64), tol);
}

void check_column_group(const Tensor& x, const Dims& dims, const ColumnRefs& r, double tol) {
  const Shape s{static_cast<int64_t>(r.var.size())};
  const auto f64 = [&](const std::vector<double>& v) { return make(v, s, DType::Float64); };
  CHECK_SAME(flatten(var(x, dims)), f64(r.var), tol);
  const auto vm = var_mean(x, dims);
  CHECK_SAME(flatten(vm.second), f64(r.mean), tol);
  CHECK_SAME(flatten(logsumexp(x, dims)), f64(r.lse), tol);
  CHECK_SAME(flatten(nansum(x, dims)), f64(r.nansum), tol);
  for (size_t k = 0; k < std::size(kOrders); ++k) CHECK_SAME(flatten(vector_norm(x, kOrders[k], dims)), f64(r.norm[k]), tol);
  CHECK_SAME(flatten(to(count_nonzero(x, dims), DType::Float64)), f64(r.count), 0);
  CHECK_SAME(flatten(to(all(x, dims), DType::Float64)), f64(r.all), 0);
  CHECK_SAME(flatten(to(any(x, dims), DType::Float64)), f64(r.any), 0);
}

}  // namespace

// Reductions whose innermost kept dim is contiguous and reduced dims are not (the columns of a matrix, the channels
// of NCHW over the batch) step down a chunk of columns at once (reduce_plan.h's column layout): every statistic of
// every column, for widths around the blocks of 32 and row counts around the four-row steps, against references in
// double per column; special values in some columns; a transposed view, a region of several runs (a strided slice)
// and channels-last; integers; thread independence where the chunks change with the thread count.
TEST(column_layouts_reduce_every_column_as_its_own_run) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    const double tol = dt == DType::Float32 ? 2e-6 : 1e-12;
    for (int64_t rows : {2, 3, 4, 5, 9})
      for (int64_t cols : {1, 5, 31, 32, 33, 71, 300}) {
        std::vector<double> v = test::values(uniform({rows, cols}, 60 + rows * cols, 0.5, 1.5, DType::Float64));
        if (cols > 4) {
          v[1 * cols + 0] = kNaN;  // column 0: NaN; 1: +inf; 2: a zero; 3: -inf everywhere
          v[(rows - 1) * cols + 1] = kInf;
          v[0 * cols + 2] = 0;
          for (int64_t i = 0; i < rows; ++i) v[i * cols + 3] = -kInf;
        }
        const Tensor x = make(v, {rows, cols}, dt);
        const std::vector<double> stored = test::values(x);  // float32's rounding of v
        const ColumnRefs r = column_refs(stored, rows, cols);
        check_column_prod(x, 0, r, tol);
        check_column_group(x, {0}, r, tol);
        const Tensor xt = t(contiguous(t(x)));  // the same values, columns contiguous in memory: the row layout
        check_column_prod(xt, 0, r, tol);
        check_column_group(xt, {0}, r, tol);
        // Rows split into two runs that do not coalesce: every other row of [2, 2 * rows, cols], over dims 0, 1.
        std::vector<double> wide;
        for (int64_t half = 0; half < 2; ++half)
          for (int64_t i = 0; i < rows; ++i) {
            for (int64_t j = 0; j < cols; ++j) wide.push_back(stored[i * cols + j]);
            for (int64_t j = 0; j < cols; ++j) wide.push_back(-7);
          }
        const Tensor runs = slice(make(wide, {2, 2 * rows, cols}, dt), 1, 0, 2 * rows, 2);
        std::vector<double> twice(stored);
        twice.insert(twice.end(), stored.begin(), stored.end());
        check_column_group(runs, {0, 1}, column_refs(twice, 2 * rows, cols), tol);
      }
    // Channels-last [3, 37, 5, 4] over the batch and the plane: the 37 channels are the contiguous columns.
    const Tensor nchw = uniform({3, 37, 5, 4}, 61, -2, 2, dt);
    const Tensor nhwc = permute(contiguous(permute(nchw, {0, 2, 3, 1})), {0, 3, 1, 2});
    const Tensor rows_of_nchw = contiguous(permute(nchw, {0, 2, 3, 1}));  // [3, 5, 4, 37]: 60 rows of 37 columns
    const ColumnRefs r = column_refs(test::values(rows_of_nchw), 60, 37);
    check_column_group(nhwc, {0, 2, 3}, r, tol);
    check_column_group(nchw, {0, 2, 3}, r, tol);
  }
  // Integers: wrapping products, sums and the logical reductions, exact.
  const Tensor ints = test::small_ints({7, 45}, 62);
  const Tensor ints_t = t(contiguous(t(ints)));
  CHECK_SAME(prod(ints, 0), prod(ints_t, 0), 0);
  CHECK_SAME(nansum(ints, {0}), sum(ints_t, {0}), 0);
  CHECK_SAME(count_nonzero(ints, {0}), count_nonzero(ints_t, {0}), 0);
  CHECK_SAME(all(ints, {0}), all(ints_t, {0}), 0);
  for (DType dt : {DType::UInt8, DType::Int16, DType::Bool})
    CHECK_SAME(any(to(ints, dt), {0}), any(to(ints_t, dt), {0}), 0);
  CHECK_SAME(prod(full({70, 3}, 3, DType::Int64), 0), full({3}, int64_t(2293070008301402073), DType::Int64), 0);  // 3^70 wraps
  // Chunks of 2048 columns halve as threads are added: the results must not move.
  const Tensor big = uniform({40, 5000}, 63, 0.9, 1.1);
  check_thread_independent([&] { return prod(big, 0); });
  check_thread_independent([&] { return var(big, {0}); });
  check_thread_independent([&] { return logsumexp(big, {0}); });
  check_thread_independent([&] { return vector_norm(big, 2, {0}); });
}
