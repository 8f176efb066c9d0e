// The vectorizable float32 exp (and softmax's exp_nonpositive), tanh and sigmoid: within 2 ulp of the correctly rounded result over a
// dense sweep, and exact on special values.
#include <cmath>
#include <cstring>
#include <limits>

#include "check.h"
#include "cpu/vec_log.h"
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

// exp_nonpositive, softmax's exp of x - max: within 1 ulp down to the subnormals, 0 below, NaN kept.
TEST(exp_nonpositive_is_within_one_ulp) {
  const float inf = std::numeric_limits<float>::infinity();
  auto f = [](float x) { return vm::exp_nonpositive(x); };
  auto ref = [](double x) { return std::exp(x); };
  CHECK(max_ulps(f, ref, -87.0f, 0.0f, 2000000) <= 1);
  CHECK(max_ulps(f, ref, -1e-3f, 0.0f, 100000) <= 1);
  CHECK(max_ulps(f, ref, -103.9f, -87.0f, 200000) <= 1);
  CHECK(vm::exp_nonpositive(0.0f) == 1.0f && vm::exp_nonpositive(-0.0f) == 1.0f);
  int64_t wrong = 0;  // every float from kExpMin down to past the clamp at -110 rounds to +0
  for (float x = std::nextafter(vm::kExpMin, -inf); x >= -120.0f; x = std::nextafter(x, -inf)) {
    const float y = vm::exp_nonpositive(x);
    if (y != 0.0f || std::signbit(y)) ++wrong;
  }
  CHECK_EQ(wrong, 0);
  CHECK(vm::exp_nonpositive(-inf) == 0.0f);
  CHECK(vm::exp_nonpositive(-std::numeric_limits<float>::max()) == 0.0f);
  CHECK(std::isnan(vm::exp_nonpositive(std::nanf(""))));
}

// Past kExpMax and kExpMin exp rounds to +inf and +0 by itself up to its clamps (vec_math.h): every float
// between them, and some beyond.
TEST(exp_overflows_and_underflows_past_its_range) {
  const float inf = std::numeric_limits<float>::infinity();
  int64_t wrong = 0;
  for (float x = std::nextafter(vm::kExpMax, inf); x <= 2 * vm::kExpClampHi; x = std::nextafter(x, inf)) {
    if (vm::exp(x) != inf) ++wrong;
  }
  for (float x = std::nextafter(vm::kExpMin, -inf); x >= 2 * vm::kExpClampLo; x = std::nextafter(x, -inf)) {
    const float y = vm::exp(x);
    if (y != 0.0f || std::signbit(y)) ++wrong;
  }
  CHECK_EQ(wrong, 0);
  CHECK(vm::exp(88.72f) < inf && vm::exp(-103.9f) > 0.0f);
  CHECK(vm::exp(std::numeric_limits<float>::max()) == inf && vm::exp(-std::numeric_limits<float>::max()) == 0.0f);
  // A NaN comes back as it went in (its sign and payload).
  const float nan = -std::nanf("0x2a");
  const float back = vm::exp(nan);
  CHECK(std::memcmp(&nan, &back, 4) == 0);
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

// ---- log, log1p, expm1, sin, cos, erf (vec_log.h, vec_trig.h, vec_erf.h).

#include "cpu/vec_math.h"
#include "cpu/vec_trig.h"

namespace {

// Worst ulp error over every float whose bits step by `stride` between lo and hi (same sign).
template <class F, class R>
int64_t max_ulps_bits(F f, R reference, float lo, float hi, uint32_t stride) {
  uint32_t a, b;
  std::memcpy(&a, &lo, 4);
  std::memcpy(&b, &hi, 4);
  if (a > b) std::swap(a, b);
  int64_t worst = 0;
  for (uint64_t u = a; u <= b; u += stride) {
    float x;
    const uint32_t u32 = static_cast<uint32_t>(u);
    std::memcpy(&x, &u32, 4);
    const float want = static_cast<float>(reference(static_cast<double>(x)));
    const int64_t e = ulps(f(x), want);
    if (e > worst) worst = e;
  }
  return worst;
}

// How many in a million of the floats whose bits step by `stride` between lo and hi (same sign) differ from the
// correctly rounded result: the functions computed in double should miss only near ties.
template <class F, class R>
int64_t misrounded_per_million(F f, R reference, float lo, float hi, uint32_t stride) {
  uint32_t a, b;
  std::memcpy(&a, &lo, 4);
  std::memcpy(&b, &hi, 4);
  if (a > b) std::swap(a, b);
  int64_t count = 0, wrong = 0;
  for (uint64_t u = a; u <= b; u += stride, ++count) {
    float x;
    const uint32_t u32 = static_cast<uint32_t>(u);
    std::memcpy(&x, &u32, 4);
    const float want = static_cast<float>(reference(static_cast<double>(x))), got = f(x);
    wrong += got != want && !(std::isnan(got) && std::isnan(want));
  }
  return wrong * 1000000 / count;
}

constexpr float kInfF = std::numeric_limits<float>::infinity();

}  // namespace

TEST(log_is_within_one_ulp) {
  auto f = [](float x) { return vm::log(x); };
  auto ref = [](double x) { return std::log(x); };
  CHECK(max_ulps_bits(f, ref, 1e-45f, 3e38f, 97) <= 1);  // every binade, subnormals included
  CHECK(max_ulps(f, ref, 0.5f, 2.0f, 2000000) <= 1);
  CHECK(vm::log(1.0f) == 0.0f);
  CHECK(vm::log(0.0f) == -kInfF);
  CHECK(vm::log(-0.0f) == -kInfF);
  CHECK(std::isnan(vm::log(-1.0f)));
  CHECK(vm::log(kInfF) == kInfF);
  CHECK(std::isnan(vm::log(std::nanf(""))));
}

TEST(log1p_is_within_two_ulp) {
  auto f = [](float x) { return vm::log1p(x); };
  auto ref = [](double x) { return std::log1p(x); };
  CHECK(max_ulps_bits(f, ref, 1e-45f, 3e38f, 97) <= 2);
  CHECK(max_ulps_bits(f, ref, -1e-45f, -0.99999994f, 97) <= 2);
  CHECK(max_ulps(f, ref, -0.5f, 1.0f, 2000000) <= 2);
  CHECK(vm::log1p(-1.0f) == -kInfF);
  CHECK(std::isnan(vm::log1p(-2.0f)));
  CHECK(vm::log1p(kInfF) == kInfF);
  CHECK(std::signbit(vm::log1p(-0.0f)));
  CHECK(vm::log1p(1e-30f) == 1e-30f);
}

TEST(expm1_is_within_two_ulp) {
  auto f = [](float x) { return vm::expm1(x); };
  auto ref = [](double x) { return std::expm1(x); };
  CHECK(max_ulps_bits(f, ref, 1e-45f, 88.7f, 97) <= 2);
  CHECK(max_ulps_bits(f, ref, -1e-45f, -104.0f, 97) <= 2);
  CHECK(max_ulps(f, ref, -2.0f, 2.0f, 2000000) <= 2);
  CHECK(vm::expm1(89.0f) == kInfF);
  CHECK(vm::expm1(-kInfF) == -1.0f);
  CHECK(vm::expm1(kInfF) == kInfF);
  CHECK(std::signbit(vm::expm1(-0.0f)));
  CHECK(std::isnan(vm::expm1(std::nanf(""))));
}

TEST(sin_and_cos_are_within_two_ulp) {
  auto s = [](float x) { return vm::sin(x); };
  auto c = [](float x) { return vm::cos(x); };
  auto rs = [](double x) { return std::sin(x); };
  auto rc = [](double x) { return std::cos(x); };
  CHECK(max_ulps(s, rs, -10.0f, 10.0f, 2000000) <= 2);
  CHECK(max_ulps(c, rc, -10.0f, 10.0f, 2000000) <= 2);
  CHECK(max_ulps_bits(s, rs, 1e-45f, vm::kTrigMax, 97) <= 2);
  CHECK(max_ulps_bits(c, rc, 1e-45f, vm::kTrigMax, 97) <= 2);
  CHECK(vm::sin(0.0f) == 0.0f && std::signbit(vm::sin(-0.0f)));
  CHECK(vm::cos(0.0f) == 1.0f);
  CHECK(std::isnan(vm::sin(std::nanf(""))) && std::isnan(vm::cos(std::nanf(""))));
  CHECK(std::isnan(vm::sin_any(kInfF)) && std::isnan(vm::cos_any(-kInfF)));
  CHECK(vm::sin_any(1e6f) == std::sin(1e6f));
}

TEST(tan_is_within_two_ulp) {
  auto t = [](float x) { return vm::tan(x); };
  auto rt = [](double x) { return std::tan(x); };
  CHECK(max_ulps(t, rt, -10.0f, 10.0f, 2000000) <= 2);
  CHECK(max_ulps_bits(t, rt, 1e-45f, vm::kTrigMax, 97) <= 2);
  CHECK(max_ulps_bits(t, rt, -1e-45f, -vm::kTrigMax, 97) <= 2);
  CHECK(std::signbit(vm::tan(-0.0f)) && std::isnan(vm::tan(std::nanf(""))));
  CHECK(std::isnan(vm::tan_any(kInfF)) && vm::tan_any(3e7f) == std::tan(3e7f));
}

TEST(asin_and_acos_are_within_one_ulp) {
  auto as = [](float x) { return vm::asin(x); };
  auto ac = [](float x) { return vm::acos(x); };
  auto ref_as = [](double x) { return std::asin(x); };
  auto ref_ac = [](double x) { return std::acos(x); };
  for (float sign : {1.0f, -1.0f}) {  // every binade up to 1 (one float in 97), subnormals included
    CHECK(max_ulps_bits(as, ref_as, sign * 1e-45f, sign * 1.0f, 97) <= 1);
    CHECK(max_ulps_bits(ac, ref_ac, sign * 1e-45f, sign * 1.0f, 97) <= 1);
  }
  CHECK(max_ulps(as, ref_as, -1.0f, 1.0f, 2000000) <= 1);  // across the reduction at 0.5
  CHECK(max_ulps(ac, ref_ac, -1.0f, 1.0f, 2000000) <= 1);
  CHECK(vm::asin(1.0f) == static_cast<float>(std::asin(1.0)) && vm::asin(-1.0f) == -vm::asin(1.0f));
  CHECK(vm::acos(1.0f) == 0.0f && vm::acos(-1.0f) == static_cast<float>(std::acos(-1.0)));
  CHECK(vm::acos(0.0f) == static_cast<float>(std::acos(0.0)) && vm::acos(-0.0f) == vm::acos(0.0f));
  CHECK(std::signbit(vm::asin(-0.0f)) && vm::asin(0.0f) == 0.0f);
  for (float bad : {1.0000001f, -1.5f, kInfF, -kInfF, std::nanf("")}) CHECK(std::isnan(vm::asin(bad)) && std::isnan(vm::acos(bad)));
}

TEST(sinh_and_cosh_are_within_one_ulp) {
  auto sh = [](float x) { return vm::sinh(x); };
  auto ch = [](float x) { return vm::cosh(x); };
  auto ref_sh = [](double x) { return std::sinh(x); };
  auto ref_ch = [](double x) { return std::cosh(x); };
  for (float sign : {1.0f, -1.0f}) {  // every binade to past the overflow, subnormals included
    CHECK(max_ulps_bits(sh, ref_sh, sign * 1e-45f, sign * 89.4f, 97) <= 1);
    CHECK(max_ulps_bits(ch, ref_ch, sign * 1e-45f, sign * 89.4f, 97) <= 1);
  }
  CHECK(max_ulps(sh, ref_sh, -2.0f, 2.0f, 2000000) <= 1);  // across the switch at 0.5
  CHECK(max_ulps(ch, ref_ch, -2.0f, 2.0f, 2000000) <= 1);
  CHECK(vm::sinh(89.5f) == kInfF && vm::sinh(-89.5f) == -kInfF && vm::cosh(-89.5f) == kInfF);
  CHECK(vm::sinh(kInfF) == kInfF && vm::sinh(-kInfF) == -kInfF && vm::cosh(-kInfF) == kInfF);
  CHECK(vm::sinh(1e30f) == kInfF && vm::cosh(-3e38f) == kInfF);
  CHECK(vm::sinh(0.0f) == 0.0f && std::signbit(vm::sinh(-0.0f)) && vm::cosh(-0.0f) == 1.0f);
  CHECK(std::isnan(vm::sinh(std::nanf(""))) && std::isnan(vm::cosh(std::nanf(""))));
}

TEST(atan_is_within_one_ulp) {
  auto f = [](float x) { return vm::atan(x); };
  auto ref = [](double x) { return std::atan(x); };
  CHECK(max_ulps_bits(f, ref, 1e-45f, 3e38f, 97) <= 1);  // every binade, subnormals included
  CHECK(max_ulps_bits(f, ref, -1e-45f, -3e38f, 97) <= 1);
  CHECK(max_ulps(f, ref, -3.0f, 3.0f, 2000000) <= 1);  // across both reduction points
  CHECK(vm::atan(kInfF) == static_cast<float>(std::atan(static_cast<double>(kInfF))));
  CHECK(vm::atan(-kInfF) == -vm::atan(kInfF));
  CHECK(vm::atan(0.0f) == 0.0f && !std::signbit(vm::atan(0.0f)));
  CHECK(std::signbit(vm::atan(-0.0f)));
  CHECK(vm::atan(1.0f) == static_cast<float>(std::atan(1.0)));
  CHECK(std::isnan(vm::atan(std::nanf(""))));
}

TEST(log2_and_log10_are_within_one_ulp) {
  auto l2 = [](float x) { return vm::log2(x); };
  auto l10 = [](float x) { return vm::log10(x); };
  auto ref2 = [](double x) { return std::log2(x); };
  auto ref10 = [](double x) { return std::log10(x); };
  CHECK(max_ulps_bits(l2, ref2, 1e-45f, 3e38f, 97) <= 1);  // every binade, subnormals included
  CHECK(max_ulps_bits(l10, ref10, 1e-45f, 3e38f, 97) <= 1);
  CHECK(max_ulps(l2, ref2, 0.5f, 2.0f, 2000000) <= 1);  // across the mantissa's switch at sqrt(2)
  CHECK(max_ulps(l10, ref10, 0.5f, 2.0f, 2000000) <= 1);
  CHECK(misrounded_per_million(l2, ref2, 1e-45f, 3e38f, 193) <= 1);
  CHECK(misrounded_per_million(l10, ref10, 1e-45f, 3e38f, 193) <= 1);
  for (int k = -149; k <= 127; ++k) CHECK(vm::log2(std::ldexp(1.0f, k)) == static_cast<float>(k));
  float power = 1.0f;
  for (int k = 0; k <= 10; ++k, power *= 10.0f) CHECK(vm::log10(power) == static_cast<float>(k));
  for (auto f : {+[](float x) { return vm::log2(x); }, +[](float x) { return vm::log10(x); }}) {
    CHECK(f(0.0f) == -kInfF && f(-0.0f) == -kInfF && f(kInfF) == kInfF);
    CHECK(std::isnan(f(-1e-45f)) && std::isnan(f(-kInfF)) && std::isnan(f(std::nanf(""))));
  }
}

TEST(exp2_is_within_one_ulp) {
  auto f = [](float x) { return vm::exp2(x); };
  auto ref = [](double x) { return std::exp2(x); };
  CHECK(max_ulps_bits(f, ref, 1e-45f, 128.0f, 97) <= 1);
  CHECK(max_ulps_bits(f, ref, -1e-45f, -151.0f, 97) <= 1);  // subnormal results included
  CHECK(max_ulps(f, ref, -2.0f, 2.0f, 2000000) <= 1);  // across the rounding of n at +-1/2
  CHECK(misrounded_per_million(f, ref, 1e-45f, 128.0f, 193) <= 1);
  CHECK(misrounded_per_million(f, ref, -1e-45f, -151.0f, 193) <= 1);
  for (int k = -149; k <= 127; ++k) CHECK(vm::exp2(static_cast<float>(k)) == std::ldexp(1.0f, k));
  CHECK(vm::exp2(128.0f) == kInfF && vm::exp2(1e30f) == kInfF && vm::exp2(kInfF) == kInfF);
  CHECK(vm::exp2(-150.0f) == 0.0f && vm::exp2(-1e30f) == 0.0f && vm::exp2(-kInfF) == 0.0f);
  CHECK(vm::exp2(0.0f) == 1.0f && vm::exp2(-0.0f) == 1.0f && std::isnan(vm::exp2(std::nanf(""))));
}

TEST(inverse_hyperbolics_are_within_one_ulp) {
  auto as = [](float x) { return vm::asinh(x); };
  auto ac = [](float x) { return vm::acosh(x); };
  auto at = [](float x) { return vm::atanh(x); };
  auto ref_as = [](double x) { return std::asinh(x); };
  auto ref_ac = [](double x) { return std::acosh(x); };
  auto ref_at = [](double x) { return std::atanh(x); };
  for (float sign : {1.0f, -1.0f}) {  // every binade (one float in 97), subnormals included
    CHECK(max_ulps_bits(as, ref_as, sign * 1e-45f, sign * 3e38f, 97) <= 1);
    CHECK(max_ulps_bits(at, ref_at, sign * 1e-45f, sign * 0.99999994f, 97) <= 1);
  }
  CHECK(max_ulps_bits(ac, ref_ac, 1.0f, 3e38f, 97) <= 1);
  CHECK(max_ulps(as, ref_as, -0.01f, 0.01f, 2000000) <= 1);  // across the switch at 2^-12
  CHECK(max_ulps(at, ref_at, -0.01f, 0.01f, 2000000) <= 1);
  CHECK(max_ulps(ac, ref_ac, 1.0f, 1.01f, 2000000) <= 1);  // where x^2 - 1 is small
  CHECK(misrounded_per_million(as, ref_as, 1e-45f, 3e38f, 193) <= 1);
  CHECK(misrounded_per_million(ac, ref_ac, 1.0f, 3e38f, 193) <= 1);
  CHECK(misrounded_per_million(at, ref_at, 1e-45f, 0.99999994f, 193) <= 1);
  CHECK(vm::asinh(kInfF) == kInfF && vm::asinh(-kInfF) == -kInfF && vm::acosh(kInfF) == kInfF);
  CHECK(vm::atanh(1.0f) == kInfF && vm::atanh(-1.0f) == -kInfF && vm::acosh(1.0f) == 0.0f);
  CHECK(std::signbit(vm::asinh(-0.0f)) && std::signbit(vm::atanh(-0.0f)) && vm::asinh(0.0f) == 0.0f);
  for (float bad : {0.99999994f, 0.0f, -1.0f, -kInfF, std::nanf("")}) CHECK(std::isnan(vm::acosh(bad)));
  for (float bad : {1.0000001f, -1.5f, kInfF, -kInfF, std::nanf("")}) CHECK(std::isnan(vm::atanh(bad)));
  CHECK(std::isnan(vm::asinh(std::nanf(""))));
}

TEST(erf_is_within_two_ulp) {
  auto f = [](float x) { return vm::erf(x); };
  auto ref = [](double x) { return std::erf(x); };
  CHECK(max_ulps_bits(f, ref, 1e-45f, 10.0f, 97) <= 2);
  CHECK(max_ulps(f, ref, -4.0f, 4.0f, 2000000) <= 2);
  CHECK(vm::erf(kInfF) == 1.0f && vm::erf(-kInfF) == -1.0f);
  CHECK(std::signbit(vm::erf(-0.0f)));
  CHECK(std::isnan(vm::erf(std::nanf(""))));
}
