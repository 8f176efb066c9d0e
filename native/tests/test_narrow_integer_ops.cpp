// The narrow integers (int32, int16, int8, uint8) computed as stored on the CPU, where they went through int64
// copies of each operand and of the result: arithmetic, comparisons and the exact ops (extremes, clamps, negation,
// abs, sign, bitwise ops, shifts, remainders and quotients, logical ops, tests), each against the int64 path
// wrapped back to the type, over the types' whole ranges and their edge values.
#include <cstdint>
#include <functional>
#include <limits>

#include "fixtures.h"
#include "op_table.h"
#include "ops/operands.h"

using namespace kiln;

namespace {

constexpr DType B = DType::Bool, I = DType::Int64, D = DType::Float64, I32 = DType::Int32, I16 = DType::Int16,
                I8 = DType::Int8, U8 = DType::UInt8;

// The smallest and largest value of a narrow integer type.
std::pair<double, double> range_of(DType t) {
  switch (t) {
    case DType::Int32: return {-2147483648.0, 2147483647.0};
    case DType::Int16: return {-32768, 32767};
    case DType::Int8: return {-128, 127};
    default: return {0, 255};
  }
}

// Values over the whole range of t (drawn in int64 and wrapped), with its edge values at the front.
Tensor spread(DType t, const Shape& shape, uint64_t seed) {
  const auto [lo, hi] = range_of(t);
  const Tensor x = to(to(test::uniform(shape, seed, 2 * lo - 3, 2 * hi + 3, D), I), t);
  const Tensor edges = test::make({lo, lo + 1, -2, -1, 0, 1, 2, 7, hi - 1, hi}, {10}, I);
  Tensor front = narrow(reshape(x, {-1}), 0, 0, 10);
  copy_(front, to(edges, t));
  return x;
}

// got == the int64 path's result wrapped to `dtype` (bool results as they are), in dtype.
void check_wrapped(const char* name, DType t, const Tensor& got, const Tensor& want_int64, DType dtype) {
  KILN_CHECK(got.dtype() == dtype, Internal, name, " on ", dtype_name(t), " gave ", dtype_name(got.dtype()));
  CHECK_SAME(got, to(want_int64, dtype), 0);
}

}  // namespace

// add, sub, mul and the comparisons run on int32, int16, int8 and uint8 as stored (they went through int64 copies
// of both operands and of the result): against the int64 path, wrapped to the type, over large contiguous runs,
// broadcast rows and columns, transposed operands, Java scalars out of the type's range (which wrap first, as in
// PyTorch: a uint8 200 > 300 is true), a narrower operand, in place and into a wider out.
TEST(narrow_integer_arithmetic_and_comparisons_as_stored_match_int64) {
  using Op = Tensor (*)(const Tensor&, const Tensor&);
  const std::pair<const char*, Op> ops[] = {{"add", add}, {"sub", sub}, {"mul", mul}, {"eq", eq}, {"ne", ne},
                                            {"lt", lt},   {"le", le},   {"gt", gt},   {"ge", ge}};
  for (const DType t : {I32, I16, I8, U8}) {
    const double low = t == U8 ? 0 : -130, high = t == U8 ? 256 : 130;
    const Tensor a = to(to(test::uniform({300, 70}, 101, low, high, D), I), t);
    const Tensor b = to(to(test::uniform({300, 70}, 102, low, high, D), I), t);
    const Tensor row = narrow(b, 0, 5, 1), column = narrow(b, 1, 3, 1);
    const Tensor square = narrow(a, 1, 0, 70), other = kiln::t(contiguous(kiln::t(narrow(b, 0, 0, 70))));
    for (const auto& [name, op] : ops) {
      // r: the result type (t, or the promotion of t and a narrower operand's type).
      const auto check = [&, name = name, op = op](const Tensor& x, const Tensor& y, DType r) {
        const Tensor got = op(x, y);
        // The reference: operands wrapped to r first (Java scalars too), then computed in int64.
        const Tensor want = op(to(to(x, r), I), to(to(y, r), I));
        KILN_CHECK(got.dtype() == (want.dtype() == B ? B : r), Internal, name, " on ", dtype_name(t));
        CHECK_SAME(got, want.dtype() == B ? want : to(want, r), 0);
      };
      check(a, b, t);
      check(a, row, t);
      check(column, b, t);
      check(narrow(square, 0, 0, 70), other, t);
      check(a, wrapped_scalar(Scalar(int64_t(300))), t);
      check(wrapped_scalar(Scalar(int64_t(-1))), b, t);
      check(a, to(b, U8), promote_types(t, U8));
    }
    // Powers: tensor exponents wrapped to t (negative ones give 0, or +-1 for a base of +-1), Java scalar ones
    // fitting t (uint8 ** 256 overflows, as in PyTorch).
    const Tensor small = remainder(b, wrapped_scalar(Scalar(int64_t(40))));
    CHECK_SAME(pow(a, small), to(pow(to(a, I), to(small, I)), t), 0);
    CHECK_SAME(pow(a, b), to(pow(to(a, I), to(b, I)), t), 0);
    for (const int64_t e : {0, 1, 2, 3, 7, 100})
      CHECK_SAME(pow(a, Scalar(e)), to(pow(to(a, I), Scalar(e)), t), 0);
    CHECK_THROWS(pow(a, Scalar(int64_t(t == U8 ? 256 : t == I8 ? 128 : t == I16 ? 32768 : 2147483648LL))), Argument,
                 "without overflow");
    const Tensor in_place = clone(a), by_scalar = clone(a);
    call_inplace(*op_table()[op_id("add")], {in_place, b});
    CHECK_SAME(in_place, to(add(to(a, I), to(b, I)), t), 0);
    call_inplace(*op_table()[op_id("mul")], {by_scalar, wrapped_scalar(Scalar(int64_t(1000)))});
    CHECK_SAME(by_scalar, to(mul(to(a, I), to(to(full({}, Scalar(int64_t(1000)), I), t), I)), t), 0);
  }
}

// The exact ops of two tensors on the narrow integers as stored, against int64: the whole range and every pair of
// edge values (the minimum over -1, shifts by negative counts and by more than the width), broadcast rows and
// columns, transposed operands, Java scalars out of the type's range (wrapped first, as in PyTorch) and in place.
TEST(exact_binary_ops_on_narrow_integers_as_stored_match_int64) {
  using Op = Tensor (*)(const Tensor&, const Tensor&);
  const std::pair<const char*, Op> ops[] = {
      {"maximum", maximum},         {"minimum", minimum},           {"fmod", fmod},
      {"remainder", remainder},     {"floor_divide", floor_divide}, {"bitwise_and", bitwise_and},
      {"bitwise_or", bitwise_or},   {"bitwise_xor", bitwise_xor},   {"bitwise_left_shift", bitwise_left_shift},
      {"bitwise_right_shift", bitwise_right_shift}, {"logical_and", logical_and}, {"logical_or", logical_or},
      {"logical_xor", logical_xor}};
  for (const DType t : {I32, I16, I8, U8}) {
    const Tensor a = spread(t, {300, 70}, 201);
    const Tensor b_any = spread(t, {300, 70}, 202);
    const Tensor b = where(eq(b_any, zeros({}, t)), ones({}, t), b_any);  // no zero divisors
    const Tensor edges = narrow(reshape(a, {-1}), 0, 0, 10);
    const Tensor edge_rows = reshape(edges, {10, 1}), edge_columns = where(eq(edges, zeros({}, t)), ones({}, t), edges);
    const Tensor row = narrow(b, 0, 5, 1), column = narrow(b, 1, 3, 1);
    const Tensor transposed = kiln::t(contiguous(kiln::t(narrow(b, 0, 0, 70))));
    for (const auto& [name, op] : ops) {
      const auto check = [&, name = name, op = op](const Tensor& x, const Tensor& y) {
        const Tensor want = op(to(to(x, t), I), to(to(y, t), I));
        check_wrapped(name, t, op(x, y), want, want.dtype() == B ? B : t);
      };
      check(a, b);
      check(edge_rows, edge_columns);
      check(a, row);
      check(column, b);
      check(narrow(a, 0, 0, 70), transposed);
      check(a, wrapped_scalar(Scalar(int64_t(-7))));
      check(a, wrapped_scalar(Scalar(int64_t(300))));  // 44 in uint8 and int8 (shifts: by 44)
    }
    const Tensor in_place = clone(a);
    call_inplace(*op_table()[op_id("bitwise_and")], {in_place, b});
    CHECK_SAME(in_place, to(bitwise_and(to(a, I), to(b, I)), t), 0);
    const Tensor by_zero = clone(a);
    Tensor first = narrow(reshape(by_zero, {-1}), 0, 0, 1);
    copy_(first, zeros({1}, t));
    CHECK_THROWS(remainder(a, by_zero), Argument, "ZeroDivisionError");
    CHECK_THROWS(floor_divide(a, by_zero), Argument, "ZeroDivisionError");
  }
}

// Quotients of the narrow integers go through float32 (16 bits and less) or double (32 bits), exact by the bound
// in cpu/binary_math.cpp: every pair of int8 and of uint8 values, every int16 value over 100 divisors (the edges,
// small ones, powers of two and their neighbours, random ones), and int32 values at one from multiples of large
// divisors (where an inexact quotient would round across an integer).
TEST(narrow_integer_quotients_are_exact_over_whole_ranges) {
  const auto check = [](DType t, const Tensor& a, const Tensor& b) {
    const Tensor ai = to(a, I), bi = to(b, I);
    check_wrapped("floor_divide", t, floor_divide(a, b), floor_divide(ai, bi), t);
    check_wrapped("remainder", t, remainder(a, b), remainder(ai, bi), t);
    check_wrapped("fmod", t, fmod(a, b), fmod(ai, bi), t);
  };
  for (const DType t : {I8, U8}) {
    const auto [lo, hi] = range_of(t);
    const Tensor all = arange(lo, hi + 1, 1, t);
    const Tensor divisors = to(masked_select(to(all, I), ne(to(all, I), zeros({}, I))), t);
    check(t, reshape(all, {-1, 1}), reshape(divisors, {1, -1}));
  }
  std::vector<double> d16 = {-32768, -32767, -1, 1, 2, 3, 7, 255, 256, 257, 32767, -3, -255, -256, -257, 16383, 16384, 16385};
  Generator g(7);
  while (d16.size() < 100) {
    const double v = std::floor(-32768 + 65536 * item(rand({}, D, &g)));
    if (v != 0) d16.push_back(v);
  }
  check(I16, reshape(arange(-32768, 32768, 1, I16), {-1, 1}), test::make(d16, {1, 100}, I16));
  // int32: b random (large and small), a = q b + r for r in -1..1 and q random within range.
  const Tensor b = to(to(test::uniform({4000}, 301, -2147483648.0, 2147483647.0, D), I), I32);
  const Tensor bl = to(b, I), bs = where(eq(bl, zeros({}, I)), ones({}, I), bl);
  const Tensor q = floor(div(mul(test::uniform({4000}, 302, -1, 1, D), Scalar(2147483640.0)), abs(to(bs, D))));
  for (const int64_t r : {-1, 0, 1}) check(I32, to(add(mul(to(q, I), bs), Scalar(r)), I32), to(bs, I32));
  check(I32, test::make({-2147483648.0, -2147483648.0, 2147483647.0, -7}, {4}, I32),
        test::make({-1, 1, -1, 2147483647.0}, {4}, I32));
}

// neg, abs, relu, sign, bitwise_not, logical_not and the tests of one tensor, the clamps (scalar and tensor
// bounds) and the extremes (amax/amin, max/min with and without dims and their indices, argmax/argmin), on the
// narrow integers as stored: against int64, contiguous and transposed.
TEST(exact_unary_ops_and_extremes_on_narrow_integers_as_stored_match_int64) {
  using S = std::optional<Scalar>;
  struct Case {
    const char* name;
    size_t values;  // how many leading results hold x's values (in x's dtype); the rest are bool or int64
    std::function<TensorList(const Tensor&, const Tensor&, const Tensor&, const Scalar&)> op;  // (x, lo, hi, m)
  };
  const std::vector<Case> cases = {
      {"neg", 1, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{neg(x)}; }},
      {"abs", 1, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{abs(x)}; }},
      {"relu", 1, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{relu(x)}; }},
      {"sign", 1, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{sign(x)}; }},
      {"bitwise_not", 1, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{bitwise_not(x)}; }},
      {"clamp", 1, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar& m) {
         return TensorList{clamp(x, S(m), S(Scalar(int64_t(100))))};
       }},
      {"clamp_min", 1, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{clamp_min(x, Scalar(int64_t(3)))}; }},
      {"clamp_max", 1, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{clamp_max(x, Scalar(int64_t(3)))}; }},
      {"clamp tensors", 1, [](const Tensor& x, const Tensor& lo, const Tensor& hi, const Scalar&) { return TensorList{clamp(x, lo, hi)}; }},
      {"clamp_min tensor", 1, [](const Tensor& x, const Tensor& lo, const Tensor&, const Scalar&) { return TensorList{clamp_min(x, lo)}; }},
      {"amax", 3, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{amax(x), amax(x, {0}), amax(x, {1}, true)}; }},
      {"amin", 3, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{amin(x), amin(x, {1}), amin(x, {0}, true)}; }},
      {"max", 2, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{max(x), min(x)}; }},
      {"max dim", 1, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { auto [v, i] = max(x, 1); return TensorList{v, i}; }},
      {"min dim", 1, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { auto [v, i] = min(x, 0, true); return TensorList{v, i}; }},
      {"argmax", 0, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{argmax(x), argmax(x, 1), argmin(x, 0)}; }},
      {"logical_not", 0, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{logical_not(x)}; }},
      {"tests", 0, [](const Tensor& x, const Tensor&, const Tensor&, const Scalar&) { return TensorList{isfinite(x), signbit(x), isnan(x)}; }},
  };
  for (const DType t : {I32, I16, I8, U8}) {
    const Tensor x = spread(t, {130, 67}, 401);
    const Tensor lo = to(to(test::uniform({1, 67}, 402, -40, 10, D), I), t), hi = to(to(test::uniform({130, 1}, 403, 0, 90, D), I), t);
    for (const Tensor& input : {x, kiln::t(contiguous(kiln::t(x)))}) {
      for (const Case& c : cases) {
        // The scalar bound m = -5 is wrapped to t first, as PyTorch does (251 in uint8: all 100 in clamp(x, m, 100)).
        const Scalar m(int64_t(-5)), m_in_t(static_cast<int64_t>(item(to(full({}, m, I), t))));
        const TensorList got = c.op(input, lo, hi, m), want = c.op(to(input, I), to(lo, I), to(hi, I), m_in_t);
        CHECK_EQ(got.size(), want.size());
        for (size_t o = 0; o < got.size(); ++o) check_wrapped(c.name, t, got[o], want[o], o < c.values ? t : want[o].dtype());
      }
    }
    // A long contiguous run (the vector paths) of values inside the range, its extremes placed near the end.
    const auto [tmin, tmax] = range_of(t);
    Tensor run = to(to(test::uniform({100003}, 404, t == U8 ? 1 : -50, 50, D), I), t);
    Tensor tail = narrow(run, 0, 99990, 2);
    copy_(tail, to(test::make({tmax, tmin}, {2}, I), t));
    CHECK_EQ(item(amax(run)), tmax);
    CHECK_EQ(item(amin(run)), tmin);
    CHECK_EQ(item(argmax(run)), 99990.0);
    CHECK_EQ(item(argmin(run)), 99991.0);
  }
}
