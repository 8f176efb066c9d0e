// embedding and embedding_bag: values, gradients (duplicates, padding_idx, frequency scaling, per-sample weights,
// max), second derivatives against compositions of index ops, max_norm renormalization, bad input.
#include <cmath>
#include <string>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::make;
using test::uniform;

namespace {

Tensor leaf(const Tensor& t) {
  Tensor l = detach(clone(t));
  set_requires_grad(l, true);
  return l;
}

Tensor longs(const std::vector<double>& v, const Shape& shape) { return make(v, shape, DType::Int64); }

}  // namespace

TEST(embedding_gathers_rows_and_sums_gradients_of_repeated_indices) {
  const Tensor w = uniform({5, 3}, 1, -1, 1, DType::Float64);
  const Tensor idx = longs({4, 0, 4, 2}, {2, 2});
  const Tensor y = embedding(w, idx);
  CHECK_SHAPE(y, {2, 2, 3});
  CHECK_SAME(y, reshape(index_select(w, 0, reshape(idx, {4})), {2, 2, 3}), 0);
  const Tensor wl = leaf(w);
  const Tensor seed = uniform({2, 2, 3}, 2, -1, 1, DType::Float64);
  const Tensor gw = kiln::grad({sum(mul(embedding(wl, idx), seed))}, {wl})[0];
  const Tensor want = index_add(zeros({5, 3}, DType::Float64), 0, reshape(idx, {4}), reshape(seed, {4, 3}));
  CHECK_SAME(gw, want, 1e-15);
}

TEST(embedding_padding_row_gets_no_gradient_and_frequency_scales) {
  const Tensor idx = longs({1, 1, 3, 0, 1}, {5});
  const Tensor wl = leaf(uniform({4, 2}, 3, -1, 1, DType::Float64));
  const Tensor g1 = kiln::grad({sum(embedding(wl, idx, 1))}, {wl})[0];
  CHECK_VALUES(g1, 0, {1, 1, 0, 0, 0, 0, 1, 1});
  const Tensor g2 = kiln::grad({sum(embedding(wl, idx, -1, true))}, {wl})[0];
  CHECK_VALUES(g2, 1e-15, {1, 1, 1, 1, 0, 0, 1, 1});  // three 1's divided by their count
}

TEST(embedding_second_derivative_matches_index_select) {
  const Tensor idx = longs({2, 0, 2}, {3});
  const Tensor w = uniform({3, 2}, 4, -1, 1, DType::Float64), v = uniform({3, 2}, 5, -1, 1, DType::Float64);
  auto hvp = [&](bool fused) {
    const Tensor wl = leaf(w);
    const Tensor y = fused ? embedding(wl, idx) : index_select(wl, 0, idx);
    const Tensor g = kiln::grad({sum(mul(mul(y, y), y))}, {wl}, {}, true, true)[0];
    return kiln::grad({sum(mul(g, v))}, {wl})[0];
  };
  CHECK_SAME(hvp(true), hvp(false), 1e-13);
}

TEST(embedding_renorm_scales_rows_above_max_norm) {
  Tensor w = make({3, 4, 0.3, 0.4, 6, 8}, {3, 2});
  embedding_renorm_(w, longs({0, 2, 0}, {3}), 1.0, 2.0);
  CHECK_VALUES(w, 1e-6, {0.6, 0.8, 0.3, 0.4, 0.6, 0.8});
}

TEST(embedding_bag_reduces_bags_by_sum_mean_and_max) {
  const Tensor w = make({1, 2, 3, 4, 5, 6, -1, 9}, {4, 2}, DType::Float64);
  const Tensor idx = longs({0, 2, 1, 3, 3, 2}, {6}), off = longs({0, 2, 2, 5}, {4});
  CHECK_VALUES(embedding_bag(w, idx, off, "sum"), 1e-15, {6, 8, 0, 0, 1, 22, 5, 6});
  CHECK_VALUES(embedding_bag(w, idx, off, "mean"), 1e-15, {3, 4, 0, 0, 1.0 / 3, 22.0 / 3, 5, 6});
  CHECK_VALUES(embedding_bag(w, idx, off, "max"), 0, {5, 6, 0, 0, 3, 9, 5, 6});
  // per-sample weights, padding left out (and not counted by mean), the last offset closing the last bag
  const Tensor psw = make({1, 2, 0.5, 1, 1, 1}, {6}, DType::Float64);
  CHECK_VALUES(embedding_bag(w, idx, off, "sum", psw), 1e-15, {11, 14, 0, 0, -0.5, 20, 5, 6});
  CHECK_VALUES(embedding_bag(w, idx, off, "mean", {}, false, 3), 1e-15, {3, 4, 0, 0, 3, 4, 5, 6});
  CHECK_VALUES(embedding_bag(w, idx, longs({0, 2, 6}, {3}), "sum", {}, true), 1e-15, {6, 8, 6, 28});
  // a 2-D input: bags of its rows
  CHECK_VALUES(embedding_bag(w, longs({0, 1, 2, 3}, {2, 2}), {}, "sum"), 1e-15, {4, 6, 4, 15});
}

// Rows of 130 (two blocks of 64 summed in registers and a ragged one), empty bags, padding and weights, against
// sums in double over the same rows.
TEST(embedding_bag_of_wide_rows_matches_sums_in_double) {
  for (const DType t : {DType::Float32, DType::Float64}) {
    const int64_t rows = 50, d = 130, k = 200;
    const Tensor w = uniform({rows, d}, 51, -1, 1, t);
    std::vector<double> idx = test::values(uniform({k}, 52, 0, static_cast<double>(rows), DType::Float64));
    for (double& i : idx) i = std::floor(i);
    std::vector<double> off{0, 0};  // an empty bag first, then a bag of 1 and bags of 9, the last shorter
    for (int64_t b = 1; b < k; b += 9) off.push_back(static_cast<double>(b));
    const Tensor index = make(idx, {k}, DType::Int64), offsets = make(off, {static_cast<int64_t>(off.size())}, DType::Int64);
    const Tensor psw = uniform({k}, 53, -1, 1, t);
    const int64_t padding = static_cast<int64_t>(idx[5]);
    const std::vector<double> wv = test::values(w), pv = test::values(psw);
    for (const std::string mode : {"sum", "mean"})
      for (const bool weighted : {false, true}) {
        if (weighted && mode == "mean") continue;
        std::vector<double> want;
        for (size_t b = 0; b < off.size(); ++b) {
          const int64_t s = static_cast<int64_t>(off[b]), e = b + 1 < off.size() ? static_cast<int64_t>(off[b + 1]) : k;
          std::vector<double> bag(d, 0.0);
          int64_t used = 0;
          for (int64_t i = s; i < e; ++i) {
            if (static_cast<int64_t>(idx[i]) == padding) continue;
            ++used;
            for (int64_t j = 0; j < d; ++j) bag[j] += (weighted ? pv[i] : 1.0) * wv[static_cast<size_t>(idx[i]) * d + j];
          }
          for (int64_t j = 0; j < d; ++j) want.push_back(mode == "mean" && used > 0 ? bag[j] / used : bag[j]);
        }
        const Tensor got = embedding_bag(w, index, offsets, mode, weighted ? psw : Tensor(), false, padding);
        CHECK_SAME(got, make(want, {static_cast<int64_t>(off.size()), d}, t), t == DType::Float32 ? 1e-5 : 1e-13);
      }
  }
}

TEST(embedding_bag_gradients_match_a_composition_of_index_ops) {
  const Tensor w = uniform({5, 3}, 6, -1, 1, DType::Float64);
  const Tensor idx = longs({0, 4, 4, 1, 2, 0, 3}, {7}), off = longs({0, 3, 3, 5}, {4});
  const Tensor bag_of = longs({0, 0, 0, 2, 2, 3, 3}, {7});
  const Tensor psw = uniform({7}, 7, 0.5, 1.5, DType::Float64), v = uniform({5, 3}, 8, -1, 1, DType::Float64);
  for (const char* mode : {"sum", "mean"}) {
    const bool weighted = std::string(mode) == "sum";
    auto run = [&](bool fused) {
      const Tensor wl = leaf(w), pl = leaf(psw);
      Tensor y;
      if (fused) {
        y = embedding_bag(wl, idx, off, mode, weighted ? pl : Tensor());
      } else {
        Tensor rows = index_select(wl, 0, idx);
        if (weighted) rows = mul(rows, reshape(pl, {7, 1}));
        y = index_add(zeros({4, 3}, DType::Float64), 0, bag_of, rows);
        if (!weighted) y = div(y, make({3, 1, 2, 2}, {4, 1}, DType::Float64));
      }
      const Tensor loss = sum(mul(mul(y, y), y));
      TensorList inputs{wl};
      if (weighted) inputs.push_back(pl);
      const TensorList g = kiln::grad({loss}, inputs, {}, true, true);
      const TensorList h = kiln::grad({sum(mul(g[0], v))}, inputs, {}, false, false, true);
      TensorList all = g;
      all.insert(all.end(), h.begin(), h.end());
      return all;
    };
    const TensorList a = run(true), b = run(false);
    for (size_t i = 0; i < a.size(); ++i) CHECK_SAME(a[i], b[i], 1e-12);
  }
}

TEST(embedding_bag_max_gradient_goes_to_the_maximum) {
  const Tensor wl = leaf(make({1, 5, 3, 2, 0, 7}, {3, 2}, DType::Float64));
  const Tensor y = embedding_bag(wl, longs({0, 1, 2, 1}, {4}), longs({0, 2, 4}, {3}), "max");
  CHECK_EQ(grad_fn_name(y), std::string("EmbeddingBagBackward0"));
  const Tensor g = kiln::grad({sum(mul(y, make({1, 2, 3, 4, 5, 6}, {3, 2}, DType::Float64)))}, {wl})[0];
  // bag 0 = rows 0, 1: max (3, 5) from rows 1, 0; bag 1 = rows 2, 1: max (3, 7) from rows 1, 2; bag 2 empty
  CHECK_VALUES(g, 0, {0, 2, 1 + 3, 0, 0, 4});
}

TEST(embeddings_refuse_bad_input) {
  const Tensor w = uniform({4, 2}, 9);
  CHECK_THROWS(embedding(w, longs({0, 4}, {2})), Index, "index out of range in self");
  CHECK_THROWS(embedding(w, make({0, 1}, {2})), DType, "'indices' to have one of the following scalar types");
  CHECK_THROWS(embedding(uniform({4}, 10), longs({0}, {1})), Shape, "'weight' must be 2-D");
  const Tensor idx = longs({0, 1, 2}, {3});
  CHECK_THROWS(embedding_bag(w, idx, longs({1, 2}, {2})), Argument, "offsets[0] has to be 0");
  CHECK_THROWS(embedding_bag(w, idx, longs({0, 5}, {2})), Argument, "can not be greater than input's length");
  CHECK_THROWS(embedding_bag(w, idx), Argument, "offsets has to be a 1D Tensor but got None");
  CHECK_THROWS(embedding_bag(w, idx, longs({0}, {1}), "mean", uniform({3}, 11)), Argument, "per_sample_weights");
  CHECK_THROWS(embedding_bag(w, idx, longs({0}, {1}), "max", {}, false, -1, true), Argument, "max mode");
  CHECK_THROWS(embedding_bag(w, idx, longs({0}, {1}), "median"), Argument, "mode has to be one of sum, mean or max");
  CHECK_THROWS(embedding_bag(w, longs({0, 1}, {1, 2}), longs({0}, {1})), Argument, "if input is 2D");
}
