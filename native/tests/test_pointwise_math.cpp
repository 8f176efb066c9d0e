// The elementwise math ops beyond arithmetic: values against the C library, edge points (NaN, infinities,
// signed zeros, domain edges), PyTorch's dtype rules, every layout giving the contiguous result bit for bit,
// thread counts, in-place forms and bad input (typed errors naming the op, inputs unchanged).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>

#include "cpu/erfinv.h"
#include "fixtures.h"
#include "op_table.h"

using namespace kiln;
using test::make;
using test::ThreadCount;
using test::uniform;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr DType F = DType::Float32, D = DType::Float64, I = DType::Int64, B = DType::Bool;

using UnaryFn = Tensor (*)(const Tensor&);
using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);

struct UnaryCase {
  const char* name;
  UnaryFn op;
  double (*ref)(double);
  double lo, hi;  // the domain to sample
};

const UnaryCase kUnary[] = {
    {"log1p", log1p, [](double x) { return std::log1p(x); }, -0.99, 50},
    {"expm1", expm1, [](double x) { return std::expm1(x); }, -20, 20},
    {"log2", log2, [](double x) { return std::log2(x); }, 1e-3, 1e3},
    {"log10", log10, [](double x) { return std::log10(x); }, 1e-3, 1e3},
    {"exp2", exp2, [](double x) { return std::exp2(x); }, -20, 20},
    {"rsqrt", rsqrt, [](double x) { return 1 / std::sqrt(x); }, 1e-3, 1e3},
    {"reciprocal", reciprocal, [](double x) { return 1 / x; }, -5, 5},
    {"sin", sin, [](double x) { return std::sin(x); }, -100, 100},
    {"cos", cos, [](double x) { return std::cos(x); }, -100, 100},
    {"tan", tan, [](double x) { return std::tan(x); }, -1.5, 1.5},
    {"asin", asin, [](double x) { return std::asin(x); }, -1, 1},
    {"acos", acos, [](double x) { return std::acos(x); }, -1, 1},
    {"atan", atan, [](double x) { return std::atan(x); }, -50, 50},
    {"sinh", sinh, [](double x) { return std::sinh(x); }, -10, 10},
    {"cosh", cosh, [](double x) { return std::cosh(x); }, -10, 10},
    {"asinh", asinh, [](double x) { return std::asinh(x); }, -50, 50},
    {"acosh", acosh, [](double x) { return std::acosh(x); }, 1, 50},
    {"atanh", atanh, [](double x) { return std::atanh(x); }, -0.99, 0.99},
    {"erf", erf, [](double x) { return std::erf(x); }, -5, 5},
    {"erfinv", erfinv, [](double x) { return x; }, -0.99, 0.99},  // checked by erf(erfinv(x)) below
};

// values(op(x)) against ref in double, relative tolerance tol.
void check_against(const UnaryCase& c, DType t, double tol) {
  const Tensor x = uniform({1000}, 3, c.lo, c.hi, t);
  const Tensor y = c.op(x);
  CHECK_EQ(y.dtype(), t);
  const std::vector<double> xv = test::values(x), yv = test::values(y);
  for (size_t i = 0; i < xv.size(); ++i) {
    const double want = std::string(c.name) == "erfinv" ? xv[i] : c.ref(xv[i]);
    const double got = std::string(c.name) == "erfinv" ? std::erf(yv[i]) : yv[i];
    if (!test::close(got, want, tol)) {
      std::ostringstream s;
      s << c.name << "(" << xv[i] << ") in " << dtype_name(t) << ": " << got << " vs " << want;
      test::fail_at(__FILE__, __LINE__, s.str());
    }
  }
}

}  // namespace

TEST(unary_math_matches_the_c_library) {
  for (const UnaryCase& c : kUnary) {
    check_against(c, F, 3e-7);
    check_against(c, D, 1e-14);
  }
}

TEST(unary_math_is_the_same_on_every_layout_and_thread_count) {
  for (const UnaryCase& c : kUnary) {
    const Tensor base = uniform({64, 96}, 5, c.lo, c.hi);
    const Tensor want = c.op(contiguous(transpose(base, 0, 1)));
    CHECK_SAME(c.op(transpose(base, 0, 1)), want, 0);
    CHECK_SAME(c.op(slice(base, 1, 0, 96, 2)), c.op(contiguous(slice(base, 1, 0, 96, 2))), 0);
    CHECK_SAME(c.op(expand(slice(base, 0, 0, 1), {5, 96})), expand(c.op(slice(base, 0, 0, 1)), {5, 96}), 0);
    const Tensor big = uniform({300000}, 6, c.lo, c.hi);
    Tensor one;
    {
      ThreadCount threads(1);
      one = c.op(big);
    }
    CHECK_SAME(c.op(big), one, 0);
  }
}

TEST(unary_math_edge_points) {
  const Tensor sp = make({kNaN, kInf, -kInf, 0.0, -0.0, 1.0, -1.0}, {7});
  CHECK_VALUES(log1p(sp), 1e-7, {kNaN, kInf, kNaN, 0, -0.0, std::log1p(1.0f), -kInf});
  CHECK_VALUES(expm1(sp), 1e-7, {kNaN, kInf, -1, 0, 0, std::expm1(1.0f), std::expm1(-1.0f)});
  CHECK_VALUES(log2(sp), 0, {kNaN, kInf, kNaN, -kInf, -kInf, 0, kNaN});
  CHECK_VALUES(rsqrt(sp), 0, {kNaN, 0, kNaN, kInf, -kInf, 1, kNaN});
  CHECK_VALUES(reciprocal(sp), 0, {kNaN, 0, -0.0, kInf, -kInf, 1, -1});
  CHECK_VALUES(sin(sp), 1e-7, {kNaN, kNaN, kNaN, 0, 0, std::sin(1.0f), -std::sin(1.0f)});
  CHECK_VALUES(asin(make({1.5, -1, 1}, {3})), 1e-7, {kNaN, -M_PI / 2, M_PI / 2});
  CHECK_VALUES(acosh(make({0.5, 1, kInf}, {3})), 0, {kNaN, 0, kInf});
  CHECK_VALUES(atanh(make({1, -1, 2}, {3})), 0, {kInf, -kInf, kNaN});
  CHECK_VALUES(erf(sp), 1e-7, {kNaN, 1, -1, 0, 0, std::erf(1.0f), -std::erf(1.0f)});
  CHECK_VALUES(erfinv(make({0, 1, -1, 2, kInf, kNaN}, {6})), 0, {0, kInf, -kInf, kNaN, kNaN, kNaN});
  CHECK(std::signbit(test::values(sin(make({-0.0}, {1})))[0]));
  CHECK(std::signbit(test::values(expm1(make({-0.0}, {1}, D)))[0]));
  // float32 sin and cos past the vector form's range (2^20) come from the C library, on any layout.
  const Tensor far = make({3e6, -1e7, 1e30, 12345.678}, {4});
  CHECK_VALUES(sin(far), 0, {std::sin(3e6f), std::sin(-1e7f), std::sin(1e30f), std::sin(12345.678f)});
  CHECK_SAME(cos(expand(far, {3, 4})), expand(cos(far), {3, 4}), 0);
}

TEST(unary_math_dtypes) {
  for (DType t : {I, B, DType::Int8, DType::UInt8, DType::Int32}) CHECK_EQ(sin(make({1, 0}, {2}, t)).dtype(), F);
  CHECK_VALUES(exp2(make({1, 2}, {2}, DType::UInt8)), 0, {2, 4});
  CHECK_VALUES(reciprocal(make({1, 0}, {2}, B)), 0, {1, kInf});
  CHECK_EQ(sin(make({1}, {1}, DType::Float16)).dtype(), DType::Float16);
  CHECK_VALUES(erf(make({1}, {1}, DType::BFloat16)), 0, {0.84375});
  CHECK_EQ(square(make({1, 2}, {2}, B)).dtype(), I);  // pow(bool, 2) is int64, as in PyTorch
  CHECK_EQ(square(make({1, 2}, {2}, DType::Int8)).dtype(), DType::Int8);
  CHECK_VALUES(square(make({-3, 0.5}, {2})), 0, {9, 0.25});
}

TEST(rounding_values) {
  const Tensor x = make({2.5, 3.5, -2.5, 0.5, -0.5, 1.5, -0.0, kNaN, kInf, -kInf}, {10});
  CHECK_VALUES(round(x), 0, {2, 4, -2, 0, -0.0, 2, -0.0, kNaN, kInf, -kInf});
  CHECK_VALUES(floor(x), 0, {2, 3, -3, 0, -1, 1, -0.0, kNaN, kInf, -kInf});
  CHECK_VALUES(ceil(x), 0, {3, 4, -2, 1, -0.0, 2, -0.0, kNaN, kInf, -kInf});
  CHECK_VALUES(trunc(x), 0, {2, 3, -2, 0, -0.0, 1, -0.0, kNaN, kInf, -kInf});
  CHECK_VALUES(frac(x), 0, {0.5, 0.5, -0.5, 0.5, -0.5, 0.5, -0.0, kNaN, kNaN, kNaN});
  CHECK_VALUES(sign(x), 0, {1, 1, -1, 1, -1, 1, 0, 0, 1, -1});
  CHECK(!std::signbit(test::values(sign(make({-0.0}, {1})))[0]));  // sign(-0.0) is +0, as in PyTorch
  CHECK_VALUES(round(make({1.2345, 125, -0.5, 15}, {4}, D), 2), 1e-15, {1.23, 125, -0.5, 15});
  CHECK_VALUES(round(make({1234.5, 125, -150, 15}, {4}), -1), 0, {1230, 120, -150, 20});
  CHECK_VALUES(round(make({3, -7}, {2}, I)), 0, {3, -7});
  CHECK_EQ(floor(make({3, -7}, {2}, DType::Int16)).dtype(), DType::Int16);
  CHECK_VALUES(sign(make({-3, 0, 4}, {3}, DType::Int8)), 0, {-1, 0, 1});
  CHECK_VALUES(sign(make({1, 0}, {2}, B)), 0, {1, 0});
  CHECK_EQ(sign(make({1, 0}, {2}, B)).dtype(), B);
  CHECK_THROWS(floor(make({1}, {1}, B)), DType, "floor: not implemented for 'bool'");
  CHECK_THROWS(frac(make({1}, {1}, I)), DType, "frac: not implemented for integer tensors (int64)");
  CHECK_THROWS(round(make({1}, {1}, I), 1), DType, "round: decimals are not supported");
  CHECK_VALUES(round(make({0.125}, {1}, DType::Float16), 2), 0, {0.1199951171875});
}

TEST(clamp_with_scalar_bounds) {
  const Tensor x = make({1, kNaN, -2, 5}, {4});
  CHECK_VALUES(clamp(x, Scalar(0.0), Scalar(3.0)), 0, {1, kNaN, 0, 3});
  CHECK_VALUES(clamp(x, Scalar(kNaN), std::nullopt), 0, {1, kNaN, -2, 5});  // one NaN scalar bound is ignored
  CHECK_VALUES(clamp(x, Scalar(kNaN), Scalar(3.0)), 0, {kNaN, kNaN, kNaN, kNaN});  // with two, all NaN (PyTorch 1.13)
  CHECK_VALUES(clamp_min(x, Scalar(kNaN)), 0, {kNaN, kNaN, kNaN, kNaN});
  CHECK_VALUES(clamp(x, Scalar(3.0), Scalar(1.0)), 0, {1, kNaN, 1, 1});      // min > max: max wins
  CHECK_VALUES(clamp_min(x, Scalar(0.5)), 0, {1, kNaN, 0.5, 5});
  CHECK_VALUES(clamp_max(x, Scalar(int64_t(2))), 0, {1, kNaN, -2, 2});
  const Tensor i8 = make({1, 5}, {2}, DType::Int8);
  CHECK_EQ(clamp(i8, Scalar(int64_t(2)), std::nullopt).dtype(), DType::Int8);
  CHECK_EQ(clamp(i8, Scalar(0.5), Scalar(3)).dtype(), F);  // a float bound promotes integers
  CHECK_VALUES(clamp(make({1, 0}, {2}, B), Scalar(0.5), std::nullopt), 0, {1, 0.5});
  CHECK_THROWS(clamp(i8, Scalar(0), Scalar(300)), Argument, "clamp: value cannot be converted to type int8_t");
  CHECK_THROWS(clamp(x, Scalar(-1e39), Scalar(1e39)), Argument, "type float");
  CHECK_THROWS(clamp(x, Tensor(), Tensor()), Argument, "clamp: at least one of 'min' or 'max' must not be None");
  Tensor ints = make({1, 2}, {2}, I);
  CHECK_THROWS(call_inplace(*op_table()[op_id("clamp")], {ints, wrapped_scalar(0.5)}, OpArgs{{1, 0}, {}}), DType,
               "result type float32 can't be cast to the desired output type int64");
  CHECK_VALUES(ints, 0, {1, 2});
}

TEST(clamp_with_tensor_bounds) {
  const Tensor x = make({1, kNaN, -2, 5}, {4});
  CHECK_VALUES(clamp(x, Tensor::scalar(kNaN, F), Tensor()), 0, {kNaN, kNaN, kNaN, kNaN});
  CHECK_VALUES(clamp(x, make({0, 0, 0, 0}, {4}), make({3, 3, -1, 3}, {4})), 0, {1, kNaN, -1, 3});
  CHECK_VALUES(clamp(x, Tensor::scalar(3.0, F), Tensor::scalar(1.0, F)), 0, {1, kNaN, 1, 1});
  CHECK_SHAPE(clamp(make({1, 2}, {2, 1}), make({0, 1, 2}, {3}), Tensor()), {2, 3});
  CHECK_EQ(clamp(make({1}, {1}, I), make({0.5}, {1}), Tensor()).dtype(), F);
  CHECK_VALUES(clamp_min(make({1, 5}, {2}, I), make({2, 2}, {2}, I)), 0, {2, 5});
  CHECK_VALUES(clamp_max(make({1, 5}, {2}), make({kNaN, 2}, {2})), 0, {kNaN, 2});
}

TEST(nan_to_num_values) {
  const Tensor x = make({1, kNaN, kInf, -kInf}, {4});
  CHECK_VALUES(nan_to_num(x), 0, {1, 0, std::numeric_limits<float>::max(), -std::numeric_limits<float>::max()});
  CHECK_VALUES(nan_to_num(x, 2.0, 3.0), 0, {1, 2, 3, -std::numeric_limits<float>::max()});
  CHECK_VALUES(nan_to_num(x, std::nullopt, 1e39), 0, {1, 0, kInf, -std::numeric_limits<float>::max()});
  CHECK_VALUES(nan_to_num(to(x, DType::Float16)), 0, {1, 0, 65504, -65504});
  CHECK_VALUES(nan_to_num(to(x, D)), 0, {1, 0, std::numeric_limits<double>::max(), -std::numeric_limits<double>::max()});
  CHECK_VALUES(nan_to_num(make({3, -1}, {2}, I)), 0, {3, -1});
}

TEST(maximum_and_minimum) {
  CHECK_VALUES(maximum(make({1, kNaN, 2}, {3}), make({kNaN, 1, 3}, {3})), 0, {kNaN, kNaN, 3});
  CHECK_VALUES(minimum(make({1, kNaN, 2}, {3}), make({kNaN, 1, 3}, {3})), 0, {kNaN, kNaN, 2});
  CHECK_VALUES(maximum(make({1, 0}, {2}, B), make({0, 0}, {2}, B)), 0, {1, 0});
  CHECK_EQ(maximum(make({1, 5}, {2}, I), make({2, 3}, {2})).dtype(), F);
  CHECK_VALUES(maximum(make({1, 5}, {2}, I), make({2, 3}, {2})), 0, {2, 5});
  CHECK_VALUES(minimum(make({100, -100}, {2}, DType::Int8), make({200, 0}, {2}, DType::UInt8)), 0, {100, -100});
  CHECK_THROWS(maximum(make({1, 2}, {2}), make({1, 2, 3}, {3})), Shape, "maximum");
}

TEST(fmod_remainder_and_floor_divide) {
  const Tensor a = make({-0.5, 5, -5, 5, kNaN, 3, 5}, {7}), b = make({kInf, -3, 3, 0, 1, -kInf, 2.5}, {7});
  CHECK_VALUES(remainder(a, b), 0, {kInf, -1, 1, kNaN, kNaN, -kInf, 0});
  CHECK_VALUES(fmod(a, b), 0, {-0.5, 2, -2, kNaN, kNaN, 3, 0});
  const Tensor ia = make({5, -5, 5, -5}, {4}, I), ib = make({3, 3, -3, -3}, {4}, I);
  CHECK_VALUES(remainder(ia, ib), 0, {2, 1, -1, -2});
  CHECK_VALUES(fmod(ia, ib), 0, {2, -2, 2, -2});
  CHECK_VALUES(floor_divide(ia, ib), 0, {1, -2, -2, 1});
  CHECK_VALUES(floor_divide(make({1, -1, 5, -0.0, 7}, {5}, D), make({0.1, 0.3, 0, 2, -2}, {5}, D)), 0,
               {9, -4, kInf, -0.0, -4});
  const int64_t lowest = std::numeric_limits<int64_t>::min();
  const Tensor low = from_data(&lowest, 1, {1}, I), minus_one = make({-1}, {1}, I);
  CHECK_VALUES(fmod(low, minus_one), 0, {0});  // no SIGFPE (C's INT64_MIN % -1)
  CHECK_VALUES(remainder(low, minus_one), 0, {0});
  CHECK_EQ(floor_divide(low, minus_one).data<int64_t>()[0], lowest);  // wraps
  CHECK_THROWS(fmod(ia, make({1, 0, 1, 1}, {4}, I)), Argument, "fmod: ZeroDivisionError");
  CHECK_THROWS(remainder(ia, Scalar(int64_t(0))), Argument, "remainder: ZeroDivisionError");
  CHECK_THROWS(fmod(make({1}, {1}, B), make({1}, {1}, B)), DType, "fmod: not implemented for 'bool'");
  CHECK_EQ(fmod(make({5}, {1}, DType::Int8), Scalar(2.5)).dtype(), F);
  CHECK_VALUES(remainder(make({-7}, {1}, DType::Int8), Scalar(int64_t(3))), 0, {2});
}

TEST(atan2_values) {
  CHECK_VALUES(atan2(make({1, 2, 0, -0.0}, {4}), make({0, -1, -0.0, -0.0}, {4})), 1e-7,
               {M_PI / 2, std::atan2(2.0, -1.0), M_PI, -M_PI});
  CHECK_EQ(atan2(make({1}, {1}, I), make({1}, {1}, I)).dtype(), F);
}

// float32 fmod, remainder and floor_divide run in double, atan2 from atan's core, each falling back to the C
// library's for a block of 256 elements that holds one it does not take; strided operands take the scalar path
// throughout. The two agree bit for bit (atan2: within an ulp of atan2f) over blocks of three kinds: quotients
// below 2^29 only (exact multiples and their neighbours among them), quotients up to 2^60 (the fallback's bound),
// and zeros of both signs, infinities and NaN; b a tensor or a scalar.
TEST(float32_fmod_family_and_atan2_match_the_scalar_path) {
  const int64_t n = 256 * 24;
  std::vector<float> av(n), bv(n);
  uint64_t state = 7;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 11;
  };
  auto magnitude = [&](int range) {  // 2^-range to 2^range
    const float m = 1.0f + static_cast<float>(next() % 1000000) * 1e-6f;
    return std::ldexp(m, static_cast<int>(next() % static_cast<uint64_t>(2 * range + 1)) - range);
  };
  const float inf = std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t kind = i / 256 % 3;  // 0: small quotients, 1: any, 2: special values
    const float b = (next() % 2 ? -1.0f : 1.0f) * magnitude(12);
    const float k = static_cast<float>(static_cast<int64_t>(next() % 2001) - 1000);
    float a = (next() % 2 ? -1.0f : 1.0f) * magnitude(kind == 1 ? 30 : 12);
    if (i % 8 == 0) a = b * k;                       // a multiple: a zero remainder with a's sign
    if (i % 8 == 1) a = std::nextafter(b * k, inf);  // its neighbours
    if (i % 8 == 2) a = std::nextafter(b * k, -inf);
    if (kind == 2) {
      a = i % 5 == 0 ? inf : i % 5 == 1 ? std::numeric_limits<float>::quiet_NaN() : i % 5 == 2 ? -0.0f : a;
      bv[i] = i % 7 == 0 ? 0.0f : i % 7 == 1 ? -inf : i % 7 == 2 ? -0.0f : b;
    } else {
      bv[i] = b;
    }
    av[i] = a;
  }
  std::vector<float> av2(2 * n), bv2(2 * n);
  for (int64_t i = 0; i < n; ++i) av2[2 * i] = av[i], bv2[2 * i] = bv[i];
  const Tensor a = from_data(av.data(), n, {n}, F), b = from_data(bv.data(), n, {n}, F);
  const Tensor as = slice(from_data(av2.data(), 2 * n, {2 * n}, F), 0, 0, 2 * n, 2);
  const Tensor bs = slice(from_data(bv2.data(), 2 * n, {2 * n}, F), 0, 0, 2 * n, 2);
  auto same_bits = [](const Tensor& got, const Tensor& want, const char* what) {
    const Tensor g = contiguous(got), w = contiguous(want);
    for (int64_t i = 0; i < g.numel(); ++i) {
      const float x = g.data<float>()[i], y = w.data<float>()[i];
      if (!(x != x && y != y) && std::memcmp(&x, &y, sizeof x) != 0) {
        std::printf("%s: element %ld: %.9g against %.9g\n", what, static_cast<long>(i), x, y);
        CHECK(false);
        return;
      }
    }
  };
  same_bits(fmod(a, b), fmod(as, bs), "fmod");
  same_bits(remainder(a, b), remainder(as, bs), "remainder");
  same_bits(floor_divide(a, b), floor_divide(as, bs), "floor_divide");
  for (const double scalar : {0.7, -3.0, 1e-9})
    same_bits(fmod(a, Scalar(scalar)), fmod(as, Scalar(scalar)), "fmod by a scalar");
  same_bits(remainder(Tensor::scalar(2.5, F), b), remainder(Tensor::scalar(2.5, F), bs), "remainder of a scalar");
  const Tensor fast = atan2(a, b), exact = atan2(as, bs);
  for (int64_t i = 0; i < n; ++i) {
    const float x = fast.data<float>()[i], y = contiguous(exact).data<float>()[i];
    if (x != x && y != y) continue;
    int32_t xb, yb;
    std::memcpy(&xb, &x, 4);
    std::memcpy(&yb, &y, 4);
    CHECK(std::abs(static_cast<int64_t>(xb) - yb) <= 1);
    const double angle = std::atan2(static_cast<double>(av[i]), static_cast<double>(bv[i]));
    const double denorm = std::numeric_limits<float>::denorm_min();  // ilogb(0) is INT_MIN: no ulp from it
    const double ulp = x == 0.0f ? denorm : std::max<double>(std::ldexp(1.0, std::ilogb(x) - 23), denorm);
    CHECK(std::fabs(static_cast<double>(x) - angle) <= ulp);  // within an ulp of the exact angle
  }
}

TEST(lerp_addcmul_addcdiv) {
  const Tensor s = make({1, 2, -1}, {3}), e = make({3, 4, 7}, {3});
  CHECK_VALUES(lerp(s, e, 0.5), 0, {2, 3, 3});
  CHECK_VALUES(lerp(s, e, 1.0), 0, {3, 4, 7});  // exact at the end point
  CHECK_VALUES(lerp(s, e, make({0.5, 2, 0}, {3})), 0, {2, 6, -1});
  CHECK_THROWS(lerp(s, to(e, D), 0.5), DType, "lerp: expected dtype float32 for `end` but got dtype float64");
  CHECK_THROWS(lerp(s, e, make({0.5}, {1}, D)), DType, "for `weight`");
  CHECK_THROWS(lerp(make({1}, {1}, I), make({1}, {1}, I), 0.5), DType, "lerp: not implemented for 'int64'");
  CHECK_VALUES(addcmul(s, e, e, Scalar(2.0)), 0, {19, 34, 97});
  CHECK_VALUES(addcmul(make({1, 2}, {2}, I), make({1, 2}, {2}, I), make({3, 4}, {2}, I), Scalar(2.5)), 0, {7, 18});
  CHECK_VALUES(addcdiv(s, e, make({2, 4, 7}, {3}), Scalar(2.0)), 0, {4, 4, 1});
  CHECK_THROWS(addcdiv(s, make({1}, {1}, I), make({2}, {1}, I)), DType, "addcdiv: Integer division");
  CHECK_THROWS(addcmul(make({1}, {1}, DType::Int8), make({1}, {1}, DType::Int8), make({1}, {1}, DType::Int8), Scalar(300)),
               Argument, "addcmul: value cannot be converted to type int8_t");
  CHECK_EQ(addcmul(s, make({1}, {1}, I), to(e, D)).dtype(), D);
  CHECK_SAME(addcmul(transpose(make({1, 2, 3, 4}, {2, 2}), 0, 1), make({2, 2}, {2}), make({3}, {1})),
             addcmul(contiguous(transpose(make({1, 2, 3, 4}, {2, 2}), 0, 1)), make({2, 2}, {2}), make({3}, {1})), 0);
}

TEST(tests_and_logic) {
  const Tensor x = make({1, kNaN, kInf, -kInf, -0.0}, {5});
  CHECK_VALUES(isnan(x), 0, {0, 1, 0, 0, 0});
  CHECK_VALUES(isinf(x), 0, {0, 0, 1, 1, 0});
  CHECK_VALUES(isposinf(x), 0, {0, 0, 1, 0, 0});
  CHECK_VALUES(isneginf(x), 0, {0, 0, 0, 1, 0});
  CHECK_VALUES(isfinite(x), 0, {1, 0, 0, 0, 1});
  CHECK_VALUES(signbit(x), 0, {0, 0, 0, 1, 1});
  CHECK_VALUES(isfinite(make({1, 2}, {2}, I)), 0, {1, 1});
  CHECK_VALUES(logical_and(make({1, 0, kNaN}, {3}), make({2, 0, 1}, {3}, I)), 0, {1, 0, 1});
  CHECK_VALUES(logical_xor(make({1, 0}, {2}), make({1, 1}, {2}, B)), 0, {0, 1});
  CHECK_VALUES(logical_not(make({1, 0, kNaN}, {3})), 0, {0, 1, 0});
  Tensor f = make({1, 0, kNaN}, {3});
  call_inplace(*op_table()[op_id("logical_and")], {f, make({2, 0, 1}, {3}, I)});
  CHECK_EQ(f.dtype(), F);
  CHECK_VALUES(f, 0, {1, 0, 1});
}

TEST(bitwise_ops_and_shifts) {
  CHECK_VALUES(bitwise_and(make({5, 3}, {2}, I), make({3, 1}, {2}, I)), 0, {1, 1});
  CHECK_VALUES(bitwise_or(make({1, 0}, {2}, B), wrapped_scalar(Scalar(int64_t(2)))), 0, {3, 2});
  CHECK_VALUES(bitwise_xor(make({1, 1}, {2}, B), make({1, 0}, {2}, B)), 0, {0, 1});
  CHECK_VALUES(bitwise_not(make({5, -1}, {2}, I)), 0, {-6, 0});
  CHECK_VALUES(bitwise_not(make({5}, {1}, DType::UInt8)), 0, {250});
  CHECK_VALUES(bitwise_not(make({1, 0}, {2}, B)), 0, {0, 1});
  CHECK_VALUES(bitwise_left_shift(make({1, -8, 1, 1}, {4}, I), make({3, 1, 64, -1}, {4}, I)), 0, {8, -16, 0, 0});
  CHECK_VALUES(bitwise_right_shift(make({1, -8, 1, -1}, {4}, I), make({3, 1, 64, -1}, {4}, I)), 0, {0, -4, 0, -1});
  CHECK_VALUES(bitwise_left_shift(make({1, -8}, {2}, DType::Int8), make({7, 9}, {2}, DType::Int8)), 0, {-128, 0});
  CHECK_VALUES(bitwise_right_shift(make({1, -8}, {2}, DType::Int8), make({9, 9}, {2}, DType::Int8)), 0, {0, -1});
  CHECK_THROWS(bitwise_and(make({5}, {1}), make({3}, {1})), DType, "bitwise_and: not implemented for 'float32'");
  CHECK_THROWS(bitwise_and(make({5}, {1}, I), wrapped_scalar(2.5)), DType, "bitwise_and");
  CHECK_THROWS(bitwise_not(make({5}, {1})), DType, "bitwise_not: not implemented for 'float32'");
  CHECK_THROWS(bitwise_left_shift(make({1}, {1}, B), make({1}, {1}, B)), DType, "bitwise_left_shift");
}

TEST(operands_round_to_the_result_dtype_first) {
  // PyTorch computes in the result dtype: the scalar becomes 44 in int8 and 2048 in float16 before comparing.
  CHECK_VALUES(eq(make({44, 45}, {2}, DType::Int8), wrapped_scalar(Scalar(int64_t(300)))), 0, {1, 0});
  CHECK_VALUES(gt(make({255}, {1}, DType::UInt8), wrapped_scalar(Scalar(int64_t(-1)))), 0, {0});
  CHECK_VALUES(eq(make({2048}, {1}, DType::Float16), wrapped_scalar(Scalar(int64_t(2049)))), 0, {1});
  CHECK_VALUES(add(make({1024}, {1}, DType::Float16), 0.5001), 0, {1024});  // 0.5 in float16, then a tie to even
  CHECK_VALUES(fmod(make({3}, {1}, DType::Float16), Scalar(1.00049)), 0, {0.998046875});
  CHECK_VALUES(maximum(make({100}, {1}, DType::Int8), Tensor::scalar(Scalar(int64_t(200)), I)), 0, {100});
}

TEST(in_place_forms_and_bad_input) {
  Tensor x = make({0.5, -0.25, 2, 4}, {2, 2});
  Tensor view = transpose(x, 0, 1);
  call_inplace(*op_table()[op_id("sin")], {view});
  CHECK_VALUES(x, 1e-7, {std::sin(0.5), std::sin(-0.25), std::sin(2.0), std::sin(4.0)});
  Tensor ints = make({1, 2}, {2}, I);
  CHECK_THROWS(call_inplace(*op_table()[op_id("sin")], {ints}), DType,
               "sin: result type float32 can't be cast to the desired output type int64");
  CHECK_VALUES(ints, 0, {1, 2});
  Tensor small = make({1, 2}, {2});
  CHECK_THROWS(call_inplace(*op_table()[op_id("atan2")], {small, make({1, 2, 3, 4}, {2, 2})}), Shape,
               "atan2: output with shape [2] doesn't match the broadcast shape [2, 2]");
  CHECK_VALUES(small, 0, {1, 2});
  Tensor h = make({1, 2}, {2}, DType::Float16);
  call_inplace(*op_table()[op_id("expm1")], {h});
  CHECK_VALUES(h, 0, {1.71875, 6.390625});  // e - 1 and e^2 - 1 rounded to float16
  Tensor r = make({2.5, 3.5}, {2});
  call_inplace(*op_table()[op_id("round")], {r}, OpArgs{{0}, {}});
  CHECK_VALUES(r, 0, {2, 4});
  Tensor e = make({1, 2}, {2});
  call_inplace(*op_table()[op_id("lerp")], {e, make({3, 4}, {2}), wrapped_scalar(0.5)});
  CHECK_VALUES(e, 0, {2, 3});
  CHECK_THROWS(fmod(make({1, 2}, {2}), make({1, 2, 3}, {3})), Shape, "fmod: shapes [2] and [3] cannot be broadcast");
}

// float32 erfinv stops after 1 Newton step: the floats of (-1, 1) (one in 97 here; one in 3 once) round as after
// the 4 of double (0 steps would not).
TEST(float32_erfinv_rounds_as_the_double_one) {
  int64_t checked = 0, differ = 0;
  for (uint32_t u = 1; u < 0x3f800000u; u += 97)
    for (uint32_t sign : {0u, 0x80000000u}) {
      const uint32_t bits = u | sign;
      float x;
      std::memcpy(&x, &bits, sizeof x);
      differ += static_cast<float>(cpu::erfinv(x, 1)) != static_cast<float>(cpu::erfinv(x));
      ++checked;
    }
  CHECK(checked > 20000000);
  CHECK(differ == 0);
}
