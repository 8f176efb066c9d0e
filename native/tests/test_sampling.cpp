// Random ops: distributions (moments, bounds, frequencies against chi-square bounds, permutation validity), the
// same numbers for the same seed whatever the thread count, in-place fills of strided tensors, bad input.
// Seeds are fixed, so every check is deterministic; the statistical bounds are wide (about 6 sigma).
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "cpu/sampling.h"
#include "fixtures.h"

using namespace kiln;
using test::ThreadCount;

namespace {

// Pearson's statistic of counts against expected counts, and a bound it exceeds with negligible probability.
double chi_square(const std::vector<double>& counts, const std::vector<double>& expected) {
  double s = 0;
  for (size_t i = 0; i < counts.size(); ++i) s += (counts[i] - expected[i]) * (counts[i] - expected[i]) / expected[i];
  return s;
}
double chi_square_bound(size_t categories) {
  const double df = static_cast<double>(categories - 1);
  return df + 6 * std::sqrt(2 * df);
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}
double var_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - 1);
}

// Runs make with one thread and with four: the results must be identical, bit for bit.
void check_thread_independent(const std::function<Tensor()>& make) {
  Tensor one, four;
  {
    ThreadCount t(1);
    one = make();
  }
  {
    ThreadCount t(4);
    four = make();
  }
  CHECK_SAME(one, four, 0);
}

}  // namespace

TEST(randint_bounds_frequencies_and_dtypes) {
  Generator g(1);
  const Tensor r = randint(-3, 7, {100000}, DType::Int64, &g);
  CHECK_EQ(r.dtype(), DType::Int64);
  std::vector<double> counts(10, 0);
  for (double v : test::values(r)) {
    CHECK(v >= -3 && v < 7 && v == std::floor(v));
    counts[static_cast<size_t>(v + 3)] += 1;
  }
  CHECK(chi_square(counts, std::vector<double>(10, 10000)) < chi_square_bound(10));
  const Tensor f = randint(0, 5, {2, 3}, DType::Float32, &g);
  CHECK_EQ(f.dtype(), DType::Float32);
  CHECK_SHAPE(f, {2, 3});
  const Tensor b = randint(0, 2, {1000}, DType::Bool, &g);
  const double ones = mean_of(test::values(b));
  CHECK(ones > 0.4 && ones < 0.6);
  // The whole int64 range: both signs, and values beyond 32 bits.
  const std::vector<double> wide = test::values(randint(INT64_MIN, INT64_MAX, {1000}, DType::Int64, &g));
  CHECK(*std::min_element(wide.begin(), wide.end()) < -1e18 && *std::max_element(wide.begin(), wide.end()) > 1e18);
  CHECK_SHAPE(randint(0, 3, {0, 4}, DType::Int64, &g), {0, 4});
}

TEST(randint_bad_arguments) {
  CHECK_THROWS(randint(5, 5, {3}), Argument, "randint: random_ expects 'from' to be less than 'to', but got from=5 >= to=5");
  CHECK_THROWS(randint(0, 3, {3}, DType::Bool), Argument, "randint: the range [0, 3) is out of bounds for bool");
  CHECK_THROWS(randint(0, 3, {-1}), Argument, "randint");
}

TEST(same_seed_same_numbers_whatever_the_threads) {
  check_thread_independent([] {
    Generator g(7);
    return randint(0, 1000, {50000}, DType::Int64, &g);
  });
  check_thread_independent([] {
    Generator g(7);
    return bernoulli(test::uniform({40000}, 3, 0, 1, DType::Float64), &g);
  });
  check_thread_independent([] {
    Generator g(7);
    return multinomial(test::uniform({300, 20}, 4, 0, 1), 5, false, &g);
  });
  check_thread_independent([] {
    Generator g(7);
    return multinomial(test::uniform({300, 20}, 4, 0, 1), 50, true, &g);
  });
  check_thread_independent([] {
    Generator g(7);
    Tensor t = empty({30000});
    return trunc_normal_(t, 1, 2, -1, 3, &g);
  });
  check_thread_independent([] {
    Generator g(7);
    return randperm(10000, DType::Int64, &g);
  });
  // Two generators with one seed agree; the next call of one continues where it stopped.
  Generator a(3), b(3);
  CHECK_SAME(randint(0, 100, {10}, DType::Int64, &a), randint(0, 100, {10}, DType::Int64, &b), 0);
  const Tensor next = randint(0, 100, {1000}, DType::Int64, &a), other = randint(0, 100, {1000}, DType::Int64, &a);
  CHECK(test::values(next) != test::values(other));
}

TEST(randperm_is_a_uniform_permutation) {
  Generator g(2);
  for (int64_t n : {0, 1, 2, 17, 1000}) {
    std::vector<double> v = test::values(randperm(n, DType::Int64, &g));
    std::sort(v.begin(), v.end());
    for (int64_t i = 0; i < n; ++i) CHECK_EQ(v[i], static_cast<double>(i));
  }
  // Where element 0 lands, over many permutations of 8: uniform.
  std::vector<double> counts(8, 0);
  for (int k = 0; k < 8000; ++k) {
    const std::vector<double> p = test::values(randperm(8, DType::Int64, &g));
    counts[static_cast<size_t>(std::find(p.begin(), p.end(), 0.0) - p.begin())] += 1;
  }
  CHECK(chi_square(counts, std::vector<double>(8, 1000)) < chi_square_bound(8));
  CHECK_EQ(randperm(5, DType::Float32, &g).dtype(), DType::Float32);
  CHECK_THROWS(randperm(-1), Argument, "randperm: n must be non-negative, got -1");
  CHECK_THROWS(randperm(3, DType::Bool), DType, "randperm: not implemented for 'bool'");
  CHECK_THROWS(randperm((int64_t{1} << 24) + 2, DType::Float32), Argument, "randperm: n cannot be greater than 2^24+1");
}

TEST(bernoulli_frequencies) {
  Generator g(4);
  const Tensor p = test::make({0.0, 1.0, 0.25, 0.9}, {4, 1}, DType::Float64);
  const Tensor draws = bernoulli(expand(p, {4, 20000}), &g);
  CHECK_EQ(draws.dtype(), DType::Float64);
  const std::vector<double> row_means = test::values(mean(draws, {1}));
  CHECK_EQ(row_means[0], 0.0);
  CHECK_EQ(row_means[1], 1.0);
  CHECK(std::fabs(row_means[2] - 0.25) < 6 * std::sqrt(0.25 * 0.75 / 20000));
  CHECK(std::fabs(row_means[3] - 0.9) < 6 * std::sqrt(0.9 * 0.1 / 20000));
  const Tensor s = bernoulli(zeros({50000}, DType::Int64), 0.3, &g);
  CHECK_EQ(s.dtype(), DType::Int64);
  CHECK(std::fabs(mean_of(test::values(s)) - 0.3) < 6 * std::sqrt(0.3 * 0.7 / 50000));
}

TEST(bernoulli_in_place_on_a_view_writes_only_the_view) {
  Generator g(5);
  Tensor base = full({4, 6}, Scalar(7.0), DType::Float32);
  Tensor view = slice(transpose(base, 0, 1), 0, 0, 6, 2);  // rows 0, 2, 4 of the transpose: columns of base
  bernoulli_(view, 0.5, &g);
  const std::vector<double> v = test::values(base);
  for (int64_t r = 0; r < 4; ++r)
    for (int64_t c = 0; c < 6; ++c) {
      const double x = v[static_cast<size_t>(r * 6 + c)];
      CHECK(c % 2 == 0 ? (x == 0 || x == 1) : x == 7);
    }
  Tensor t = zeros({3, 5});
  bernoulli_(t, test::make({0.0, 1.0, 0.0, 1.0, 0.0}, {5}), &g);
  CHECK_VALUES(t, 0, {0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0});
}

TEST(bernoulli_bad_input_changes_nothing) {
  Tensor t = full({3}, Scalar(5.0), DType::Float32);
  CHECK_THROWS(bernoulli_(t, 1.5), Argument, "bernoulli_: expects p to be in [0, 1], but got p=1.5");
  CHECK_THROWS(bernoulli_(t, test::make({0.5, 2.0, 0.1}, {3})), Argument, "bernoulli_: expected every probability");
  CHECK_THROWS(bernoulli_(t, test::make({0.5, 0.5}, {2})), Shape, "bernoulli_");
  CHECK_VALUES(t, 0, {5, 5, 5});
  CHECK_THROWS(bernoulli(test::make({0, 1}, {2}, DType::Int64)), DType, "bernoulli: expected a floating point probability");
  CHECK_THROWS(bernoulli(test::make({0.5, NAN}, {2})), Argument, "bernoulli: expected every probability");
}

TEST(multinomial_with_replacement_follows_the_weights) {
  Generator g(6);
  const std::vector<double> w = {1, 0, 3, 6};  // unnormalized
  const Tensor s = multinomial(test::make(w, {4}), 100000, true, &g);
  CHECK_EQ(s.dtype(), DType::Int64);
  CHECK_SHAPE(s, {100000});
  std::vector<double> counts(4, 0);
  for (double v : test::values(s)) counts[static_cast<size_t>(v)] += 1;
  CHECK_EQ(counts[1], 0.0);
  CHECK(chi_square({counts[0], counts[2], counts[3]}, {10000, 30000, 60000}) < chi_square_bound(3));
  const Tensor rows = multinomial(test::make({1, 0, 0, 0, 0, 1}, {2, 3}), 7, true, &g);
  CHECK_VALUES(rows, 0, {0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2});
}

// The vector Philox gives philox()'s blocks: counters across a 32-bit carry, counts not a multiple of the lanes.
TEST(philox_blocks_match_philox) {
  for (const uint64_t counter : {uint64_t(0), uint64_t(0xFFFFFFFAull), uint64_t(0x123456789ABCull)})
    for (const int64_t n : {int64_t(1), int64_t(13), int64_t(64)}) {
      std::vector<PhiloxBlock> got(static_cast<size_t>(n));
      cpu::philox_blocks(0xDEADBEEF12345678ull, counter, n, got.data());
      for (int64_t k = 0; k < n; ++k) {
        const PhiloxBlock want = philox(0xDEADBEEF12345678ull, counter + static_cast<uint64_t>(k));
        for (int w = 0; w < 4; ++w) CHECK_EQ(got[static_cast<size_t>(k)].v[w], want.v[w]);
      }
    }
}

// Long rows go by blocks of 64 weights: draws follow weights over many blocks, never pick a zero weight (a zero
// block, zeros at block edges, trailing zeros), and land on the last positive weight when all but it are zero.
TEST(multinomial_over_many_blocks) {
  Generator g(9);
  const int64_t n = 1000;
  std::vector<double> w(n);
  for (int64_t j = 0; j < n; ++j)
    w[static_cast<size_t>(j)] = j % 64 == 0 || j % 64 == 63 || (j >= 128 && j < 192) || j >= 990 ? 0.0 : 1.0 + j % 3;
  const Tensor s = multinomial(test::make(w, {n}, DType::Float64), 300000, true, &g);
  std::vector<double> counts(n, 0.0);
  for (double v : test::values(s)) counts[static_cast<size_t>(v)] += 1;
  double total = 0;
  for (double x : w) total += x;
  std::vector<double> got, expected;
  for (int64_t j = 0; j < n; ++j) {
    if (w[static_cast<size_t>(j)] == 0) {
      CHECK_EQ(counts[static_cast<size_t>(j)], 0.0);
      continue;
    }
    got.push_back(counts[static_cast<size_t>(j)]);
    expected.push_back(300000 * w[static_cast<size_t>(j)] / total);
  }
  CHECK(chi_square(got, expected) < chi_square_bound(got.size()));
  std::vector<double> one(n, 0.0);
  one[700] = 1e-30;
  CHECK_VALUES(multinomial(test::make(one, {1, n}, DType::Float64), 5, true, &g), 0, {700, 700, 700, 700, 700});
}

TEST(multinomial_without_replacement) {
  Generator g(8);
  // Each row: distinct indices; zero weights only once the others are used up.
  const Tensor all = multinomial(test::make({0.0, 2.0, 0.0, 1.0}, {4}), 4, false, &g);
  const std::vector<double> v = test::values(all);
  CHECK(std::set<double>(v.begin(), v.end()).size() == 4);
  CHECK((std::set<double>{v[0], v[1]} == std::set<double>{1, 3}));
  // The first draw follows the weights; the second, the weights of the rest.
  const Tensor p = expand(test::make({1, 2, 3, 4}, {1, 4}, DType::Float64), {40000, 4});
  const Tensor two = multinomial(p, 2, false, &g);
  std::vector<double> first(4, 0), pairs12(1, 0);
  const std::vector<double> d = test::values(two);
  for (size_t r = 0; r < 40000; ++r) {
    first[static_cast<size_t>(d[2 * r])] += 1;
    CHECK(d[2 * r] != d[2 * r + 1]);
    if (d[2 * r] == 3 && d[2 * r + 1] == 2) pairs12[0] += 1;
  }
  CHECK(chi_square(first, {4000, 8000, 12000, 16000}) < chi_square_bound(4));
  const double p32 = 0.4 * 3.0 / 6.0;  // P(first 3, then 2)
  CHECK(std::fabs(pairs12[0] / 40000 - p32) < 6 * std::sqrt(p32 * (1 - p32) / 40000));
}

TEST(multinomial_bad_input) {
  CHECK_THROWS(multinomial(ones({2, 2, 2}), 1), Shape, "multinomial: prob_dist must be 1 or 2 dim");
  CHECK_THROWS(multinomial(ones({3}, DType::Int64), 1), DType, "multinomial: only supports floating-point dtypes");
  CHECK_THROWS(multinomial(ones({3}), 0), Argument, "cannot sample n_sample <= 0 samples");
  CHECK_THROWS(multinomial(ones({3}), 4), Argument, "cannot sample n_sample > prob_dist.size(-1) samples");
  CHECK_THROWS(multinomial(test::make({1, -1}, {2}), 1), Argument, "probability tensor contains");
  CHECK_THROWS(multinomial(test::make({1, INFINITY}, {2}), 1), Argument, "probability tensor contains");
  CHECK_THROWS(multinomial(test::make({1, 1, 0, 0}, {2, 2}), 1, true), Argument, "invalid multinomial distribution");
  CHECK_SHAPE(multinomial(zeros({0, 3}), 2), {0, 2});
}

TEST(normal_and_uniform_in_place) {
  Generator g(9);
  Tensor n = empty({200000}, DType::Float64);
  normal_(n, 2.0, 3.0, &g);
  const std::vector<double> nv = test::values(n);
  CHECK(std::fabs(mean_of(nv) - 2.0) < 6 * 3.0 / std::sqrt(200000.0));
  CHECK(std::fabs(var_of(nv) / 9.0 - 1) < 6 * std::sqrt(2.0 / 200000));
  Tensor u = empty({200000});
  uniform_(u, -1.0, 3.0, &g);
  const std::vector<double> uv = test::values(u);
  CHECK(*std::min_element(uv.begin(), uv.end()) >= -1 && *std::max_element(uv.begin(), uv.end()) < 3);
  CHECK(std::fabs(mean_of(uv) - 1.0) < 6 * std::sqrt(16.0 / 12 / 200000));
  CHECK(std::fabs(var_of(uv) - 16.0 / 12) < 0.02);
  Tensor c = empty({4});
  CHECK_VALUES(uniform_(c, 2.5, 2.5, &g), 0, {2.5, 2.5, 2.5, 2.5});
  CHECK_VALUES(normal_(c, -1.0, 0.0, &g), 0, {-1, -1, -1, -1});
  // A strided view: only its elements change.
  Tensor base = zeros({3, 4});
  Tensor col = slice(base, 1, 1, 2);
  normal_(col, 10.0, 1.0, &g);
  const std::vector<double> bv = test::values(base);
  for (size_t i = 0; i < bv.size(); ++i) CHECK(i % 4 == 1 ? bv[i] > 3 : bv[i] == 0);
}

TEST(normal_and_uniform_bad_input_changes_nothing) {
  Tensor t = full({3}, Scalar(5.0), DType::Float32);
  CHECK_THROWS(normal_(t, 0, -1), Argument, "normal_: normal expects std >= 0.0, but found std -1");
  CHECK_THROWS(uniform_(t, 2, 1), Argument, "uniform_: uniform_ expects to return a [from, to) range, but found from=2 > to=1");
  CHECK_THROWS(uniform_(t, 0, INFINITY), Argument, "uniform_");
  CHECK_THROWS(uniform_(t, -3e38, 3e38), Argument, "uniform_: expects to - from <= the largest float32");
  CHECK_VALUES(t, 0, {5, 5, 5});
  Tensor i = zeros({2}, DType::Int64);
  CHECK_THROWS(normal_(i), DType, "normal_: not implemented for 'int64'");
  CHECK_THROWS(uniform_(i), DType, "uniform_: not implemented for 'int64'");
  Tensor e = expand(zeros({1}), {3});
  CHECK_THROWS(normal_(e), Argument, "normal_: unsupported operation: more than one element");
}

TEST(trunc_normal_moments_and_bounds) {
  Generator g(10);
  // Standard normal on [-1, 2]: the truncated normal's mean and variance in closed form.
  const double a = -1, b = 2;
  auto pdf = [](double x) { return std::exp(-x * x / 2) / std::sqrt(2 * M_PI); };
  auto cdf = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
  const double z = cdf(b) - cdf(a);
  const double mu = (pdf(a) - pdf(b)) / z;
  const double var = 1 + (a * pdf(a) - b * pdf(b)) / z - mu * mu;
  Tensor t = empty({200000}, DType::Float64);
  trunc_normal_(t, 0, 1, a, b, &g);
  const std::vector<double> v = test::values(t);
  CHECK(*std::min_element(v.begin(), v.end()) >= a && *std::max_element(v.begin(), v.end()) <= b);
  CHECK(std::fabs(mean_of(v) - mu) < 6 * std::sqrt(var / 200000));
  CHECK(std::fabs(var_of(v) / var - 1) < 0.02);
  // Scaled and shifted, far out in a tail (mirrored internally), and a zero std.
  Tensor tail = empty({20000});
  trunc_normal_(tail, 1.0, 0.5, 3.0, 3.5, &g);
  const std::vector<double> tv = test::values(tail);
  CHECK(*std::min_element(tv.begin(), tv.end()) >= 3.0f && *std::max_element(tv.begin(), tv.end()) <= 3.5f);
  CHECK(mean_of(tv) < 3.15);  // mass piles up near the bound closer to the mean
  Tensor flat = empty({3});
  CHECK_VALUES(trunc_normal_(flat, 0.5, 0.0, -2, 2, &g), 0, {0.5, 0.5, 0.5});
  CHECK_THROWS(trunc_normal_(flat, 0, 1, 2, 1), Argument, "trunc_normal_: expects the bounds a <= b");
  CHECK_THROWS(trunc_normal_(flat, 0, -1, -2, 2), Argument, "trunc_normal_");
}

TEST(orthogonal_gives_orthonormal_rows_or_columns) {
  for (const Shape& shape : {Shape{6, 3}, Shape{3, 6}, Shape{5, 5}, Shape{4, 2, 3, 1}}) {
    for (DType t : {DType::Float32, DType::Float64}) {
      Generator g(11);
      Tensor w = empty(shape, t);
      orthogonal_(w, 2.0, &g);
      const int64_t rows = shape[0], cols = w.numel() / rows;
      const Tensor m = div(reshape(to(w, DType::Float64), {rows, cols}), Scalar(2.0));
      const Tensor gram = rows >= cols ? matmul(kiln::t(m), m) : matmul(m, kiln::t(m));
      const int64_t k = std::min(rows, cols);
      CHECK_SAME(gram, eye(k, k, DType::Float64), t == DType::Float32 ? 1e-6 : 1e-12);
    }
  }
  Generator a(12), b(12);
  Tensor x = empty({4, 3}), y = empty({4, 3});
  CHECK_SAME(orthogonal_(x, 1.0, &a), orthogonal_(y, 1.0, &b), 0);
  Tensor v = empty({5});
  CHECK_THROWS(orthogonal_(v), Shape, "orthogonal_: Only tensors with 2 or more dimensions are supported");
}

TEST(like_forms_take_shape_and_dtype) {
  Generator g(13);
  const Tensor x = zeros({2, 3}, DType::Float64);
  CHECK_EQ(rand_like(x, &g).dtype(), DType::Float64);
  CHECK_SHAPE(randn_like(x, &g), {2, 3});
  const Tensor ri = randint_like(zeros({4}, DType::Int64), 3, 9, &g);
  CHECK_EQ(ri.dtype(), DType::Int64);
  for (double v : test::values(ri)) CHECK(v >= 3 && v < 9);
  CHECK_THROWS(rand_like(zeros({2}, DType::Int64)), DType, "rand");
}
