// fused_lstm_cell against its composite form (sigmoid, tanh, mul, add), fused_lstm_layer against a loop of
// addmm and fused_lstm_cell (what nn.LSTM ran before it) and fused_gru_layer against nn.GRU's step in ordinary
// ops; their gradients against those and against finite
// differences in float64 (first order through the fused backward, second order through the composite one that
// create_graph takes); their checks.
#include <functional>

#include "check.h"
#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using namespace kiln::test;

namespace {

// The cell in ordinary ops: what nn.LSTM ran before the fused op.
std::pair<Tensor, Tensor> composite_cell(const Tensor& gates, const Tensor& cx) {
  const TensorList q = chunk(gates, 4, -1);
  const Tensor c = add(mul(sigmoid(q[1]), cx), mul(sigmoid(q[0]), tanh(q[2])));
  return {mul(sigmoid(q[3]), tanh(c)), c};
}

// A scalar of both outputs, weighted so that every element of each gets its own gradient.
Tensor loss_of(const std::pair<Tensor, Tensor>& hc, const Tensor& wh, const Tensor& wc) {
  return add(sum(mul(hc.first, wh)), sum(mul(hc.second, wc)));
}

// A layer step by step in ordinary ops: (hs, cs, gates) as fused_lstm_layer returns them.
std::tuple<Tensor, Tensor, Tensor> stepwise_layer(const Tensor& gx, const Tensor& h0, const Tensor& c0,
                                                  const Tensor& w, bool reverse) {
  const int64_t steps = gx.size(0);
  TensorList hs(steps), cs(steps), gates(steps);
  Tensor h = h0, c = c0;
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t t = reverse ? steps - 1 - s : s;
    gates[t] = addmm(select(gx, 0, t), h, kiln::t(w));
    std::tie(h, c) = fused_lstm_cell(gates[t], c);
    hs[t] = h;
    cs[t] = c;
  }
  return {stack(hs, 0), stack(cs, 0), stack(gates, 0)};
}

// A scalar of every step's h and c (the gates workspace is not differentiable), each element weighted on its own.
Tensor loss_of(const std::tuple<Tensor, Tensor, Tensor>& r, const TensorList& weights) {
  return add(sum(mul(std::get<0>(r), weights[0])), sum(mul(std::get<1>(r), weights[1])));
}

TensorList layer_weights(int64_t steps, int64_t B, int64_t H, DType t, uint64_t seed) {
  return {uniform({steps, B, H}, seed, -1, 1, t), uniform({steps, B, H}, seed + 1, -1, 1, t)};
}

// A GRU layer step by step in ordinary ops (nn.GRU's step before the fused layer): every step's h.
Tensor stepwise_gru(const Tensor& gx, const Tensor& h0, const Tensor& w, const Tensor& b, bool reverse) {
  const int64_t steps = gx.size(0);
  TensorList hs(steps);
  Tensor h = h0;
  for (int64_t s = 0; s < steps; ++s) {
    const int64_t t = reverse ? steps - 1 - s : s;
    const TensorList x3 = chunk(select(gx, 0, t), 3, -1), h3 = chunk(add(matmul(h, kiln::t(w)), b), 3, -1);
    const Tensor r = sigmoid(add(x3[0], h3[0])), z = sigmoid(add(x3[1], h3[1]));
    const Tensor n = tanh(add(x3[2], mul(r, h3[2])));
    h = add(n, mul(z, sub(h, n)));
    hs[t] = h;
  }
  return stack(hs, 0);
}

// Central differences of f at x0 in each element of x0[which] (float64).
std::vector<double> numeric_grad(const std::function<double(const TensorList&)>& f, const TensorList& x0,
                                 size_t which, double h = 1e-6) {
  std::vector<double> numeric;
  for (int64_t k = 0; k < x0[which].numel(); ++k) {
    TensorList up(x0.begin(), x0.end()), down(x0.begin(), x0.end());
    up[which] = clone(x0[which]);
    down[which] = clone(x0[which]);
    up[which].data<double>()[k] += h;
    down[which].data<double>()[k] -= h;
    numeric.push_back((f(up) - f(down)) / (2 * h));
  }
  return numeric;
}

}  // namespace

TEST(fused_lstm_cell_matches_the_composite_cell) {
  for (DType t : {DType::Float32, DType::Float64}) {
    for (const Shape& s : {Shape{5, 7}, Shape{3, 1}, Shape{7}, Shape{64, 300}}) {  // 64 x 300 splits across threads
      Shape gs = s;
      gs.back() *= 4;
      const Tensor gates = uniform(gs, 1, -3, 3, t), cx = uniform(s, 2, -2, 2, t);
      const auto [h, c] = fused_lstm_cell(gates, cx);
      const auto [h_ref, c_ref] = composite_cell(gates, cx);
      // the same functions in the same order, without fused multiply-adds: the same bits
      CHECK_SAME(h, h_ref, 0);
      CHECK_SAME(c, c_ref, 0);
      // the fused backward (no create_graph) against the composite cell's own gradients
      Tensor g1 = clone(gates), c1 = clone(cx), g2 = clone(gates), c2 = clone(cx);
      for (Tensor* x : {&g1, &c1, &g2, &c2}) set_requires_grad(*x, true);
      const Tensor wh = uniform(s, 3, -1, 1, t), wc = uniform(s, 4, -1, 1, t);
      const TensorList fused = kiln::grad({loss_of(fused_lstm_cell(g1, c1), wh, wc)}, {g1, c1});
      const TensorList ref = kiln::grad({loss_of(composite_cell(g2, c2), wh, wc)}, {g2, c2});
      CHECK_SAME(fused[0], ref[0], t == DType::Float32 ? 1e-6 : 1e-14);
      CHECK_SAME(fused[1], ref[1], t == DType::Float32 ? 1e-6 : 1e-14);
    }
  }
}

TEST(fused_lstm_cell_gradients_match_finite_differences) {
  const DType t = DType::Float64;
  const Tensor gates0 = uniform({3, 8}, 5, -2, 2, t), cx0 = uniform({3, 2}, 6, -2, 2, t);
  const Tensor wh = uniform({3, 2}, 7, -1, 1, t), wc = uniform({3, 2}, 8, -1, 1, t);
  auto f = [&](const Tensor& g, const Tensor& c) { return values(loss_of(fused_lstm_cell(g, c), wh, wc))[0]; };
  Tensor gates = clone(gates0), cx = clone(cx0);
  set_requires_grad(gates, true);
  set_requires_grad(cx, true);
  // first order: the fused backward, and the composite one that create_graph takes (kept for the second order)
  const TensorList fused = kiln::grad({loss_of(fused_lstm_cell(gates, cx), wh, wc)}, {gates, cx});
  const TensorList d = kiln::grad({loss_of(fused_lstm_cell(gates, cx), wh, wc)}, {gates, cx}, {}, true, true);
  const double h = 1e-6;
  for (int which = 0; which < 2; ++which) {
    const Tensor& x0 = which == 0 ? gates0 : cx0;
    std::vector<double> numeric;
    for (int64_t k = 0; k < x0.numel(); ++k) {
      Tensor up = clone(x0), down = clone(x0);
      up.data<double>()[k] += h;
      down.data<double>()[k] -= h;
      numeric.push_back(which == 0 ? (f(up, cx0) - f(down, cx0)) / (2 * h) : (f(gates0, up) - f(gates0, down)) / (2 * h));
    }
    CHECK_VALUES(fused[which], 1e-7, numeric);
    CHECK_VALUES(d[which], 1e-7, numeric);
  }
  // second order (the composite backward, recorded): d/d(gates) of sum(d loss/d gates * v)
  const Tensor v = uniform({3, 8}, 9, -1, 1, t);
  const Tensor dd = kiln::grad({sum(mul(d[0], v))}, {gates})[0];
  auto first = [&](const Tensor& g) {
    Tensor x = clone(g);
    set_requires_grad(x, true);
    return values(sum(mul(kiln::grad({loss_of(fused_lstm_cell(x, cx0), wh, wc)}, {x})[0], v)))[0];
  };
  std::vector<double> numeric;
  for (int64_t k = 0; k < gates0.numel(); ++k) {
    Tensor up = clone(gates0), down = clone(gates0);
    up.data<double>()[k] += h;
    down.data<double>()[k] -= h;
    numeric.push_back((first(up) - first(down)) / (2 * h));
  }
  CHECK_VALUES(dd, 1e-6, numeric);
}

TEST(fused_lstm_cell_checks_its_inputs) {
  const Tensor cx = zeros({2, 3}, DType::Float32);
  CHECK_THROWS(fused_lstm_cell(zeros({2, 11}, DType::Float32), cx), Shape, "fused_lstm_cell");
  CHECK_THROWS(fused_lstm_cell(zeros({3, 12}, DType::Float32), cx), Shape, "fused_lstm_cell");
  CHECK_THROWS(fused_lstm_cell(zeros({12}, DType::Float32), cx), Shape, "fused_lstm_cell");
  CHECK_THROWS(fused_lstm_cell(zeros({2, 12}, DType::Float64), cx), DType, "fused_lstm_cell");
  CHECK_THROWS(fused_lstm_cell(zeros({2, 12}, DType::Int64), zeros({2, 3}, DType::Int64)), DType, "fused_lstm_cell");
  // an empty batch, and non-contiguous inputs
  const auto [h0, c0] = fused_lstm_cell(zeros({0, 12}, DType::Float32), zeros({0, 3}, DType::Float32));
  CHECK_SHAPE(h0, {0, 3});
  CHECK_SHAPE(c0, {0, 3});
  const Tensor gt = transpose(uniform({12, 2}, 10), 0, 1), ct = transpose(uniform({3, 2}, 11), 0, 1);
  CHECK_SAME(fused_lstm_cell(gt, ct).first, fused_lstm_cell(contiguous(gt), contiguous(ct)).first, 0);
}

TEST(fused_lstm_layer_matches_the_stepwise_layer) {
  for (DType t : {DType::Float32, DType::Float64}) {
    for (bool reverse : {false, true}) {
      // 3 x 4: the batch in one chunk; 32 x 40: chunks of 8 rows where OpenBLAS has unpacked kernels (AVX-512);
      // 20 x 180: one chunk, each product split across the pool (too large for the unpacked kernels)
      for (const Shape& sbh : {Shape{5, 3, 4}, Shape{1, 2, 3}, Shape{7, 32, 40}, Shape{3, 20, 180}}) {
        const int64_t steps = sbh[0], B = sbh[1], H = sbh[2];
        const Tensor gx = uniform({steps, B, 4 * H}, 20, -2, 2, t), h0 = uniform({B, H}, 21, -1, 1, t),
                     c0 = uniform({B, H}, 22, -1, 1, t), w = uniform({4 * H, H}, 23, -0.6, 0.6, t);
        const double tol = t == DType::Float32 ? 2e-5 : 1e-12;
        const auto fused = fused_lstm_layer(gx, h0, c0, w, reverse);
        const auto ref = stepwise_layer(gx, h0, c0, w, reverse);
        CHECK_SAME(std::get<0>(fused), std::get<0>(ref), tol);
        CHECK_SAME(std::get<1>(fused), std::get<1>(ref), tol);
        const TensorList q = chunk(std::get<2>(ref), 4, -1);  // the workspace holds the gates' activations
        CHECK_SAME(std::get<2>(fused), cat({sigmoid(q[0]), sigmoid(q[1]), tanh(q[2]), sigmoid(q[3])}, -1), tol);
        // the fused backward against autograd through the stepwise layer, with every output weighted
        TensorList a{clone(gx), clone(h0), clone(c0), clone(w)}, b{clone(gx), clone(h0), clone(c0), clone(w)};
        for (Tensor& x : a) set_requires_grad(x, true);
        for (Tensor& x : b) set_requires_grad(x, true);
        const TensorList lw = layer_weights(steps, B, H, t, 30);
        const TensorList got = kiln::grad({loss_of(fused_lstm_layer(a[0], a[1], a[2], a[3], reverse), lw)}, a);
        const TensorList want = kiln::grad({loss_of(stepwise_layer(b[0], b[1], b[2], b[3], reverse), lw)}, b);
        for (size_t i = 0; i < 4; ++i) CHECK_SAME(got[i], want[i], t == DType::Float32 ? 1e-4 : 1e-11);
        CHECK(!requires_grad(std::get<2>(fused_lstm_layer(a[0], a[1], a[2], a[3], reverse))));  // the workspace
        // only some inputs wanted, and only some outputs used (the others' gradients are zeros)
        const TensorList hw = kiln::grad({sum(mul(std::get<0>(fused_lstm_layer(a[0], a[1], a[2], a[3], reverse)), lw[0]))},
                                         {a[3]});
        const TensorList hw_ref = kiln::grad(
            {sum(mul(std::get<0>(stepwise_layer(b[0], b[1], b[2], b[3], reverse)), lw[0]))}, {b[3]});
        CHECK_SAME(hw[0], hw_ref[0], t == DType::Float32 ? 1e-4 : 1e-11);
      }
    }
  }
}

TEST(fused_lstm_layer_gradients_match_finite_differences) {
  const DType t = DType::Float64;
  const int64_t steps = 3, B = 2, H = 2;
  for (bool reverse : {false, true}) {
    const TensorList x0{uniform({steps, B, 4 * H}, 40, -2, 2, t), uniform({B, H}, 41, -1, 1, t),
                        uniform({B, H}, 42, -1, 1, t), uniform({4 * H, H}, 43, -1, 1, t)};
    const TensorList lw = layer_weights(steps, B, H, t, 44);
    auto f = [&](const TensorList& x) { return values(loss_of(fused_lstm_layer(x[0], x[1], x[2], x[3], reverse), lw))[0]; };
    TensorList x{clone(x0[0]), clone(x0[1]), clone(x0[2]), clone(x0[3])};
    for (Tensor& v : x) set_requires_grad(v, true);
    const TensorList fused = kiln::grad({loss_of(fused_lstm_layer(x[0], x[1], x[2], x[3], reverse), lw)}, x);
    const TensorList d = kiln::grad({loss_of(fused_lstm_layer(x[0], x[1], x[2], x[3], reverse), lw)}, x, {}, true, true);
    for (size_t which = 0; which < 4; ++which) {
      const std::vector<double> numeric = numeric_grad(f, x0, which);
      CHECK_VALUES(fused[which], 1e-7, numeric);
      CHECK_VALUES(d[which], 1e-7, numeric);
    }
    // second order through the composite backward: d/d(w_hh) of sum(d loss/d w_hh * v) + sum(d loss/d gates_x * u)
    // (the composite reads the saved hs, cs and gates, so it differentiates through the op's backward again)
    const Tensor v = uniform({4 * H, H}, 45, -1, 1, t), u = uniform({steps, B, 4 * H}, 46, -1, 1, t);
    const Tensor dd = kiln::grad({add(sum(mul(d[3], v)), sum(mul(d[0], u)))}, {x[3]})[0];
    auto first = [&](const Tensor& wv) {
      TensorList y{x0[0], x0[1], x0[2], clone(wv)};
      set_requires_grad(y[0], false);
      Tensor gx = clone(x0[0]);
      set_requires_grad(gx, true);
      set_requires_grad(y[3], true);
      const TensorList g = kiln::grad({loss_of(fused_lstm_layer(gx, y[1], y[2], y[3], reverse), lw)}, {gx, y[3]}, {}, true, true);
      return values(add(sum(mul(g[1], v)), sum(mul(g[0], u))))[0];
    };
    CHECK_VALUES(dd, 1e-6, numeric_grad([&](const TensorList& y) { return first(y[0]); }, {x0[3]}, 0));
  }
}

TEST(fused_lstm_layer_checks_its_inputs) {
  const DType f = DType::Float32;
  const Tensor gx = zeros({4, 2, 12}, f), s = zeros({2, 3}, f), w = zeros({12, 3}, f);
  CHECK_THROWS(fused_lstm_layer(zeros({2, 12}, f), s, s, w), Shape, "fused_lstm_layer");
  CHECK_THROWS(fused_lstm_layer(zeros({0, 2, 12}, f), s, s, w), Shape, "sequence length");
  CHECK_THROWS(fused_lstm_layer(zeros({4, 2, 11}, f), s, s, w), Shape, "fused_lstm_layer");
  CHECK_THROWS(fused_lstm_layer(gx, zeros({3, 3}, f), zeros({3, 3}, f), w), Shape, "fused_lstm_layer");
  CHECK_THROWS(fused_lstm_layer(gx, s, zeros({2, 4}, f), w), Shape, "fused_lstm_layer");
  CHECK_THROWS(fused_lstm_layer(gx, s, s, zeros({3, 12}, f)), Shape, "fused_lstm_layer");
  CHECK_THROWS(fused_lstm_layer(gx, s, s, zeros({12, 3}, DType::Float64)), DType, "fused_lstm_layer");
  CHECK_THROWS(fused_lstm_layer(zeros({4, 2, 12}, DType::Int64), zeros({2, 3}, DType::Int64),
                                zeros({2, 3}, DType::Int64), zeros({12, 3}, DType::Int64)),
               DType, "fused_lstm_layer");
  // an empty batch: empty outputs, and zero gradients for h0's shape and w_hh
  Tensor w1 = uniform({12, 3}, 50);
  set_requires_grad(w1, true);
  const auto [hs, cs, gates] = fused_lstm_layer(zeros({4, 0, 12}, f), zeros({0, 3}, f), zeros({0, 3}, f), w1);
  CHECK_SHAPE(hs, {4, 0, 3});
  CHECK_SHAPE(cs, {4, 0, 3});
  CHECK_SHAPE(gates, {4, 0, 12});
  const Tensor dw = kiln::grad({sum(hs)}, {w1})[0];
  CHECK_VALUES(sum(abs(dw)), 0, {0.0});
  // non-contiguous inputs give what their contiguous copies give
  const Tensor gt = permute(uniform({12, 4, 2}, 51), {1, 2, 0}), ht = transpose(uniform({3, 2}, 52), 0, 1),
               ct = transpose(uniform({3, 2}, 53), 0, 1), wt = transpose(uniform({3, 12}, 54), 0, 1);
  CHECK_SAME(std::get<0>(fused_lstm_layer(gt, ht, ct, wt, true)),
             std::get<0>(fused_lstm_layer(contiguous(gt), contiguous(ht), contiguous(ct), contiguous(wt), true)), 0);
}

TEST(fused_gru_layer_matches_the_stepwise_layer) {
  for (DType t : {DType::Float32, DType::Float64}) {
    for (bool reverse : {false, true}) {
      // 3 x 4: one chunk; 32 x 40: chunks of 8 rows where OpenBLAS has unpacked kernels; 20 x 210: one chunk,
      // its products split across the pool
      for (const Shape& sbh : {Shape{5, 3, 4}, Shape{1, 2, 3}, Shape{7, 32, 40}, Shape{3, 20, 210}}) {
        const int64_t steps = sbh[0], B = sbh[1], H = sbh[2];
        const TensorList x0{uniform({steps, B, 3 * H}, 60, -2, 2, t), uniform({B, H}, 61, -1, 1, t),
                            uniform({3 * H, H}, 62, -0.6, 0.6, t), uniform({3 * H}, 63, -0.5, 0.5, t)};
        const double tol = t == DType::Float32 ? 2e-5 : 1e-12;
        const auto [hs, ws] = fused_gru_layer(x0[0], x0[1], x0[2], x0[3], reverse);
        CHECK_SAME(hs, stepwise_gru(x0[0], x0[1], x0[2], x0[3], reverse), tol);
        CHECK_SHAPE(ws, {steps, B, 4 * H});
        TensorList a{clone(x0[0]), clone(x0[1]), clone(x0[2]), clone(x0[3])};
        TensorList b{clone(x0[0]), clone(x0[1]), clone(x0[2]), clone(x0[3])};
        for (Tensor& x : a) set_requires_grad(x, true);
        for (Tensor& x : b) set_requires_grad(x, true);
        const Tensor v = uniform({steps, B, H}, 64, -1, 1, t);
        const TensorList got = kiln::grad({sum(mul(fused_gru_layer(a[0], a[1], a[2], a[3], reverse).first, v))}, a);
        const TensorList want = kiln::grad({sum(mul(stepwise_gru(b[0], b[1], b[2], b[3], reverse), v))}, b);
        for (size_t i = 0; i < 4; ++i) CHECK_SAME(got[i], want[i], t == DType::Float32 ? 1e-4 : 1e-11);
        CHECK(!requires_grad(fused_gru_layer(a[0], a[1], a[2], a[3], reverse).second));  // the workspace
      }
    }
  }
}

TEST(fused_gru_layer_gradients_match_finite_differences) {
  const DType t = DType::Float64;
  const int64_t steps = 3, B = 2, H = 2;
  for (bool reverse : {false, true}) {
    const TensorList x0{uniform({steps, B, 3 * H}, 70, -2, 2, t), uniform({B, H}, 71, -1, 1, t),
                        uniform({3 * H, H}, 72, -1, 1, t), uniform({3 * H}, 73, -1, 1, t)};
    const Tensor v = uniform({steps, B, H}, 74, -1, 1, t);
    auto loss = [&](const TensorList& x) { return sum(mul(fused_gru_layer(x[0], x[1], x[2], x[3], reverse).first, v)); };
    TensorList x{clone(x0[0]), clone(x0[1]), clone(x0[2]), clone(x0[3])};
    for (Tensor& e : x) set_requires_grad(e, true);
    const TensorList fused = kiln::grad({loss(x)}, x);
    const TensorList d = kiln::grad({loss(x)}, x, {}, true, true);
    for (size_t which = 0; which < 4; ++which) {
      const std::vector<double> numeric = numeric_grad([&](const TensorList& y) { return values(loss(y))[0]; }, x0, which);
      CHECK_VALUES(fused[which], 1e-7, numeric);
      CHECK_VALUES(d[which], 1e-7, numeric);
    }
    // second order through the composite backward: d/d(w_hh) of sum(d loss/d w_hh * u) + sum(d loss/d b_hh * e)
    const Tensor u = uniform({3 * H, H}, 75, -1, 1, t), e = uniform({3 * H}, 76, -1, 1, t);
    const Tensor dd = kiln::grad({add(sum(mul(d[2], u)), sum(mul(d[3], e)))}, {x[2]})[0];
    auto first = [&](const Tensor& wv) {
      TensorList y{x0[0], x0[1], clone(wv), clone(x0[3])};
      set_requires_grad(y[2], true);
      set_requires_grad(y[3], true);
      const TensorList g = kiln::grad({loss(y)}, {y[2], y[3]}, {}, true, true);
      return values(add(sum(mul(g[0], u)), sum(mul(g[1], e))))[0];
    };
    CHECK_VALUES(dd, 1e-6, numeric_grad([&](const TensorList& y) { return first(y[0]); }, {x0[2]}, 0));
  }
}

TEST(fused_gru_layer_checks_its_inputs) {
  const DType f = DType::Float32;
  const Tensor gx = zeros({4, 2, 9}, f), h = zeros({2, 3}, f), w = zeros({9, 3}, f), b = zeros({9}, f);
  CHECK_THROWS(fused_gru_layer(zeros({2, 9}, f), h, w, b), Shape, "fused_gru_layer");
  CHECK_THROWS(fused_gru_layer(zeros({0, 2, 9}, f), h, w, b), Shape, "sequence length");
  CHECK_THROWS(fused_gru_layer(zeros({4, 2, 12}, f), h, w, b), Shape, "fused_gru_layer");
  CHECK_THROWS(fused_gru_layer(gx, zeros({3, 3}, f), w, b), Shape, "fused_gru_layer");
  CHECK_THROWS(fused_gru_layer(gx, h, zeros({3, 9}, f), b), Shape, "fused_gru_layer");
  CHECK_THROWS(fused_gru_layer(gx, h, w, zeros({3}, f)), Shape, "fused_gru_layer");
  CHECK_THROWS(fused_gru_layer(gx, h, w, zeros({9}, DType::Float64)), DType, "fused_gru_layer");
  // an empty batch, and non-contiguous inputs
  const auto [hs, ws] = fused_gru_layer(zeros({4, 0, 9}, f), zeros({0, 3}, f), w, b);
  CHECK_SHAPE(hs, {4, 0, 3});
  CHECK_SHAPE(ws, {4, 0, 12});
  const Tensor gt = permute(uniform({9, 4, 2}, 80), {1, 2, 0}), ht = transpose(uniform({3, 2}, 81), 0, 1),
               wt = transpose(uniform({3, 9}, 82), 0, 1), bt = select(uniform({9, 2}, 83), 1, 1);
  CHECK_SAME(fused_gru_layer(gt, ht, wt, bt, true).first,
             fused_gru_layer(contiguous(gt), contiguous(ht), contiguous(wt), contiguous(bt), true).first, 0);
}

namespace {

// Packed sequences: lengths of B rows over `steps` steps, longest first (the first row runs every step), and the
// batch size of each step (how many rows reach it).
std::vector<int64_t> packed_lengths(int64_t steps, int64_t B) {
  std::vector<int64_t> lengths(B);
  for (int64_t b = 0; b < B; ++b) lengths[b] = std::max<int64_t>(1, steps - b * steps / B);
  return lengths;
}

std::vector<int64_t> batch_sizes_of(const std::vector<int64_t>& lengths, int64_t steps) {
  std::vector<int64_t> sizes(steps, 0);
  for (int64_t len : lengths)
    for (int64_t t = 0; t < len; ++t) ++sizes[t];
  return sizes;
}

// A layer's packed run (each row over its own length) against each row run alone over its own sequence: run(gx,
// states, reverse, batch_sizes) returns every step's states (h, and c for the LSTM), gx [T, B, G], states [B, H].
// Compares the states at each row's steps, each row's final states (at step T - 1 going forward, where the
// finished rows carried theirs, and at step 0 in reverse), and the gradients of a loss over exactly those, through
// the fused backward and through the composite one (create_graph).
using LayerRun = std::function<TensorList(const Tensor&, const TensorList&, const Tensor&, bool,
                                          const std::vector<int64_t>&)>;

void check_packed_layer(const LayerRun& run, int64_t gates, int64_t num_states, DType t, uint64_t seed) {
  for (bool reverse : {false, true}) {
    // one chunk; chunks of 8 rows (the last one partly finished); one chunk whose products split across the pool
    for (const Shape& sbh : {Shape{5, 3, 4}, Shape{7, 11, 40}, Shape{4, 20, 180}}) {
      const int64_t steps = sbh[0], B = sbh[1], H = sbh[2];
      const std::vector<int64_t> lengths = packed_lengths(steps, B), sizes = batch_sizes_of(lengths, steps);
      TensorList leaves{uniform({steps, B, gates * H}, seed, -2, 2, t), uniform({gates * H, H}, seed + 1, -0.6, 0.6, t)};
      for (int64_t k = 0; k < num_states; ++k) leaves.push_back(uniform({B, H}, seed + 2 + k, -1, 1, t));
      for (Tensor& x : leaves) set_requires_grad(x, true);
      const Tensor &gx = leaves[0], &w = leaves[1];
      const TensorList states(leaves.begin() + 2, leaves.end());
      const Tensor lw = uniform({steps, B, H}, seed + 5, -1, 1, t), u = uniform({B, H}, seed + 6, -1, 1, t);
      const double tol = t == DType::Float32 ? 1e-4 : 1e-11;

      const TensorList packed = run(gx, states, w, reverse, sizes);
      Tensor packed_loss, ref_loss;
      for (int64_t b = 0; b < B; ++b) {
        const int64_t len = lengths[b];
        TensorList row_states;
        for (const Tensor& s : states) row_states.push_back(narrow(s, 0, b, 1));
        const TensorList alone = run(narrow(narrow(gx, 0, 0, len), 1, b, 1), row_states, w, reverse, {});
        for (size_t k = 0; k < alone.size(); ++k) {
          const Tensor mine = narrow(narrow(packed[k], 0, 0, len), 1, b, 1);
          CHECK_SAME(mine, alone[k], tol);
          const Tensor final_packed = narrow(select(packed[k], 0, reverse ? 0 : steps - 1), 0, b, 1);
          const Tensor final_alone = select(alone[k], 0, reverse ? 0 : len - 1);
          CHECK_SAME(final_packed, final_alone, tol);
          const Tensor wk = narrow(narrow(lw, 0, 0, len), 1, b, 1), uk = narrow(u, 0, b, 1);
          const Tensor p = add(sum(mul(mine, wk)), sum(mul(final_packed, uk)));
          const Tensor r = add(sum(mul(alone[k], wk)), sum(mul(final_alone, uk)));
          packed_loss = packed_loss.defined() ? add(packed_loss, p) : p;
          ref_loss = ref_loss.defined() ? add(ref_loss, r) : r;
        }
      }
      const TensorList want = kiln::grad({ref_loss}, leaves, {}, true);
      const TensorList fused = kiln::grad({packed_loss}, leaves, {}, true);
      const TensorList composite = kiln::grad({packed_loss}, leaves, {}, true, true);
      for (size_t i = 0; i < leaves.size(); ++i) {
        CHECK_SAME(fused[i], want[i], tol);
        CHECK_SAME(composite[i], want[i], tol);
      }
    }
  }
}

}  // namespace

TEST(packed_lstm_layer_runs_each_row_over_its_own_length) {
  const LayerRun lstm = [](const Tensor& gx, const TensorList& s, const Tensor& w, bool reverse,
                           const std::vector<int64_t>& sizes) {
    const auto [hs, cs, gates] = fused_lstm_layer(gx, s[0], s[1], w, reverse, sizes);
    return TensorList{hs, cs};
  };
  for (DType t : {DType::Float32, DType::Float64}) check_packed_layer(lstm, 4, 2, t, 80);
}

TEST(packed_gru_layer_runs_each_row_over_its_own_length) {
  for (DType t : {DType::Float32, DType::Float64}) {
    const Tensor b_hh = uniform({3 * 180}, 90, -0.5, 0.5, t);
    const LayerRun gru = [&](const Tensor& gx, const TensorList& s, const Tensor& w, bool reverse,
                             const std::vector<int64_t>& sizes) {
      return TensorList{fused_gru_layer(gx, s[0], w, narrow(b_hh, 0, 0, w.size(0)), reverse, sizes).first};
    };
    check_packed_layer(gru, 3, 1, t, 95);
  }
}

TEST(packed_layers_check_their_batch_sizes) {
  const DType f = DType::Float32;
  const Tensor gx = zeros({3, 2, 12}, f), s = zeros({2, 3}, f), w = zeros({12, 3}, f);
  CHECK_THROWS(fused_lstm_layer(gx, s, s, w, false, {2, 1}), Shape, "one batch size per step");
  CHECK_THROWS(fused_lstm_layer(gx, s, s, w, false, {2, 1, 2}), Argument, "non-increasing");
  CHECK_THROWS(fused_lstm_layer(gx, s, s, w, false, {3, 1, 1}), Argument, "within [1, 2]");
  CHECK_THROWS(fused_lstm_layer(gx, s, s, w, true, {2, 1, 0}), Argument, "fused_lstm_layer");
  const Tensor g3 = zeros({3, 2, 9}, f), w3 = zeros({9, 3}, f), b3 = zeros({9}, f);
  CHECK_THROWS(fused_gru_layer(g3, s, w3, b3, false, {2}), Shape, "fused_gru_layer");
  CHECK_THROWS(fused_gru_layer(g3, s, w3, b3, false, {1, 2, 2}), Argument, "non-increasing");
}
