// The vectorizable float32 log, log1p, expm1, erf, erfc and gelu of vec_math.h: ulp distance to the correctly
// rounded result over dense sweeps (linear and logarithmic), and exact special values.
#include <algorithm>
#include <cmath>
#include <limits>

#include "check.h"
#include "cpu/vec_math.h"

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

int64_t ulps(float a, float b) {
  if (a == b) return 0;
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : std::numeric_limits<int32_t>::max();
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  if ((ia < 0) != (ib < 0)) return std::llabs(static_cast<int64_t>(ia & 0x7fffffff)) + (ib & 0x7fffffff);
  return std::llabs(static_cast<int64_t>(ia) - ib);
}

// The worst ulp distance over steps + 1 points spaced evenly in [lo, hi] (or, with log_spaced, evenly in
// log |x| between lo and hi, which must then have the same sign).
template <class F, class R>
int64_t max_ulps(F f, R reference, float lo, float hi, int steps, bool log_spaced = false, float* worst_x = nullptr) {
  int64_t worst = 0;
  for (int i = 0; i <= steps; ++i) {
    const double s = static_cast<double>(i) / steps;
    const float x = log_spaced ? static_cast<float>(std::copysign(
                                     std::exp(std::log(std::fabs(lo)) + s * (std::log(std::fabs(hi)) - std::log(std::fabs(lo)))), lo))
                               : static_cast<float>(lo + (static_cast<double>(hi) - lo) * s);
    const float want = static_cast<float>(reference(static_cast<double>(x)));
    const int64_t u = ulps(f(x), want);
    if (u > worst) {
      worst = u;
      if (worst_x) *worst_x = x;
    }
  }
  return worst;
}

}  // namespace

using namespace kiln::cpu;

TEST(log_is_within_one_ulp) {
  auto f = [](float x) { return vm::log(x); };
  auto ref = [](double x) { return std::log(x); };
  CHECK(max_ulps(f, ref, 0.5f, 2.0f, 2000000) <= 1);
  CHECK(max_ulps(f, ref, 1e-37f, 3e38f, 2000000, true) <= 1);
  CHECK(max_ulps(f, ref, 1e-45f, 1e-37f, 200000, true) <= 1);  // subnormal inputs
}

TEST(log_special_values) {
  CHECK(vm::log(1.0f) == 0.0f);
  CHECK(vm::log(0.0f) == -kInf);
  CHECK(vm::log(-0.0f) == -kInf);
  CHECK(vm::log(kInf) == kInf);
  CHECK(std::isnan(vm::log(-1.0f)));
  CHECK(std::isnan(vm::log(-kInf)));
  CHECK(std::isnan(vm::log(std::nanf(""))));
}

TEST(log1p_is_within_two_ulp) {
  auto f = [](float x) { return vm::log1p(x); };
  auto ref = [](double x) { return std::log1p(x); };
  CHECK(max_ulps(f, ref, -0.999f, 10.0f, 2000000) <= 2);
  CHECK(max_ulps(f, ref, 1e-30f, 1e30f, 1000000, true) <= 2);
  CHECK(max_ulps(f, ref, -1e-30f, -0.5f, 1000000, true) <= 2);
  CHECK(vm::log1p(0.0f) == 0.0f);
  CHECK(vm::log1p(1e-40f) == 1e-40f);
  CHECK(vm::log1p(-1.0f) == -kInf);
  CHECK(vm::log1p(kInf) == kInf);
  CHECK(std::isnan(vm::log1p(-2.0f)));
  CHECK(std::isnan(vm::log1p(std::nanf(""))));
}

TEST(expm1_is_within_two_ulp) {
  auto f = [](float x) { return vm::expm1(x); };
  auto ref = [](double x) { return std::expm1(x); };
  CHECK(max_ulps(f, ref, -1.0f, 1.0f, 2000000) <= 2);
  CHECK(max_ulps(f, ref, -80.0f, 88.0f, 2000000) <= 2);
  CHECK(max_ulps(f, ref, 1e-38f, 0.5f, 1000000, true) <= 1);
  CHECK(max_ulps(f, ref, -1e-38f, -0.5f, 1000000, true) <= 1);
  CHECK(vm::expm1(0.0f) == 0.0f);
  CHECK(vm::expm1(-kInf) == -1.0f);
  CHECK(vm::expm1(kInf) == kInf);
  CHECK(vm::expm1(100.0f) == kInf);
  CHECK(std::isnan(vm::expm1(std::nanf(""))));
}

TEST(erf_is_within_one_ulp) {
  auto f = [](float x) { return vm::erf(x); };
  auto ref = [](double x) { return std::erf(x); };
  CHECK(max_ulps(f, ref, -6.0f, 6.0f, 2000000) <= 1);
  CHECK(max_ulps(f, ref, 1e-38f, 1.0f, 1000000, true) <= 1);
  CHECK(vm::erf(0.0f) == 0.0f);
  CHECK(vm::erf(4.0f) == 1.0f);
  CHECK(vm::erf(-kInf) == -1.0f);
  CHECK(vm::erf(kInf) == 1.0f);
  CHECK(std::isnan(vm::erf(std::nanf(""))));
}

TEST(erfc_is_within_six_ulp_into_the_tail) {
  auto f = [](float x) { return vm::erfc(x); };
  auto ref = [](double x) { return std::erfc(x); };
  CHECK(max_ulps(f, ref, -6.0f, 0.5f, 1000000) <= 3);
  CHECK(max_ulps(f, ref, 0.5f, 10.0f, 2000000) <= 6);  // down to 2e-45, the last subnormals
  CHECK(vm::erfc(0.0f) == 1.0f);
  CHECK(vm::erfc(11.0f) == 0.0f);
  CHECK(vm::erfc(kInf) == 0.0f);
  CHECK(vm::erfc(-kInf) == 2.0f);
  CHECK(std::isnan(vm::erfc(std::nanf(""))));
}

TEST(gelu_erf_is_within_a_few_ulp) {
  auto f = [](float x) { return vm::gelu_erf(x); };
  auto ref = [](double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); };
  CHECK(max_ulps(f, ref, 0.0f, 8.0f, 2000000) <= 3);
  CHECK(max_ulps(f, ref, -2.0f, 0.0f, 1000000) <= 8);
  CHECK(max_ulps(f, ref, 1e-30f, 1e-3f, 1000000, true) <= 3);
  CHECK(max_ulps(f, ref, -1e-30f, -1e-3f, 1000000, true) <= 3);
  CHECK(max_ulps(f, ref, -4.0f, -2.0f, 1000000) <= 16);
  // The far tail: the rounding of x^2 log2(e) / 2 gives a relative error of about x^2 2^-24.
  CHECK(max_ulps(f, ref, -13.0f, -4.0f, 1000000) <= 13 * 13);
  // Phi(0) = 1/2 exactly, so tiny inputs halve exactly; the signs of zeros and underflows are kept.
  CHECK(vm::gelu_erf(1e-30f) == 0.5e-30f);
  CHECK(vm::gelu_erf(-1e-30f) == -0.5e-30f);
  CHECK(vm::gelu_erf(0.0f) == 0.0f && !std::signbit(vm::gelu_erf(0.0f)));
  CHECK(vm::gelu_erf(-0.0f) == 0.0f && std::signbit(vm::gelu_erf(-0.0f)));
  CHECK(vm::gelu_erf(-15.0f) == 0.0f && std::signbit(vm::gelu_erf(-15.0f)));
  CHECK(vm::gelu_erf(-14.0f) < 0.0f);  // -14 Phi(-14): a subnormal
  CHECK(vm::gelu_erf(6.0f) == 6.0f);
  CHECK(vm::gelu_erf(1e30f) == 1e30f);
  CHECK(vm::gelu_erf(kInf) == kInf);
  CHECK(std::isnan(vm::gelu_erf(-kInf)));  // as PyTorch's -inf * (1 + erf(-inf)) / 2
  CHECK(std::isnan(vm::gelu_erf(std::nanf(""))));
  float gauss = 0;
  CHECK(vm::gelu_detail::normal_tail(0.0f, &gauss) == 0.5f && gauss == 1.0f);
  vm::gelu_detail::normal_tail(1.5f, &gauss);
  CHECK(ulps(gauss, static_cast<float>(std::exp(-1.125))) <= 2);
}

TEST(gelu_erf_grad_is_close_to_the_derivative) {
  auto f = [](float x) { return vm::gelu_erf_grad(1.0f, x); };
  auto ref = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)) + x * std::exp(-x * x / 2) / std::sqrt(2 * M_PI); };
  CHECK(max_ulps(f, ref, 0.0f, 8.0f, 1000000) <= 4);
  // Below 0 Phi(x) + x phi(x) cancels (to 0 at x = -0.75), as in PyTorch's formula: compared absolutely.
  double worst = 0;
  for (int i = 0; i <= 1000000; ++i) {
    const float x = static_cast<float>(-14.0 * i / 1000000);
    worst = std::max(worst, std::fabs(f(x) - ref(x)));
  }
  CHECK(worst < 3e-7);
  CHECK(vm::gelu_erf_grad(2.0f, 0.0f) == 1.0f);
  CHECK(vm::gelu_erf_grad(1.0f, 20.0f) == 1.0f);
  CHECK(vm::gelu_erf_grad(1.0f, -20.0f) == 0.0f);
  CHECK(std::isnan(vm::gelu_erf_grad(1.0f, kInf)));  // inf * 0, as PyTorch
  CHECK(std::isnan(vm::gelu_erf_grad(1.0f, std::nanf(""))));
}
