// The dtypes beyond bool/int64/float32/float64: int32, int16, int8, uint8, float16 and bfloat16. PyTorch's
// promotion table and result_type over all of them, conversions (float16/bfloat16 rounding, NaN, infinity,
// subnormals; float -> integer as x86 PyTorch does), wrap-around arithmetic, and the generic paths (creation,
// reductions, casts, fill's overflow check) on every dtype.
#include <cmath>
#include <functional>
#include <limits>

#include "cpu/convert.h"
#include "fixtures.h"
#include "half.h"
#include "kiln/autograd.h"
#include "op_table.h"
#include "ops/operands.h"

using namespace kiln;
using test::make;

namespace {

constexpr DType B = DType::Bool, I = DType::Int64, F = DType::Float32, D = DType::Float64, I32 = DType::Int32,
                I16 = DType::Int16, I8 = DType::Int8, U8 = DType::UInt8, H = DType::Float16, BF = DType::BFloat16;
constexpr DType kAll[] = {B, I, F, D, I32, I16, I8, U8, H, BF};

float f32(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
uint32_t bits32(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

}  // namespace

TEST(codes_sizes_and_names) {
  for (int c = 0; c < kNumDTypes; ++c) CHECK_EQ(static_cast<int>(dtype_from_code(c)), c);
  CHECK_EQ(dtype_size(I32), size_t(4));
  CHECK_EQ(dtype_size(I16), size_t(2));
  CHECK_EQ(dtype_size(U8), size_t(1));
  CHECK_EQ(dtype_size(H), size_t(2));
  CHECK_EQ(dtype_size(BF), size_t(2));
  CHECK_EQ(std::string(dtype_name(U8)), "uint8");
  CHECK_EQ(std::string(dtype_name(BF)), "bfloat16");
  CHECK(is_floating(H) && is_floating(BF) && !is_floating(I8));
  CHECK(is_integral(U8, false) && is_integral(I32, false) && !is_integral(B, false) && is_integral(B, true));
  CHECK_EQ(compute_dtype(I8), I);
  CHECK_EQ(compute_dtype(U8), I);
  CHECK_EQ(compute_dtype(H), F);
  CHECK_EQ(compute_dtype(BF), F);
  CHECK_EQ(compute_dtype(D), D);
  CHECK_EQ(compute_dtype(B), B);
}

TEST(promote_types_matches_pytorch) {
  // torch.promote_types over kAll x kAll (generated with PyTorch 1.13).
  const DType want[10][10] = {{B, I, F, D, I32, I16, I8, U8, H, BF},     {I, I, F, D, I, I, I, I, H, BF},
                              {F, F, F, D, F, F, F, F, F, F},            {D, D, D, D, D, D, D, D, D, D},
                              {I32, I, F, D, I32, I32, I32, I32, H, BF}, {I16, I, F, D, I32, I16, I16, I16, H, BF},
                              {I8, I, F, D, I32, I16, I8, I16, H, BF},   {U8, I, F, D, I32, I16, I16, U8, H, BF},
                              {H, H, F, D, H, H, H, H, H, F},            {BF, BF, F, D, BF, BF, BF, BF, F, BF}};
  for (int r = 0; r < 10; ++r)
    for (int c = 0; c < 10; ++c) CHECK_EQ(promote_types(kAll[r], kAll[c]), want[r][c]);
}

TEST(result_type_tensor_with_zero_dim_matches_pytorch) {
  // torch.result_type(tensor of kAll[r] with dims, 0-dim tensor of kAll[c]).
  const DType want[10][10] = {{B, I, F, D, I32, I16, I8, U8, H, BF},          {I, I, F, D, I, I, I, I, H, BF},
                              {F, F, F, F, F, F, F, F, F, F},                 {D, D, D, D, D, D, D, D, D, D},
                              {I32, I32, F, D, I32, I32, I32, I32, H, BF},    {I16, I16, F, D, I16, I16, I16, I16, H, BF},
                              {I8, I8, F, D, I8, I8, I8, I8, H, BF},          {U8, U8, F, D, U8, U8, U8, U8, H, BF},
                              {H, H, H, H, H, H, H, H, H, H},                 {BF, BF, BF, BF, BF, BF, BF, BF, BF, BF}};
  for (int r = 0; r < 10; ++r)
    for (int c = 0; c < 10; ++c) {
      ResultType rt;
      rt.add(kAll[r], OperandPriority::Dimensioned);
      rt.add(kAll[c], OperandPriority::ZeroDim);
      CHECK_EQ(rt.get(), want[r][c]);
    }
}

TEST(result_type_with_wrapped_numbers_matches_pytorch) {
  // tensor + 1, tensor + 1.5, tensor + True; 0-dim tensor + 1.5, 0-dim tensor + 1.
  const DType want[10][5] = {{I, F, B, F, I},     {I, F, I, F, I},     {F, F, F, F, F},     {D, D, D, D, D},
                             {I32, F, I32, F, I32}, {I16, F, I16, F, I16}, {I8, F, I8, F, I8}, {U8, F, U8, F, U8},
                             {H, H, H, H, H},     {BF, BF, BF, BF, BF}};
  for (int r = 0; r < 10; ++r) {
    const Tensor dim = zeros({2}, kAll[r]), zero = zeros({}, kAll[r]);
    CHECK_EQ(result_type({dim, wrapped_scalar(1)}), want[r][0]);
    CHECK_EQ(result_type({dim, wrapped_scalar(1.5)}), want[r][1]);
    CHECK_EQ(result_type({dim, wrapped_scalar(Scalar::boolean(true))}), want[r][2]);
    CHECK_EQ(result_type({zero, wrapped_scalar(1.5)}), want[r][3]);
    CHECK_EQ(result_type({zero, wrapped_scalar(1)}), want[r][4]);
  }
}

TEST(half_round_trips_every_value) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = half_bits_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      CHECK((h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0);
      CHECK((float_to_half_bits(f) & 0x7e00u) == 0x7e00u);  // stays a (quiet) NaN
      continue;
    }
    CHECK_EQ(static_cast<uint32_t>(float_to_half_bits(f)), h);
    const _Float16 ref = static_cast<_Float16>(f);  // exact: f is a float16 value
    CHECK(static_cast<float>(ref) == f || (f == 0 && ref == 0));
  }
}

TEST(float_to_half_rounds_to_nearest_even) {
  // Against the compiler's IEEE conversion over a sweep of float bit patterns (normal, subnormal, huge).
  for (uint64_t u = 0; u < (1ull << 32); u += 65521) {
    const float f = f32(static_cast<uint32_t>(u));
    if (std::isnan(f)) continue;
    const _Float16 ref = static_cast<_Float16>(f);
    uint16_t ref_bits;
    std::memcpy(&ref_bits, &ref, 2);
    if (float_to_half_bits(f) != ref_bits) {
      std::ostringstream s;
      s << "float " << f << " (0x" << std::hex << u << ") -> 0x" << float_to_half_bits(f) << ", want 0x" << ref_bits;
      test::fail_at(__FILE__, __LINE__, s.str());
    }
  }
  CHECK_EQ(float_to_half_bits(65504.0f), uint16_t(0x7bff));
  CHECK_EQ(float_to_half_bits(65519.99f), uint16_t(0x7bff));
  CHECK_EQ(float_to_half_bits(65520.0f), uint16_t(0x7c00));  // the tie rounds up to infinity
  CHECK_EQ(float_to_half_bits(-std::numeric_limits<float>::infinity()), uint16_t(0xfc00));
  CHECK_EQ(float_to_half_bits(5.9604645e-8f), uint16_t(1));  // the smallest subnormal
  CHECK_EQ(float_to_half_bits(2.98e-8f), uint16_t(0));       // below half of it
  CHECK_EQ(float_to_half_bits(2.99e-8f), uint16_t(1));
  CHECK_EQ(float_to_half_bits(-0.0f), uint16_t(0x8000));
  CHECK_EQ(float_to_half_bits(1.0f + 1.0f / 2048), uint16_t(0x3c00));  // tie to even
  CHECK_EQ(float_to_half_bits(1.0f + 3.0f / 2048), uint16_t(0x3c02));
}

TEST(bfloat16_rounds_to_nearest_even) {
  CHECK_EQ(float_to_bfloat16_bits(1.0f), uint16_t(0x3f80));
  CHECK_EQ(bfloat16_bits_to_float(float_to_bfloat16_bits(1.00390625f)), 1.0f);  // tie to even
  CHECK_EQ(bfloat16_bits_to_float(float_to_bfloat16_bits(1.01171875f)), 1.015625f);
  CHECK_EQ(float_to_bfloat16_bits(3.4e38f), uint16_t(0x7f80));  // rounds past the largest: infinity
  CHECK_EQ(float_to_bfloat16_bits(std::nanf("")), uint16_t(0x7fc0));
  CHECK_EQ(float_to_bfloat16_bits(-std::numeric_limits<float>::infinity()), uint16_t(0xff80));
  CHECK_EQ(float_to_bfloat16_bits(f32(1)), uint16_t(0));  // the smallest float subnormal
  for (uint32_t b = 0; b < 65536; ++b) {
    const float f = bfloat16_bits_to_float(static_cast<uint16_t>(b));
    if (!std::isnan(f)) CHECK_EQ(static_cast<uint32_t>(float_to_bfloat16_bits(f)), b);
    CHECK_EQ(bits32(f), b << 16);
  }
}

TEST(float_to_integer_conversions_follow_x86_pytorch) {
  // torch.tensor([1e10, -1e10, nan, inf, 70000.7, -40000., 3e9]).to(int32 / int16 / int8 / uint8).
  const Tensor x = make({1e10, -1e10, NAN, INFINITY, 70000.7, -40000.0, 3e9}, {7});
  CHECK_VALUES(to(x, I32), 0, {-2147483648.0, -2147483648.0, -2147483648.0, -2147483648.0, 70000, -40000, -2147483648.0});
  CHECK_VALUES(to(x, I16), 0, {0, 0, 0, 0, 4464, 25536, 0});
  CHECK_VALUES(to(to(x, D), I16), 0, {0, 0, 0, 0, 4464, 25536, 0});
  CHECK_VALUES(to(make({300.5, -1, 1e10, NAN, -129.7}, {5}), I8), 0, {44, -1, 0, 0, 127});
  CHECK_VALUES(to(make({300.5, -1, 1e10, NAN, -129.7}, {5}), U8), 0, {44, 255, 0, 0, 127});
  CHECK_VALUES(to(make({2.7, -2.7}, {2}, H), I), 0, {2, -2});
  CHECK_VALUES(to(make({0, -0.0, 0.5, NAN}, {4}, H), B), 0, {0, 0, 1, 1});
}

TEST(narrowing_integer_conversions_wrap) {
  const Tensor x = make({127, 128, 255, 256, -1, -129, 65536 + 5, 2147483648.0}, {8}, I);
  CHECK_VALUES(to(x, I8), 0, {127, -128, -1, 0, -1, 127, 5, 0});
  CHECK_VALUES(to(x, U8), 0, {127, 128, 255, 0, 255, 127, 5, 0});
  CHECK_VALUES(to(x, I16), 0, {127, 128, 255, 256, -1, -129, 5, 0});
  CHECK_VALUES(to(x, I32), 0, {127, 128, 255, 256, -1, -129, 65541, -2147483648.0});
  CHECK_VALUES(to(to(x, U8), I), 0, {127, 128, 255, 0, 255, 127, 5, 0});  // uint8 widens without sign
}

TEST(float16_and_bfloat16_conversions_round_through_float) {
  // int64 -> float16 rounds to float first: 2^24 + 1 -> 16777216 -> inf.
  CHECK_VALUES(to(make({1, 16777217, 65519}, {3}, I), H), 0, {1, INFINITY, 65504});
  CHECK_VALUES(to(make({16777217}, {1}, I), BF), 0, {16777216});
  CHECK_VALUES(to(make({1e10, -1e10, 70000.7, -40000.0}, {4}, F), H), 0, {INFINITY, -INFINITY, INFINITY, -40000});
  CHECK_VALUES(to(make({1e10, 70000.7}, {2}, F), BF), 0, {9999220736.0, 70144});
  CHECK_VALUES(to(make({0.1}, {1}, D), H), 0, {0.0999755859375});
  CHECK_VALUES(to(to(make({0.1}, {1}, D), H), BF), 0, {0.10009765625});
}

TEST(arithmetic_wraps_in_the_narrow_integer_types) {
  CHECK_VALUES(add(make({127, -128}, {2}, I8), 1), 0, {-128, -127});
  CHECK_EQ(add(make({127}, {1}, I8), 1).dtype(), I8);
  CHECK_VALUES(add(make({1}, {1}, I8), 300), 0, {45});  // the scalar wraps too, as in PyTorch
  CHECK_VALUES(sub(make({1}, {1}, U8), 2), 0, {255});
  CHECK_VALUES(mul(make({1}, {1}, U8), 1000), 0, {232});
  CHECK_VALUES(mul(make({40000}, {1}, I32), make({40000}, {1}, I32)), 0, {1600000000});
  CHECK_VALUES(mul(make({50000}, {1}, I32), make({50000}, {1}, I32)), 0, {-1794967296});
  CHECK_VALUES(neg(make({-128, 5}, {2}, I8)), 0, {-128, -5});
  CHECK_VALUES(abs(make({-128, -5}, {2}, I8)), 0, {-128, 5});
  CHECK_VALUES(neg(make({1}, {1}, U8)), 0, {255});
  CHECK_VALUES(pow(make({2}, {1}, I8), 7), 0, {-128});
  CHECK_EQ(add(make({1}, {1}, U8), make({1}, {1}, I8)).dtype(), I16);
  CHECK_EQ(div(make({1}, {1}, I8), 2).dtype(), F);
  CHECK_VALUES(div(make({1}, {1}, I8), 2), 0, {0.5});
  CHECK_EQ(exp(make({1}, {1}, I16)).dtype(), F);
  CHECK_EQ(lt(make({1}, {1}, I8), make({2}, {1}, U8)).dtype(), B);
  CHECK_THROWS(pow(make({3}, {1}, U8), -1), Argument, "negative integer powers");
}

TEST(float16_arithmetic_rounds_each_result) {
  const Tensor h = make({1, 2048, 0.1}, {3}, H);
  CHECK_EQ(add(h, h).dtype(), H);
  CHECK_VALUES(add(h, 1), 0, {2, 2048, 1.099609375});  // 2049 is not a float16: ties to 2048
  CHECK_VALUES(add(make({1}, {1}, H), 1e6), 0, {INFINITY});
  CHECK_VALUES(mul(make({1}, {1}, H), 1e-8), 0, {0});
  CHECK_EQ(add(h, make({1}, {1}, BF)).dtype(), F);
  CHECK_EQ(add(make({1}, {1}, BF), make({1}, {1}, I)).dtype(), BF);
  CHECK_VALUES(exp(make({1}, {1}, BF)), 0, {2.71875});
  CHECK_VALUES(div(make({1}, {1}, H), make({3}, {1}, H)), 0, {0.333251953125});
}

TEST(creation_and_copies_on_every_dtype) {
  for (DType t : kAll) {
    CHECK_EQ(zeros({2, 3}, t).dtype(), t);
    CHECK_VALUES(ones({2}, t), 0, {1, 1});
    CHECK_VALUES(full({2}, 1, t), 0, {1, 1});
    CHECK_VALUES(eye(2, 2, t), 0, {1, 0, 0, 1});
    CHECK_VALUES(contiguous(transpose(to(make({1, 0, 1, 1, 0, 1}, {2, 3}), t), 0, 1)), 0, {1, 1, 0, 0, 1, 1});
    CHECK_EQ(item(Tensor::scalar(Scalar(1), t)), 1.0);
    if (t != B) CHECK_VALUES(arange(0, 4, 1, t), 0, {0, 1, 2, 3});
    Tensor c = clone(to(make({1, 0}, {2}), t));
    CHECK_EQ(c.dtype(), t);
    Tensor where_result = where(make({1, 0}, {2}, B), c, zeros({2}, t));
    CHECK_EQ(where_result.dtype(), t);
    CHECK_VALUES(where_result, 0, {1, 0});
  }
  CHECK_VALUES(arange(0, 300, 100, I8), 0, {0, 100, -56});
  CHECK_VALUES(arange(0, 1, 0.25, H), 0, {0, 0.25, 0.5, 0.75});
  CHECK_EQ(rand({3}, H).dtype(), H);
  CHECK_EQ(randn({3}, BF).dtype(), BF);
  CHECK_THROWS(rand({3}, I8), DType, "floating point");
}

TEST(fill_and_full_refuse_values_that_overflow_the_dtype) {
  CHECK_THROWS(full({1}, 300, I8), Argument, "value cannot be converted to type int8_t without overflow");
  CHECK_THROWS(full({1}, 1e6, H), Argument, "at::Half");
  CHECK_THROWS(full({1}, 1e39, F), Argument, "type float");
  CHECK_THROWS(full({1}, NAN, I), Argument, "int64_t");
  CHECK_THROWS(full({1}, -200.0, U8), Argument, "uint8_t");
  CHECK_VALUES(full({1}, -200, U8), 0, {56});  // integers wrap into uint8 down to -255
  CHECK_THROWS(full({1}, -256, U8), Argument, "uint8_t");
  CHECK_VALUES(full({1}, INFINITY, H), 0, {INFINITY});
  CHECK_VALUES(full({1}, 2.5, B), 0, {1});
  CHECK_VALUES(full({1}, 2.5, I8), 0, {2});
  Tensor x = zeros({2}, I32);
  CHECK_THROWS(fill_(x, Scalar(int64_t(2147483648LL))), Argument, "fill_: value cannot be converted to type int");
  CHECK_VALUES(x, 0, {0, 0});
  Tensor h = zeros({2}, BF);
  CHECK_THROWS(fill_(h, 1e39), Argument, "at::BFloat16");
  fill_(h, 3.0);
  CHECK_VALUES(h, 0, {3, 3});
}

TEST(reductions_give_pytorch_dtypes) {
  const Tensor i8 = make({100, 100, -7}, {3}, I8);
  CHECK_EQ(sum(i8, {}, false).dtype(), I);
  CHECK_VALUES(sum(i8, {}, false), 0, {193});  // no wrap: sums in int64
  CHECK_EQ(max(i8).dtype(), I8);
  CHECK_VALUES(max(i8), 0, {100});
  CHECK_VALUES(min(make({5, 200, 7}, {3}, U8)), 0, {5});
  CHECK_THROWS(mean(i8, {}, false), DType, "mean");
  const Tensor h = make({1, 2, 3.5}, {3}, H);
  CHECK_EQ(sum(h, {}, false).dtype(), H);
  CHECK_VALUES(sum(h, {}, false), 0, {6.5});
  CHECK_EQ(mean(h, {}, false).dtype(), H);
  CHECK_EQ(max(make({1, 2, 3}, {3}, BF), 0, false).first.dtype(), BF);
  CHECK_VALUES(max(make({1, 5, 3}, {3}, I16), 0, false).second, 0, {1});
  CHECK_VALUES(argmin(make({4, 2, 3}, {3}, U8)), 0, {1});
  CHECK_VALUES(sum(make({60000, 60000}, {2}, H), {}, false), 0, {INFINITY});
}

TEST(float16_inputs_to_integer_and_bool_outputs) {
  CHECK_VALUES(eq(make({1, 2}, {2}, H), make({1, 3}, {2}, BF)), 0, {1, 0});
  CHECK_VALUES(gt(make({200}, {1}, U8), make({-1}, {1}, I8)), 0, {1});  // compared as int16 values
}

// Indexing, scatter and gather, sorting and selection, triangles and nonzero run on int32, int16, int8 and uint8
// as stored (they failed with an internal dispatch error before): each against the int64 path cast back, on a
// [40, 37] input with many ties (sort and topk keep PyTorch's order among equals) and through a transposed view.
// Sums that overflow the narrow type wrap as its arithmetic does.
TEST(indexing_sorting_and_selection_keep_the_narrow_integer_types) {
  const Tensor rows = make({3, 0, 36, 3, 17, 22, 0, 5, 39}, {9}, I);
  const Tensor lines = to(test::uniform({40, 37}, 61, 0, 37, D), I);
  const Tensor mask = gt(test::uniform({40, 37}, 62, -1, 1, D), zeros({}, D));
  // An op, and whether its first output holds x's values (in x's dtype); the others are indices, counts or flags.
  struct Case {
    const char* name;
    bool values;
    std::function<TensorList(const Tensor&)> op;
  };
  const std::vector<Case> ops = {
      {"index_select", true, [&](const Tensor& x) { return TensorList{index_select(x, 0, rows)}; }},
      {"index_select dim 1", true, [&](const Tensor& x) { return TensorList{index_select(x, 1, narrow(rows, 0, 0, 8))}; }},
      {"index", true, [&](const Tensor& x) { return TensorList{index(x, {rows})}; }},
      {"index dim 1", true, [&](const Tensor& x) { return TensorList{index(x, {Tensor(), narrow(rows, 0, 0, 8)})}; }},
      {"index_put", true, [&](const Tensor& x) { return TensorList{index_put(x, {rows}, select(x, 0, 1), false)}; }},
      {"index_put accumulate", true, [&](const Tensor& x) { return TensorList{index_put(x, {rows}, select(x, 0, 2), true)}; }},
      {"index_add", true, [&](const Tensor& x) { return TensorList{index_add(x, 0, rows, narrow(x, 0, 0, 9))}; }},
      {"gather", true, [&](const Tensor& x) { return TensorList{gather(x, 1, lines)}; }},
      {"take_along_dim", true, [&](const Tensor& x) { return TensorList{take_along_dim(x, lines, 1)}; }},
      {"scatter", true, [&](const Tensor& x) { return TensorList{scatter(x, 1, lines, flip(x, {0}))}; }},
      {"scatter_add", true, [&](const Tensor& x) { return TensorList{scatter_add(x, 1, lines, x)}; }},
      {"scatter_reduce amax", true, [&](const Tensor& x) { return TensorList{scatter_reduce(x, 1, lines, flip(x, {1}), "amax")}; }},
      {"scatter_reduce prod", true, [&](const Tensor& x) { return TensorList{scatter_reduce(x, 1, lines, x, "prod", false)}; }},
      {"masked_select", true, [&](const Tensor& x) { return TensorList{masked_select(x, mask)}; }},
      {"sort", true, [&](const Tensor& x) { auto [v, i] = sort(x, 1); return TensorList{v, i}; }},
      {"sort descending", true, [&](const Tensor& x) { auto [v, i] = sort(x, 0, true); return TensorList{v, i}; }},
      {"argsort", false, [&](const Tensor& x) { return TensorList{argsort(x, 1)}; }},
      {"topk", true, [&](const Tensor& x) { auto [v, i] = topk(x, 5, 1); return TensorList{v, i}; }},
      {"topk smallest", true, [&](const Tensor& x) { auto [v, i] = topk(x, 5, 0, false); return TensorList{v, i}; }},
      {"kthvalue", true, [&](const Tensor& x) { auto [v, i] = kthvalue(x, 7, 1); return TensorList{v, i}; }},
      {"median", true, [&](const Tensor& x) { auto [v, i] = median(x, 1); return TensorList{v, i}; }},
      {"median of all", true, [&](const Tensor& x) { return TensorList{median(x)}; }},
      {"nanmedian", true, [&](const Tensor& x) { return TensorList{nanmedian(x)}; }},
      {"tril", true, [&](const Tensor& x) { return TensorList{tril(x, 2)}; }},
      {"triu", true, [&](const Tensor& x) { return TensorList{triu(x, -3)}; }},
      {"nonzero", false, [&](const Tensor& x) { return TensorList{nonzero(x)}; }},
      {"count_nonzero", false, [&](const Tensor& x) { return TensorList{count_nonzero(x, {1})}; }},
      {"any and all", false, [&](const Tensor& x) { return TensorList{any(x, {0}), all(x, {1})}; }},
  };
  for (const DType t : {I32, I16, I8, U8}) {
    const double low = t == U8 ? 0 : -60;
    const Tensor wide = to(test::uniform({40, 37}, 63, low, low + 120, D), I);  // many ties, some zeros
    const Tensor x = to(wide, t);
    for (const Tensor& input : {x, kiln::t(contiguous(kiln::t(x)))}) {
      for (const Case& c : ops) {
        const TensorList got = c.op(input), want = c.op(wide);
        CHECK_EQ(got.size(), want.size());
        for (size_t o = 0; o < got.size(); ++o) {
          const DType expect = o == 0 && c.values ? t : want[o].dtype();
          KILN_CHECK(got[o].dtype() == expect, Internal, c.name, " on ", dtype_name(t), " gave ",
                     dtype_name(got[o].dtype()));
          CHECK_SAME(got[o], to(want[o], expect), 0);
        }
      }
    }
  }
}

// The ops that only move elements take float16 and bfloat16 as stored (their kernels copy the 16 bits) instead of
// through float32 copies: the same values and dtype as through float32, -0 and non-finite values kept, and
// gradients as before.
TEST(moving_ops_take_float16_and_bfloat16_as_stored) {
  const Tensor rows = make({3, 0, 36, 3, 17, 22, 0, 5, 39}, {9}, I);
  const Tensor lines = to(test::uniform({40, 37}, 81, 0, 37, D), I);
  const Tensor mask = gt(test::uniform({40, 37}, 82, -1, 1, D), zeros({}, D));
  const Tensor table = test::uniform({100, 12}, 83, -1, 1, D);
  using Op = std::function<Tensor(const Tensor&)>;
  const std::vector<std::pair<const char*, Op>> ops = {
      {"cat", [&](const Tensor& x) { return cat({x, flip(x, {0})}, 1); }},
      {"stack", [&](const Tensor& x) { return stack({x, x}, 2); }},
      {"flip", [&](const Tensor& x) { return flip(x, {1}); }},
      {"roll", [&](const Tensor& x) { return roll(x, {5, -2}, {0, 1}); }},
      {"repeat", [&](const Tensor& x) { return repeat(x, {2, 1, 3}); }},
      {"tril", [&](const Tensor& x) { return tril(x, 1); }},
      {"triu", [&](const Tensor& x) { return triu(x, -2); }},
      {"index_select rows", [&](const Tensor& x) { return index_select(x, 0, rows); }},
      {"index_select picks", [&](const Tensor& x) { return index_select(x, 1, narrow(rows, 0, 0, 8)); }},
      {"index by a mask", [&](const Tensor& x) { return index(x, {mask}); }},
      {"index of a view", [&](const Tensor& x) { return index(kiln::t(x), {narrow(rows, 0, 0, 8)}); }},
      {"gather", [&](const Tensor& x) { return gather(x, 1, lines); }},
      {"take_along_dim", [&](const Tensor& x) { return take_along_dim(x, lines, 1); }},
      {"masked_select", [&](const Tensor& x) { return masked_select(x, mask); }},
      {"masked_select broadcast", [&](const Tensor& x) { return masked_select(narrow(x, 0, 0, 1), mask); }},
      {"embedding", [&](const Tensor& x) { return embedding(reshape(narrow(x, 1, 0, 36), {-1, 12}), lines); }},
      {"masked_fill", [&](const Tensor& x) { return masked_fill(x, mask, Scalar(-INFINITY)); }},
      {"masked_fill broadcast", [&](const Tensor& x) { return masked_fill(x, narrow(mask, 0, 0, 1), Scalar(1.5)); }},
      {"constant pad", [&](const Tensor& x) { return pad(x, {2, 1, 0, 3}, PadMode::Constant, -0.25); }},
      {"constant pad of a view", [&](const Tensor& x) { return pad(kiln::t(x), {1, 1}, PadMode::Constant, 7); }},
      {"reflection pad", [&](const Tensor& x) { return pad(unsqueeze(x, 0), {3, 2}, PadMode::Reflect); }},
      {"replication pad", [&](const Tensor& x) { return pad(unsqueeze(x, 0), {1, 4}, PadMode::Replicate); }},
      {"circular pad", [&](const Tensor& x) { return pad(unsqueeze(x, 0), {2, 2}, PadMode::Circular); }},
  };
  std::vector<double> v = test::values(test::uniform({40, 37}, 84, -3, 3, D));
  v[0] = -0.0, v[1] = INFINITY, v[2] = -INFINITY, v[3] = NAN, v[40] = 65504;
  for (const DType h : {H, BF}) {
    const Tensor x = make(v, {40, 37}, h);
    for (const auto& [name, op] : ops) {
      const Tensor got = op(x), want = to(op(to(x, F)), h);
      KILN_CHECK(got.dtype() == h, Internal, name, " on ", dtype_name(h), " gave ", dtype_name(got.dtype()));
      CHECK_SAME(got, want, 0);
    }
    CHECK_SAME(signbit(index_select(x, 1, make({0}, {1}, I))), signbit(index_select(to(x, F), 1, make({0}, {1}, I))), 0);
    CHECK_SAME(cat({x, to(x, F)}, 0), cat({to(x, F), to(x, F)}, 0), 0);  // mixed: float32, as PyTorch promotes
    for (const DType stored : {U8, I16, I32, B})  // embedding copies rows of any dtype, as PyTorch's does
      CHECK_SAME(embedding(to(table, stored), lines), to(embedding(table, lines), stored), 0);
    Tensor w = to(table, h), w32 = to(table, F);
    set_requires_grad(w, true);
    set_requires_grad(w32, true);
    const Tensor g = test::uniform({40, 37, 12}, 85, -1, 1, D);
    backward({embedding(w, lines)}, {to(g, h)});
    backward({embedding(w32, lines)}, {to(to(g, h), F)});
    CHECK(grad(w).dtype() == h);
    CHECK_SAME(to(grad(w), F), to(to(grad(w32), h), F), 0.02);
  }
}

// Matrix products of int32, int16, int8 and uint8 (refused before, with a message naming bool) go through int64
// copies: the int64 products cast back, which wrap as the narrow arithmetic does; mixed dtypes are still refused.
TEST(products_of_narrow_integers_wrap_as_their_int64_products_cast_back) {
  using Op = std::function<Tensor(const std::vector<Tensor>&)>;
  const std::vector<std::pair<const char*, Op>> ops = {
      {"mm", [](const std::vector<Tensor>& v) { return mm(v[0], v[1]); }},
      {"mm of a transposed view", [](const std::vector<Tensor>& v) { return mm(v[0], kiln::t(v[2])); }},
      {"bmm", [](const std::vector<Tensor>& v) { return bmm(reshape(v[0], {1, 7, 5}), reshape(v[1], {1, 5, 9})); }},
      {"mv", [](const std::vector<Tensor>& v) { return mv(v[0], select(v[1], 1, 0)); }},
      {"dot", [](const std::vector<Tensor>& v) { return dot(select(v[0], 0, 0), select(v[1], 1, 2)); }},
      {"matmul", [](const std::vector<Tensor>& v) { return matmul(select(v[0], 0, 1), v[1]); }},
      {"addmm", [](const std::vector<Tensor>& v) { return addmm(v[3], v[0], v[1]); }},
      {"linear", [](const std::vector<Tensor>& v) { return linear(v[0], v[2], select(v[3], 0, 0)); }},
      {"einsum", [](const std::vector<Tensor>& v) { return einsum("ij,jk->ik", {v[0], v[1]}); }},
  };
  const Shape shapes[] = {{7, 5}, {5, 9}, {9, 5}, {7, 9}};
  for (const DType t : {I32, I16, I8, U8}) {
    std::vector<Tensor> wide, narrow_ones;
    for (int i = 0; i < 4; ++i) {
      wide.push_back(to(test::uniform(shapes[i], 91 + i, t == U8 ? 0 : -100, 100, D), I));
      narrow_ones.push_back(to(wide.back(), t));
      wide.back() = to(narrow_ones.back(), I);  // the narrow type's values
    }
    for (const auto& [name, op] : ops) {
      const Tensor got = op(narrow_ones);
      KILN_CHECK(got.dtype() == t, Internal, name, " on ", dtype_name(t), " gave ", dtype_name(got.dtype()));
      CHECK_SAME(got, to(op(wide), t), 0);
    }
  }
  CHECK_THROWS(mm(make({1}, {1, 1}, I16), make({1}, {1, 1}, I8)), DType,
               "mm: expected both operands to have the same dtype");
}

// Nearest upsampling picks pixels, so uint8 images resize as stored (as PyTorch's do) and the 16-bit floats skip
// their float32 copies; the interpolating modes and other integer types are still refused.
TEST(nearest_upsampling_of_uint8_images_and_16_bit_floats) {
  const Tensor image = to(test::uniform({2, 3, 5, 7}, 95, 0, 256, D), U8);
  const Tensor volume = to(test::uniform({1, 2, 3, 4, 5}, 96, 0, 256, D), U8);
  for (const DType t : {U8, H, BF}) {
    const Tensor x = to(image, t), wide = to(image, F), v = to(volume, t), vw = to(volume, F);
    CHECK_SAME(interpolate(x, {11, 4}), to(interpolate(wide, {11, 4}), t), 0);
    const auto exact = [](const Tensor& y) { return interpolate(y, {}, {2.0, 1.5}, InterpolateMode::NearestExact); };
    CHECK_SAME(exact(x), to(exact(wide), t), 0);
    CHECK_SAME(interpolate(transpose(x, 2, 3), {3, 9}), to(interpolate(transpose(wide, 2, 3), {3, 9}), t), 0);
    CHECK_SAME(interpolate(v, {5, 2, 9}), to(interpolate(vw, {5, 2, 9}), t), 0);
    CHECK_SAME(interpolate(select(x, 0, 0), {13}), to(interpolate(select(wide, 0, 0), {13}), t), 0);
    CHECK(interpolate(x, {11, 4}).dtype() == t);
  }
  CHECK_THROWS(interpolate(image, {9, 9}, {}, InterpolateMode::Bilinear, false), DType,
               "interpolate: not implemented for 'uint8'");
  CHECK_THROWS(interpolate(to(image, I16), {9, 9}), DType, "interpolate: not implemented for 'int16'");
}
