// Elementwise ops: broadcasting, promotion, NaN/inf, comparisons, where, strided/large inputs, in-place.
#include <cmath>
#include <functional>
#include <limits>

#include "cpu/loop.h"
#include "cpu/stream_store.h"
#include "fixtures.h"
#include "kiln/autograd.h"
#include "op_table.h"

using namespace kiln;
using test::iota;
using test::make;
using test::ThreadCount;
using test::uniform;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

const OpDef& op_named(const char* name) {
  const int32_t id = op_id(name);
  if (id < 0) test::fail_at(__FILE__, __LINE__, std::string("no op named ") + name);
  return *op_table()[static_cast<size_t>(id)];
}

// self <- op(self, other) through the op table's in-place form (add_, mul_, ...).
Tensor inplace(const char* name, const Tensor& self, const Tensor& other) {
  return call_inplace(op_named(name), {self, other});
}
Tensor inplace(const char* name, const Tensor& self) { return call_inplace(op_named(name), {self}); }

using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);
using UnaryFn = Tensor (*)(const Tensor&);

// The element at flat index i of a row-major `shape`, read from a tensor broadcast to that shape.
double broadcast_at(const std::vector<double>& v, const Shape& from, const Shape& shape, int64_t i) {
  int64_t offset = 0, stride = 1;
  int64_t fd = static_cast<int64_t>(from.size()) - 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d, --fd) {
    const int64_t idx = i % shape[d];
    i /= shape[d];
    if (fd >= 0) {
      if (from[fd] != 1) offset += idx * stride;
      stride *= from[fd];
    }
  }
  return v[static_cast<size_t>(offset)];
}

// A serial reference of a broadcasting binary op, computed in double.
Tensor reference(const std::function<double(double, double)>& f, const Tensor& a, const Tensor& b, DType dtype) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), "reference");
  const std::vector<double> va = test::values(a), vb = test::values(b);
  std::vector<double> out(static_cast<size_t>(checked_numel(shape, "reference")));
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()); ++i)
    out[i] = f(broadcast_at(va, a.shape(), shape, i), broadcast_at(vb, b.shape(), shape, i));
  return make(out, shape, dtype);
}

// Checks op(a, b) == op(contiguous(a), contiguous(b)) exactly.
void check_strided_binary(BinaryFn f, const Tensor& a, const Tensor& b) {
  CHECK_SAME(f(a, b), f(contiguous(a), contiguous(b)), 0);
}

}  // namespace

TEST(arithmetic_values) {
  const Tensor a = make({1, -2, 3.5, 4}, {4}), b = make({2, 4, -0.5, 8}, {4});
  CHECK_VALUES(add(a, b), 0, {3, 2, 3, 12});
  CHECK_VALUES(sub(a, b), 0, {-1, -6, 4, -4});
  CHECK_VALUES(mul(a, b), 0, {2, -8, -1.75, 32});
  CHECK_VALUES(div(a, b), 0, {0.5, -0.5, -7, 0.5});
  CHECK_VALUES(pow(make({-2, 3}, {2}), make({2, 0.5}, {2})), 1e-6, {4, 1.7320508});
  CHECK_VALUES(a + b * a - b / b, 1e-6, {2, -11, 0.75, 35});
}

TEST(broadcasting_matches_a_reference) {
  const Tensor a = uniform({2, 1, 3}, 1), b = uniform({4, 1}, 2);
  const auto plus = [](double x, double y) { return x + y; };
  const auto times = [](double x, double y) { return x * y; };
  CHECK_SHAPE(add(a, b), {2, 4, 3});
  CHECK_SAME(add(a, b), reference(plus, a, b, DType::Float32), 1e-6);
  CHECK_SAME(mul(b, a), reference(times, b, a, DType::Float32), 1e-6);
  CHECK_SAME(sub(a, Tensor::scalar(1.5, DType::Float32)), add(a, -1.5), 0);
  CHECK_SHAPE(add(zeros({0, 3}), ones({3})), {0, 3});
  CHECK_THROWS(add(zeros({2, 3}), zeros({3, 2})), Shape, "add: shapes [2, 3] and [3, 2] cannot be broadcast");
}

TEST(zero_dim_operands) {
  const Tensor s = add(Tensor::scalar(2.0, DType::Float32), Tensor::scalar(3.0, DType::Float32));
  CHECK_SHAPE(s, {});
  CHECK_VALUES(s, 0, {5});
  CHECK_VALUES(mul(Tensor::scalar(2.0, DType::Float32), make({1, 2}, {2})), 0, {2, 4});
  CHECK_VALUES(exp(Tensor::scalar(0.0, DType::Float64)), 0, {1});
  CHECK_SHAPE(exp(zeros({0, 2})), {0, 2});
}

TEST(scalar_operands) {
  const Tensor x = make({1, 2, 4}, {3});
  CHECK_VALUES(add(x, 2), 0, {3, 4, 6});
  CHECK_VALUES(sub(x, 1.5), 0, {-0.5, 0.5, 2.5});
  CHECK_VALUES(mul(x, -2), 0, {-2, -4, -8});
  CHECK_VALUES(div(x, 4), 0, {0.25, 0.5, 1});
  CHECK_VALUES(pow(x, 2), 0, {1, 4, 16});
  CHECK_VALUES(pow(x, 0.5), 1e-6, {1, 1.4142135, 2});
  CHECK_VALUES(pow(x, -1), 0, {1, 0.5, 0.25});
  CHECK_VALUES(pow(x, 3), 0, {1, 8, 64});
  CHECK_VALUES(pow(x, 1.5), 1e-6, {1, 2.8284271, 8});
  CHECK_EQ(add(x, 2).dtype(), DType::Float32);
}

TEST(integer_division_is_true_division) {
  const Tensor i = make({7, -7}, {2}, DType::Int64);
  CHECK_EQ(div(i, make({2, 2}, {2}, DType::Int64)).dtype(), DType::Float32);
  CHECK_VALUES(div(i, 2), 0, {3.5, -3.5});
  CHECK_VALUES(div(make({1, 2, 0}, {3}, DType::Int64), make({0, 0, 0}, {3}, DType::Int64)), 0, {kInf, kInf, kNaN});
}

TEST(integer_arithmetic_stays_integral_and_wraps) {
  const Tensor i = make({3, -4}, {2}, DType::Int64);
  CHECK_EQ(mul(i, i).dtype(), DType::Int64);
  CHECK_VALUES(mul(i, 3), 0, {9, -12});
  const int64_t big = std::numeric_limits<int64_t>::max(), small = std::numeric_limits<int64_t>::min();
  const Tensor edge = from_data(&big, 1, {1}, DType::Int64), low = from_data(&small, 1, {1}, DType::Int64);
  CHECK_EQ(add(edge, 1).data<int64_t>()[0], small);  // torch: tensor([2**63 - 1]) + 1 wraps
  CHECK_EQ(sub(low, 1).data<int64_t>()[0], big);
  CHECK_EQ(neg(low).data<int64_t>()[0], small);
}

TEST(bool_arithmetic) {
  const Tensor b = make({1, 0}, {2}, DType::Bool);
  CHECK_EQ(add(b, b).dtype(), DType::Bool);
  CHECK_VALUES(add(b, b), 0, {1, 0});
  CHECK_VALUES(mul(b, make({1, 1}, {2}, DType::Bool)), 0, {1, 0});
  CHECK_THROWS(sub(b, b), DType, "sub: subtraction, the `-` operator, with a bool tensor is not supported");
  CHECK_THROWS(sub(make({1, 2}, {2}, DType::Int64), b), DType, "with a bool tensor is not supported");
  CHECK_THROWS(neg(b), DType, "neg: not supported for bool tensors");
  CHECK_THROWS(abs(b), DType, "abs: not supported for bool tensors");
  CHECK_THROWS(relu(b), DType, "relu: not supported for bool tensors");
  CHECK_EQ(exp(b).dtype(), DType::Float32);
  CHECK_VALUES(exp(b), 1e-6, {2.7182818, 1});
}

TEST(integer_pow) {
  const Tensor i = make({3, -2, 0}, {3}, DType::Int64);
  CHECK_EQ(pow(i, 2).dtype(), DType::Int64);
  CHECK_VALUES(pow(i, 2), 0, {9, 4, 0});
  CHECK_VALUES(pow(i, 3), 0, {27, -8, 0});
  CHECK_VALUES(pow(i, 0), 0, {1, 1, 1});
  CHECK_EQ(pow(i, 0.5).dtype(), DType::Float32);
  CHECK_VALUES(pow(make({1, 2}, {2}, DType::Int64), 0.5), 1e-6, {1, 1.4142135});
  // Squaring must not overflow on the way: 100000 ** 2 and 2 ** 62 fit in int64.
  CHECK_VALUES(pow(make({100000, 2}, {2}, DType::Int64), 2), 0, {1e10, 4});
  CHECK_EQ(pow(make({2}, {1}, DType::Int64), 62).data<int64_t>()[0], int64_t(1) << 62);
}

TEST(integer_pow_with_negative_exponents) {
  const Tensor i = make({1, 2}, {2}, DType::Int64);
  CHECK_THROWS(pow(i, -1), Argument, "pow: integers to negative integer powers are not allowed");
  CHECK_THROWS(pow(i, -2), Argument, "(exponent -2)");
  // Tensor exponents are allowed: torch.tensor([2, 1, -1, -1]) ** torch.tensor([-1, -2, -1, -2]).
  const Tensor bases = make({2, 1, -1, -1}, {4}, DType::Int64), exponents = make({-1, -2, -1, -2}, {4}, DType::Int64);
  CHECK_VALUES(pow(bases, exponents), 0, {0, 1, -1, 1});
  // ... also a 0-dim or one-element one: torch.tensor([1, 2]) ** torch.tensor(-1) is [1, 0].
  CHECK_VALUES(pow(i, Tensor::scalar(-1, DType::Int64)), 0, {1, 0});
  CHECK_VALUES(pow(make({1, 2, -1, 3}, {4}, DType::Int64), make({-1}, {1}, DType::Int64)), 0, {1, 0, -1, 0});
  // A float exponent or base is fine.
  CHECK_VALUES(pow(i, -1.0), 0, {1, 0.5});
  CHECK_VALUES(pow(make({2, -2}, {2}), -1), 0, {0.5, -0.5});
}

TEST(float_pow_special_values) {
  CHECK_VALUES(pow(make({2, -8, 0}, {3}), 1.0 / 3), 1e-6, {1.2599210, kNaN, 0});
  CHECK_VALUES(pow(make({0}, {1}), 0), 0, {1});
  CHECK_VALUES(pow(make({0}, {1}), -1.0), 0, {kInf});
  CHECK_VALUES(pow(make({-8}, {1}), 3.0), 0, {-512});
  CHECK_VALUES(pow(make({4}, {1}), -0.5), 1e-7, {0.5});
  CHECK_VALUES(pow(make({-kInf}, {1}), 0.5), 0, {kNaN});
}

TEST(unary_math_with_nan_and_inf) {
  const Tensor x = make({kNaN, kInf, -kInf, 0, -0.0, -1}, {6});
  CHECK_VALUES(exp(x), 1e-6, {kNaN, kInf, 0, 1, 1, 0.36787945});
  CHECK_VALUES(log(x), 0, {kNaN, kInf, kNaN, -kInf, -kInf, kNaN});
  CHECK_VALUES(sqrt(x), 0, {kNaN, kInf, kNaN, 0, 0, kNaN});
  CHECK_VALUES(abs(x), 0, {kNaN, kInf, kInf, 0, 0, 1});
  CHECK_VALUES(sigmoid(x), 1e-6, {kNaN, 1, 0, 0.5, 0.5, 0.26894142});
  CHECK_VALUES(tanh(x), 1e-6, {kNaN, 1, -1, 0, 0, -0.76159416});
  CHECK_VALUES(neg(x), 0, {kNaN, -kInf, kInf, 0, 0, 1});
  CHECK_VALUES(relu(make({kNaN, -kInf, kInf, -1, 2}, {5})), 0, {kNaN, 0, kInf, 0, 2});
  CHECK(std::signbit(test::values(neg(make({0}, {1})))[0]));  // -0.0, as torch.neg(torch.tensor([0.]))
}

TEST(unary_dtypes) {
  const Tensor i = make({-1, 2}, {2}, DType::Int64);
  CHECK_EQ(exp(i).dtype(), DType::Float32);
  CHECK_VALUES(exp(make({0, 1}, {2}, DType::Int64)), 1e-6, {1, 2.7182818});
  CHECK_EQ(relu(i).dtype(), DType::Int64);
  CHECK_VALUES(relu(i), 0, {0, 2});
  CHECK_VALUES(abs(make({-3, 4}, {2}, DType::Int64)), 0, {3, 4});
  CHECK_VALUES(neg(i), 0, {1, -2});
  CHECK_EQ(sqrt(make({1, 4}, {2}, DType::Float64)).dtype(), DType::Float64);
}

TEST(comparisons_give_bool) {
  const Tensor a = make({1, 2, 3}, {3}, DType::Int64), b = make({2.5}, {1});
  CHECK_EQ(lt(a, b).dtype(), DType::Bool);
  CHECK_VALUES(lt(a, b), 0, {1, 1, 0});
  CHECK_VALUES(le(a, make({2}, {1}, DType::Int64)), 0, {1, 1, 0});
  CHECK_VALUES(gt(a, b), 0, {0, 0, 1});
  CHECK_VALUES(ge(a, make({2}, {1}, DType::Int64)), 0, {0, 1, 1});
  CHECK_VALUES(eq(a, make({3, 2, 1}, {3})), 0, {0, 1, 0});
  CHECK_VALUES(ne(a, make({3, 2, 1}, {3})), 0, {1, 0, 1});
  const Tensor nan = make({kNaN}, {1});
  CHECK_VALUES(eq(nan, nan), 0, {0});
  CHECK_VALUES(ne(nan, nan), 0, {1});
  CHECK_VALUES(lt(nan, make({1}, {1})), 0, {0});
  CHECK_SHAPE(eq(iota({2, 1}), iota({3})), {2, 3});
  CHECK_VALUES(eq(make({1, 0}, {2}, DType::Bool), make({1, 1}, {2}, DType::Bool)), 0, {1, 0});
}

TEST(where_broadcasts_and_promotes) {
  const Tensor cond = make({1, 0}, {2, 1}, DType::Bool);
  const Tensor w = where(cond, make({1, 2, 3}, {3}, DType::Int64), Tensor::scalar(0.5, DType::Float32));
  CHECK_EQ(w.dtype(), DType::Float32);
  CHECK_SHAPE(w, {2, 3});
  CHECK_VALUES(w, 0, {1, 2, 3, 0.5, 0.5, 0.5});
  CHECK_EQ(where(make({1, 0}, {2}, DType::Bool), make({1, 2}, {2}, DType::Int64), make({1, 2}, {2})).dtype(),
           DType::Float32);
  CHECK_VALUES(where(gt(iota({4}), make({1.5}, {1})), iota({4}), neg(iota({4}))), 0, {0, -1, 2, 3});
  CHECK_THROWS(where(make({1, 0}, {2}, DType::Int64), iota({2}), iota({2})), DType,
               "where: expected condition to be a bool tensor, but got a tensor with dtype int64");
  CHECK_THROWS(where(make({1, 0}, {2}, DType::Bool), iota({3}), iota({3})), Shape, "cannot be broadcast");
}

TEST(strided_inputs_match_contiguous_ones) {
  const Tensor base = uniform({37, 53}, 3), other = uniform({53, 37}, 4);
  const Tensor transposed = t(other);                          // [37, 53], strides [1, 37]
  const Tensor stepped = slice(uniform({37, 106}, 5), 1, 0, 106, 2);  // [37, 53], stride 2 along rows
  const Tensor expanded = expand(uniform({1, 53}, 6), {37, 53});
  const Tensor column = expand(uniform({37, 1}, 7), {37, 53});
  for (BinaryFn f : {BinaryFn(add), BinaryFn(sub), BinaryFn(mul), BinaryFn(div)}) {
    check_strided_binary(f, base, transposed);
    check_strided_binary(f, transposed, base);
    check_strided_binary(f, stepped, transposed);
    check_strided_binary(f, expanded, stepped);
    check_strided_binary(f, column, expanded);
    check_strided_binary(f, transposed, column);
  }
  check_strided_binary(lt, transposed, stepped);
  for (UnaryFn f : {UnaryFn(neg), UnaryFn(exp), UnaryFn(abs), UnaryFn(tanh), UnaryFn(sigmoid), UnaryFn(relu)}) {
    CHECK_SAME(f(transposed), f(contiguous(transposed)), 0);
    CHECK_SAME(f(stepped), f(contiguous(stepped)), 0);
    CHECK_SAME(f(expanded), f(contiguous(expanded)), 0);
  }
  CHECK_SAME(pow(abs(stepped), 1.5), pow(contiguous(abs(stepped)), 1.5), 0);
  const Tensor cond = gt(transposed, Tensor::scalar(0.0, DType::Float32));
  CHECK_SAME(where(cond, stepped, expanded), where(contiguous(cond), contiguous(stepped), contiguous(expanded)), 0);
}

// From 64K elements a transposed or stepped input is copied dense before the kernel (cpu::dense_input): the same
// bits as the contiguous input's, for unary, math and binary kernels, and in-place into a transposed view.
TEST(large_strided_inputs_match_contiguous_ones) {
  const Tensor other = uniform({300, 257}, 8);
  const Tensor transposed = t(other);                                   // [257, 300]
  const Tensor stepped = slice(uniform({257, 600}, 9), 1, 0, 600, 2);  // [257, 300], stride 2
  for (UnaryFn f : {UnaryFn(exp), UnaryFn(sigmoid), UnaryFn(tanh), UnaryFn(sign), UnaryFn(floor), UnaryFn(relu)}) {
    CHECK_SAME(f(transposed), f(contiguous(transposed)), 0);
    CHECK_SAME(f(stepped), f(contiguous(stepped)), 0);
  }
  for (BinaryFn f : {BinaryFn(add), BinaryFn(mul), BinaryFn(div)}) {
    check_strided_binary(f, transposed, stepped);
    check_strided_binary(f, stepped, expand(uniform({1, 300}, 10), {257, 300}));
  }
  Tensor target = t(uniform({300, 257}, 11));
  const Tensor expected = add(contiguous(target), stepped);
  inplace("add", target, stepped);
  CHECK_SAME(target, expected, 0);
}

TEST(where_with_a_scalar_side_matches_the_definition_in_every_width) {
  // Contiguous runs blend bit patterns under a mask (vectorised); a value operand may be a broadcast scalar.
  // 1,000 elements reach the vector loop and its tail; dtypes of 1, 2, 4 and 8 bytes.
  const Tensor cond = gt(uniform({1000}, 11), Tensor::scalar(0.0, DType::Float32));
  const std::vector<double> c = test::values(cond);
  for (DType dt : {DType::Bool, DType::UInt8, DType::Float16, DType::BFloat16, DType::Int32, DType::Float32,
                   DType::Int64, DType::Float64}) {
    const Tensor a = to(mul(uniform({1000}, 12), Tensor::scalar(50.0, DType::Float32)), dt);
    const Tensor b = to(mul(uniform({1000}, 13), Tensor::scalar(50.0, DType::Float32)), dt);
    const Tensor zero = expand(to(Tensor::scalar(7.0, DType::Float32), dt), {1000});
    const std::vector<double> va = test::values(a), vb = test::values(b);
    const double z = test::values(zero)[0];
    for (int variant = 0; variant < 4; ++variant) {
      const bool a_scalar = variant & 1, b_scalar = variant & 2;
      const Tensor w = where(cond, a_scalar ? zero : a, b_scalar ? zero : b);
      const std::vector<double> got = test::values(w);
      for (size_t i = 0; i < got.size(); ++i)
        CHECK_EQ(got[i], c[i] != 0 ? (a_scalar ? z : va[i]) : (b_scalar ? z : vb[i]));
    }
    // masked_fill_ blends into its own operand: the output is the b side itself.
    Tensor filled = contiguous(b);
    masked_fill_(filled, cond, wrapped_scalar(Scalar(7.0)));
    const std::vector<double> got = test::values(filled);
    for (size_t i = 0; i < got.size(); ++i) CHECK_EQ(got[i], c[i] != 0 ? z : vb[i]);
  }
}

TEST(large_tensors_match_a_serial_reference) {
  // 300 x 400 = 120k elements: above the parallel threshold of the kernels.
  const Tensor a = uniform({300, 400}, 8), b = uniform({400}, 9, 0.5, 2.0);
  const auto f = [](double x, double y) { return x * y + x / y; };
  const Tensor want = reference(f, a, b, DType::Float64);
  CHECK_SAME(add(mul(a, b), div(a, b)), want, 1e-5);
  CHECK_SAME(add(mul(t(t(a)), b), div(a, b)), want, 1e-5);
  const Tensor at = contiguous(t(a));  // the same values through a transposed view
  CHECK_SAME(t(add(mul(t(at), b), div(t(at), b))), t(want), 1e-5);
  // Unary and comparison over the large tensor, against the same values computed one by one.
  const std::vector<double> va = test::values(a);
  std::vector<double> e(va.size()), g(va.size());
  for (size_t i = 0; i < va.size(); ++i) {
    e[i] = std::exp(va[i]);
    g[i] = va[i] > 0;
  }
  CHECK_SAME(exp(a), make(e, a.shape(), DType::Float64), 1e-6);
  CHECK_SAME(gt(a, Tensor::scalar(0.0, DType::Float32)), make(g, a.shape(), DType::Bool), 0);
}

TEST(large_results_do_not_depend_on_the_thread_count) {
  const Tensor a = uniform({257, 1031}, 10), b = uniform({1031}, 11);
  Tensor one, two, three;
  {
    ThreadCount threads(1);
    one = tanh(add(mul(t(contiguous(t(a))), b), a));
  }
  {
    ThreadCount threads(2);
    two = tanh(add(mul(t(contiguous(t(a))), b), a));
  }
  {
    ThreadCount threads(3);
    three = tanh(add(mul(t(contiguous(t(a))), b), a));
  }
  CHECK_SAME(one, two, 0);
  CHECK_SAME(one, three, 0);
}

TEST(inplace_binary_writes_into_self) {
  Tensor x = make({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor r = inplace("add", x, make({10, 20, 30}, {3}));
  CHECK(r.same(x));
  CHECK_VALUES(x, 0, {11, 22, 33, 14, 25, 36});
  inplace("mul", x, Tensor::scalar(2.0, DType::Float32));
  CHECK_VALUES(x, 0, {22, 44, 66, 28, 50, 72});
  inplace("sub", x, make({2, 4, 6, 8, 10, 12}, {2, 3}, DType::Int64));  // an int operand is cast up
  CHECK_VALUES(x, 0, {20, 40, 60, 20, 40, 60});
  inplace("div", x, make({20}, {1}));
  CHECK_VALUES(x, 0, {1, 2, 3, 1, 2, 3});
  Tensor i = make({1, 2}, {2}, DType::Int64);
  inplace("mul", i, make({3, 4}, {2}, DType::Int64));
  CHECK_VALUES(i, 0, {3, 8});
  inplace("add", i, make({1, 0}, {2}, DType::Bool));
  CHECK_VALUES(i, 0, {4, 8});
  // A wider result is narrowed into self: float32 += float64 (torch allows it, the result stays float32).
  Tensor f = make({1, 2}, {2});
  inplace("add", f, make({0.5, 0.25}, {2}, DType::Float64));
  CHECK_EQ(f.dtype(), DType::Float32);
  CHECK_VALUES(f, 0, {1.5, 2.25});
}

TEST(inplace_into_a_strided_view_updates_the_base) {
  Tensor base = zeros({2, 3});
  inplace("add", t(base), make({1, 2, 3, 4, 5, 6}, {3, 2}));  // t(base)[i][j] = base[j][i]
  CHECK_VALUES(base, 0, {1, 3, 5, 2, 4, 6});
  inplace("neg", slice(base, 1, 0, 3, 2));
  CHECK_VALUES(base, 0, {-1, 3, -5, -2, 4, -6});
  inplace("exp", narrow(base, 0, 0, 1));
  CHECK_VALUES(base, 1e-6, {0.36787945, 20.085537, 0.0067379470, -2, 4, -6});
}

TEST(inplace_errors) {
  CHECK_THROWS(inplace("add", zeros({3}), ones({2, 3})), Shape,
               "add: output with shape [3] doesn't match the broadcast shape [2, 3]");
  const Tensor ints = make({1, 2}, {2}, DType::Int64);
  CHECK_THROWS(inplace("add", ints, make({0.5, 1}, {2})), DType,
               "add: result type float32 can't be cast to the desired output type int64");
  CHECK_THROWS(inplace("div", ints, ints), DType,
               "div: result type float32 can't be cast to the desired output type int64");
  CHECK_THROWS(inplace("exp", ints), DType, "exp: result type float32 can't be cast to the desired output type int64");
  CHECK_THROWS(inplace("add", make({1, 0}, {2}, DType::Bool), ints), DType,
               "can't be cast to the desired output type bool");
  CHECK_THROWS(inplace("add", expand(ones({3}), {2, 3}), ones({2, 3})), Argument,
               "more than one element of the written-to tensor refers to a single memory location");
  CHECK_THROWS(call_inplace(op_named("where"), {make({1}, {1}, DType::Bool), ones({1}), ones({1})}), NotImplemented,
               "where_: the op has no in-place form");
  CHECK_VALUES(ints, 0, {1, 2});  // nothing was written
}

TEST(inplace_with_aliased_operands) {
  // x += x.t() reads the original values of x, not those already written.
  Tensor x = iota({3, 3});
  inplace("add", x, t(x));
  CHECK_VALUES(x, 0, {0, 4, 8, 4, 8, 12, 8, 12, 16});
  // Overlapping shifted views: a[1:] += a[:-1] with the values from before the write.
  Tensor a = iota({6});
  inplace("add", slice(a, 0, 1, 6), slice(a, 0, 0, 5));
  CHECK_VALUES(a, 0, {0, 1, 3, 5, 7, 9});
  // An expanded row of x read while x is written: every row gets the original first row.
  Tensor m = iota({3, 2});
  inplace("add", m, expand(narrow(m, 0, 0, 1), {3, 2}));
  CHECK_VALUES(m, 0, {0, 2, 2, 4, 4, 6});
  // copy_ between overlapping views copies the values from before the write.
  Tensor c = iota({6});
  Tensor tail = slice(c, 0, 1, 6);
  copy_(tail, slice(c, 0, 0, 5));
  CHECK_VALUES(c, 0, {0, 0, 1, 2, 3, 4});
  // The same tensor on both sides.
  Tensor y = make({1, 2, 3}, {3});
  inplace("mul", y, y);
  CHECK_VALUES(y, 0, {1, 4, 9});
  // A large aliased case takes the parallel path.
  Tensor big = uniform({400, 400}, 12);
  const Tensor want = add(big, t(big));
  inplace("add", big, t(big));
  CHECK_SAME(big, want, 0);
}

TEST(inplace_bumps_the_version_counter) {
  Tensor x = ones({2, 2});
  const uint32_t v0 = x.storage()->version();
  (void)add(x, x);  // out-of-place: no write to x
  CHECK_EQ(x.storage()->version(), v0);
  inplace("add", x, x);
  CHECK_EQ(x.storage()->version(), v0 + 1);
  inplace("relu", t(x));  // through a view: same storage, same counter
  CHECK_EQ(x.storage()->version(), v0 + 2);
  fill_(x, 3.0);
  zero_(x);
  copy_(x, ones({2}));
  CHECK_EQ(x.storage()->version(), v0 + 5);
  CHECK_VALUES(x, 0, {1, 1, 1, 1});
  // A refused write does not count.
  CHECK_THROWS(inplace("add", x, ones({3})), Shape, "cannot be broadcast");
  CHECK_EQ(x.storage()->version(), v0 + 5);
}

namespace {

// Checks that got equals slice_op(start, length) over consecutive pieces of `piece` elements.
void check_by_pieces(const Tensor& got, int64_t piece, const std::function<Tensor(int64_t, int64_t)>& slice_op) {
  for (int64_t s = 0; s < got.numel(); s += piece) {
    const int64_t len = std::min(piece, got.numel() - s);
    CHECK_SAME(narrow(got, 0, s, len), slice_op(s, len), 0);
  }
}

// gelu's gradient at x for the output gradient g.
Tensor gelu_grad(const Tensor& x, const Tensor& g) {
  Tensor xs = clone(x);
  set_requires_grad(xs, true);
  backward({gelu(xs)}, {g});
  return grad(xs);
}

}  // namespace

TEST(outputs_larger_than_the_cache_are_streamed_with_the_same_bits) {
  // Outputs of at least the last-level cache's size are computed in pieces and stored with streaming stores
  // (cpu/stream_store.h), costly kernels (exp, atan2, gelu and its gradient) in smaller pieces than cheap ones;
  // every element must come out as it does for a small output, the op computed on slices far below that size.
  const int64_t threshold = cpu::stream_threshold_bytes();
  if (threshold > (int64_t(256) << 20)) return;  // not on this architecture, or a cache too large to test cheaply
  const int64_t n = threshold / 4 + 4099;  // float32: above the threshold, with a ragged tail
  const int64_t piece = int64_t(1) << 20;
  const auto by_pieces = [&](const Tensor& got, const std::function<Tensor(int64_t, int64_t)>& slice_op) {
    check_by_pieces(got, piece, slice_op);
  };
  const Tensor a = uniform({n}, 21), b = uniform({n}, 22, 0.5, 2.0), c = uniform({n}, 23);
  const auto A = [&](int64_t s, int64_t len) { return narrow(a, 0, s, len); };
  const auto B = [&](int64_t s, int64_t len) { return narrow(b, 0, s, len); };
  const auto C = [&](int64_t s, int64_t len) { return narrow(c, 0, s, len); };
  by_pieces(add(a, b), [&](int64_t s, int64_t len) { return add(A(s, len), B(s, len)); });
  by_pieces(exp(a), [&](int64_t s, int64_t len) { return exp(A(s, len)); });
  by_pieces(floor(mul(a, 10.0)), [&](int64_t s, int64_t len) { return floor(mul(A(s, len), 10.0)); });
  by_pieces(atan2(a, b), [&](int64_t s, int64_t len) { return atan2(A(s, len), B(s, len)); });
  by_pieces(gelu(a), [&](int64_t s, int64_t len) { return gelu(A(s, len)); });
  by_pieces(addcmul(a, b, c, Scalar(0.5)), [&](int64_t s, int64_t len) { return addcmul(A(s, len), B(s, len), C(s, len), Scalar(0.5)); });
  by_pieces(where(gt(a, c), a, b), [&](int64_t s, int64_t len) { return where(gt(A(s, len), C(s, len)), A(s, len), B(s, len)); });
  const Tensor filled = full({n}, Scalar(2.5), DType::Float32);
  by_pieces(filled, [&](int64_t, int64_t len) { return full({len}, Scalar(2.5), DType::Float32); });
  // float64 elements, and an activation's gradient.
  const Tensor a64 = to(a, DType::Float64), b64 = to(b, DType::Float64);
  by_pieces(mul(a64, b64), [&](int64_t s, int64_t len) { return mul(to(A(s, len), DType::Float64), to(B(s, len), DType::Float64)); });
  by_pieces(gelu_grad(a, b), [&](int64_t s, int64_t len) { return gelu_grad(A(s, len), B(s, len)); });
  // float16, computed in float32 by chunks (cpu/float32_chunks.h): twice the elements for as many bytes.
  const Tensor h = to(cat({a, b}), DType::Float16), h2 = to(cat({c, a}), DType::Float16);
  by_pieces(mul(h, h2), [&](int64_t s, int64_t len) { return mul(narrow(h, 0, s, len), narrow(h2, 0, s, len)); });
  by_pieces(exp(h), [&](int64_t s, int64_t len) { return exp(narrow(h, 0, s, len)); });
  // In place into a view whose first element is not on a 64-byte boundary: the head is stored as usual.
  Tensor base = clone(narrow(cat({a, a}), 0, 0, n + 1));
  const Tensor before = clone(base), view = narrow(base, 0, 1, n);
  inplace("add", view, b);
  by_pieces(view, [&](int64_t s, int64_t len) { return add(narrow(before, 0, 1 + s, len), B(s, len)); });
  CHECK_SAME(narrow(base, 0, 0, 1), narrow(before, 0, 0, 1), 0);
  // The same bits at any thread count.
  Tensor one;
  {
    ThreadCount threads(1);
    one = add(a, b);
  }
  ThreadCount threads(3);
  CHECK_SAME(add(a, b), one, 0);
}

TEST(long_runs_are_computed_in_prefetched_blocks_with_the_same_bits) {
  // Runs of ops with outputs from cpu::kPrefetchFromBytes up are cut into blocks that prefetch their inputs
  // (cpu/loop.h); each element must come out as it does in a small op, computed on slices below that size whose
  // lengths are not multiples of a block. Covered: a ragged tail, costly and cheap kernels, a bool output (blocks
  // of more elements), a broadcast input, an input that starts off a 64-byte boundary, and a gradient.
  const int64_t n = cpu::kPrefetchFromBytes / 4 + 1037;
  const int64_t piece = 4099;
  const auto by_pieces = [&](const Tensor& got, const std::function<Tensor(int64_t, int64_t)>& slice_op) {
    check_by_pieces(got, piece, slice_op);
  };
  const Tensor a = uniform({n}, 31), b = uniform({n}, 32, 0.5, 2.0), scale = uniform({1}, 33);
  const Tensor shifted = narrow(uniform({n + 1}, 34), 0, 1, n);
  const auto A = [&](int64_t s, int64_t len) { return narrow(a, 0, s, len); };
  const auto B = [&](int64_t s, int64_t len) { return narrow(b, 0, s, len); };
  by_pieces(gelu(a), [&](int64_t s, int64_t len) { return gelu(A(s, len)); });
  by_pieces(exp(shifted), [&](int64_t s, int64_t len) { return exp(narrow(shifted, 0, s, len)); });
  by_pieces(sub(a, b), [&](int64_t s, int64_t len) { return sub(A(s, len), B(s, len)); });
  by_pieces(mul(a, scale), [&](int64_t s, int64_t len) { return mul(A(s, len), scale); });
  by_pieces(gt(a, b), [&](int64_t s, int64_t len) { return gt(A(s, len), B(s, len)); });
  by_pieces(gelu_grad(a, b), [&](int64_t s, int64_t len) { return gelu_grad(A(s, len), B(s, len)); });
}
