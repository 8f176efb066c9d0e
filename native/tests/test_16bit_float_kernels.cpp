// float16 and bfloat16 elementwise ops computed in float32 a chunk at a time (cpu/float32_chunks.h): every layout
// the loop hands over (dense, broadcast rows and scalars, transposed, in place, all inputs broadcast) against the
// same op computed on float32 copies and rounded once, bit for bit; and the AVX-512 float16 conversions
// (cpu/half_avx512.h) against the portable ones of half.h.
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <vector>

#include "cpu/half_avx512.h"
#include "cpu/simd.h"
#include "fixtures.h"
#include "half.h"
#include "op_table.h"

using namespace kiln;
using test::uniform;

namespace {

constexpr DType F = DType::Float32, H = DType::Float16, BF = DType::BFloat16;

// Same dtype, shape and bytes.
void check_bits_at(int line, const std::string& what, const Tensor& got, const Tensor& want) {
  std::ostringstream s;
  s << what << ": ";
  if (got.dtype() != want.dtype() || got.shape() != want.shape()) {
    s << dtype_name(got.dtype()) << shape_str(got.shape()) << " vs " << dtype_name(want.dtype())
      << shape_str(want.shape());
    return test::fail_at(__FILE__, line, s.str());
  }
  const Tensor g = contiguous(got), w = contiguous(want);
  const size_t size = g.element_size();
  for (int64_t i = 0; i < g.numel(); ++i)
    if (std::memcmp(static_cast<const char*>(g.raw_data()) + i * size,
                    static_cast<const char*>(w.raw_data()) + i * size, size) != 0) {
      s << "element " << i << " differs: " << test::values(g)[i] << " vs " << test::values(w)[i];
      return test::fail_at(__FILE__, line, s.str());
    }
}
#define CHECK_BITS(what, got, want) check_bits_at(__LINE__, what, got, want)

void inplace(const char* op, const Tensor& self, const Tensor& other) {
  call_inplace(*op_table()[op_id(op)], {self, other});
}

// Values in [-3, 3) with the special ones among them: NaN, infinities, zeros of both signs, float16's largest
// and smallest, and values that overflow or underflow float16 once added or multiplied.
Tensor operand(const Shape& shape, uint64_t seed, DType t) {
  Tensor x = contiguous(uniform(shape, seed, -3, 3, F));
  const float specials[] = {NAN, -NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 65504.0f, -65504.0f, 6e-8f, 3e-5f, 1e-3f};
  float* v = x.data<float>();
  for (size_t i = 0; i < sizeof specials / sizeof specials[0]; ++i) v[(i * 131 + seed) % x.numel()] = specials[i];
  return to(x, t);
}

using Binary = Tensor (*)(const Tensor&, const Tensor&);
struct NamedBinary {
  const char* name;
  Binary fn;
};
const NamedBinary kBinary[] = {{"add", add},         {"sub", sub},         {"mul", mul},       {"div", div},
                               {"pow", pow},         {"eq", eq},           {"ne", ne},         {"lt", lt},
                               {"ge", ge},           {"maximum", maximum}, {"minimum", minimum}, {"fmod", fmod},
                               {"remainder", remainder}, {"floor_divide", floor_divide}, {"atan2", atan2}};

// op(a, b) in t against op on float32 copies, rounded to t (comparisons: the same bools).
void check_binary(const NamedBinary& op, const Tensor& a, const Tensor& b, const std::string& layout) {
  const Tensor got = op.fn(a, b), wide = op.fn(to(a, F), to(b, F));
  CHECK_BITS(std::string(op.name) + ", " + layout, got, wide.dtype() == DType::Bool ? wide : to(wide, a.dtype()));
}

}  // namespace

TEST(binary_ops_round_the_float32_result_once_in_every_layout) {
  for (DType t : {H, BF}) {
    // 300 x 301: above the pool's grain (both threads) and many chunks, with ragged tails.
    const Tensor a = operand({300, 301}, 1, t), b = operand({300, 301}, 2, t), row = operand({301}, 3, t);
    const Tensor column = operand({300, 1}, 4, t), one = operand({1}, 5, t);
    for (const NamedBinary& op : kBinary) {
      check_binary(op, a, b, "dense");
      check_binary(op, a, row, "a row broadcast");
      check_binary(op, column, a, "a column broadcast");
      check_binary(op, transpose(a, 0, 1), transpose(b, 0, 1), "transposed");
      check_binary(op, transpose(a, 0, 1), contiguous(transpose(b, 0, 1)), "one transposed");
      check_binary(op, expand(one, {300, 301}), expand(column, {300, 301}), "every input broadcast");
      check_binary(op, narrow(a, 1, 3, 250), narrow(b, 1, 0, 250), "narrowed");
      // A Java scalar: rounded to t first, as PyTorch does (float16 + 0.1 adds 0.0999755859375).
      const double rounded = test::values(to(test::make({0.1}, {1}, F), t))[0];
      const Tensor got = op.fn(a, wrapped_scalar(Scalar(0.1)));
      const Tensor wide = op.fn(to(a, F), wrapped_scalar(Scalar(rounded)));
      CHECK_BITS(std::string(op.name) + " with a scalar", got, wide.dtype() == DType::Bool ? wide : to(wide, t));
    }
    // In place, through itself and into a transposed view.
    Tensor self = clone(a);
    inplace("mul", self, row);
    const Tensor product = to(mul(to(a, F), to(row, F)), t);
    CHECK_BITS("mul_", self, product);
    inplace("add", self, self);
    CHECK_BITS("add_ of itself", self, to(add(to(product, F), to(product, F)), t));
    Tensor base = clone(b);
    const Tensor view = transpose(base, 0, 1);
    inplace("sub", view, transpose(a, 0, 1));
    CHECK_BITS("sub_ into a transposed view", base, to(sub(to(b, F), to(a, F)), t));
  }
}

TEST(unary_and_math_ops_round_the_float32_result_once) {
  for (DType t : {H, BF}) {
    const Tensor x = operand({300, 301}, 6, t), one = operand({1}, 7, t);
    using Unary = Tensor (*)(const Tensor&);
    const std::pair<const char*, Unary> ops[] = {{"neg", neg},   {"exp", exp},         {"log", log},
                                                 {"sqrt", sqrt}, {"abs", abs},         {"relu", relu},
                                                 {"sigmoid", sigmoid}, {"tanh", tanh}};
    for (const auto& [name, fn] : ops) {
      CHECK_BITS(std::string(name) + ", dense", fn(x), to(fn(to(x, F)), t));
      CHECK_BITS(std::string(name) + ", transposed", fn(transpose(x, 0, 1)), to(fn(to(transpose(x, 0, 1), F)), t));
      CHECK_BITS(std::string(name) + ", broadcast", fn(expand(one, {3, 700})), to(fn(to(expand(one, {3, 700}), F)), t));
    }
    const std::pair<const char*, Unary> math[] = {{"log1p", log1p}, {"expm1", expm1}, {"log2", log2}, {"sin", sin},
                                                  {"cos", cos},     {"atan", atan},   {"erf", erf},   {"asinh", asinh},
                                                  {"rsqrt", rsqrt}, {"reciprocal", reciprocal}, {"erfinv", erfinv}};
    for (const auto& [name, fn] : math) {
      const Tensor small = mul(x, Scalar(0.3));  // erfinv's domain, among others
      CHECK_BITS(std::string(name) + ", dense", fn(small), to(fn(to(small, F)), t));
      CHECK_BITS(std::string(name) + ", transposed", fn(transpose(small, 0, 1)), to(fn(to(transpose(small, 0, 1), F)), t));
      CHECK_BITS(std::string(name) + ", broadcast", fn(expand(one, {3, 700})), to(fn(to(expand(one, {3, 700}), F)), t));
    }
    for (double e : {2.0, 0.5, -1.0, 0.7}) {  // the exponent rounded to t, as PyTorch does
      const double rounded = test::values(to(test::make({e}, {1}, F), t))[0];
      CHECK_BITS("pow " + std::to_string(e), pow(x, Scalar(e)), to(pow(to(x, F), Scalar(rounded)), t));
    }
  }
}

TEST(avx512_float16_conversions_keep_the_portable_bits) {
  // Widening: every float16 value, NaNs of both kinds among them.
  std::vector<uint16_t> halves(65536);
  for (uint32_t h = 0; h < 65536; ++h) halves[h] = static_cast<uint16_t>(h);
  std::vector<float> widened(65536);
  CHECK_EQ(cpu::half_to_float_avx512(widened.data(), halves.data(), 65536), cpu::avx512_supported());
  if (!cpu::avx512_supported()) return;  // the portable conversions are half.h's, tested in test_dtypes_narrow
  for (uint32_t h = 0; h < 65536; ++h) {
    uint32_t got, want;
    std::memcpy(&got, &widened[h], 4);
    const float w = half_bits_to_float(static_cast<uint16_t>(h));
    std::memcpy(&want, &w, 4);
    if (got != want) {
      std::ostringstream s;
      s << std::hex << "float16 0x" << h << " widened to 0x" << got << ", want 0x" << want;
      return test::fail_at(__FILE__, __LINE__, s.str());
    }
  }
  // Narrowing: a sweep of float bit patterns (normal, subnormal, huge, NaN payloads of both signs), and NaNs.
  std::vector<uint32_t> bits;
  for (uint64_t u = 0; u < (uint64_t(1) << 32); u += 4099) bits.push_back(static_cast<uint32_t>(u));
  for (uint32_t u : {0x7f800001u, 0x7fbfffffu, 0x7fc00000u, 0x7fffffffu, 0xff800001u, 0xffc00001u, 0x7f802000u,
                     0x477fefffu, 0x477ff000u, 0x33000000u, 0x33000001u, 0x80000001u})
    bits.push_back(u);
  std::vector<float> floats(bits.size());
  std::memcpy(floats.data(), bits.data(), bits.size() * 4);
  std::vector<uint16_t> narrowed(bits.size());
  CHECK(cpu::float_to_half_avx512(narrowed.data(), floats.data(), static_cast<int64_t>(floats.size())));
  for (size_t i = 0; i < bits.size(); ++i)
    if (narrowed[i] != float_to_half_bits(floats[i])) {
      std::ostringstream s;
      s << std::hex << "float 0x" << bits[i] << " narrowed to 0x" << narrowed[i] << ", want 0x"
        << float_to_half_bits(floats[i]);
      return test::fail_at(__FILE__, __LINE__, s.str());
    }
  // Every length up to three vectors: the tail is converted, and nothing past it is written.
  for (int64_t n = 0; n <= 48; ++n) {
    std::vector<float> wide(n + 16, -7.0f);
    std::vector<uint16_t> narrow(n + 16, 0xabcd);
    CHECK(cpu::half_to_float_avx512(wide.data(), halves.data() + 15360, n));
    CHECK(cpu::float_to_half_avx512(narrow.data(), wide.data(), n));
    for (int64_t i = 0; i < n + 16; ++i) {
      CHECK_EQ(wide[i], i < n ? half_bits_to_float(halves[15360 + i]) : -7.0f);
      CHECK_EQ(narrow[i], i < n ? halves[15360 + i] : uint16_t(0xabcd));
    }
  }
}

TEST(ops_without_16bit_kernels_compute_through_float32) {
  // Every other op gets float32 copies of float16 and bfloat16 inputs and rounds its float32 outputs back
  // (op_table.cpp's forward_of): the bits of the op on float32 copies, rounded once. Activations compute in
  // float32 chunks of their own (before, their kernels read 16-bit storage as double: garbage, and writes past
  // the output's end).
  for (DType t : {H, BF}) {
    const Tensor x = operand({2, 3, 9, 11}, 8, t), w = to(mul(uniform({4, 3, 3, 3}, 9), Scalar(0.3)), t);
    const Tensor m = to(uniform({6, 9}, 10), t), mask = gt(uniform({2, 3, 9, 11}, 11), wrapped_scalar(Scalar(0.0)));
    const auto wide = [](const Tensor& v) { return to(v, F); };
    const auto same = [&](const std::string& what, const Tensor& got, const Tensor& want32) {
      CHECK_BITS(what + " in " + dtype_name(t), got, to(want32, t));
    };
    same("gelu", gelu(x), gelu(wide(x)));
    same("silu_backward", silu_backward(x, x), silu_backward(wide(x), wide(x)));
    same("hardtanh", hardtanh(transpose(x, 1, 3)), hardtanh(wide(transpose(x, 1, 3))));
    same("layer_norm", layer_norm(x, {9, 11}), layer_norm(wide(x), {9, 11}));
    same("softmax", softmax(x, 1), softmax(wide(x), 1));
    same("cumsum", cumsum(x, 3), cumsum(wide(x), 3));
    same("conv2d", conv2d(x, w), conv2d(wide(x), wide(w)));
    same("max_pool2d", max_pool2d(x, {2, 2}), max_pool2d(wide(x), {2, 2}));
    same("matmul", matmul(m, transpose(m, 0, 1)), matmul(wide(m), transpose(wide(m), 0, 1)));
    same("var", var(x, {1}), var(wide(x), {1}));
    // Batch norm computes in float32 and updates 16-bit running statistics in place (rounded once).
    Tensor mean16 = to(uniform({3}, 15), t), var16 = to(uniform({3}, 16, 0.5, 2.0), t);
    Tensor mean32 = wide(mean16), var32 = wide(var16);
    same("batch_norm", batch_norm(x, mean16, var16, {}, {}, true), batch_norm(wide(x), mean32, var32, {}, {}, true));
    same("running_mean", mean16, mean32);
    same("running_var", var16, var32);
    // In place through float32: masked_fill_ writes the rounded result into the 16-bit tensor itself.
    Tensor self = clone(x);
    call_inplace(*op_table()[op_id("masked_fill")], {self, mask, wrapped_scalar(Scalar(0.1))});
    const double rounded = test::values(to(test::make({0.1}, {1}, F), t))[0];  // the value in t, as PyTorch
    same("masked_fill_", self, masked_fill(wide(x), mask, Scalar(rounded)));
    // In-place random fills draw in float32 and round, as creation does: the same draws as a float32 tensor's.
    Tensor drawn = empty({500}, t), drawn32 = empty({500}, F);
    Generator g1(17), g2(17);
    uniform_(drawn, -2.0, 3.0, &g1);
    uniform_(drawn32, -2.0, 3.0, &g2);
    same("uniform_", drawn, drawn32);
    // An explicit result dtype is kept: float32 out of 16-bit inputs.
    CHECK_EQ(cumsum(x, 1, F).dtype(), F);
    CHECK_BITS("softmax to float32", softmax(x, 1, F), softmax(wide(x), 1));
  }
  // Optimizer steps update float32 and float64 parameters; 16-bit ones are refused (typed), never misread.
  Tensor p = to(uniform({5}, 12), H), g = to(uniform({5}, 13), H), buf = to(uniform({5}, 14), H);
  CHECK_THROWS(call(*op_table()[op_id("sgd_step")], {p, g, buf}, OpArgs{{1, 0, 0, 1}, {0.1, 0.0, 0.0, 0.0}}), DType,
               "keep float32 master weights");
}
