// mv, dot, outer, addmm/addmv/baddbmm, linear and einsum against compositions of mm/bmm/matmul (tested in
// test_matmul.cpp): dtypes, strided and broadcast operands, beta == 0, empty sizes, gradients, errors.
#include <cmath>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::make;
using test::small_ints;
using test::uniform;

namespace {

double tolerance(DType t) { return t == DType::Float32 ? 1e-5 : t == DType::Float64 ? 1e-12 : 0; }

Tensor operand(const Shape& shape, int64_t seed, DType t) {
  return t == DType::Int64 ? small_ints(shape, seed) : uniform(shape, static_cast<uint64_t>(seed), -1, 1, t);
}

constexpr DType kDTypes[] = {DType::Float32, DType::Float64, DType::Int64};

Tensor leaf(const Shape& shape, uint64_t seed) {
  Tensor t = uniform(shape, seed, -1, 1, DType::Float64);
  return set_requires_grad(t, true);
}

}  // namespace

TEST(mv_dot_outer_match_matmul) {
  for (DType t : kDTypes) {
    const Tensor a = operand({4, 5}, 1, t), v = operand({5}, 2, t), w = operand({4}, 3, t);
    CHECK_SAME(mv(a, v), matmul(a, v), tolerance(t));
    CHECK_SAME(mv(kiln::t(operand({5, 4}, 4, t)), v), matmul(kiln::t(operand({5, 4}, 4, t)), v), tolerance(t));
    CHECK_SAME(dot(v, v), matmul(v, v), tolerance(t));
    CHECK_SAME(outer(w, v), mul(unsqueeze(w, 1), v), 0);
  }
  const Tensor stepped = slice(uniform({10}, 5), 0, 0, 10, 2);  // stride 2
  CHECK_SAME(dot(stepped, stepped), matmul(contiguous(stepped), contiguous(stepped)), 1e-6);
  CHECK_SAME(mv(uniform({3, 5}, 6), stepped), matmul(uniform({3, 5}, 6), contiguous(stepped)), 1e-6);
  CHECK_VALUES(dot(zeros({0}), zeros({0})), 0, {0});
  CHECK_SHAPE(mv(zeros({0, 3}), zeros({3})), {0});
  CHECK_VALUES(mv(zeros({2, 0}), zeros({0})), 0, {0, 0});
}

// A dot of 64K elements and up runs in fixed blocks over the pool (double sums): against a double reference,
// strided, through mm of a row by a column, and the same bits on one thread.
TEST(long_dot_products_match_a_double_reference) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    const int64_t n = 300007;
    const Tensor x = to(uniform({n}, 12), dt), y = to(uniform({2 * n}, 13), dt);
    const Tensor ys = slice(y, 0, 0, 2 * n, 2);
    const Tensor x64 = contiguous(to(x, DType::Float64)), y64 = contiguous(to(ys, DType::Float64));
    double want = 0;
    for (int64_t i = 0; i < n; ++i) want += x64.data<double>()[i] * y64.data<double>()[i];
    const double got = item(dot(x, ys));
    CHECK(std::fabs(got - want) <= (dt == DType::Float32 ? 1e-6 : 1e-12) * std::fabs(want) + 1e-9);
    CHECK_SAME(mm(unsqueeze(x, 0), unsqueeze(ys, 1)), reshape(dot(x, ys), {1, 1}), 0);
    Tensor on_one;
    {
      test::ThreadCount one(1);
      on_one = dot(x, ys);
    }
    CHECK_SAME(on_one, dot(x, ys), 0);
  }
}

TEST(addmm_family_scales_and_broadcasts) {
  for (DType t : kDTypes) {
    const double beta = 2, alpha = t == DType::Int64 ? 3 : 0.5;
    const Tensor a = operand({3, 4}, 1, t), b = operand({4, 2}, 2, t), in = operand({2}, 3, t);
    CHECK_SAME(addmm(in, a, b, beta, alpha), add(mul(in, Scalar(beta)), mul(mm(a, b), Scalar(alpha))), tolerance(t));
    CHECK_SAME(addmm(in, a, b), add(in, mm(a, b)), tolerance(t));
    const Tensor v = operand({4}, 4, t), iv = operand({3}, 5, t);
    CHECK_SAME(addmv(iv, a, v, beta, alpha), add(mul(iv, Scalar(beta)), mul(mv(a, v), Scalar(alpha))), tolerance(t));
    const Tensor ba = operand({2, 3, 4}, 6, t), bb = operand({2, 4, 5}, 7, t), bi = operand({3, 1}, 8, t);
    CHECK_SAME(baddbmm(bi, ba, bb, beta, alpha), add(mul(bi, Scalar(beta)), mul(bmm(ba, bb), Scalar(alpha))),
               tolerance(t));
  }
  // integer tensors truncate beta and alpha, as PyTorch converts them
  CHECK_VALUES(addmm(ones({1}, DType::Int64), ones({1, 2}, DType::Int64), ones({2, 1}, DType::Int64), 2.7, 1.5), 0, {4});
  // beta == 0: the input's values, NaN included, are ignored
  const Tensor nan_in = full({3, 2}, Scalar(std::nan("")), DType::Float32);
  const Tensor a = uniform({3, 4}, 9), b = uniform({4, 2}, 10);
  CHECK_SAME(addmm(nan_in, a, b, 0, 1), mm(a, b), 1e-6);
  // an empty inner dim: beta * input
  CHECK_VALUES(addmm(ones({2, 2}), zeros({2, 0}), zeros({0, 2}), 3, 1), 0, {3, 3, 3, 3});
  // transposed operands are read in place
  CHECK_SAME(addmm(zeros({4}), kiln::t(a), uniform({3, 4}, 11)), mm(kiln::t(a), uniform({3, 4}, 11)), 1e-6);
}

TEST(linear_is_one_gemm_over_leading_dims) {
  for (DType t : kDTypes) {
    const Tensor x = operand({2, 3, 4}, 1, t), w = operand({5, 4}, 2, t), b = operand({5}, 3, t);
    CHECK_SAME(linear(x, w, b), add(matmul(x, kiln::t(w)), b), tolerance(t));
    CHECK_SAME(linear(x, w), matmul(x, kiln::t(w)), tolerance(t));
    CHECK_SAME(linear(operand({4}, 4, t), w, b), add(matmul(operand({4}, 4, t), kiln::t(w)), b), tolerance(t));
  }
  const Tensor xt = transpose(uniform({4, 3, 2}, 5), 0, 2);  // [2, 3, 4], not viewable as rows: copied once
  const Tensor w = uniform({6, 4}, 6), b = uniform({6}, 7);
  CHECK_SAME(linear(xt, w, b), add(matmul(contiguous(xt), kiln::t(w)), b), 1e-6);
  CHECK_SAME(linear(uniform({3, 4}, 8), kiln::t(uniform({4, 6}, 9)), b), add(mm(uniform({3, 4}, 8), uniform({4, 6}, 9)), b), 1e-6);
  CHECK_SHAPE(linear(zeros({0, 4}), w, b), {0, 6});
  CHECK_SAME(linear(zeros({2, 0}), zeros({3, 0}), ones({3})), ones({2, 3}), 0);
}

TEST(linear_gradients_match_the_composition) {
  const Tensor x = leaf({2, 3, 4}, 1), w = leaf({5, 4}, 2), b = leaf({5}, 3);
  const Tensor g = uniform({2, 3, 5}, 4, -1, 1, DType::Float64);
  backward({linear(x, w, b)}, {g});
  const Tensor gx = grad(x), gw = grad(w), gb = grad(b);
  for (const Tensor* p : {&x, &w, &b}) set_grad(*p, Tensor());
  backward({add(matmul(x, kiln::t(w)), b)}, {g});
  CHECK_SAME(gx, grad(x), 1e-12);
  CHECK_SAME(gw, grad(w), 1e-12);
  CHECK_SAME(gb, grad(b), 1e-12);
  CHECK_EQ(grad_fn_name(linear(x, w, b)), std::string("LinearBackward0"));
}

TEST(einsum_equations) {
  for (DType t : {DType::Float32, DType::Float64}) {
    const double tol = tolerance(t);
    const Tensor a = operand({3, 4}, 1, t), b = operand({4, 5}, 2, t);
    CHECK_SAME(einsum("ij,jk->ik", {a, b}), mm(a, b), tol);
    CHECK_SAME(einsum("ij,jk", {a, b}), mm(a, b), tol);  // implicit output
    const Tensor ba = operand({2, 3, 4}, 3, t), bb = operand({2, 4, 5}, 4, t);
    CHECK_SAME(einsum("bij,bjk->bik", {ba, bb}), bmm(ba, bb), tol);
    const Tensor q = operand({2, 3, 5, 4}, 5, t), k = operand({2, 3, 6, 4}, 6, t), v = operand({2, 3, 6, 4}, 7, t);
    const Tensor s = einsum("bhqd,bhkd->bhqk", {q, k});
    CHECK_SAME(s, matmul(q, transpose(k, 2, 3)), tol);
    CHECK_SAME(einsum("bhqk,bhkd->bhqd", {s, v}), matmul(s, v), tol);
    const Tensor x = operand({3}, 8, t), y = operand({4}, 9, t);
    CHECK_SAME(einsum("i,j->ij", {x, y}), outer(x, y), 0);
    CHECK_SAME(einsum("ij->ji", {a}), kiln::t(a), 0);
    const Tensor sq = operand({4, 4}, 10, t);
    std::vector<double> diag, sv = test::values(sq);
    for (int i = 0; i < 4; ++i) diag.push_back(sv[i * 5]);
    CHECK_SAME(einsum("ii->i", {sq}), make(diag, {4}, DType::Float64), tol);
    CHECK_SAME(einsum("ii", {sq}), sum(make(diag, {4}, DType::Float64)), tol);  // the trace
    CHECK_SAME(einsum("ii->", {sq}), sum(make(diag, {4}, DType::Float64)), tol);
    CHECK_SAME(einsum("ij->", {a}), sum(a), tol);
    CHECK_SAME(einsum("ij->j", {a}), sum(a, {0}), tol);
    const Tensor e1 = operand({2, 1, 3, 4}, 11, t), e2 = operand({5, 4, 6}, 12, t);
    CHECK_SAME(einsum("...ij,...jk->...ik", {e1, e2}), matmul(e1, e2), tol);
    CHECK_SAME(einsum("...ij,jk", {e1, b}), matmul(e1, b), tol);
    CHECK_SAME(einsum("i,i->", {x, x}), dot(x, x), tol);
    CHECK_SAME(einsum("ij,ij->ij", {a, a}), mul(a, a), 0);
    CHECK_SAME(einsum("ij,ij->i", {a, a}), sum(mul(a, a), {1}), tol);
    CHECK_SAME(einsum("ij,jk,kl->il", {a, b, operand({5, 2}, 13, t)}), mm(mm(a, b), operand({5, 2}, 13, t)), 1e-4);
    CHECK_SAME(einsum("bij->j", {ba}), sum(ba, {0, 1}), tol);
    CHECK_SAME(einsum("i j , j k -> i k", {a, b}), mm(a, b), tol);  // spaces are ignored
    CHECK_SAME(einsum("Ab,bc->Ac", {a, b}), mm(a, b), tol);
  }
  // a diagonal ignores what lies off it, infinities included
  const Tensor m = make({1, INFINITY, NAN, 2}, {2, 2});
  CHECK_VALUES(einsum("ii->i", {m}), 0, {1, 2});
  // broadcasting of size-1 dims
  CHECK_SAME(einsum("ij,jk->ik", {uniform({3, 1}, 14), uniform({1, 5}, 15)}), mm(uniform({3, 1}, 14), uniform({1, 5}, 15)), 1e-6);
  CHECK_SAME(einsum("bij,bjk->bik", {uniform({1, 2, 3}, 16), uniform({4, 3, 2}, 17)}),
             matmul(uniform({1, 2, 3}, 16), uniform({4, 3, 2}, 17)), 1e-6);
  CHECK_SHAPE(einsum("ij,jk->ik", {zeros({0, 3}), zeros({3, 2})}), {0, 2});
  CHECK_VALUES(einsum("ij,jk->ik", {zeros({2, 0}), zeros({0, 2})}), 0, {0, 0, 0, 0});
}

TEST(einsum_gradients_match_matmul) {
  const Tensor a = leaf({2, 3, 4}, 1), b = leaf({2, 4, 5}, 2);
  const Tensor g = uniform({2, 3, 5}, 3, -1, 1, DType::Float64);
  backward({einsum("bij,bjk->bik", {a, b})}, {g});
  const Tensor ga = grad(a), gb = grad(b);
  set_grad(a, Tensor());
  set_grad(b, Tensor());
  backward({bmm(a, b)}, {g});
  CHECK_SAME(ga, grad(a), 1e-12);
  CHECK_SAME(gb, grad(b), 1e-12);
  const Tensor sq = leaf({3, 3}, 4);
  backward({einsum("ii->", {sq})});
  CHECK_VALUES(grad(sq), 0, {1, 0, 0, 0, 1, 0, 0, 0, 1});
}

TEST(linalg_errors_name_the_op_and_shapes) {
  const Tensor a = zeros({2, 3}), b = zeros({4, 2}), v = zeros({4});
  CHECK_THROWS(mv(a, v), Shape, "mv: size mismatch, got matrix [2, 3] and vector [4]");
  CHECK_THROWS(mv(v, v), Shape, "mv: expected a 2-D matrix");
  CHECK_THROWS(dot(v, zeros({3})), Shape, "dot: shapes [4] and [3]");
  CHECK_THROWS(dot(a, a), Shape, "dot: expected 1-D tensors");
  CHECK_THROWS(dot(v, zeros({4}, DType::Float64)), DType, "dot: expected both operands to have the same dtype");
  CHECK_THROWS(outer(a, v), Shape, "outer: expected 1-D");
  CHECK_THROWS(addmm(zeros({2}), a, b), Shape, "addmm: shapes [2, 3] and [4, 2] cannot be multiplied");
  CHECK_THROWS(addmm(zeros({3}), a, zeros({3, 2})), Shape, "addmm: shapes [3] and [2, 2] cannot be broadcast");
  CHECK_THROWS(addmm(zeros({3, 2, 2}), a, zeros({3, 2})), Shape, "addmm: the input of shape [3, 2, 2] cannot be broadcast");
  CHECK_THROWS(addmm(zeros({2}, DType::Float64), a, zeros({3, 2})), DType, "addmm: expected all operands");
  CHECK_THROWS(addmv(zeros({2}), a, v), Shape, "addmv: size mismatch");
  CHECK_THROWS(baddbmm(zeros({1}), zeros({2, 2, 3}), zeros({3, 3, 2})), Shape, "baddbmm: batch sizes");
  CHECK_THROWS(linear(a, zeros({5, 4})), Shape, "linear: input of shape [2, 3] and weight of shape [5, 4]");
  CHECK_THROWS(linear(a, zeros({3})), Shape, "linear: the weight must be 2-D");
  CHECK_THROWS(linear(a, zeros({5, 3}), zeros({4})), Shape, "linear: shapes [4] and [2, 5] cannot be broadcast");
  CHECK_THROWS(linear(zeros({}), zeros({5, 3})), Shape, "linear: the input must have at least 1 dimension");
  CHECK_THROWS(einsum("ij,jk->ik", {a}), Argument, "einsum: the equation 'ij,jk->ik' names 2 operands but 1");
  CHECK_THROWS(einsum("ij,jk->ik", {a, b}), Shape, "einsum: operand 1 of shape [4, 2] has size 4 for subscript j");
  CHECK_THROWS(einsum("ijk->i", {a}), Shape, "einsum: operand 0 of shape [2, 3] has 2 dims");
  CHECK_THROWS(einsum("i1->i", {a}), Argument, "einsum: invalid subscript '1'");
  CHECK_THROWS(einsum("ij->k", {a}), Argument, "einsum: output subscript k does not appear");
  CHECK_THROWS(einsum("ij->ii", {a}), Argument, "einsum: output subscript i appears more than once");
  CHECK_THROWS(einsum("ii->i", {a}), Shape, "einsum: subscript i is repeated for operand 0 but the sizes don't match");
  CHECK_THROWS(einsum("i..j.->i", {a}), Argument, "einsum: found '.' at index 1");
  CHECK_THROWS(einsum("ij", {}), Argument, "einsum: must provide at least one operand");
  CHECK_THROWS(einsum("ij,jk", {a, zeros({3, 2}, DType::Float64)}), DType, "einsum: expected all operands");
}

TEST(products_do_not_depend_on_the_thread_count) {
  // One large product runs in fixed blocks of columns (rows when tall) over the pool, a batch of products is
  // claimed product by product, OpenBLAS always single-threaded: 1 and 2 threads agree bitwise (OpenBLAS's
  // Haswell kernels give different bits for different partitions, so the blocks must not depend on threads).
  const Tensor a = uniform({300, 200}, 1), b = uniform({200, 700}, 2), tall = uniform({900, 200}, 3);
  const Tensor ba = uniform({6, 60, 50}, 4), bb = uniform({6, 50, 70}, 5);
  TensorList one, two;
  for (int threads : {1, 2}) {
    test::ThreadCount tc(threads);
    TensorList r = {mm(a, b), mm(tall, kiln::t(uniform({40, 200}, 6))), bmm(ba, bb), linear(a, kiln::t(b)),
                    conv2d(uniform({1, 16, 40, 40}, 7), uniform({32, 16, 3, 3}, 8))};  // one sample: split GEMMs
    (threads == 1 ? one : two) = r;
  }
  for (size_t i = 0; i < one.size(); ++i) CHECK_SAME(one[i], two[i], 0);
}
