// The fused Adam update: its vectorised loop over contiguous runs and its strided loop give the same bits, and both
// follow PyTorch's formulas (the Java parity tests replay PyTorch's trajectories; these cover every variant on
// tensors long enough for the vector loop and its tail, in both layouts).
#include <cmath>

#include "cpu/optim.h"
#include "fixtures.h"

using namespace kiln;

namespace {

struct State {
  Tensor p, g, m, v, vmax;
};

// Parameter, gradient and state of shape [rows, cols]; `transposed` stores all but the parameter as the transpose
// of a [cols, rows] tensor (same values; the layouts differ, so the update takes its strided loop).
State make_state(int64_t rows, int64_t cols, DType dtype, bool transposed) {
  auto t = [&](uint64_t seed, double lo, double hi) {
    if (seed == 1) return clone(test::uniform({rows, cols}, seed, lo, hi, dtype));
    const Tensor a = test::uniform({rows, cols}, seed, lo, hi, dtype);
    return transposed ? transpose(contiguous(transpose(a, 0, 1)), 0, 1) : clone(a);
  };
  return {t(1, -1, 1), t(2, -1, 1), t(3, -0.1, 0.1), t(4, 0, 0.01), t(5, 0, 0.02)};
}

// PyTorch's _single_tensor_adam in double for one element.
void reference_step(const cpu::AdamConfig& c, double& p, double g, double& m, double& v, double& vmax) {
  double d = c.maximize ? -g : g;
  if (c.decoupled) p *= 1 - c.lr * c.weight_decay;
  else if (c.weight_decay != 0) d += c.weight_decay * p;
  m = m * c.beta1 + (1 - c.beta1) * d;
  v = v * c.beta2 + (1 - c.beta2) * d * d;
  double second = v;
  if (c.amsgrad) second = vmax = std::max(vmax, v);
  p -= c.step_size * m / (std::sqrt(second) / c.bias_correction2_sqrt + c.eps);
}

void check_variant(bool amsgrad, bool maximize, bool decoupled, double weight_decay, DType dtype) {
  const cpu::AdamConfig c{0.01, 0.9, 0.999, 1e-8, weight_decay, 0.01 / (1 - 0.9 * 0.9), std::sqrt(1 - 0.999 * 0.999),
                          amsgrad, maximize, decoupled};
  State dense = make_state(23, 29, dtype, false), strided = make_state(23, 29, dtype, true);  // 667 = 41 x 16 + 11
  CHECK(dense.g.is_contiguous() && !strided.g.is_contiguous());
  std::vector<double> p = test::values(dense.p), g = test::values(dense.g), m = test::values(dense.m),
                      v = test::values(dense.v), vmax = test::values(dense.vmax);
  for (int step = 0; step < 3; ++step) {
    for (State* s : {&dense, &strided})
      cpu::adam_update(c, s->p, s->g, s->m, s->v, amsgrad ? s->vmax : Tensor());
    for (size_t i = 0; i < p.size(); ++i) reference_step(c, p[i], g[i], m[i], v[i], vmax[i]);
  }
  const double tol = dtype == DType::Float32 ? 1e-5 : 1e-12;
  CHECK_SAME(dense.p, strided.p, 0);  // same formulas in both loops: the same bits
  CHECK_SAME(dense.m, strided.m, 0);
  CHECK_SAME(dense.v, strided.v, 0);
  if (amsgrad) CHECK_SAME(dense.vmax, strided.vmax, 0);
  const std::vector<double> got = test::values(dense.p);
  for (size_t i = 0; i < p.size(); ++i) CHECK(test::close(got[i], p[i], tol));
}

}  // namespace

TEST(adam_contiguous_and_strided_loops_agree_with_the_formula) {
  for (DType dtype : {DType::Float32, DType::Float64})
    for (bool amsgrad : {false, true})
      for (bool maximize : {false, true}) {
        check_variant(amsgrad, maximize, false, 0, dtype);     // Adam
        check_variant(amsgrad, maximize, false, 0.1, dtype);   // Adam with L2 weight decay
        check_variant(amsgrad, maximize, true, 0.1, dtype);    // AdamW
      }
}

TEST(adam_keeps_an_infinite_parameter_without_weight_decay) {
  // No weight decay: the gradient does not see the parameter, so an infinite parameter stays infinite (0 * inf
  // would make it NaN).
  const cpu::AdamConfig c{0.01, 0.9, 0.999, 1e-8, 0, 0.1, 0.05, false, false, false};
  Tensor p = test::make(std::vector<double>(40, INFINITY), {40}), g = test::uniform({40}, 7);
  Tensor m = zeros({40}, DType::Float32), v = zeros({40}, DType::Float32);
  cpu::adam_update(c, p, g, m, v, Tensor());
  for (double x : test::values(p)) CHECK(std::isinf(x) && x > 0);
}
