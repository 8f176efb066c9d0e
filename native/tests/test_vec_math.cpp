// The vectorizable float32 exp, tanh and sigmoid: within 2 ulp of the correctly rounded result over a
// dense sweep, and exact on special values.
#include <cmath>
#include <limits>

#include "check.h"
#include "cpu/vec_math.h"

namespace {

// Distance in units in the last place between two floats of the same sign.
int64_t ulps(float a, float b) {
  if (a == b) return 0;
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  if ((ia < 0) != (ib < 0)) return std::numeric_limits<int32_t>::max();
  return std::llabs(static_cast<int64_t>(ia) - ib);
}

template <class F, class R>
int64_t max_ulps(F f, R reference, float lo, float hi, int steps) {
  int64_t worst = 0;
  for (int i = 0; i <= steps; ++i) {
    const float x = lo + (hi - lo) * static_cast<float>(i) / static_cast<float>(steps);
    const float want = static_cast<float>(reference(static_cast<double>(x)));
    const int64_t u = ulps(f(x), want);
    if (u > worst) worst = u;
  }
  return worst;
}

}  // namespace

using namespace kiln::cpu;

TEST(exp_is_within_two_ulp) {
  CHECK(max_ulps([](float x) { return vm::exp(x); }, [](double x) { return std::exp(x); }, -87.0f, 88.0f, 2000000) <= 2);
  CHECK(max_ulps([](float x) { return vm::exp(x); }, [](double x) { return std::exp(x); }, -1.0f, 1.0f, 1000000) <= 1);
}

TEST(exp_special_values) {
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(vm::exp(0.0f) == 1.0f);
  CHECK(vm::exp(89.0f) == inf);
  CHECK(vm::exp(inf) == inf);
  CHECK(vm::exp(-inf) == 0.0f);
  CHECK(vm::exp(-200.0f) == 0.0f);
  CHECK(std::isnan(vm::exp(std::nanf(""))));
  // Subnormal results: within 2 ulp of the exact value too.
  CHECK(max_ulps([](float x) { return vm::exp(x); }, [](double x) { return std::exp(x); }, -103.0f, -87.5f, 100000) <= 2);
}

TEST(tanh_is_within_two_ulp) {
  CHECK(max_ulps([](float x) { return vm::tanh(x); }, [](double x) { return std::tanh(x); }, -10.0f, 10.0f, 2000000) <= 2);
  CHECK(max_ulps([](float x) { return vm::tanh(x); }, [](double x) { return std::tanh(x); }, -1e-3f, 1e-3f, 100000) <= 1);
  CHECK(vm::tanh(0.0f) == 0.0f);
  CHECK(vm::tanh(20.0f) == 1.0f);
  CHECK(vm::tanh(-std::numeric_limits<float>::infinity()) == -1.0f);
  CHECK(std::isnan(vm::tanh(std::nanf(""))));
}

TEST(sigmoid_is_within_two_ulp) {
  auto ref = [](double x) { return 1.0 / (1.0 + std::exp(-x)); };
  CHECK(max_ulps([](float x) { return vm::sigmoid(x); }, ref, -80.0f, 30.0f, 2000000) <= 2);
  CHECK(vm::sigmoid(-200.0f) == 0.0f);
  CHECK(vm::sigmoid(200.0f) == 1.0f);
}
