// Sorting and selection: sort/argsort (stable, NaN last, descending), topk, kthvalue, median/nanmedian
// (PyTorch's index rule for ties), mode, unique (flat and along a dim); layouts, threads, gradients, bad input.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "fixtures.h"
#include "kiln/autograd.h"
#include "op_table.h"

using namespace kiln;
using test::make;
using test::ThreadCount;
using test::uniform;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST(sort_is_stable_with_nan_last) {
  const Tensor x = make({3, 1, 2, 1, kNaN, 0}, {2, 3});
  auto [v, i] = sort(x, 1);
  CHECK_VALUES(v, 0, {1, 2, 3, 0, 1, kNaN});
  CHECK_VALUES(i, 0, {1, 2, 0, 2, 0, 1});
  auto [dv, di] = sort(x, 1, true);
  CHECK_VALUES(dv, 0, {3, 2, 1, kNaN, 1, 0});
  CHECK_VALUES(di, 0, {0, 2, 1, 1, 0, 2});
  // Ties keep their order, in both directions, however long the row (PyTorch: stable=True).
  std::vector<double> ties;
  for (int k = 0; k < 40; ++k) ties.push_back(k % 3);
  const Tensor tied = make(ties, {40});
  const std::vector<double> order = test::values(argsort(tied));
  for (size_t k = 1; k < order.size(); ++k) {
    const double a = ties[static_cast<size_t>(order[k - 1])], b = ties[static_cast<size_t>(order[k])];
    CHECK(a < b || (a == b && order[k - 1] < order[k]));
  }
  const std::vector<double> desc = test::values(argsort(tied, 0, true));
  CHECK_EQ(desc[0], 2.0);
  CHECK_EQ(desc[1], 5.0);
  CHECK_VALUES(sort(make({1, 0, 1}, {3}, DType::Bool)).first, 0, {0, 1, 1});
  CHECK_VALUES(sort(make({-kInf, kInf, 0}, {3}, DType::Float64), 0, true).first, 0, {kInf, 0, -kInf});
  CHECK_VALUES(sort(Tensor::scalar(2.0, DType::Float32), 0).second, 0, {0});
  CHECK_SHAPE(sort(zeros({0, 3}), 0).first, {0, 3});
  CHECK_THROWS(sort(zeros({2, 3}), 2), Index, "sort: dimension out of range");
  CHECK_THROWS(argsort(zeros({2, 3}), -3), Index, "argsort: dimension out of range");
}

TEST(sort_of_strided_inputs_and_threads) {
  const Tensor base = uniform({300, 411}, 41);
  for (const Tensor& x : {t(base), slice(base, 1, 0, 411, 4), permute(view(base, {100, 3, 411}), {2, 0, 1})})
    for (int64_t d = 0; d < x.dim(); ++d) {
      auto [v, i] = sort(x, d, d == 1);
      auto [cv, ci] = sort(contiguous(x), d, d == 1);
      CHECK_SAME(v, cv, 0);
      CHECK_SAME(i, ci, 0);
      CHECK_SAME(gather(x, d, i), v, 0);
    }
  Tensor one, two;
  {
    ThreadCount t(1);
    one = argsort(base, 0);
  }
  {
    ThreadCount t(2);
    two = argsort(base, 0);
  }
  CHECK_SAME(two, one, 0);
}

TEST(topk_and_kthvalue) {
  const Tensor x = make({3, 1, 4, 1.5, 9, 2, 6, 5}, {2, 4});
  auto [v, i] = topk(x, 2);
  CHECK_VALUES(v, 0, {4, 3, 9, 6});
  CHECK_VALUES(i, 0, {2, 0, 0, 2});
  auto [sv, si] = topk(x, 1, 0, false);
  CHECK_VALUES(sv, 0, {3, 1, 4, 1.5});
  CHECK_VALUES(si, 0, {0, 0, 0, 0});
  CHECK_VALUES(topk(make({3, kNaN, 2}, {3}), 2).first, 0, {kNaN, 3});
  CHECK_VALUES(topk(make({3, kNaN, 2}, {3}), 3, 0, false).first, 0, {2, 3, kNaN});
  CHECK_SHAPE(topk(x, 0).first, {2, 0});
  CHECK_THROWS(topk(x, 5), Index, "topk: selected index k out of range");
  CHECK_THROWS(topk(x, -1), Index, "topk: selected index k out of range");
  CHECK_THROWS(topk(make({1, 0}, {2}, DType::Bool), 1), DType, "topk: not implemented for 'bool'");
  auto [kv, ki] = kthvalue(x, 2, 1, true);
  CHECK_SHAPE(kv, {2, 1});
  CHECK_VALUES(kv, 0, {1.5, 5});
  CHECK_VALUES(ki, 0, {3, 3});
  CHECK_VALUES(kthvalue(make({1, kNaN, 0}, {3}), 3).second, 0, {1});  // NaN ranks last
  CHECK_VALUES(kthvalue(make({1, 1, 1, 0}, {4}), 2).second, 0, {0});  // ties by index
  CHECK_THROWS(kthvalue(x, 5, 1), Index, "kthvalue: selected number k out of range for dimension 1");
  CHECK_THROWS(kthvalue(x, 0), Index, "kthvalue: selected number k out of range");
  CHECK_THROWS(kthvalue(zeros({2, 0}), 1, 1), Index, "kthvalue: Expected reduction dim 1 to have non-zero size");
}

TEST(topk_of_long_lines_matches_the_head_of_a_stable_sort) {
  // Lines long enough for the heap and the skipped blocks: many ties (values from 40 levels), NaNs in some rows,
  // rows along both dims (contiguous and strided), every k from 1 to the whole line; the first k of the stable
  // sort (descending for the largest) are the answer, indices included.
  std::vector<double> v(6 * 300);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>((i * 37) % 40);
  v[1 * 300 + 7] = v[1 * 300 + 250] = std::numeric_limits<double>::quiet_NaN();
  v[2 * 300 + 299] = 1000;
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64}) {
    std::vector<double> w = v;
    if (dt == DType::Int64)
      for (double& e : w) e = std::isnan(e) ? 99 : e;
    const Tensor x = make(w, {6, 300}, dt);
    for (int64_t dim : {1, 0})
      for (int64_t k : {int64_t(1), int64_t(10), int64_t(6), int64_t(299), int64_t(300)}) {
        if (k > x.shape()[dim]) continue;
        for (bool largest : {true, false}) {
          const auto [tv, ti] = topk(x, k, dim, largest);
          const auto [sv, si] = sort(x, dim, largest);
          CHECK_SAME(tv, narrow(sv, dim, 0, k), 0);
          CHECK_SAME(ti, narrow(si, dim, 0, k), 0);
        }
      }
  }
}

TEST(median_follows_pytorch_for_ties_and_nan) {
  CHECK_VALUES(median(make({1, 2, 2, 1}, {4})), 0, {1});  // the lower median
  CHECK_VALUES(median(make({3, 1, 2}, {3}, DType::Int64)), 0, {2});
  CHECK_VALUES(median(make({1, kNaN, 2}, {3})), 0, {kNaN});
  CHECK_VALUES(nanmedian(make({kNaN, 1, 3, 2}, {4})), 0, {2});
  CHECK_VALUES(median(zeros({0})), 0, {kNaN});
  // Along a dim the index is the median's rank in (value, index) order: torch gives (1, 5) here.
  auto [v, i] = median(make({1, 2, 2, 1, 2, 1}, {6}), 0);
  CHECK_VALUES(v, 0, {1});
  CHECK_VALUES(i, 0, {5});
  auto [nv, ni] = median(make({1, kNaN, 3, kNaN, 4, 2, -1, 5}, {2, 4}), 1, true);
  CHECK_SHAPE(nv, {2, 1});
  CHECK_VALUES(nv, 0, {kNaN, 2});
  CHECK_VALUES(ni, 0, {1, 1});
  auto [mv, mi] = nanmedian(make({1, kNaN, 3, kNaN}, {4}), 0);
  CHECK_VALUES(mv, 0, {1});
  CHECK_VALUES(mi, 0, {0});
  CHECK_VALUES(median(make({0, -0.0, 0}, {3}), 0).second, 0, {1});
  CHECK_THROWS(median(zeros({2, 0}), 1), Index, "median: Expected reduction dim 1 to have non-zero size");
  CHECK_THROWS(median(make({1, 0}, {2}, DType::Bool)), DType, "median: not implemented for 'bool'");
  CHECK_THROWS(nanmedian(zeros({2, 3}), 2), Index, "nanmedian: dimension out of range");
}

TEST(mode_picks_the_smallest_most_frequent_value) {
  auto [v, i] = mode(make({1, 2, 2, 1, 3, 5, 4, 4, 5, 4}, {2, 5}));
  CHECK_VALUES(v, 0, {1, 4});
  CHECK_VALUES(i, 0, {3, 4});  // the last occurrence
  CHECK_VALUES(mode(make({1, 1, 0}, {3}, DType::Bool), 0).first, 0, {1});
  CHECK_VALUES(mode(make({kNaN, kNaN, 2}, {3}), 0).first, 0, {2});  // each NaN counts alone
  CHECK_SHAPE(mode(zeros({0, 3}), 1).first, {0});
  CHECK_THROWS(mode(zeros({2, 0}), 1), Index, "mode: Expected reduction dim 1 to have non-zero size");
}

TEST(unique_flat_and_along_a_dim) {
  const TensorList u = unique(make({3, 1, 2, 1, 5, 3}, {2, 3}, DType::Int64));
  CHECK_VALUES(u[0], 0, {1, 2, 3, 5});
  CHECK_SHAPE(u[1], {2, 3});
  CHECK_VALUES(u[1], 0, {2, 0, 1, 0, 3, 2});
  CHECK_VALUES(u[2], 0, {2, 1, 2, 1});
  CHECK_VALUES(unique(make({kNaN, 1, kNaN}, {3}))[2], 0, {1, 1, 1});  // NaNs are all distinct
  CHECK_VALUES(unique(make({1, 0, 1}, {3}, DType::Bool))[0], 0, {0, 1});
  CHECK_SHAPE(unique(zeros({0}))[0], {0});
  CHECK_VALUES(unique(t(make({1, 2, 1, 2}, {2, 2})))[1], 0, {0, 0, 1, 1});
  const TensorList rows = unique_dim(make({1, 2, 1, 2, 0, 3, 1, 0}, {4, 2}, DType::Int64), 0);
  CHECK_VALUES(rows[0], 0, {0, 3, 1, 0, 1, 2});
  CHECK_VALUES(rows[1], 0, {2, 2, 0, 1});
  CHECK_VALUES(rows[2], 0, {1, 1, 2});
  const TensorList cols = unique_dim(make({1, 2, 1, 1, 2, 1}, {2, 3}), 1);
  CHECK_SHAPE(cols[0], {2, 2});
  CHECK_VALUES(cols[0], 0, {1, 2, 1, 2});
  CHECK_VALUES(cols[1], 0, {0, 1, 0});
  CHECK_SHAPE(unique_dim(zeros({0, 2}), 0)[0], {0, 2});
  CHECK_THROWS(unique_dim(Tensor::scalar(1.0, DType::Float32), 0), Index, "unique_dim: Dimension specified as 0");
  CHECK_THROWS(unique_dim(zeros({2, 0}), 0), Shape, "unique_dim: There are 0 sized dimensions");
  CHECK_THROWS(unique_dim(zeros({2, 3}), 2), Index, "unique_dim: dimension out of range");
}

// mode against the (value, index) pairs' order: the smallest most frequent value, at its last position, -0 and 0
// one value (the last one's sign), NaNs each alone (a line of NaNs: its first), over rows and columns.
TEST(mode_matches_the_pairs_order) {
  uint64_t state = 3;
  std::vector<double> x;
  for (int64_t i = 0; i < 40 * 37; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const int64_t k = static_cast<int64_t>(state >> 33) % 7;
    x.push_back(i >= 37 * 39 ? kNaN : k == 0 ? (i % 2 ? 0.0 : -0.0) : k == 6 ? kNaN : static_cast<double>(k % 4));
  }
  const Tensor t = make(x, {40, 37});
  for (const int64_t dim : {int64_t(0), int64_t(1)}) {
    auto [v, ix] = mode(t, dim);
    const std::vector<double> got_v = test::values(v), got_i = test::values(ix);
    const int64_t lines = dim == 1 ? 40 : 37, n = dim == 1 ? 37 : 40;
    for (int64_t l = 0; l < lines; ++l) {
      std::vector<std::pair<double, int64_t>> line;
      for (int64_t j = 0; j < n; ++j) line.push_back({x[static_cast<size_t>(dim == 1 ? l * 37 + j : j * 37 + l)], j});
      std::stable_sort(line.begin(), line.end(), [](const auto& a, const auto& b) {
        return a.first < b.first || (b.first != b.first && a.first == a.first);
      });
      int64_t best = 0, run = 0;
      std::pair<double, int64_t> want{};
      for (int64_t j = 0; j < n; ++j) {
        ++run;
        if (j + 1 == n || !(line[j].first == line[j + 1].first)) {
          if (run > best) best = run, want = line[j];
          run = 0;
        }
      }
      const double gv = got_v[static_cast<size_t>(l)];
      CHECK((gv == want.first && std::signbit(gv) == std::signbit(want.first)) || (gv != gv && want.first != want.first));
      CHECK_EQ(got_i[static_cast<size_t>(l)], static_cast<double>(want.second));
    }
  }
}

// Few distinct values go by a hash table, many by sorting: both against a reference built here, with -0 and 0
// (one value: the first occurrence's sign), NaNs (each its own, after the numbers) and a table that grows.
TEST(unique_by_hashing_and_by_sorting_agree_with_a_reference) {
  for (const int64_t distinct : {int64_t(300), int64_t(4000)}) {  // 4000 of 4000: past the hash path's limit
    std::vector<double> x;
    uint64_t state = 12345;
    for (int64_t i = 0; i < 4000; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      const int64_t k = distinct == 4000 ? i * 7919 % 4000 : static_cast<int64_t>(state >> 33) % distinct;
      x.push_back(k == 5 ? (i % 2 ? 0.0 : -0.0) : k == 6 && distinct == 300 ? kNaN : 0.5 * static_cast<double>(k) - 40);
    }
    for (DType dt : {DType::Float32, DType::Float64}) {
      const TensorList u = unique(make(x, {40, 100}, dt));
      // The reference: sorted distinct numbers (first occurrence), then each NaN in index order.
      std::vector<double> sorted_values;
      for (double v : x)
        if (v == v) sorted_values.push_back(v);
      std::sort(sorted_values.begin(), sorted_values.end());
      sorted_values.erase(std::unique(sorted_values.begin(), sorted_values.end()), sorted_values.end());
      const size_t numbers = sorted_values.size();
      const std::vector<double> values = test::values(u[0]), inverse = test::values(u[1]), counts = test::values(u[2]);
      size_t nans = 0;
      std::vector<double> expected_counts(numbers, 0.0);
      bool first_zero_seen = false, first_zero_negative = false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (x[i] != x[i]) {
          CHECK_EQ(inverse[i], static_cast<double>(numbers + nans));
          ++nans;
          continue;
        }
        const size_t k = static_cast<size_t>(std::lower_bound(sorted_values.begin(), sorted_values.end(), x[i]) -
                                             sorted_values.begin());
        CHECK_EQ(inverse[i], static_cast<double>(k));
        expected_counts[k] += 1;
        if (x[i] == 0 && !first_zero_seen) first_zero_seen = true, first_zero_negative = std::signbit(x[i]);
      }
      CHECK_EQ(values.size(), numbers + nans);
      for (size_t k = 0; k < numbers; ++k) {
        CHECK_EQ(values[k], sorted_values[k]);
        CHECK_EQ(counts[k], expected_counts[k]);
        if (values[k] == 0) CHECK_EQ(std::signbit(values[k]), first_zero_negative);
      }
      for (size_t k = numbers; k < values.size(); ++k) CHECK(values[k] != values[k] && counts[k] == 1);
      // Without return_inverse: the same values (NaNs included) and counts, and no inverse written.
      const TensorList w = call(*op_table()[op_id("unique")], {make(x, {40, 100}, dt)}, OpArgs{{1, 0, 1}, {}});
      CHECK_SAME(w[0], u[0], 0);
      CHECK_SAME(w[2], u[2], 0);
      CHECK_SHAPE(w[1], {0});
    }
  }
}

TEST(picked_values_get_the_gradient_at_their_indices) {
  Tensor x = make({3, 1, 4, 1.5, 9, 2}, {2, 3}, DType::Float64);
  set_requires_grad(x, true);
  const Tensor seed = make({1, 2, 3, 4, 5, 6}, {2, 3}, DType::Float64);
  CHECK_VALUES(kiln::grad({sort(x, 1).first}, {x}, {seed})[0], 0, {2, 1, 3, 4, 6, 5});
  CHECK_VALUES(kiln::grad({topk(x, 1, 1).first}, {x}, {make({1, 2}, {2, 1}, DType::Float64)})[0], 0, {0, 0, 1, 0, 2, 0});
  CHECK_VALUES(kiln::grad({median(x, 1).first}, {x}, {make({1, 2}, {2}, DType::Float64)})[0], 0, {1, 0, 0, 0, 0, 2});
  CHECK_VALUES(kiln::grad({median(x)}, {x})[0], 0, {0, 0, 0, 0, 0, 1});  // the lower median: 2
  Tensor tied = make({1, 2, 2, 1}, {4}, DType::Float64);
  set_requires_grad(tied, true);
  CHECK_VALUES(kiln::grad({median(tied)}, {tied})[0], 0, {0.5, 0, 0, 0.5});  // shared evenly, as PyTorch
  CHECK_EQ(grad_fn_name(mode(x, 1).first), std::string("ModeBackward0"));
  CHECK_EQ(grad_fn_name(kthvalue(x, 2, 0).first), std::string("KthvalueBackward0"));
  CHECK(!requires_grad(unique(x)[0]));  // unique is not differentiable
}
