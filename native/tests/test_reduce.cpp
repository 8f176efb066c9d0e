// Reductions: sum/mean layouts and dims, int/empty cases, max/min/arg* with NaN, accuracy, thread independence.
#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

#include "fixtures.h"

using namespace kiln;
using test::iota;
using test::make;
using test::ThreadCount;
using test::uniform;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class Ref { Sum, Mean, Max, Min };

// A reference reduction in double over `dims` (every dim when empty), by visiting each element.
Tensor ref_reduce(const Tensor& x, const Dims& dims, bool keepdim, Ref op, DType dtype) {
  const int64_t nd = x.dim();
  std::vector<bool> reduced(static_cast<size_t>(nd), dims.empty());
  for (int64_t d : dims) reduced[static_cast<size_t>(wrap_dim(d, nd, "ref"))] = true;
  Shape kept = x.shape(), dropped;
  for (int64_t d = 0; d < nd; ++d) {
    if (reduced[d]) kept[d] = 1;
    else dropped.push_back(x.shape()[d]);
  }
  const std::vector<double> v = test::values(x);
  const int64_t n_out = checked_numel(kept, "ref");
  const double init = op == Ref::Max ? -INFINITY : op == Ref::Min ? INFINITY : 0.0;
  std::vector<double> acc(static_cast<size_t>(n_out), init);
  for (int64_t i = 0; i < static_cast<int64_t>(v.size()); ++i) {
    int64_t rest = i, out = 0, stride = 1;
    for (int64_t d = nd - 1; d >= 0; --d) {
      const int64_t idx = rest % x.shape()[d];
      rest /= x.shape()[d];
      if (!reduced[d]) out += idx * stride;
      stride *= kept[d];
    }
    double& a = acc[static_cast<size_t>(out)];
    if (op == Ref::Sum || op == Ref::Mean) a += v[i];
    else if (!std::isnan(a) && (std::isnan(v[i]) || (op == Ref::Max ? v[i] > a : v[i] < a))) a = v[i];
  }
  if (op == Ref::Mean) {
    const double count = n_out == 0 ? 0 : static_cast<double>(x.numel()) / static_cast<double>(n_out);
    for (double& a : acc) a /= count;
  }
  return make(acc, keepdim ? kept : dropped, dtype);
}

// float32 sums add blocks of 4 elements in float before accumulating in double (reduce.cpp): against the exact
// reference they are good to float32 precision of the sum of magnitudes, here up to a few 1e-6.
void check_sum_and_mean(const Tensor& x, const Dims& dims, double tol) {
  if (x.dtype() == DType::Float32) tol = std::max(tol, 1e-5);
  for (bool keepdim : {false, true}) {
    CHECK_SAME(sum(x, dims, keepdim), ref_reduce(x, dims, keepdim, Ref::Sum, DType::Float64), tol);
    CHECK_SAME(mean(x, dims, keepdim), ref_reduce(x, dims, keepdim, Ref::Mean, DType::Float64), tol);
  }
}

// Runs f with 1, 2 and 3 threads and checks the results are identical.
template <class F>
void check_thread_independent(F f) {
  Tensor one, two, three;
  {
    ThreadCount threads(1);
    one = f();
  }
  {
    ThreadCount threads(2);
    two = f();
  }
  {
    ThreadCount threads(3);
    three = f();
  }
  CHECK_SAME(two, one, 0);
  CHECK_SAME(three, one, 0);
}

}  // namespace

TEST(sum_and_mean_of_everything) {
  const Tensor x = iota({2, 3});
  CHECK_SHAPE(sum(x), {});
  CHECK_VALUES(sum(x), 0, {15});
  CHECK_VALUES(mean(x), 0, {2.5});
  CHECK_SHAPE(sum(x, {}, true), {1, 1});
  CHECK_VALUES(sum(x, {0, 1}), 0, {15});
  CHECK_VALUES(sum(Tensor::scalar(4.0, DType::Float32)), 0, {4});
  CHECK_VALUES(sum(Tensor::scalar(4.0, DType::Float32), {0}), 0, {4});
  CHECK_EQ(sum(to(x, DType::Float64)).dtype(), DType::Float64);
}

TEST(sum_and_mean_over_dims) {
  const Tensor x = iota({2, 3, 4});
  CHECK_VALUES(sum(x, {0, 2}), 0, {60, 92, 124});  // torch.arange(24.).view(2, 3, 4).sum((0, 2))
  CHECK_VALUES(mean(x, {1}), 0, {4, 5, 6, 7, 16, 17, 18, 19});
  CHECK_SHAPE(sum(x, {1}, true), {2, 1, 4});
  CHECK_SHAPE(sum(x, {-1}), {2, 3});
  CHECK_SAME(sum(x, {-1, 0}), sum(x, {0, 2}), 0);
  for (const Dims& dims : {Dims{0}, Dims{1}, Dims{2}, Dims{0, 1}, Dims{1, 2}, Dims{0, 2}, Dims{}})
    check_sum_and_mean(x, dims, 1e-6);
  CHECK_THROWS(sum(x, {1, 1}), Argument, "sum: dim 1 appears multiple times in the list of dims");
  CHECK_THROWS(mean(x, {3}), Index, "mean: dimension out of range");
}

TEST(sum_over_a_size_one_dim_keeps_values) {
  const Tensor x = iota({3, 1, 4});
  CHECK_SAME(sum(x, {1}), view(x, {3, 4}), 0);
  CHECK_SAME(mean(x, {1}, true), x, 0);
}

TEST(column_and_row_layouts_of_a_matrix) {
  const Tensor m = uniform({300, 1100}, 1);  // 1100 columns: several 512-wide column chunks
  check_sum_and_mean(m, {0}, 1e-6);            // column layout
  check_sum_and_mean(m, {1}, 1e-6);            // row layout
  check_sum_and_mean(m, {}, 1e-6);
  const Tensor small = iota({3, 5});
  CHECK_VALUES(sum(small, {0}), 0, {15, 18, 21, 24, 27});
  CHECK_VALUES(sum(small, {1}), 0, {10, 35, 60});
}

// The column layout reduces batches of up to 8 rows per pass (a single batch writes out directly) over chunks of
// 256 to 2048 columns, fewer with more threads: every row count around the batch size, column counts around the
// chunk sizes, one and several outer positions, sums in every dtype that sums as stored and extremes in every
// integer type, against the reference (and the same bits on 1, 2 and 3 threads).
TEST(column_layouts_with_any_number_of_rows) {
  for (const int64_t rows : {1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 19}) {
    for (const int64_t cols : {1, 7, 255, 257, 1100, 2049}) {
      const Tensor x = uniform({rows, cols}, 40 + rows, -1, 1);
      check_sum_and_mean(x, {0}, 1e-6);
      CHECK_SAME(amax(x, {0}), ref_reduce(x, {0}, false, Ref::Max, DType::Float32), 0);
      const Tensor d = uniform({2, rows, cols}, 41, -1, 1, DType::Float64);
      check_sum_and_mean(d, {1}, 1e-12);
      CHECK_SAME(amin(d, {1}, true), ref_reduce(d, {1}, true, Ref::Min, DType::Float64), 0);
      const Tensor i = to(mul(uniform({3, rows, cols}, 42, -1, 1, DType::Float64), 1e12), DType::Int64);
      CHECK_SAME(sum(i, {1}), ref_reduce(i, {1}, false, Ref::Sum, DType::Int64), 0);
      for (const DType t : {DType::Int32, DType::Int16, DType::Int8, DType::UInt8}) {
        const Tensor n = to(to(mul(uniform({2, rows, cols}, 43, -1, 1, DType::Float64), 300), DType::Int64), t);
        CHECK_SAME(amax(n, {1}), ref_reduce(n, {1}, false, Ref::Max, t), 0);
        CHECK_SAME(amin(n, {1}), ref_reduce(n, {1}, false, Ref::Min, t), 0);
      }
      check_thread_independent([&] { return sum(x, {0}); });
    }
  }
  // NaN wins in a batch written out and across batches.
  const Tensor nan_rows = uniform({19, 300}, 44);
  Tensor spot = narrow(narrow(nan_rows, 0, 17, 1), 1, 5, 1);
  copy_(spot, full({1, 1}, kNaN, DType::Float32));
  CHECK(std::isnan(test::values(amax(nan_rows, {0}))[5]));
  CHECK(std::isnan(test::values(amin(narrow(nan_rows, 0, 15, 4), {0}))[5]));
  CHECK(!std::isnan(test::values(amax(nan_rows, {0}))[4]));
}

// Runs shorter than the wide loops go by single vectors and float sums by a zero-padded block; float extremes take
// four vectors a step, then up to three and one overlapping the last (vectors halved for runs under one): every
// length around those widths (4, 8, 16 floats; 2, 4, 8 doubles; 4 of each a step), sums against the reference,
// extremes exact, a NaN in each part of a run, infinities.
TEST(short_runs_along_the_last_dim) {
  for (int64_t n = 1; n <= 200; n += (n < 140 ? 1 : 13)) {
    const Tensor x = uniform({5, n}, 50 + n, -1, 1);
    check_sum_and_mean(x, {1}, 1e-6);
    check_sum_and_mean(to(x, DType::Float64), {1}, 1e-12);
    for (DType dt : {DType::Float32, DType::Float64}) {
      const Tensor xd = to(x, dt);
      CHECK_SAME(amax(xd, {1}), ref_reduce(xd, {1}, false, Ref::Max, dt), 0);
      CHECK_SAME(amin(xd, {1}), ref_reduce(xd, {1}, false, Ref::Min, dt), 0);
      Tensor inf = clone(xd);  // row 0 all -inf, row 1 a +inf last, row 3 a -inf first
      Tensor row0 = narrow(inf, 0, 0, 1), last1 = narrow(narrow(inf, 0, 1, 1), 1, n - 1, 1),
             first3 = narrow(narrow(inf, 0, 3, 1), 1, 0, 1);
      copy_(row0, full({1, n}, -INFINITY, dt));
      copy_(last1, full({1, 1}, INFINITY, dt));
      copy_(first3, full({1, 1}, -INFINITY, dt));
      CHECK_SAME(amax(inf, {1}), ref_reduce(inf, {1}, false, Ref::Max, dt), 0);
      CHECK_SAME(amin(inf, {1}), ref_reduce(inf, {1}, false, Ref::Min, dt), 0);
    }
    const Tensor i = to(mul(x, 1000), DType::Int64);
    CHECK_SAME(sum(i, {1}), ref_reduce(i, {1}, false, Ref::Sum, DType::Int64), 0);
    CHECK_SAME(amax(to(i, DType::Int16), {1}), ref_reduce(i, {1}, false, Ref::Max, DType::Int16), 0);
    for (const int64_t at : {int64_t(0), n / 2, n - 1}) {
      Tensor y = clone(x);
      Tensor spot = narrow(narrow(y, 0, 2, 1), 1, at, 1);
      copy_(spot, full({1, 1}, kNaN, DType::Float32));
      for (const Tensor& z : {y, to(y, DType::Float64)}) {
        const std::vector<double> got = test::values(amax(z, {1})), low = test::values(amin(z, {1}));
        CHECK(std::isnan(got[2]) && !std::isnan(got[1]) && !std::isnan(got[3]));
        CHECK(std::isnan(low[2]) && !std::isnan(low[1]) && !std::isnan(low[3]));
      }
      CHECK(std::isnan(test::values(sum(y, {1}))[2]));
    }
  }
  CHECK(!std::signbit(test::values(sum(full({3}, -0.0, DType::Float32)))[0]));  // the total starts at +0
}

TEST(mixed_dims_of_4d_and_3d_tensors) {
  const Tensor nchw = uniform({4, 5, 6, 7}, 2);
  for (const Dims& dims :
       {Dims{0, 2, 3}, Dims{1, 3}, Dims{0, 2}, Dims{0, 1}, Dims{2, 3}, Dims{0, 3}, Dims{1, 2}, Dims{0, 1, 2}})
    check_sum_and_mean(nchw, dims, 1e-6);
  const Tensor x = uniform({8, 9, 10}, 3);
  for (const Dims& dims : {Dims{0, 2}, Dims{0, 1}, Dims{1}}) check_sum_and_mean(x, dims, 1e-6);
}

TEST(strided_inputs) {
  const Tensor transposed = t(uniform({700, 300}, 4));                          // [300, 700], strides [1, 300]
  const Tensor stepped = slice(uniform({300, 1400}, 5), 1, 0, 1400, 2);          // strides [1400, 2]
  const Tensor expanded = expand(uniform({1, 300}, 6), {500, 300});             // strides [0, 1]
  const Tensor permuted = permute(uniform({5, 6, 7, 8}, 7), {2, 0, 3, 1});
  for (const Tensor& x : {transposed, stepped, expanded}) {
    for (const Dims& dims : {Dims{0}, Dims{1}, Dims{}}) {
      check_sum_and_mean(x, dims, 1e-6);
      // Layouts take different paths (rows, columns), whose float32 blocks round differently: they agree to
      // float32 precision of the sum of magnitudes (here up to ~1e-6 absolute), not exactly.
      CHECK_SAME(sum(x, dims), sum(contiguous(x), dims), 1e-5);
    }
  }
  for (const Dims& dims : {Dims{0, 2}, Dims{1, 3}, Dims{3}, Dims{0, 1, 2}}) check_sum_and_mean(permuted, dims, 1e-6);
  CHECK_VALUES(sum(expand(make({1, 2}, {2, 1}), {2, 3}), {1}), 0, {3, 6});
}

// The plan walks kept and reduced dims in the input's memory order: channels-last channels are the contiguous
// columns of every reduction that keeps them (over the batch, the plane, or both). Against the reference, and
// over the batch the same bits as the contiguous input (both reduce each column down the same rows).
TEST(channels_last_inputs_reduce_in_memory_order) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    const Tensor nchw = uniform({3, 37, 5, 4}, 8, -2, 2, dt);
    const Tensor nhwc = permute(contiguous(permute(nchw, {0, 2, 3, 1})), {0, 3, 1, 2});
    for (const Dims& dims : {Dims{0}, Dims{1}, Dims{2}, Dims{3}, Dims{2, 3}, Dims{0, 2, 3}, Dims{0, 1}, Dims{1, 2, 3}}) {
      check_sum_and_mean(nhwc, dims, 1e-12);
      CHECK_SAME(amax(nhwc, dims), ref_reduce(nhwc, dims, false, Ref::Max, DType::Float64), 0);
      CHECK_SAME(amin(nhwc, dims, true), ref_reduce(nhwc, dims, true, Ref::Min, DType::Float64), 0);
    }
    CHECK_SAME(sum(nhwc, {0}), sum(nchw, {0}), 0);
    CHECK_SAME(amax(nhwc, {0}), amax(nchw, {0}), 0);
  }
}

TEST(integer_and_bool_sums_are_int64) {
  const Tensor b = make({1, 1, 0, 1}, {2, 2}, DType::Bool);
  CHECK_EQ(sum(b).dtype(), DType::Int64);
  CHECK_VALUES(sum(b), 0, {3});
  CHECK_VALUES(sum(b, {0}), 0, {1, 2});
  const Tensor i = make({1, 2, 3, 4}, {2, 2}, DType::Int64);
  CHECK_EQ(sum(i, {1}).dtype(), DType::Int64);
  CHECK_VALUES(sum(i, {1}), 0, {3, 7});
  // Exact beyond 2^53: the sum is not formed in double.
  const int64_t big[] = {int64_t(1) << 53, 1, 1};
  CHECK_EQ(sum(from_data(big, 3, {3}, DType::Int64)).data<int64_t>()[0], (int64_t(1) << 53) + 2);
  // Overflow wraps as in PyTorch: torch.tensor([2**63 - 1, 1]).sum() is -2**63, and 40 copies of 2**63 - 1 sum to -40.
  const int64_t edge[] = {INT64_MAX, 2, 1, -3};
  const Tensor e = from_data(edge, 4, {2, 2}, DType::Int64);
  CHECK_EQ(sum(narrow(view(e, {4}), 0, 0, 3)).data<int64_t>()[0], INT64_MIN + 2);
  const Tensor columns = sum(e, {0});
  CHECK_EQ(columns.data<int64_t>()[0], INT64_MIN);
  CHECK_EQ(columns.data<int64_t>()[1], int64_t(-1));
  CHECK_EQ(sum(expand(narrow(view(e, {4}), 0, 0, 1), {40})).data<int64_t>()[0], int64_t(-40));
  CHECK_THROWS(mean(i), DType,
               "mean: could not infer output dtype. Input dtype must be a floating point dtype, got int64");
  CHECK_THROWS(mean(b), DType, "got bool");
}

TEST(empty_tensors) {
  const Tensor e = zeros({0, 3});
  CHECK_VALUES(sum(e), 0, {0});
  CHECK_VALUES(mean(e), 0, {kNaN});
  CHECK_VALUES(sum(e, {0}), 0, {0, 0, 0});
  CHECK_VALUES(mean(e, {0}), 0, {kNaN, kNaN, kNaN});
  CHECK_SHAPE(sum(e, {1}), {0});
  CHECK_VALUES(sum(zeros({0}, DType::Int64)), 0, {0});
  CHECK_THROWS(max(e), Argument, "max: expected reduction dim to be specified for input.numel() == 0");
  CHECK_THROWS(min(e), Argument, "min: expected reduction dim to be specified");
  CHECK_THROWS(max(e, 0), Index, "max: expected reduction dim 0 to have non-zero size");
  CHECK_THROWS(argmax(e), Argument, "argmax: expected reduction dim to be specified");
  const auto [values, indices] = max(e, 1);
  CHECK_SHAPE(values, {0});
  CHECK_SHAPE(indices, {0});
}

TEST(max_and_min_of_everything) {
  const Tensor x = make({3, -1, 7, 2}, {2, 2});
  CHECK_VALUES(max(x), 0, {7});
  CHECK_VALUES(min(x), 0, {-1});
  CHECK_SHAPE(max(x), {});
  CHECK_VALUES(max(make({-INFINITY, -1e30}, {2})), 1e-6, {-1e30});
  CHECK_VALUES(min(make({4, 9, -3}, {3}, DType::Int64)), 0, {-3});
  CHECK_EQ(max(make({4, 9}, {2}, DType::Int64)).dtype(), DType::Int64);
  CHECK_VALUES(max(t(iota({3, 4}))), 0, {11});
  const Tensor big = uniform({1000, 1000}, 8);
  CHECK_SAME(max(big), ref_reduce(big, {}, false, Ref::Max, DType::Float64), 0);
  CHECK_SAME(min(t(big)), ref_reduce(big, {}, false, Ref::Min, DType::Float64), 0);
}

TEST(max_and_min_propagate_nan) {
  CHECK_VALUES(max(make({1, kNaN, 3}, {3})), 0, {kNaN});
  CHECK_VALUES(min(make({1, kNaN, 3}, {3})), 0, {kNaN});
  // A NaN in the middle of a long row, where the kernel uses several lanes and blocks.
  std::vector<double> v(200000, 1.0);
  v[123457] = kNaN;
  CHECK_VALUES(max(make(v, {200000})), 0, {kNaN});
  CHECK_VALUES(min(make(v, {400, 500})), 0, {kNaN});
}

TEST(max_and_min_along_a_dim_with_indices) {
  const auto [values, indices] = max(make({1, 7, 7, 4, 4, 2}, {2, 3}, DType::Int64), 0);
  CHECK_VALUES(values, 0, {4, 7, 7});
  CHECK_VALUES(indices, 0, {1, 0, 0});  // ties: the first index
  CHECK_EQ(indices.dtype(), DType::Int64);
  const auto [mv, mi] = min(make({3, 1, 1, 2}, {1, 4}), 1);
  CHECK_VALUES(mv, 0, {1});
  CHECK_VALUES(mi, 0, {1});
  const auto [kv, ki] = max(iota({2, 3}), -1, true);
  CHECK_SHAPE(kv, {2, 1});
  CHECK_VALUES(ki, 0, {2, 2});
  const auto [sv, si] = max(Tensor::scalar(5.0, DType::Float32), 0);  // torch.max(torch.tensor(5.), 0)
  CHECK_VALUES(sv, 0, {5});
  CHECK_VALUES(si, 0, {0});
  CHECK_THROWS(max(iota({2, 3}), 2), Index, "dimension out of range");
}

TEST(nan_wins_along_a_dim) {
  const auto [values, indices] = max(make({1, kNaN, 3, kNaN, 2, 5, 5, 1}, {2, 4}), 1);
  CHECK_VALUES(values, 0, {kNaN, 5});
  CHECK_VALUES(indices, 0, {1, 1});
  const auto [mv, mi] = min(make({1, kNaN, 0, 2, -1, kNaN}, {2, 3}), 1);
  CHECK_VALUES(mv, 0, {kNaN, kNaN});
  CHECK_VALUES(mi, 0, {1, 2});
}

TEST(max_along_dims_of_strided_and_large_inputs) {
  const Tensor x = uniform({64, 300, 5}, 9);
  for (int64_t dim : {0, 1, 2}) {
    const auto [v, i] = max(x, dim);
    CHECK_SAME(v, ref_reduce(x, {dim}, false, Ref::Max, DType::Float64), 0);
    const auto [tv, ti] = min(transpose(x, 0, 2), dim);
    CHECK_SAME(tv, ref_reduce(transpose(x, 0, 2), {dim}, false, Ref::Min, DType::Float64), 0);
    CHECK_SAME(ti, argmin(contiguous(transpose(x, 0, 2)), dim), 0);
  }
}

TEST(max_and_min_with_indices_over_long_rows_find_the_first_extreme) {
  // Rows long enough for the vectorised search (blocks of 64): ties, a NaN after the extreme, the extreme in the
  // ragged tail, signed zeros, and every dtype; against a scalar scan (first strict improvement, NaN wins).
  const int64_t rows = 6, n = 1000;
  std::vector<double> v(static_cast<size_t>(rows * n));
  for (int64_t i = 0; i < rows * n; ++i) v[i] = static_cast<double>((i * 7919) % 1009) - 500;
  v[0 * n + 10] = v[0 * n + 700] = 900;  // tie: the first wins
  v[1 * n + 999] = 900;                  // in the tail past the last block of 64
  v[2 * n + 300] = 900;
  v[2 * n + 800] = kNaN;  // NaN after the largest: the NaN wins
  v[3 * n + 5] = kNaN;
  v[3 * n + 600] = kNaN;  // two NaNs: the first
  for (int64_t i = 0; i < n; ++i) v[4 * n + i] = (i % 3 == 0) ? -0.0 : (i % 3 == 1 ? 0.0 : -1.0);  // -0 and 0 tie
  for (int64_t i = 0; i < n; ++i) v[5 * n + i] = 3;  // all equal
  const auto scan = [&](const std::vector<double>& w, int64_t r, bool is_max) {
    int64_t best = 0;
    for (int64_t i = 1; i < n && !std::isnan(w[r * n + best]); ++i) {
      const double cur = w[r * n + i], b = w[r * n + best];
      if (std::isnan(cur) || (is_max ? cur > b : cur < b)) best = i;
    }
    return best;
  };
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64}) {
    std::vector<double> w = v;
    if (dt == DType::Int64)
      for (double& e : w) e = std::isnan(e) ? 0 : e;
    const Tensor x = make(w, {rows, n}, dt);
    for (bool is_max : {true, false}) {
      const auto [values, indices] = is_max ? max(x, 1) : min(x, 1);
      std::vector<double> want_i, want_v;
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t i = scan(w, r, is_max);
        want_i.push_back(static_cast<double>(i));
        want_v.push_back(w[r * n + i]);
      }
      CHECK_SAME(indices, make(want_i, {rows}, DType::Int64), 0);
      CHECK_SAME(values, make(want_v, {rows}, dt), 0);
      CHECK_SAME(is_max ? argmax(x, 1) : argmin(x, 1), indices, 0);
    }
  }
  // The sign of a zero extreme is the first one's, as PyTorch: row 4 starts with -0.
  const auto [zv, zi] = max(make(std::vector<double>(v.begin() + 4 * n, v.begin() + 5 * n), {n}), 0);
  CHECK_EQ(test::values(zi)[0], 0.0);
  CHECK(std::signbit(test::values(zv)[0]));
}

// max/min with indices along dim by a scalar scan: the first strict improvement, a first NaN wins.
std::pair<Tensor, Tensor> ref_extreme_dim(const Tensor& x, int64_t dim, bool is_max) {
  const std::vector<double> v = test::values(x);
  const Shape& s = x.shape();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= s[d];
  for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= s[d];
  const int64_t n = s[dim];
  Shape kept = s;
  kept.erase(kept.begin() + dim);
  std::vector<double> values, indices;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < inner; ++j) {
      const auto at = [&](int64_t i) { return v[static_cast<size_t>((o * n + i) * inner + j)]; };
      int64_t best = 0;
      for (int64_t i = 1; i < n && !std::isnan(at(best)); ++i)
        if (std::isnan(at(i)) || (is_max ? at(i) > at(best) : at(i) < at(best))) best = i;
      values.push_back(at(best));
      indices.push_back(static_cast<double>(best));
    }
  }
  return {make(values, kept, x.dtype()), make(indices, kept, DType::Int64)};
}

void check_extreme_dim(const Tensor& x, int64_t dim) {
  for (bool is_max : {true, false}) {
    const auto [values, indices] = is_max ? max(x, dim) : min(x, dim);
    const auto [want_v, want_i] = ref_extreme_dim(x, dim, is_max);
    CHECK_SAME(indices, want_i, 0);
    CHECK_SAME(values, want_v, 0);
    if (x.dtype() != DType::Bool) CHECK_SAME(is_max ? argmax(x, dim) : argmin(x, dim), want_i, 0);
  }
}

TEST(max_and_min_with_indices_over_short_rows_and_columns) {
  // Short contiguous rows take one pass of vectors (halved for rows under a vector, the last one overlapping the
  // one before it); columns step down the rows of chunks of adjacent columns. Widths around the float and double
  // vectors (4, 8, 16 lanes; 2, 4, 8) and the 256-wide limit, rows with ties (values from a small set), a NaN
  // first, last, twice or after the extreme, infinities and signed zeros; each layout against the scalar scan.
  const std::vector<int64_t> widths = {1, 2, 3, 4, 5, 7, 8, 9, 10, 15, 16, 17, 24, 31, 32, 33, 55, 56, 57, 63, 64, 65,
                                       100, 127, 128, 129, 200, 255, 256, 257, 300};
  const int64_t rows = 9;
  for (int64_t n : widths) {
    std::vector<double> v(static_cast<size_t>(rows * n));
    for (int64_t i = 0; i < rows * n; ++i) v[i] = static_cast<double>((i * 7919 + n) % 13) - 6;  // many ties
    auto row = [&](int64_t r, int64_t i) -> double& { return v[static_cast<size_t>(r * n + std::min(i, n - 1))]; };
    row(1, n / 2) = 100;  // one extreme in the middle
    row(1, n - 1) = -100;
    row(2, 0) = kNaN;  // a NaN first
    row(3, n - 1) = kNaN;  // a NaN last
    row(4, n / 3) = kNaN;  // two NaNs: the first
    row(4, 2 * n / 3 + 1) = kNaN;
    row(5, n / 4) = INFINITY;  // infinities, the NaN after them
    row(5, n / 4 + 1) = -INFINITY;
    row(5, n - 1) = kNaN;
    for (int64_t i = 0; i < n; ++i) row(6, i) = (i % 3 == 0) ? -0.0 : (i % 3 == 1 ? 0.0 : -1.0);  // zeros tie
    for (int64_t i = 0; i < n; ++i) row(7, i) = 3;  // all equal
    for (int64_t i = 0; i < n; ++i) row(8, i) = static_cast<double>(n - i);  // the extremes at the two ends
    for (DType dt : {DType::Float32, DType::Float64, DType::Int64, DType::Int32, DType::Int16, DType::Int8,
                     DType::UInt8, DType::Bool}) {
      std::vector<double> w = v;
      if (!is_floating(dt))
        for (double& e : w) e = std::isnan(e) || std::isinf(e) ? 0 : dt == DType::UInt8 ? std::fabs(e) : e;
      if (dt == DType::Bool)
        for (double& e : w) e = e > 0 ? 1 : 0;
      const Tensor x = make(w, {rows, n}, dt);
      check_extreme_dim(x, 1);                         // rows
      check_extreme_dim(contiguous(t(x)), 0);          // the same values as columns
      check_extreme_dim(t(x), 1);                      // rows read at a stride
      check_extreme_dim(reshape(x, {3, 3, n}), 1);     // columns under an outer dim
      check_extreme_dim(permute(contiguous(permute(reshape(x, {3, 3, n}), {0, 2, 1})), {0, 2, 1}), 1);
    }
  }
  // Channels-last [4, 5, 6, 7] over each dim, and columns in chunks past 256 and 2048 wide.
  const Tensor cl = permute(contiguous(permute(uniform({4, 5, 6, 7}, 21), {0, 2, 3, 1})), {0, 3, 1, 2});
  for (int64_t dim = 0; dim < 4; ++dim) check_extreme_dim(cl, dim);
  check_extreme_dim(uniform({5, 2100}, 22), 0);
  check_extreme_dim(uniform({3, 4, 700}, 23, -1, 1, DType::Float64), 1);
}

TEST(argmax_and_argmin) {
  CHECK_VALUES(argmax(make({1, 5, 5, 2}, {4}, DType::Int64)), 0, {1});
  CHECK_VALUES(argmin(make({4, 1, 1, 0, 0, 9}, {2, 3}, DType::Int64), 1), 0, {1, 0});
  const Tensor x = make({3, 9, 1, 7, 2, 9}, {2, 3});
  CHECK_VALUES(argmax(t(x)), 0, {2});  // flat index into the row-major t(x): [3, 7, 9, 2, 1, 9]
  CHECK_VALUES(argmin(t(x)), 0, {4});
  CHECK_VALUES(argmax(x, 0), 0, {1, 0, 1});
  const Tensor keep = argmin(x, 1, true);
  CHECK_SHAPE(keep, {2, 1});
  CHECK_VALUES(keep, 0, {2, 1});
  CHECK_EQ(argmax(x).dtype(), DType::Int64);
  CHECK_SHAPE(argmax(x), {});
  CHECK_VALUES(argmax(Tensor::scalar(5.0, DType::Float32)), 0, {0});
  CHECK_VALUES(argmax(make({1, kNaN, 3, kNaN}, {4})), 0, {1});
  CHECK_VALUES(argmin(make({1, kNaN, 3, kNaN}, {4})), 0, {1});
  CHECK_VALUES(argmin(make({1, kNaN, 0, kNaN, -1, kNaN}, {2, 3}), 1), 0, {1, 0});
  CHECK_THROWS(argmax(make({1, 0}, {2}, DType::Bool)), DType, "argmax: not implemented for 'bool'");
  CHECK_THROWS(argmin(x, 2), Index, "dimension out of range");
}

TEST(float32_sums_are_accurate) {
  const Tensor x = uniform({1000000}, 10, 0, 1);
  const std::vector<double> v = test::values(x);
  double want = 0;
  for (double e : v) want += e;
  const double got = test::values(sum(x))[0];
  CHECK(std::fabs(got - want) <= 1e-6 * want);
  CHECK(std::fabs(test::values(mean(x))[0] - want / 1e6) <= 1e-6 * want / 1e6);
  // A million copies of 0.1f: a float32 running sum drifts by about 1%; the result must not.
  CHECK_VALUES(sum(full({1000000}, 0.1, DType::Float32)), 1e-6, {100000.0015});
  CHECK_VALUES(sum(full({1000, 1000}, 0.1, DType::Float32), {0}), 1e-6, std::vector<double>(1000, 100.0));
  CHECK_VALUES(sum(full({1000, 1000}, 0.1, DType::Float32), {1}), 1e-6, std::vector<double>(1000, 100.0));
}

TEST(results_do_not_depend_on_the_thread_count) {
  const Tensor flat = uniform({1000000}, 11);
  const Tensor m = uniform({300, 1100}, 12);
  const Tensor nchw = uniform({8, 16, 20, 20}, 13);
  check_thread_independent([&] { return sum(flat); });
  check_thread_independent([&] { return mean(flat); });
  check_thread_independent([&] { return sum(m, {0}); });
  check_thread_independent([&] { return sum(m, {1}); });
  check_thread_independent([&] { return sum(t(m), {1}); });
  check_thread_independent([&] { return mean(nchw, {0, 2, 3}); });
  check_thread_independent([&] { return max(flat); });
  check_thread_independent([&] { return max(m, 1).first; });
  check_thread_independent([&] { return argmin(m, 0); });
  check_thread_independent([&] { return argmax(t(m), 1); });
  check_thread_independent([&] { return sum(to(mul(m, 1000), DType::Int64), {0}); });
}
