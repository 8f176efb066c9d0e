// fused_lstm_cell against its composite form (sigmoid, tanh, mul, add), its gradients against finite differences
// in float64 (first order through the fused backward, second order through the composite one that create_graph
// takes), and its checks.
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
