// mm, bmm and matmul against a naive reference: dtypes, strided/1-D/broadcast operands, empty sizes, errors.
#include "fixtures.h"

using namespace kiln;
using test::iota;
using test::make;
using test::small_ints;
using test::uniform;

namespace {

// The flat index in `from` of flat index i of `to`, where `from` broadcasts to `to` (right-aligned).
int64_t broadcast_index(const Shape& from, const Shape& to, int64_t i) {
  int64_t index = 0, stride = 1;
  for (int64_t d = static_cast<int64_t>(to.size()) - 1, fd = static_cast<int64_t>(from.size()) - 1; d >= 0; --d, --fd) {
    const int64_t idx = i % to[d];
    i /= to[d];
    if (fd >= 0) {
      if (from[fd] != 1) index += idx * stride;
      stride *= from[fd];
    }
  }
  return index;
}

// torch.matmul by its definition, in double (int64 results stay exact for small values).
Tensor ref_matmul(const Tensor& a, const Tensor& b) {
  Shape sa = a.shape(), sb = b.shape();
  if (a.dim() == 1) sa.insert(sa.begin(), 1);
  if (b.dim() == 1) sb.push_back(1);
  const int64_t n = sa[sa.size() - 2], k = sa.back(), m = sb.back();
  const Shape ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2);
  const Shape batch = broadcast_shapes(ba, bb, "ref_matmul");
  const int64_t nb = checked_numel(batch, "ref_matmul");
  const std::vector<double> va = test::values(a), vb = test::values(b);
  std::vector<double> out(static_cast<size_t>(nb * n * m), 0.0);
  for (int64_t bi = 0; bi < nb; ++bi) {
    const int64_t ia = broadcast_index(ba, batch, bi), ib = broadcast_index(bb, batch, bi);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p) s += va[(ia * n + i) * k + p] * vb[(ib * k + p) * m + j];
        out[(bi * n + i) * m + j] = s;
      }
  }
  Shape out_shape = batch;
  if (a.dim() > 1) out_shape.push_back(n);
  if (b.dim() > 1) out_shape.push_back(m);
  return make(out, out_shape, a.dtype() == DType::Int64 ? DType::Int64 : DType::Float64);
}

double tolerance(DType t) { return t == DType::Float32 ? 1e-5 : t == DType::Float64 ? 1e-12 : 0; }

// Operands of a dtype with values that are exact in every dtype's arithmetic when integral.
Tensor operand(const Shape& shape, int64_t seed, DType t) {
  return t == DType::Int64 ? test::small_ints(shape, seed) : uniform(shape, static_cast<uint64_t>(seed), -1, 1, t);
}

constexpr DType kDTypes[] = {DType::Float32, DType::Float64, DType::Int64};

}  // namespace

TEST(mm_matches_the_reference) {
  for (DType t : kDTypes) {
    const Tensor a = operand({5, 7}, 1, t), b = operand({7, 3}, 2, t);
    const Tensor c = mm(a, b);
    CHECK_EQ(c.dtype(), t);
    CHECK_SAME(c, ref_matmul(a, b), tolerance(t));
    CHECK_SAME(matmul(a, b), c, 0);
  }
  CHECK_VALUES(mm(make({1, 2, 3, 4}, {2, 2}), make({5, 6, 7, 8}, {2, 2})), 0, {19, 22, 43, 50});
}

TEST(mm_of_larger_matrices) {
  const Tensor a = uniform({200, 300}, 3), b = uniform({300, 150}, 4);
  CHECK_SAME(mm(a, b), ref_matmul(a, b), 1e-5);
  const Tensor ai = small_ints({60, 70}, 5), bi = small_ints({70, 80}, 6);
  CHECK_SAME(mm(ai, bi), ref_matmul(ai, bi), 0);
}

// Large products run in blocks claimed by the pool's threads: row blocks when C is tall (1024 rows or more; blocks
// of 512 rows, of 1024 from 2048 rows), column blocks otherwise, with ragged last blocks and transposed operands.
// The blocks depend on the shape only, so every thread count gives the same bits.
// matmul(a, b) on 1 and 3 threads: the same bits, and the reference's values.
static void check_at_any_thread_count(const Tensor& a, const Tensor& b, DType t, double tol = -1) {
  Tensor one, many;
  {
    test::ThreadCount tc(1);
    one = matmul(a, b);
  }
  {
    test::ThreadCount tc(3);
    many = matmul(a, b);
  }
  CHECK_SAME(one, many, 0);
  CHECK_SAME(one, ref_matmul(contiguous(a), contiguous(b)), tol < 0 ? tolerance(t) : tol);
}

TEST(blocked_products_match_the_reference_at_any_thread_count) {
  for (DType t : {DType::Float32, DType::Float64}) {
    const Tensor tall_a = operand({1100, 40}, 40, t), tall_b = operand({40, 300}, 41, t);
    const Tensor wide_a = operand({60, 200}, 42, t), wide_b = operand({200, 1500}, 43, t);
    const Tensor tall_at = kiln::t(operand({40, 1100}, 44, t)), wide_bt = kiln::t(operand({1500, 200}, 45, t));
    // A side of 65 to 128 splits in blocks of 64 (a batch of 64 times a 128-wide layer): by columns and by rows.
    const Tensor small_a = operand({64, 1000}, 46, t), small_bt = kiln::t(operand({100, 1000}, 47, t));
    const Tensor rows_a = operand({120, 300}, 48, t), rows_b = operand({300, 64}, 49, t);
    const Tensor taller_a = operand({2100, 40}, 60, t);  // from 2048 rows, blocks of 1024 (a ragged third)
    const std::pair<Tensor, Tensor> products[] = {{tall_a, tall_b},     {tall_at, tall_b},   {wide_a, wide_b},
                                                  {wide_a, wide_bt},    {small_a, small_bt}, {rows_a, rows_b},
                                                  {taller_a, tall_b}};
    for (const auto& [a, b] : products) check_at_any_thread_count(a, b, t);
  }
}

// A long inner dim and a small C (weight gradients) is split along k in chunks fixed by the shape, C taking
// the first chunk's product and the others' added in order (matmul.cpp: k_splits): A^T B, A B and A B^T, chunk
// edges that do not divide k, and alpha and beta through addmm. Sums of thousands of float32 products: 1e-4.
TEST(long_inner_dims_split_along_k_match_the_reference_at_any_thread_count) {
  for (DType t : {DType::Float32, DType::Float64}) {
    const double tol = t == DType::Float32 ? 1e-4 : 1e-12;
    const std::pair<Tensor, Tensor> products[] = {
        {kiln::t(operand({2500, 130}, 61, t)), operand({2500, 200}, 62, t)},         // A^T B: 2 chunks
        {operand({150, 3100}, 63, t), operand({3100, 140}, 64, t)},                  // A B: 3 chunks
        {operand({140, 4500}, 65, t), kiln::t(operand({260, 4500}, 66, t))}};        // A B^T: 4 chunks
    for (const auto& [a, b] : products) check_at_any_thread_count(a, b, t, tol);
    const auto& [a, b] = products[0];
    const Tensor c = operand({130, 200}, 67, t);
    const Tensor want = add(mul(c, Scalar(0.5)), mul(ref_matmul(contiguous(a), contiguous(b)), Scalar(2.0)));
    CHECK_SAME(addmm(c, a, b, 0.5, 2.0), want, 2 * tol);
  }
}

// Products of a small batch (at most 256 rows, k <= 800) run in tiles that OpenBLAS's AVX-512 kernels take
// unpacked (matmul.cpp): A B, A B^T and A^T B, with partial tiles at both edges.
TEST(unpacked_tiles_match_the_reference_at_any_thread_count) {
  for (DType t : {DType::Float32, DType::Float64}) {
    const std::pair<Tensor, Tensor> products[] = {
        {operand({70, 300}, 50, t), operand({300, 250}, 51, t)},                      // A B: 64 x 32 tiles
        {operand({72, 700}, 52, t), kiln::t(operand({200, 700}, 53, t))},             // A B^T: 8 x 64
        {operand({48, 196}, 58, t), kiln::t(operand({288, 196}, 59, t))},             // A B^T, k <= 256: 16 x 64
        {kiln::t(operand({64, 100}, 54, t)), operand({64, 300}, 55, t)},              // A^T B, k = 64
        {operand({256, 256}, 56, t), operand({256, 256}, 57, t)}};                   // the runner's gemm 256
    for (const auto& [a, b] : products) check_at_any_thread_count(a, b, t);
  }
}

// The products of a batch that OpenBLAS would pack whole run unpacked in full-width blocks of rows (matmul.cpp:
// unpacked_row_block), B^T copied out first. Ragged last blocks, every layout, and the same bits
// whatever the thread count (the blocks depend on the shape alone).
TEST(batched_products_in_unpacked_row_blocks_match_the_reference) {
  for (DType t : {DType::Float32, DType::Float64}) {
    const Tensor a = operand({3, 100, 120}, 61, t), b = operand({3, 120, 96}, 62, t);  // 64-row blocks, 36 left
    const Tensor bt = transpose(operand({3, 96, 120}, 63, t), 1, 2);                   // a key's transpose
    const Tensor at = transpose(operand({3, 120, 100}, 64, t), 1, 2);                  // A^T: columns of A
    const Tensor at_short = transpose(operand({3, 16, 100}, 67, t), 1, 2);             // k < 32: packed
    const Tensor wide = operand({2, 120, 700}, 65, t);                                 // 8-row blocks
    const Tensor narrowed = narrow(operand({3, 100, 130}, 66, t), 2, 5, 120);           // rows 130 apart
    const std::pair<Tensor, Tensor> products[] = {{a, b}, {a, bt}, {at, b}, {at, bt}, {narrow(a, 0, 0, 2), wide},
                                                  {narrowed, bt}, {at_short, operand({3, 16, 700}, 68, t)}};
    for (const auto& [x, y] : products) check_at_any_thread_count(x, y, t);
    // alpha and beta reach every block: 0.5 c + 2 a b^T
    const Tensor c = operand({3, 100, 96}, 69, t);
    CHECK_SAME(baddbmm(c, a, bt, 0.5, 2.0), add(mul(c, Scalar(0.5)), mul(ref_matmul(a, contiguous(bt)), Scalar(2.0))),
               tolerance(t) * 10);
  }
}

TEST(transposed_operands) {
  for (DType t : kDTypes) {
    const Tensor a = operand({7, 5}, 7, t), b = operand({3, 7}, 8, t);
    CHECK_SAME(mm(kiln::t(a), kiln::t(b)), ref_matmul(contiguous(kiln::t(a)), contiguous(kiln::t(b))), tolerance(t));
    const Tensor c = operand({5, 7}, 9, t), d = operand({7, 3}, 10, t);
    CHECK_SAME(mm(kiln::t(a), d), ref_matmul(contiguous(kiln::t(a)), d), tolerance(t));
    CHECK_SAME(mm(c, kiln::t(b)), ref_matmul(c, contiguous(kiln::t(b))), tolerance(t));
    // Column slices keep a leading dim wider than the matrix, plain and transposed.
    const Tensor wide = operand({7, 8}, 36, t), left = narrow(wide, 1, 1, 5);  // [7, 5], strides [8, 1]
    CHECK_SAME(mm(operand({3, 7}, 37, t), left), ref_matmul(operand({3, 7}, 37, t), contiguous(left)), tolerance(t));
    CHECK_SAME(mm(kiln::t(left), operand({7, 2}, 38, t)), ref_matmul(contiguous(kiln::t(left)), operand({7, 2}, 38, t)),
               tolerance(t));
    // Batched, with the batch dim outermost and each matrix transposed.
    const Tensor ba = transpose(operand({4, 7, 5}, 11, t), 1, 2), bb = transpose(operand({4, 3, 7}, 12, t), 1, 2);
    CHECK_SAME(bmm(ba, bb), ref_matmul(contiguous(ba), contiguous(bb)), tolerance(t));
  }
}

TEST(strided_operands_that_need_a_copy) {
  for (DType t : kDTypes) {
    const Tensor stepped = slice(operand({5, 14}, 13, t), 1, 0, 14, 2);  // column stride 2
    const Tensor b = operand({7, 3}, 14, t);
    CHECK_SAME(mm(stepped, b), ref_matmul(contiguous(stepped), b), tolerance(t));
    const Tensor stepped_b = slice(operand({14, 3}, 15, t), 0, 0, 14, 2);  // row stride 6
    CHECK_SAME(mm(contiguous(stepped), stepped_b), ref_matmul(contiguous(stepped), contiguous(stepped_b)),
               tolerance(t));
    const Tensor rows = expand(operand({1, 7}, 16, t), {5, 7});  // zero row stride
    CHECK_SAME(mm(rows, b), ref_matmul(contiguous(rows), b), tolerance(t));
    // A single row with a stepped stride, and a single column.
    const Tensor row = slice(operand({1, 14}, 17, t), 1, 0, 14, 2);
    CHECK_SAME(mm(row, b), ref_matmul(contiguous(row), b), tolerance(t));
    const Tensor col = slice(operand({14, 1}, 18, t), 0, 0, 14, 2);
    CHECK_SAME(mm(operand({2, 7}, 19, t), col), ref_matmul(operand({2, 7}, 19, t), contiguous(col)), tolerance(t));
  }
}

TEST(one_dimensional_operands) {
  for (DType t : kDTypes) {
    const Tensor v = operand({4}, 20, t), w = operand({4}, 21, t);
    const Tensor m = operand({4, 3}, 22, t), n = operand({3, 4}, 23, t);
    const Tensor dot = matmul(v, w);
    CHECK_SHAPE(dot, {});
    CHECK_SAME(dot, ref_matmul(v, w), tolerance(t));
    CHECK_SHAPE(matmul(v, m), {3});
    CHECK_SAME(matmul(v, m), ref_matmul(v, m), tolerance(t));
    CHECK_SHAPE(matmul(n, v), {3});
    CHECK_SAME(matmul(n, v), ref_matmul(n, v), tolerance(t));
    const Tensor batch = operand({2, 3, 4}, 24, t);
    CHECK_SHAPE(matmul(batch, v), {2, 3});
    CHECK_SAME(matmul(batch, v), ref_matmul(batch, v), tolerance(t));
    CHECK_SHAPE(matmul(v, transpose(batch, 1, 2)), {2, 3});
    CHECK_SAME(matmul(v, transpose(batch, 1, 2)), ref_matmul(v, contiguous(transpose(batch, 1, 2))), tolerance(t));
  }
  CHECK_VALUES(matmul(make({1, 2, 3}, {3}), make({4, 5, 6}, {3})), 0, {32});
}

TEST(batched_broadcast) {
  for (DType t : kDTypes) {
    const Tensor a = operand({2, 1, 3, 4}, 25, t), b = operand({5, 4, 2}, 26, t);
    const Tensor c = matmul(a, b);
    CHECK_SHAPE(c, {2, 5, 3, 2});
    CHECK_SAME(c, ref_matmul(a, b), tolerance(t));
    const Tensor d = operand({3, 4}, 27, t), e = operand({2, 2, 4, 5}, 28, t);
    CHECK_SHAPE(matmul(d, e), {2, 2, 3, 5});
    CHECK_SAME(matmul(d, e), ref_matmul(d, e), tolerance(t));
    const Tensor f = operand({3, 1, 2, 4}, 29, t), g = operand({1, 6, 4, 3}, 30, t);
    CHECK_SAME(matmul(f, g), ref_matmul(f, g), tolerance(t));
  }
}

TEST(n_d_times_2_d_folds_the_batch) {
  for (DType t : kDTypes) {
    const Tensor a = operand({2, 3, 4, 5}, 31, t), b = operand({5, 6}, 32, t);
    CHECK_SHAPE(matmul(a, b), {2, 3, 4, 6});
    CHECK_SAME(matmul(a, b), ref_matmul(a, b), tolerance(t));
    // A non-contiguous batch cannot be folded by a view.
    const Tensor p = permute(a, {1, 0, 2, 3});
    CHECK_SAME(matmul(p, b), ref_matmul(contiguous(p), b), tolerance(t));
    CHECK_SAME(matmul(a, kiln::t(operand({6, 5}, 33, t))), ref_matmul(a, contiguous(kiln::t(operand({6, 5}, 33, t)))),
               tolerance(t));
  }
}

TEST(bmm_matches_the_reference) {
  for (DType t : kDTypes) {
    const Tensor a = operand({3, 4, 5}, 34, t), b = operand({3, 5, 2}, 35, t);
    CHECK_SHAPE(bmm(a, b), {3, 4, 2});
    CHECK_SAME(bmm(a, b), ref_matmul(a, b), tolerance(t));
    CHECK_SAME(matmul(a, b), bmm(a, b), 0);
  }
}

TEST(empty_inner_dim_gives_zeros) {
  CHECK_VALUES(mm(zeros({3, 0}), zeros({0, 4})), 0, std::vector<double>(12, 0.0));
  CHECK_VALUES(mm(empty({2, 0}, DType::Int64), empty({0, 2}, DType::Int64)), 0, {0, 0, 0, 0});
  CHECK_VALUES(bmm(zeros({2, 3, 0}), zeros({2, 0, 4})), 0, std::vector<double>(24, 0.0));
  CHECK_VALUES(matmul(zeros({0}), zeros({0})), 0, {0});
  CHECK_SHAPE(matmul(zeros({0}), zeros({0})), {});
  // torch.matmul(torch.ones(2, 3, 0), torch.ones(0, 4)) is a [2, 3, 4] tensor of zeros.
  const Tensor folded = matmul(ones({2, 3, 0}), ones({0, 4}));
  CHECK_SHAPE(folded, {2, 3, 4});
  CHECK_VALUES(sum(abs(folded)), 0, {0});
  CHECK_VALUES(matmul(ones({2, 1, 3, 0}), ones({5, 0, 2})), 0, std::vector<double>(60, 0.0));
}

TEST(zero_size_outputs) {
  CHECK_SHAPE(mm(zeros({0, 3}), zeros({3, 4})), {0, 4});
  CHECK_SHAPE(mm(zeros({3, 4}), zeros({4, 0})), {3, 0});
  CHECK_SHAPE(bmm(zeros({0, 2, 3}), zeros({0, 3, 4})), {0, 2, 4});
  CHECK_SHAPE(matmul(zeros({0, 3, 4}), zeros({4, 5})), {0, 3, 5});
  CHECK_SHAPE(matmul(zeros({2, 0, 4}), zeros({3, 1, 4, 5})), {3, 2, 0, 5});
  CHECK_SHAPE(matmul(zeros({4}), zeros({2, 4, 0})), {2, 0});
}

TEST(shape_errors_name_the_shapes) {
  CHECK_THROWS(mm(zeros({2, 3}), zeros({4, 5})), Shape, "mm: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)");
  CHECK_THROWS(mm(zeros({3}), zeros({3, 2})), Shape, "mm: expected 2-D tensors, but got shapes [3] and [3, 2]");
  CHECK_THROWS(bmm(zeros({2, 3, 4}), zeros({3, 4, 5})), Shape,
               "bmm: batch sizes of [2, 3, 4] and [3, 4, 5] differ (2 != 3)");
  CHECK_THROWS(bmm(zeros({2, 3, 4}), zeros({2, 5, 5})), Shape,
               "bmm: shapes [2, 3, 4] and [2, 5, 5] cannot be multiplied (4 != 5)");
  CHECK_THROWS(bmm(zeros({3, 4}), zeros({4, 5})), Shape, "bmm: expected 3-D tensors");
  CHECK_THROWS(matmul(zeros({2, 3}), zeros({4, 5})), Shape,
               "matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)");
  CHECK_THROWS(matmul(zeros({3}), zeros({4})), Shape, "matmul: shapes [3] and [4] cannot be multiplied (3 != 4)");
  CHECK_THROWS(matmul(zeros({2, 3, 4}), zeros({3, 4, 5})), Shape, "matmul: shapes [2] and [3] cannot be broadcast");
  CHECK_THROWS(matmul(Tensor::scalar(1.0, DType::Float32), zeros({3})), Shape,
               "matmul: both arguments need at least 1 dimension, but got shapes [] and [3]");
}

TEST(dtype_errors) {
  CHECK_THROWS(mm(zeros({2, 3}), zeros({3, 2}, DType::Float64)), DType,
               "mm: expected both operands to have the same dtype, but got float32 and float64");
  CHECK_THROWS(matmul(zeros({3}, DType::Int64), zeros({3})), DType,
               "matmul: expected both operands to have the same dtype");
  CHECK_THROWS(bmm(zeros({1, 2, 2}), zeros({1, 2, 2}, DType::Int64)), DType, "bmm: expected both operands");
  CHECK_THROWS(mm(zeros({2, 2}, DType::Bool), zeros({2, 2}, DType::Bool)), DType, "mm: not implemented for 'bool'");
  CHECK_THROWS(matmul(zeros({2, 2}, DType::Bool), zeros({2, 2}, DType::Bool)), DType,
               "matmul: not implemented for 'bool'");
}
