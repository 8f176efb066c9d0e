// The fused Adam, SGD, ASGD and Rprop updates: their vectorised loops over contiguous runs and their strided loops give the
// same bits, and both follow PyTorch's formulas (the Java parity tests replay PyTorch's trajectories; these cover
// every variant on tensors long enough for the vector loop and its tail, in both layouts).
#include <cmath>

#include "cpu/optim.h"
#include "fixtures.h"
#include "optim_formulas.h"

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

// Restores the CPU's own choice of path for tiny blocks when a test that forces one ends.
struct TinyBlockModes {
  ~TinyBlockModes() { cpu::set_tiny_blocks_through_double(-1); }
};

TEST(adam_on_tiny_and_subnormal_float32_state_gives_the_bits_of_float_arithmetic) {
  // Blocks of state with tiny or subnormal values run their arithmetic through double (optim_formulas.h,
  // FloatViaDouble) on Intel's cores, as float elsewhere; every element must come out as plain float32 arithmetic
  // gives it, in blocks of either kind, both ways.
  const int64_t n = 667;
  const float gs[] = {0.0f, 1e-30f, -3e-40f, 1e-3f, -0.5f, 2e-20f}, ms[] = {0.0f, 1e-39f, -2e-41f, 5e-20f, 0.1f},
              vs[] = {0.0f, 1e-42f, 1e-35f, 1e-4f, 3e-30f};
  std::vector<double> g0(n), m0(n), v0(n), p0(n);
  for (int64_t i = 0; i < n; ++i) {
    const bool normal_block = (i / 64) % 3 == 0;  // some 64-element blocks hold only ordinary values
    g0[i] = normal_block ? 0.25 + 1e-3 * i : gs[i % 6];
    m0[i] = normal_block ? -0.01 : ms[i % 5];
    v0[i] = normal_block ? 1e-3 : vs[(i / 5) % 5];
    p0[i] = 0.5 - 1e-3 * i;
  }
  TinyBlockModes modes;
  for (int through_double : {0, 1}) {
    for (bool amsgrad : {false, true})
      for (bool decoupled : {false, true}) {
        cpu::set_tiny_blocks_through_double(through_double);
        const cpu::AdamConfig c{0.001, 0.9, 0.999, 1e-8, decoupled ? 0.01 : 0.0, 0.001 / (1 - 0.9),
                                std::sqrt(1 - 0.999), amsgrad, false, decoupled};
        Tensor p = test::make(p0, {n}, DType::Float32), g = test::make(g0, {n}, DType::Float32);
        Tensor m = test::make(m0, {n}, DType::Float32), v = test::make(v0, {n}, DType::Float32);
        Tensor vmax = test::make(v0, {n}, DType::Float32);
        std::vector<float> pf(n), mf(n), vf(n), vmaxf(n);
        for (int64_t i = 0; i < n; ++i) {
          pf[i] = static_cast<float>(p0[i]);
          mf[i] = static_cast<float>(m0[i]);
          vf[i] = static_cast<float>(v0[i]);
          vmaxf[i] = vf[i];
        }
        const AdamFormula<float> f(c);
        for (int step = 0; step < 3; ++step) {
          cpu::adam_update(c, p, g, m, v, amsgrad ? vmax : Tensor());
          for (int64_t i = 0; i < n; ++i) {
            if (amsgrad) f.step<true, false, float>(pf[i], static_cast<float>(g0[i]), mf[i], vf[i], vmaxf[i]);
            else f.step<false, false, float>(pf[i], static_cast<float>(g0[i]), mf[i], vf[i], vmaxf[i]);
          }
        }
        const std::vector<double> gp = test::values(p), gm = test::values(m), gv = test::values(v);
        int subnormal = 0;
        for (int64_t i = 0; i < n; ++i) {
          CHECK_EQ(gp[i], static_cast<double>(pf[i]));
          CHECK_EQ(gm[i], static_cast<double>(mf[i]));
          CHECK_EQ(gv[i], static_cast<double>(vf[i]));
          subnormal += std::fpclassify(mf[i]) == FP_SUBNORMAL || std::fpclassify(vf[i]) == FP_SUBNORMAL;
        }
        CHECK(subnormal > 100);  // the case this test is for did occur
      }
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

namespace {

// PyTorch's _single_tensor_sgd in double for one element.
void sgd_reference(const cpu::SgdConfig& c, double& p, double g, double& buf) {
  double d = c.maximize ? -g : g;
  if (c.weight_decay != 0) d += c.weight_decay * p;
  if (c.momentum != 0) {
    buf = c.first_step ? d : buf * c.momentum + (1 - c.dampening) * d;
    d = c.nesterov ? d + c.momentum * buf : buf;
  }
  p -= c.lr * d;
}

void check_sgd_variant(double momentum, double dampening, bool nesterov, double weight_decay, bool maximize,
                       DType dtype) {
  State dense = make_state(23, 29, dtype, false), strided = make_state(23, 29, dtype, true);
  std::vector<double> p = test::values(dense.p), g = test::values(dense.g), m = test::values(dense.m);
  for (int step = 0; step < 3; ++step) {
    const cpu::SgdConfig c{0.05, momentum, dampening, weight_decay, nesterov, maximize, step == 0};
    for (State* s : {&dense, &strided}) cpu::sgd_update(c, s->p, s->g, momentum != 0 ? s->m : Tensor());
    for (size_t i = 0; i < p.size(); ++i) sgd_reference(c, p[i], g[i], m[i]);
  }
  const double tol = dtype == DType::Float32 ? 1e-5 : 1e-12;
  CHECK_SAME(dense.p, strided.p, 0);
  CHECK_SAME(dense.m, strided.m, 0);
  const std::vector<double> got_p = test::values(dense.p), got_m = test::values(dense.m);
  for (size_t i = 0; i < p.size(); ++i) {
    CHECK(test::close(got_p[i], p[i], tol));
    if (momentum != 0) CHECK(test::close(got_m[i], m[i], tol));
  }
}

}  // namespace

TEST(sgd_contiguous_and_strided_loops_agree_with_the_formula) {
  for (DType dtype : {DType::Float32, DType::Float64})
    for (bool maximize : {false, true})
      for (double weight_decay : {0.0, 0.1}) {
        check_sgd_variant(0, 0, false, weight_decay, maximize, dtype);      // plain SGD
        check_sgd_variant(0.9, 0, false, weight_decay, maximize, dtype);    // momentum
        check_sgd_variant(0.9, 0.3, false, weight_decay, maximize, dtype);  // with dampening
        check_sgd_variant(0.9, 0, true, weight_decay, maximize, dtype);     // Nesterov
      }
}

TEST(sgd_on_tiny_and_subnormal_float32_state_gives_the_bits_of_float_arithmetic) {
  // As Adam's: the momentum buffer of a weight whose gradient stays zero shrinks by `momentum` each step and turns
  // subnormal; blocks with tiny values run through double, and must give plain float32 arithmetic's bits.
  const int64_t n = 667;
  const float gs[] = {0.0f, 1e-30f, -3e-40f, 1e-3f, -0.5f, 2e-25f}, ms[] = {0.0f, 1e-39f, -2e-41f, 5e-30f, 0.1f},
              ps[] = {0.5f, 1e-38f, -4e-42f, 1e-30f, -0.25f};
  std::vector<double> g0(n), m0(n), p0(n);
  for (int64_t i = 0; i < n; ++i) {
    const bool normal_block = (i / 64) % 3 == 0;  // some 64-element blocks hold only ordinary values
    g0[i] = normal_block ? 0.25 + 1e-3 * i : gs[i % 6];
    m0[i] = normal_block ? -0.01 : ms[i % 5];
    p0[i] = normal_block ? 0.5 - 1e-3 * i : ps[(i / 5) % 5];
  }
  TinyBlockModes modes;
  for (int through_double : {0, 1}) {
    for (double momentum : {0.0, 0.9})
      for (bool nesterov : {false, true})
        for (double weight_decay : {0.0, 1e-4}) {
          if (nesterov && momentum == 0) continue;
          cpu::set_tiny_blocks_through_double(through_double);
          Tensor p = test::make(p0, {n}, DType::Float32), g = test::make(g0, {n}, DType::Float32);
          Tensor m = test::make(m0, {n}, DType::Float32);
          std::vector<float> pf(n), mf(n);
          for (int64_t i = 0; i < n; ++i) {
            pf[i] = static_cast<float>(p0[i]);
            mf[i] = static_cast<float>(m0[i]);
          }
          int subnormal = 0;
          for (int step = 0; step < 3; ++step) {
            const cpu::SgdConfig c{1e-3, momentum, 0.1, weight_decay, nesterov, false, false};
            cpu::sgd_update(c, p, g, momentum != 0 ? m : Tensor());
            const SgdFormula<float> f(c);
            for (int64_t i = 0; i < n; ++i) {
              if (momentum != 0) f.step_as<true, float>(pf[i], static_cast<float>(g0[i]), mf[i]);
              else f.step_as<false, float>(pf[i], static_cast<float>(g0[i]), mf[i]);
              subnormal += std::fpclassify(mf[i]) == FP_SUBNORMAL || std::fpclassify(pf[i]) == FP_SUBNORMAL;
            }
          }
          const std::vector<double> gp = test::values(p), gm = test::values(m);
          for (int64_t i = 0; i < n; ++i) {
            CHECK_EQ(gp[i], static_cast<double>(pf[i]));
            CHECK_EQ(gm[i], static_cast<double>(mf[i]));
          }
          CHECK(subnormal > 100);  // the case this test is for did occur
        }
  }
}

TEST(sgd_keeps_an_infinite_parameter_without_weight_decay) {
  // As Adam: without weight decay the step never multiplies the parameter (0 * inf would make it NaN).
  for (double momentum : {0.0, 0.9}) {
    Tensor p = test::make(std::vector<double>(40, INFINITY), {40}), g = test::uniform({40}, 7);
    Tensor m = zeros({40}, DType::Float32);
    cpu::sgd_update({0.01, momentum, 0, 0, false, false, true}, p, g, momentum != 0 ? m : Tensor());
    for (double x : test::values(p)) CHECK(std::isinf(x) && x > 0);
  }
}

namespace {

// Gradient number `step` of shape [rows, cols]: multiples of 0.25 in [-1.25, 1.25] with zeros among them, so that
// Rprop sees its three cases (the sign kept, flipped, or a zero product). `transposed` as in make_state.
Tensor gradient_at(int step, int64_t rows, int64_t cols, DType dtype, bool transposed) {
  std::vector<double> v(static_cast<size_t>(rows * cols));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>((i * 7 + step * 5) % 11) * 0.25 - 1.25;
  const Tensor a = test::make(v, {rows, cols}, dtype);
  return transposed ? transpose(contiguous(transpose(a, 0, 1)), 0, 1) : a;
}

// PyTorch's _single_tensor_asgd in double for one element (eta and mu as the optimizer passes them).
void asgd_reference(const cpu::AsgdConfig& c, double& p, double g, double& ax) {
  double d = c.maximize ? -g : g;
  if (c.weight_decay != 0) d += c.weight_decay * p;
  p *= 1 - c.lambd * c.eta;
  p -= c.eta * d;
  ax = c.mu != 1 ? ax + (p - ax) * c.mu : p;
}

void check_asgd_variant(bool maximize, double weight_decay, double mu, DType dtype) {
  State dense = make_state(23, 29, dtype, false), strided = make_state(23, 29, dtype, true);
  CHECK(dense.m.is_contiguous() && !strided.m.is_contiguous());
  std::vector<double> p = test::values(dense.p), ax = test::values(dense.m);
  for (int step = 0; step < 3; ++step) {
    const cpu::AsgdConfig c{1e-2, weight_decay, 0.05 / (1 + step), mu, maximize};
    const Tensor g = gradient_at(step, 23, 29, dtype, false), g_strided = gradient_at(step, 23, 29, dtype, true);
    cpu::asgd_update(c, dense.p, g, dense.m);
    cpu::asgd_update(c, strided.p, g_strided, strided.m);
    const std::vector<double> gv = test::values(g);
    for (size_t i = 0; i < p.size(); ++i) asgd_reference(c, p[i], gv[i], ax[i]);
  }
  const double tol = dtype == DType::Float32 ? 1e-5 : 1e-12;
  CHECK_SAME(dense.p, strided.p, 0);
  CHECK_SAME(dense.m, strided.m, 0);
  CHECK_SAME(dense.p, test::make(p, {23, 29}, dtype), tol);
  CHECK_SAME(dense.m, test::make(ax, {23, 29}, dtype), tol);
}

// PyTorch's _single_tensor_rprop in double, pass by pass as it goes over the whole tensor.
void rprop_reference(const cpu::RpropConfig& c, std::vector<double>& p, std::vector<double> g,
                     std::vector<double>& prev, std::vector<double>& step_size) {
  const size_t n = p.size();
  std::vector<double> sign(n);
  for (size_t i = 0; i < n; ++i) {
    if (c.maximize) g[i] = -g[i];
    const double prod = g[i] * prev[i];
    sign[i] = prod > 0 ? 1 : prod < 0 ? -1 : 0;
  }
  for (double& s : sign) s = s > 0 ? c.etaplus : s;
  for (double& s : sign) s = s < 0 ? c.etaminus : s;
  for (double& s : sign) s = s == 0 ? 1 : s;
  for (size_t i = 0; i < n; ++i)
    step_size[i] = std::min(std::max(step_size[i] * sign[i], c.step_size_min), c.step_size_max);
  for (size_t i = 0; i < n; ++i) g[i] = sign[i] == c.etaminus ? 0 : g[i];
  for (size_t i = 0; i < n; ++i) p[i] -= (g[i] > 0 ? 1 : g[i] < 0 ? -1 : 0) * step_size[i];
  prev = g;
}

void check_rprop_variant(bool maximize, DType dtype) {
  // exp_avg (mixed signs) serves as prev, exp_avg_sq (in [0, 0.01)) as the step sizes, clamped to [0.002, 0.009].
  const cpu::RpropConfig c{0.5, 1.2, 0.002, 0.009, maximize};
  State dense = make_state(23, 29, dtype, false), strided = make_state(23, 29, dtype, true);
  std::vector<double> p = test::values(dense.p), prev = test::values(dense.m), step_size = test::values(dense.v);
  for (int step = 0; step < 4; ++step) {
    const Tensor g = gradient_at(step, 23, 29, dtype, false), g_strided = gradient_at(step, 23, 29, dtype, true);
    cpu::rprop_update(c, dense.p, g, dense.m, dense.v);
    cpu::rprop_update(c, strided.p, g_strided, strided.m, strided.v);
    rprop_reference(c, p, test::values(g), prev, step_size);
  }
  const double tol = dtype == DType::Float32 ? 1e-5 : 1e-12;
  CHECK_SAME(dense.p, strided.p, 0);
  CHECK_SAME(dense.m, strided.m, 0);
  CHECK_SAME(dense.v, strided.v, 0);
  CHECK_SAME(dense.p, test::make(p, {23, 29}, dtype), tol);
  CHECK_SAME(dense.m, test::make(prev, {23, 29}, dtype), 0);  // kept gradients, zeros where the sign flipped
  CHECK_SAME(dense.v, test::make(step_size, {23, 29}, dtype), tol);
}

// Two Rprop steps on six elements of 1: the first gradient becomes prev, the second meets it with the same sign,
// the other sign, a zero, and NaN on either side.
struct RpropRun {
  Tensor p, prev, step_size;
};
RpropRun rprop_two_steps(double etaminus, double step_size_min, DType dtype) {
  const cpu::RpropConfig c{etaminus, 1.2, step_size_min, 0.11, false};
  RpropRun r{test::make({1, 1, 1, 1, 1, 1}, {6}, dtype), zeros({6}, dtype), full({6}, 0.1, dtype)};
  cpu::rprop_update(c, r.p, test::make({1, 1, -1, 0, 1, NAN}, {6}, dtype), r.prev, r.step_size);
  cpu::rprop_update(c, r.p, test::make({2, -2, -3, 5, NAN, 1}, {6}, dtype), r.prev, r.step_size);
  return r;
}

}  // namespace

TEST(asgd_contiguous_and_strided_loops_agree_with_the_formula) {
  for (DType dtype : {DType::Float32, DType::Float64})
    for (bool maximize : {false, true})
      for (double weight_decay : {0.0, 0.1})
        for (double mu : {1.0, 0.4}) check_asgd_variant(maximize, weight_decay, mu, dtype);
}

TEST(rprop_contiguous_and_strided_loops_agree_with_the_formula) {
  for (DType dtype : {DType::Float32, DType::Float64})
    for (bool maximize : {false, true}) check_rprop_variant(maximize, dtype);
}

TEST(rprop_matches_pytorch_on_sign_changes_zeros_and_nan) {
  // What PyTorch 1.13 gives for the same two steps. A NaN gradient makes a zero product (torch.sign(NaN) is 0) and
  // moves nothing.
  RpropRun r = rprop_two_steps(0.5, 1e-6, DType::Float32);
  CHECK_VALUES(r.p, 0, {0.7899999618530273, 0.8999999761581421, 1.2100000381469727, 0.8999999761581421,
                        0.8999999761581421, 0.8999999761581421});
  CHECK_VALUES(r.prev, 0, {2, 0, -3, 5, NAN, 1});
  CHECK_VALUES(r.step_size, 0, {0.10999999940395355, 0.05000000074505806, 0.10999999940395355, 0.10000000149011612,
                                0.10000000149011612, 0.10000000149011612});
}

TEST(rprop_etaminus_that_rounds_to_zero_acts_as_in_pytorch) {
  // 1e-50 is 0 in float32: PyTorch's fill of the flipped signs gives 0, which its next fill turns into 1, and no
  // gradient equals etaminus, so the flipped one is kept. In float64 the step size drops to its minimum instead.
  RpropRun r32 = rprop_two_steps(1e-50, 1e-6, DType::Float32);
  CHECK_VALUES(r32.p, 0, {0.7899999618530273, 1.0, 1.2100000381469727, 0.8999999761581421, 0.8999999761581421,
                          0.8999999761581421});
  CHECK_VALUES(r32.prev, 0, {2, -2, -3, 5, NAN, 1});
  RpropRun r64 = rprop_two_steps(1e-50, 1e-6, DType::Float64);
  CHECK_VALUES(r64.p, 0, {0.79, 0.9, 1.2100000000000002, 0.9, 0.9, 0.9});
  CHECK_VALUES(r64.step_size, 0, {0.11, 1e-06, 0.11, 0.1, 0.1, 0.1});
}

TEST(rprop_nan_step_size_bound_fills_nan_as_torch_clamp) {
  RpropRun r = rprop_two_steps(0.5, NAN, DType::Float32);
  CHECK_VALUES(r.p, 0, {NAN, NAN, NAN, NAN, NAN, NAN});
  CHECK_VALUES(r.step_size, 0, {NAN, NAN, NAN, NAN, NAN, NAN});
  CHECK_VALUES(r.prev, 0, {2, 0, -3, 5, NAN, 1});  // the signs still decide which gradients are kept
}

TEST(asgd_and_rprop_take_empty_parameters) {
  for (DType dtype : {DType::Float32, DType::Float64}) {
    Tensor p = zeros({0, 3}, dtype), g = zeros({0, 3}, dtype), a = zeros({0, 3}, dtype), b = zeros({0, 3}, dtype);
    cpu::asgd_update({1e-4, 0.1, 0.01, 0.5, false}, p, g, a);
    cpu::rprop_update({0.5, 1.2, 1e-6, 50, false}, p, g, a, b);
    CHECK_EQ(p.numel(), 0);
  }
}
