// The inverse error function in double: M. Giles' single-precision approximation ("Approximating the erfinv
// function", GPU Computing Gems, 2011) as a start, then Newton steps on erf (on log erfc in the tails, where
// 1 - |x| is exact), which make it accurate to a few ulp of double. Each step squares the relative error (about
// 1e-7 at the start): 4 for double; a float32 result rounds the same after 1 (test_pointwise_math, every third
// float of (-1, 1)), a quarter of the cost. Scalar: erfinv is not on training's hot path.
#pragma once
#include <cmath>
#include <limits>

namespace kiln::cpu {

inline double erfinv(double x, int newton_steps = 4) {
  const double a = std::fabs(x);
  if (!(a < 1.0)) {
    if (a == 1.0) return std::copysign(std::numeric_limits<double>::infinity(), x);
    return std::numeric_limits<double>::quiet_NaN();  // |x| > 1 and NaN
  }
  if (a == 0.0) return x;  // keeps -0.0
  double w = -std::log((1.0 - a) * (1.0 + a)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  double y = p * a;
  constexpr double kTwoOverSqrtPi = 1.1283791670955126;
  for (int i = 0; i < newton_steps; ++i) {
    const double slope = kTwoOverSqrtPi * std::exp(-y * y);
    if (a < 0.5) {
      y -= (std::erf(y) - a) / slope;
    } else {
      // On log(erfc(y)) = log(1 - a), nearly linear in the tail, where erfc itself would make Newton crawl.
      const double c = std::erfc(y);
      y += (std::log(c) - std::log(1.0 - a)) * c / slope;
    }
  }
  return std::copysign(y, x);
}

}  // namespace kiln::cpu
