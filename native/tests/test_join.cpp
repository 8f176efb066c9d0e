// Joining, splitting and rearranging: cat, stack, split, chunk, unbind, flip, roll, repeat, tile, tril, triu,
// diagonal, diag and pad, on contiguous and strided inputs; pieces are views, copies are not.
#include <algorithm>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::iota;
using test::make;

TEST(cat_joins_strided_inputs_and_promotes) {
  const Tensor a = t(iota({3, 2}));                          // [2, 3], transposed
  const Tensor b = make({7, 8, 9}, {1, 3}, DType::Int64);
  const Tensor c = cat({a, b}, 0);
  CHECK_EQ(c.dtype(), DType::Float32);
  CHECK_SHAPE(c, {3, 3});
  CHECK_VALUES(c, 0, {0, 2, 4, 1, 3, 5, 7, 8, 9});
  CHECK_VALUES(cat({iota({2, 1}), iota({2, 2})}, -1), 0, {0, 0, 1, 1, 2, 3});
  CHECK_SHAPE(cat({zeros({0}), iota({2, 2}), zeros({0})}, 1), {2, 2});  // 1-D empty tensors are skipped
  CHECK_THROWS(cat({iota({2, 2}), iota({3, 3})}, 0), Shape, "cat: sizes of tensors must match except in dimension 0");
  CHECK_THROWS(cat({}, 0), Argument, "cat: expected a non-empty list");
  CHECK_THROWS(cat({Tensor::scalar(1.0, DType::Float32)}, 0), Shape, "zero-dimensional tensor (at position 0)");
}

TEST(stack_adds_a_dim) {
  const Tensor s = stack({iota({2}), make({5, 6}, {2})}, 1);
  CHECK_SHAPE(s, {2, 2});
  CHECK_VALUES(s, 0, {0, 5, 1, 6});
  CHECK_THROWS(stack({iota({2}), iota({3})}, 0), Shape, "stack: expects each tensor to be equal size");
}

TEST(split_chunk_and_unbind_return_views) {
  const Tensor x = iota({5, 4});
  const TensorList parts = split(x, 2, 0);
  CHECK_EQ(parts.size(), size_t(3));
  CHECK_SHAPE(parts[2], {1, 4});
  CHECK(parts[1].storage() == x.storage());
  CHECK_EQ(parts[1].offset(), int64_t(8));
  const TensorList cols = split_with_sizes(x, {1, 3}, 1);
  CHECK_DIMS(cols[1].strides(), {4, 1});
  CHECK_VALUES(cols[0], 0, {0, 4, 8, 12, 16});
  CHECK_EQ(chunk(x, 3, 1).size(), size_t(2));  // chunks of 2: only two are needed
  CHECK_EQ(chunk(zeros({0}), 3).size(), size_t(3));
  const TensorList rows = unbind(t(x), 1);
  CHECK_EQ(rows.size(), size_t(5));
  CHECK_VALUES(rows[3], 0, {12, 13, 14, 15});
  CHECK(rows[3].storage() == x.storage());
  CHECK_THROWS(split_with_sizes(x, {2, 2}, 0), Shape, "split_with_sizes: expects split_sizes to sum exactly to 5");
  CHECK_THROWS(split(x, 0, 0), Argument, "split_size can only be 0 if dimension size is 0");
  CHECK_THROWS(unbind(Tensor::scalar(1.0, DType::Float32), 0), Shape, "unbind: dimension specified as 0");
}

// Runs read backwards (flip along the inner dim) are copied as words of the element's width, reversed in vector
// registers: every dtype size, lengths around the vector widths, a narrowed input, against a serial walk.
TEST(flips_along_the_inner_dim_match_a_serial_walk) {
  for (const DType t : {DType::UInt8, DType::Bool, DType::Float16, DType::Int16, DType::Float32, DType::Int32,
                        DType::Float64, DType::Int64}) {
    for (const int64_t n : {1, 7, 31, 64, 65, 1000}) {
      const Tensor base = to(test::uniform({5, n + 3}, 33 + n, -100, 100, DType::Float64), t);
      const Tensor x = narrow(base, 1, 2, n);  // rows n + 3 apart, starting at an odd element
      const std::vector<double> v = test::values(x);
      std::vector<double> want(v.size()), both(v.size());
      for (int64_t r = 0; r < 5; ++r)
        for (int64_t j = 0; j < n; ++j) {
          want[r * n + j] = v[r * n + (n - 1 - j)];
          both[r * n + j] = v[(4 - r) * n + (n - 1 - j)];
        }
      CHECK_SAME(flip(x, {1}), make(want, {5, n}, t), 0);
      CHECK_SAME(flip(x, {0, 1}), make(both, {5, n}, t), 0);
    }
  }
}

TEST(flip_and_roll_copy_any_layout) {
  const Tensor x = iota({2, 3});
  CHECK_VALUES(flip(x, {0, 1}), 0, {5, 4, 3, 2, 1, 0});
  CHECK_VALUES(flip(t(x), {1}), 0, {3, 0, 4, 1, 5, 2});
  CHECK_VALUES(flip(expand(make({1, 2}, {2, 1}), {2, 3}), {0}), 0, {2, 2, 2, 1, 1, 1});
  CHECK(flip(x, {}).storage() != x.storage());
  CHECK_VALUES(roll(x, {1}), 0, {5, 0, 1, 2, 3, 4});
  CHECK_VALUES(roll(x, {-1, 4}, {0, 1}), 0, {5, 3, 4, 2, 0, 1});
  CHECK_VALUES(roll(slice(iota({8}), 0, 0, 8, 2), {1}, {0}), 0, {6, 0, 2, 4});
  CHECK_THROWS(flip(x, {0, -2}), Argument, "flip: dim 0 appears multiple times");
  CHECK_THROWS(roll(x, {1, 2}, {0}), Argument, "roll: shifts and dimensions must align");
}

TEST(repeat_tile_and_triangles) {
  const Tensor x = make({1, 2, 3, 4}, {2, 2});
  CHECK_VALUES(repeat(x, {1, 2}), 0, {1, 2, 1, 2, 3, 4, 3, 4});
  CHECK_SHAPE(repeat(x, {2, 1, 1}), {2, 2, 2});
  CHECK_VALUES(repeat(t(x), {2, 1}), 0, {1, 3, 2, 4, 1, 3, 2, 4});
  CHECK_SHAPE(tile(x, {3}), {2, 6});
  CHECK_THROWS(repeat(x, {2}), Shape, "repeat: number of dimensions of repeat dims (1)");
  const Tensor m = iota({3, 3});
  CHECK_VALUES(tril(m), 0, {0, 0, 0, 3, 4, 0, 6, 7, 8});
  CHECK_VALUES(triu(t(m), 1), 0, {0, 3, 6, 0, 0, 7, 0, 0, 0});
  CHECK_VALUES(tril(expand(make({1, 2}, {1, 2}), {2, 2})), 0, {1, 0, 1, 2});
  CHECK_THROWS(tril(iota({3})), Shape, "tril: input tensor must have at least 2 dimensions");
}

TEST(triangles_of_batches_at_every_diagonal) {
  // [2, 3, 5] and its [2, 5, 3] transpose (strided rows), diagonals past both corners, two dtypes: element
  // (b, r, c) of the input is kept where c - r <= k (tril) or c - r >= k (triu).
  for (DType dt : {DType::Float32, DType::Int64}) {
    const Tensor base = add(iota({2, 3, 5}, dt), ones({}, dt));  // no zeros among the kept values
    for (const Tensor& x : {base, transpose(base, 1, 2)}) {
      const int64_t rows = x.shape()[1], cols = x.shape()[2];
      const std::vector<double> v = test::values(contiguous(x));
      for (int64_t k : {-7, -2, 0, 1, 4, 9})
        for (bool lower : {true, false}) {
          std::vector<double> want(v.size());
          for (size_t i = 0; i < v.size(); ++i) {
            const int64_t c = static_cast<int64_t>(i) % cols, r = static_cast<int64_t>(i) / cols % rows;
            want[i] = (lower ? c - r <= k : c - r >= k) ? v[i] : 0;
          }
          CHECK_VALUES(lower ? tril(x, k) : triu(x, k), 0, want);
        }
    }
  }
}

TEST(diagonal_is_a_view_and_diag_a_copy) {
  const Tensor x = iota({3, 4});
  const Tensor d = diagonal(x, 1);
  CHECK(d.storage() == x.storage());
  CHECK_DIMS(d.strides(), {5});
  CHECK_VALUES(d, 0, {1, 6, 11});
  CHECK_VALUES(diagonal(x, -2), 0, {8});
  CHECK_SHAPE(diagonal(x, 9), {0});
  CHECK_SHAPE(diagonal(iota({2, 3, 4}), 0, 2, 0), {3, 2});
  CHECK_VALUES(diag(make({1, 2}, {2}), -1), 0, {0, 0, 0, 1, 0, 0, 0, 2, 0});
  CHECK(diag(x).storage() != x.storage());
  CHECK_VALUES(diagonal_scatter(zeros({2, 2}), make({7, 8}, {2})), 0, {7, 0, 0, 8});
  CHECK_THROWS(diagonal(x, 0, 1, -1), Argument, "diagonal: diagonal dimensions cannot be identical");
}

TEST(pad_modes) {
  const Tensor x = reshape(iota({3}), {1, 1, 3});
  CHECK_VALUES(pad(x, {1, 2}), 0, {0, 0, 1, 2, 0, 0});
  CHECK_VALUES(pad(x, {2, 2}, PadMode::Reflect), 0, {2, 1, 0, 1, 2, 1, 0});
  CHECK_VALUES(pad(x, {1, 3}, PadMode::Replicate), 0, {0, 0, 1, 2, 2, 2, 2});
  CHECK_VALUES(pad(x, {2, 1}, PadMode::Circular), 0, {1, 2, 0, 1, 2, 0});
  CHECK_VALUES(pad(x, {-1, 1}, PadMode::Circular), 0, {1, 2, 1});
  CHECK_VALUES(pad(iota({2, 2}), {-1, 0, 1, 0}, PadMode::Constant, 9), 0, {9, 1, 3});
  CHECK_THROWS(pad(x, {3, 0}, PadMode::Reflect), Argument, "padding size should be less than the corresponding");
  CHECK_THROWS(pad(iota({3}), {1, 1}, PadMode::Replicate), NotImplemented, "needs a 2-D or 3-D input");
  CHECK_THROWS(pad(x, {1, 1}, PadMode::Reflect, 2.0), Argument, "doesn't take in value argument");
  CHECK_THROWS(pad(x, {-2, -2}), Shape, "resulted in a negative output size");
}

// Constant padding runs in one pass over contiguous inputs (fills and row copies, cpu/indexed_pad.cpp): against
// the value everywhere with x's overlap copied in, for 1 to 3 padded dims (each dim padded, cropped or left), whole
// rows of padding, an input with an empty padded dim, several dtypes and both thread counts; a transposed input
// and 4 padded dims take the slab path and must agree.
TEST(constant_pad_in_one_pass_matches_fill_and_copy) {
  auto reference = [](const Tensor& x, const std::vector<int64_t>& pads, double value) {
    Shape shape = x.shape();
    const int64_t nd = x.dim();
    for (size_t i = 0; i < pads.size() / 2; ++i) shape[nd - 1 - i] += pads[2 * i] + pads[2 * i + 1];
    Tensor out = full(shape, Scalar(value), x.dtype());
    Tensor src = x, dst = out;
    for (size_t i = 0; i < pads.size() / 2; ++i) {
      const int64_t d = nd - 1 - static_cast<int64_t>(i), b = pads[2 * i], a = pads[2 * i + 1];
      const int64_t from = std::max<int64_t>(-b, 0), to = x.shape()[d] - std::max<int64_t>(-a, 0);
      if (to <= from) return out;
      src = slice(src, d, from, to);
      dst = slice(dst, d, std::max<int64_t>(b, 0), std::max<int64_t>(b, 0) + (to - from));
    }
    copy_(dst, src);
    return out;
  };
  const std::vector<std::vector<int64_t>> cases = {
      {1, 1},       {0, 3},          {2, 0, 1, 1},    {-1, 2, 3, -2},     {1, 1, 1, 1, 1, 1}, {0, 0, 2, 0, 0, 1},
      {-2, -1, 1, 0}, {1, 2, -1, -1, 2, 0}, {3, 3, 0, 0}, {0, 0, 0, 0, 0, 0}};
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int64, DType::Bool, DType::Float16, DType::Int8})
    for (const std::vector<int64_t>& pads : cases)
      for (int threads : {1, 2}) {
        test::ThreadCount count(threads);
        const Tensor x = to(test::uniform({2, 3, 5, 7}, 12, -4, 4, DType::Float32), dtype);
        const double value = dtype == DType::Bool ? 1 : -3;
        CHECK_SAME(pad(x, pads, PadMode::Constant, value), reference(x, pads, value), 0);
        const Tensor xt = transpose(x, 2, 3);  // strided: the slab path
        CHECK_SAME(pad(xt, pads, PadMode::Constant, value), reference(xt, pads, value), 0);
      }
  const Tensor empty = zeros({2, 0, 3});
  CHECK_SAME(pad(empty, {1, 0, 1, 1}, PadMode::Constant, 5), full({2, 2, 4}, Scalar(5.0), DType::Float32), 0);
  const Tensor x = test::uniform({2, 3, 4, 5}, 13, -1, 1, DType::Float32);
  CHECK_SAME(pad(x, {1, 0, 0, 2, 1, 1, 2, 0}, PadMode::Constant, 7), reference(x, {1, 0, 0, 2, 1, 1, 2, 0}, 7), 0);
  // The gradient crops the padding back off.
  Tensor leaf = detach(x);
  set_requires_grad(leaf, true);
  const Tensor seed = test::uniform({2, 3, 6, 8}, 14, -1, 1, DType::Float32);
  backward({pad(leaf, {2, 1, 1, 1})}, {seed});
  CHECK_SAME(grad(leaf), slice(slice(seed, 2, 1, 5), 3, 2, 7), 0);
}

// Reflect, replicate and circular padding run in one pass on the CPU, forward and backward: against index_select
// (forward) and zeros + index_add_ (backward) per padded dim, through tables written out here, for 1 to 3 padded
// dims, a strided input, float32 and float64 and both thread counts; the gradient's own derivative is the pad.
TEST(indexed_pad_in_one_pass_matches_index_select_and_index_add) {
  auto source = [](PadMode mode, int64_t n, int64_t j) {  // where padded position j (pad before removed) reads
    if (mode == PadMode::Reflect) return j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j;
    if (mode == PadMode::Replicate) return std::clamp<int64_t>(j, 0, n - 1);
    return ((j % n) + n) % n;
  };
  struct Case {
    PadMode mode;
    std::vector<int64_t> pads;
  };
  const std::vector<Case> cases = {{PadMode::Reflect, {2, 3}},          {PadMode::Reflect, {1, 1, 1, 1}},
                                   {PadMode::Reflect, {1, 2, 0, 3, 2, 1}}, {PadMode::Replicate, {3, 1, 2, 0}},
                                   {PadMode::Replicate, {0, 2, 1, 1, 2, 0}}, {PadMode::Circular, {4, 3, 1, 2}},
                                   {PadMode::Circular, {2, 1, 0, 3, 1, 1}}};
  for (DType dtype : {DType::Float32, DType::Float64})
    for (const Case& c : cases) {
      // [2, 3, 4, 5, 6] transposed in its last two dims: the kernel sees a contiguous copy.
      const Tensor x = transpose(test::uniform({2, 3, 4, 6, 5}, 7, -1, 1, dtype), 3, 4);
      const int64_t k = static_cast<int64_t>(c.pads.size()) / 2;
      const Tensor xin = k == 3 ? x : k == 2 ? select(x, 0, 1) : select(select(x, 0, 1), 0, 2);
      const int64_t xd = xin.dim();
      Tensor want = xin;
      std::vector<Tensor> tables;
      for (int64_t i = 0; i < k; ++i) {
        const int64_t d = xd - 1 - i, n = xin.shape()[d], b = c.pads[2 * i], a = c.pads[2 * i + 1];
        std::vector<double> t;
        for (int64_t j = -b; j < n + a; ++j) t.push_back(static_cast<double>(source(c.mode, n, j)));
        tables.push_back(make(t, {static_cast<int64_t>(t.size())}, DType::Int64));
        want = index_select(want, d, tables.back());
      }
      const Tensor seed = test::uniform(want.shape(), 8, -1, 1, dtype);
      Tensor want_grad = seed;
      for (int64_t i = 0; i < k; ++i) {
        const int64_t d = xd - 1 - i;
        Shape s = want_grad.shape();
        s[d] = xin.shape()[d];
        Tensor z = zeros(s, dtype);
        want_grad = index_add_(z, d, tables[static_cast<size_t>(i)], want_grad);
      }
      Tensor got[2], grads[2];
      for (int threads : {1, 2}) {
        test::ThreadCount count(threads);
        Tensor leaf = detach(xin);
        set_requires_grad(leaf, true);
        got[threads - 1] = pad(leaf, c.pads, c.mode);
        backward({got[threads - 1]}, {seed});
        grads[threads - 1] = grad(leaf);
      }
      CHECK_SAME(got[0], want, 0);
      CHECK_SAME(got[1], want, 0);
      CHECK_SAME(grads[0], grads[1], 0);
      CHECK_SAME(grads[1], want_grad, dtype == DType::Float32 ? 1e-6 : 1e-12);
    }
  // The gradient's derivative: d/dG <pad_backward(G), V> = pad(V).
  Tensor g = test::uniform({1, 2, 6, 7}, 9, -1, 1, DType::Float64);
  set_requires_grad(g, true);
  Tensor x = test::uniform({1, 2, 4, 5}, 10, -1, 1, DType::Float64);
  set_requires_grad(x, true);
  const Tensor y = pad(x, {1, 1, 1, 1}, PadMode::Reflect);
  const Tensor gx = kiln::grad({y}, {x}, {g}, true, true)[0];
  const Tensor v = test::uniform({1, 2, 4, 5}, 11, -1, 1, DType::Float64);
  const Tensor gg = kiln::grad({gx}, {g}, {v})[0];
  CHECK_SAME(gg, pad(v, {1, 1, 1, 1}, PadMode::Reflect), 0);
  CHECK_VALUES(pad(make({1, 0, 1}, {1, 1, 3}, DType::Bool), {2, 1}, PadMode::Reflect), 0, {1, 0, 1, 0, 1, 0});
}
