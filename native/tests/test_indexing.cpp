// Indexing kernels and ops from C++: select, index_select, index_add, scatter_reduce, advanced indexing and
// index_put, masks, nonzero, one_hot and Python-style get/set. Out-of-range indices throw and leave inputs
// unchanged; results do not depend on the thread count.
#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::iota;
using test::make;
using test::uniform;

namespace {

Tensor longs(std::vector<double> v, Shape shape = {}) {
  if (shape.empty()) shape = {static_cast<int64_t>(v.size())};
  return make(v, shape, DType::Int64);
}
Tensor bools(std::vector<double> v, Shape shape = {}) {
  if (shape.empty()) shape = {static_cast<int64_t>(v.size())};
  return make(v, shape, DType::Bool);
}

}  // namespace

TEST(select_and_index_select) {
  const Tensor x = iota({3, 4});
  const Tensor row = select(x, 0, -1);
  CHECK(row.storage() == x.storage());
  CHECK_VALUES(row, 0, {8, 9, 10, 11});
  CHECK_VALUES(index_select(t(x), 1, longs({2, 0, 2})), 0, {8, 0, 8, 9, 1, 9, 10, 2, 10, 11, 3, 11});
  CHECK_SHAPE(index_select(x, 0, longs({})), {0, 4});
  CHECK_THROWS(select(x, 1, 4), Index, "select: index 4 out of range");
  CHECK_THROWS(index_select(x, 0, longs({0, 3})), Index, "index_select: index 3 is out of bounds for dimension 0");
  CHECK_THROWS(index_select(x, 0, longs({-1})), Index, "index_select: index -1 is out of bounds");
  CHECK_THROWS(index_select(x, 0, make({0}, {1})), DType, "index_select: expected dtype int64");
}

TEST(index_add_accumulates_duplicates) {
  const Tensor x = zeros({3});
  CHECK_VALUES(index_add(x, 0, longs({0, 2, 0, 0}), make({1, 2, 3, 4}, {4}), 2), 0, {16, 0, 4});
  Tensor y = zeros({2, 3}, DType::Int64);
  index_add_(y, 1, longs({1, 1}), make({1, 2, 3, 4}, {2, 2}, DType::Int64));
  CHECK_VALUES(y, 0, {0, 3, 0, 0, 7, 0});
  CHECK_THROWS(index_add(x, 0, longs({3}), ones({1})), Index, "index_add: index 3 is out of bounds");
  CHECK_VALUES(x, 0, {0, 0, 0});
  CHECK_THROWS(index_add(y, 1, longs({0}), ones({2, 1}, DType::Int64), 0.5), Argument, "must be an integer");
}

TEST(scatter_reduce_every_reduction) {
  const Tensor self = make({1, 2, 3}, {3});
  const Tensor index = longs({0, 0, 2});
  const Tensor src = make({4, 5, 6}, {3});
  CHECK_VALUES(scatter_reduce(self, 0, index, src, "sum"), 0, {10, 2, 9});
  CHECK_VALUES(scatter_reduce(self, 0, index, src, "prod", false), 0, {20, 2, 6});
  CHECK_VALUES(scatter_reduce(self, 0, index, src, "mean"), 1e-6, {10.0 / 3, 2, 4.5});
  CHECK_VALUES(scatter_reduce(self, 0, index, src, "amax"), 0, {5, 2, 6});
  CHECK_VALUES(scatter_reduce(self, 0, index, src, "amin", false), 0, {4, 2, 6});
  CHECK_VALUES(scatter_reduce(make({-7, 4}, {2}, DType::Int64), 0, longs({0, 0}), longs({0, 0}), "mean"), 0, {-3, 4});
  CHECK_THROWS(scatter_reduce(self, 0, index, src, "max"), Argument, "reduce argument must be either sum");
  CHECK_THROWS(scatter_reduce(self, 0, longs({3}), make({1}, {1}), "sum"), Index, "index 3 is out of bounds");
  CHECK_VALUES(self, 0, {1, 2, 3});
}

// Lines shared by threads, along dim 0 (blocks of adjacent lines) and dim 1 (a line at a time), with repeated
// targets, NaNs and targets no index reaches, against a serial walk in index order; a bad index in the last row
// leaves self as it was.
TEST(scatter_reduce_matches_a_serial_walk) {
  const int64_t rows = 96, cols = 300, size = 40;
  for (const int64_t dim : {int64_t(0), int64_t(1)}) {
    const Shape out_shape = dim == 0 ? Shape{size, cols} : Shape{rows, size};
    std::vector<double> self = test::values(uniform(out_shape, 31, -2, 2, DType::Float64));
    std::vector<double> src = test::values(uniform({rows, cols}, 32, -2, 2, DType::Float64));
    std::vector<double> idx = test::values(uniform({rows, cols}, 33, 0, static_cast<double>(size - 8), DType::Float64));
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = std::floor(idx[i]);  // targets size - 8 and up stay unreached
    src[7] = src[cols + 7] = std::nan("");
    self[3] = std::nan("");
    const Tensor s = make(self, out_shape, DType::Float64), x = make(src, {rows, cols}, DType::Float64);
    const Tensor index = make(idx, {rows, cols}, DType::Int64);
    for (const char* reduce : {"sum", "prod", "mean", "amax", "amin"})
      for (const bool include_self : {true, false}) {
        std::vector<double> want = self, seen(self.size(), include_self ? 1 : 0);
        const std::string r = reduce;
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t j = 0; j < cols; ++j) {
            const int64_t k = static_cast<int64_t>(idx[i * cols + j]);
            const size_t t = static_cast<size_t>(dim == 0 ? k * cols + j : i * size + k);
            const double v = src[i * cols + j];
            double& e = want[t];
            if (seen[t] == 0) e = v;
            else if (r == "sum" || r == "mean") e += v;
            else if (r == "prod") e *= v;
            else if (v != v || e != e) e = e != e ? e : v;
            else e = r == "amax" ? std::max(e, v) : std::min(e, v);
            seen[t] += 1;
          }
        if (r == "mean")
          for (size_t t = 0; t < want.size(); ++t) want[t] /= std::max(seen[t], 1.0);
        CHECK_SAME(scatter_reduce(s, dim, index, x, reduce, include_self), make(want, out_shape, DType::Float64), 0);
      }
    // The out-of-place op checks each line or run of index as its walk reaches it (its result is thrown away on
    // error): a bad index first, in the middle or last throws, with and without self, and through a strided index.
    const Tensor index_t = transpose(contiguous(transpose(index, 0, 1)), 0, 1);
    CHECK_SAME(scatter_reduce(s, dim, index_t, x, "amax"), scatter_reduce(s, dim, index, x, "amax"), 0);
    for (const size_t at : {size_t(0), idx.size() / 2 + 5, idx.size() - 1})
      for (const bool include_self : {true, false}) {
        std::vector<double> b = idx;
        b[at] = at == 0 ? -1.0 : static_cast<double>(size);
        const Tensor bad_index = make(b, {rows, cols}, DType::Int64);
        CHECK_THROWS(scatter_reduce(s, dim, bad_index, x, "amax", include_self), Index, "is out of bounds");
        const Tensor bad_t = transpose(contiguous(transpose(bad_index, 0, 1)), 0, 1);
        CHECK_THROWS(scatter_reduce(s, dim, bad_t, x, "sum", include_self), Index, "is out of bounds");
      }
    std::vector<double> bad = idx;
    bad.back() = static_cast<double>(size);
    Tensor target = clone(s);
    CHECK_THROWS(scatter_reduce_(target, dim, make(bad, {rows, cols}, DType::Int64), x, "amax", false), Index,
                 "scatter_reduce: index 40 is out of bounds");
    CHECK_SAME(target, s, 0);
  }
}

TEST(advanced_index_follows_numpy_placement) {
  const Tensor x = iota({2, 3, 4});
  // Adjacent indexed dims stay in place; separated ones go first.
  CHECK_SHAPE(index(x, {Tensor(), longs({0, 2}), longs({1, 3})}), {2, 2});
  CHECK_SHAPE(index(x, {longs({0, 1}), Tensor(), longs({1, 3})}), {2, 3});
  CHECK_VALUES(index(x, {longs({1, 0}), Tensor(), longs({3, 0})}), 0, {15, 19, 23, 0, 4, 8});
  CHECK_SHAPE(get(x, {TensorIndex::slice(), TensorIndex::of(longs({0, 1}, {2, 1})), TensorIndex::of(longs({2, 0, 1}))}),
              {2, 2, 3});
  CHECK_VALUES(index(x, {Tensor(), bools({1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1}, {3, 4})}), 0, {0, 5, 11, 12, 17, 23});
  CHECK_SHAPE(index(x, {bools({0, 0})}), {0, 3, 4});
  CHECK_VALUES(index(t(iota({3, 2})), {Tensor(), longs({-1})}), 0, {4, 5});
  CHECK_THROWS(index(x, {longs({2})}), Index, "index: index 2 is out of bounds for dimension 0 with size 2");
  CHECK_THROWS(index(x, {longs({0, 1}), longs({0, 1, 2})}), Index, "shape mismatch: indexing tensors could not be");
  CHECK_THROWS(index(x, {bools({1, 0, 1})}), Index, "the shape of the mask [3] at index 0 does not match");
  CHECK_THROWS(index(x, {Tensor(), Tensor(), Tensor(), longs({0})}), Index, "too many indices");
}

TEST(index_put_overwrites_or_accumulates) {
  const Tensor x = zeros({2, 3});
  CHECK_VALUES(index_put(x, {longs({1, 0}), longs({2, 2})}, make({5, 6}, {2})), 0, {0, 0, 6, 0, 0, 5});
  CHECK_VALUES(index_put(x, {Tensor(), longs({0, 0, 1})}, ones({}), true), 0, {2, 1, 0, 2, 1, 0});
  CHECK_VALUES(index_put(x, {bools({1, 0, 1, 0, 0, 1}, {2, 3})}, make({7}, {1})), 0, {7, 0, 7, 0, 0, 7});
  CHECK_THROWS(index_put(x, {longs({0})}, ones({}, DType::Float64)), DType, "dtypes must match");
  CHECK_THROWS(index_put(x, {longs({0, 1})}, ones({4})), Shape, "cannot be broadcast to indexing result of shape [2, 3]");
  Tensor y = zeros({3});
  CHECK_THROWS(index_put_(y, {longs({0, 5})}, ones({})), Index, "index 5 is out of bounds");
  CHECK_VALUES(y, 0, {0, 0, 0});  // nothing written: the offsets are checked before any write
}

// Large enough to be shared by threads (each writes the pages it owns): rows picked by the index (one copy or add
// a row) and elements picked along the last dim, with repeated targets, against a serial walk in order, at 1 and 3
// threads.
TEST(index_put_by_threads_matches_a_serial_walk) {
  const int64_t rows = 300, cols = 70, picks = 4000;
  std::vector<double> idx = test::values(uniform({picks}, 41, 0, static_cast<double>(rows), DType::Float64));
  for (double& i : idx) i = std::floor(i);
  const Tensor index = make(idx, {picks}, DType::Int64);
  const Tensor base = uniform({rows, cols}, 42, -1, 1, DType::Float64);
  const Tensor row_values = uniform({picks, cols}, 43, -1, 1, DType::Float64);
  const Tensor column_values = uniform({cols, picks}, 44, -1, 1, DType::Float64);
  for (const bool accumulate : {false, true}) {
    std::vector<double> by_rows = test::values(base), by_columns = test::values(transpose(base, 0, 1));
    const std::vector<double> rv = test::values(row_values), cv = test::values(column_values);
    for (int64_t p = 0; p < picks; ++p)
      for (int64_t c = 0; c < cols; ++c) {
        double& e = by_rows[static_cast<size_t>(idx[p]) * cols + c];
        e = accumulate ? e + rv[p * cols + c] : rv[p * cols + c];
      }
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t p = 0; p < picks; ++p) {
        double& e = by_columns[c * rows + static_cast<size_t>(idx[p])];
        e = accumulate ? e + cv[c * picks + p] : cv[c * picks + p];
      }
    for (const int threads : {1, 3}) {
      const test::ThreadCount count(threads);
      CHECK_SAME(index_put(base, {index}, row_values, accumulate), make(by_rows, {rows, cols}, DType::Float64), 0);
      Tensor wide = cat({base, zeros({rows, 9}, DType::Float64)}, 1);  // rows 79 apart in memory: a view's
      Tensor view = narrow(wide, 1, 0, cols);
      index_put_(view, {index}, row_values, accumulate);
      CHECK_SAME(view, make(by_rows, {rows, cols}, DType::Float64), 0);
      CHECK_SAME(narrow(wide, 1, cols, 9), zeros({rows, 9}, DType::Float64), 0);
      CHECK_SAME(index_put(transpose(base, 0, 1), {Tensor(), index}, column_values, accumulate),
                 make(by_columns, {cols, rows}, DType::Float64), 0);
    }
  }
}

// Whole rows (index_select along dim 0, x[index] with one index before the rows' dims) are copied a row at a time
// with their sources prefetched; rows under 8 elements, and tables whose rows are not dense, take the strided loop.
// Every path against a serial walk, for dtypes of each size, at 1 and 3 threads.
TEST(whole_row_gathers_match_a_serial_walk) {
  const int64_t table_rows = 500, picks = 6000;
  std::vector<double> idx = test::values(uniform({picks}, 51, 0, static_cast<double>(table_rows), DType::Float64));
  for (double& i : idx) i = std::floor(i);
  std::vector<double> negative = idx;  // x[index] counts negative indices from the end
  for (size_t i = 0; i < negative.size(); i += 3) negative[i] -= static_cast<double>(table_rows);
  const Tensor picked = make(idx, {picks}, DType::Int64);
  for (const DType dtype : {DType::Float32, DType::Float64, DType::Int64, DType::Bool}) {
    for (const Shape& row_shape : {Shape{3}, Shape{8}, Shape{64}, Shape{130}, Shape{3, 5}}) {
      int64_t row = 1;
      for (const int64_t d : row_shape) row *= d;
      Shape shape{table_rows};
      shape.insert(shape.end(), row_shape.begin(), row_shape.end());
      const Tensor table = to(uniform(shape, 52, 0, 100, DType::Float64), dtype);
      const std::vector<double> tv = test::values(table);
      std::vector<double> want(static_cast<size_t>(picks * row));
      for (int64_t p = 0; p < picks; ++p)
        for (int64_t c = 0; c < row; ++c) want[p * row + c] = tv[static_cast<size_t>(idx[p]) * row + c];
      Shape out_shape{picks};
      out_shape.insert(out_shape.end(), row_shape.begin(), row_shape.end());
      const Tensor expected = make(want, out_shape, dtype);
      Shape grid_shape{60, 100};  // a 2-D index: its dims lead the result's
      grid_shape.insert(grid_shape.end(), row_shape.begin(), row_shape.end());
      // A narrowed table: its rows lie row + 9 elements apart, each still dense.
      Tensor wide = cat({flatten(table, 1), zeros({table_rows, 9}, dtype)}, 1);
      const Tensor narrowed = reshape(narrow(wide, 1, 0, row), shape);
      for (const int threads : {1, 3}) {
        const test::ThreadCount count(threads);
        CHECK_SAME(index_select(table, 0, picked), expected, 0);
        CHECK_SAME(index(table, {make(negative, {picks}, DType::Int64)}), expected, 0);
        CHECK_SAME(index(table, {reshape(picked, {60, 100})}), reshape(expected, grid_shape), 0);
        CHECK_SAME(index_select(narrowed, 0, picked), expected, 0);
        if (row_shape.size() == 1) {  // rows read down the columns of a transposed copy: the strided loop
          const Tensor columns = t(contiguous(t(table)));
          CHECK_SAME(index_select(columns, 0, picked), expected, 0);
        }
      }
    }
  }
}

// The same picks along the last dim of every row (index_select(x, -1, index), x[..., index]) are read with the next
// row's prefetched, where the table's leading dims collapse into rows a fixed stride apart: contiguous, narrowed
// and transposed tables, 3-D with a unit dim; permuted leading dims take the strided loop. Against a serial walk.
TEST(picks_along_the_last_dim_match_a_serial_walk) {
  const int64_t rows = 700, cols = 500;
  const Tensor table = uniform({rows, cols}, 71, -1, 1, DType::Float64);
  const std::vector<double> tv = test::values(table);
  for (const int64_t n : {1, 5, 300}) {
    std::vector<double> idx = test::values(uniform({n}, 72 + n, 0, static_cast<double>(cols), DType::Float64));
    for (double& i : idx) i = std::floor(i);
    std::vector<double> want(static_cast<size_t>(rows * n)), negative = idx;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < n; ++j) want[r * n + j] = tv[static_cast<size_t>(r * cols + static_cast<int64_t>(idx[j]))];
    for (size_t j = 0; j < negative.size(); j += 2) negative[j] -= static_cast<double>(cols);
    const Tensor picked = make(idx, {n}, DType::Int64), expected = make(want, {rows, n}, DType::Float64);
    const Tensor wide = cat({table, zeros({rows, 7}, DType::Float64)}, 1);
    const Tensor transposed = t(contiguous(t(table)));
    const Tensor cube = reshape(table, {7, 100, cols}), permuted = permute(reshape(table, {100, 7, cols}), {1, 0, 2});
    for (const int threads : {1, 3}) {
      const test::ThreadCount count(threads);
      CHECK_SAME(index_select(table, 1, picked), expected, 0);
      CHECK_SAME(index(table, {Tensor(), make(negative, {n}, DType::Int64)}), expected, 0);
      CHECK_SAME(index_select(narrow(wide, 1, 0, cols), 1, picked), expected, 0);
      CHECK_SAME(index_select(transposed, 1, picked), expected, 0);
      CHECK_SAME(index_select(unsqueeze(table, 0), 2, picked), unsqueeze(expected, 0), 0);
      CHECK_SAME(index_select(cube, 2, picked), reshape(expected, {7, 100, n}), 0);
      CHECK_SAME(index_select(permuted, 2, picked), permute(reshape(expected, {100, 7, n}), {1, 0, 2}), 0);
      CHECK_SAME(index_select(to(table, DType::Float32), 1, picked), to(expected, DType::Float32), 0);
    }
  }
}

// Chunks of 65,536 elements (whose runs along the last dim they cut) and 1 to 5 dims, with dense and sparse rows:
// every coordinate against the row-major walk.
TEST(nonzero_of_large_masks_in_order) {
  const std::vector<Shape> shapes = {{150001}, {300, 517}, {7, 60, 301}, {3, 5, 70, 113}, {2, 3, 4, 5, 1201}};
  uint64_t seed = 70;
  for (const Shape& shape : shapes) {
    const Tensor u = uniform(shape, ++seed, 0, 1, DType::Float64);
    const std::vector<double> v = test::values(u);
    std::vector<double> want;
    const int64_t nd = static_cast<int64_t>(shape.size());
    std::vector<int64_t> idx(static_cast<size_t>(nd), 0);
    std::vector<double> mask(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      mask[i] = v[i] < (idx[0] % 2 ? 0.05 : 0.7) ? 1 : 0;  // denser and sparser stretches
      if (mask[i] != 0) want.insert(want.end(), idx.begin(), idx.end());
      for (int64_t d = nd - 1; d >= 0 && ++idx[d] == shape[d]; --d) idx[d] = 0;
    }
    const int64_t count = static_cast<int64_t>(want.size()) / nd;
    for (const DType t : {DType::Bool, DType::Float32}) {
      const Tensor got = nonzero(make(mask, shape, t));
      CHECK_SAME(got, make(want, {count, nd}, DType::Int64), 0);
    }
  }
}

TEST(masks_and_nonzero) {
  const Tensor x = iota({2, 3});
  const Tensor m = bools({1, 0, 1});
  CHECK_VALUES(masked_fill(x, m, Scalar(-1.0)), 0, {-1, 1, -1, -1, 4, -1});
  CHECK_VALUES(masked_select(t(x), bools({0, 1}, {1, 2})), 0, {3, 4, 5});
  CHECK_VALUES(nonzero(make({0, 3, 0, 4}, {2, 2})), 0, {0, 1, 1, 1});
  CHECK_SHAPE(nonzero(Tensor::scalar(2.0, DType::Float32)), {1, 0});
  const TensorList cols = nonzero_as_tuple(make({0, 3, 0, 4}, {2, 2}));
  CHECK_EQ(cols.size(), size_t(2));
  CHECK_VALUES(cols[1], 0, {1, 1});
  CHECK_VALUES(one_hot(longs({2, 0})), 0, {0, 0, 1, 1, 0, 0});
  CHECK_THROWS(one_hot(longs({3}), 3), Index, "class values must be smaller than num_classes");
  CHECK_THROWS(masked_fill(x, make({1, 0, 1}, {3}), Scalar(1.0)), DType, "masked_fill: expected a bool mask");
}

TEST(nonzero_and_masked_select_of_large_contiguous_inputs_match_the_strided_path) {
  // 3 x 70,001 elements: chunks of 65,536 with and without results (a block of zeros), a cut last chunk, masks
  // of every dtype size; the same values through a non-contiguous view take the element-by-element path.
  Tensor v = test::uniform({3, 70001}, 11, -1, 1, DType::Float64);
  v = where(gt(v, wrapped_scalar(Scalar(0.3))), v, zeros({}, DType::Float64));
  v = index_put(v, {longs({1}), arange(0, 70001, 1, DType::Int64)}, zeros({}, DType::Float64));  // row 1: zeros
  const Tensor strided = t(contiguous(t(v)));
  CHECK(!strided.is_contiguous());
  const Tensor mask = ne(v, zeros({}, DType::Float64));
  for (int threads : {1, 2}) {
    const test::ThreadCount use(threads);
    CHECK_SAME(nonzero(v), nonzero(strided), 0);
    CHECK_SAME(nonzero(mask), nonzero(strided), 0);
    for (DType dt : {DType::Float64, DType::Float32, DType::Int64, DType::Bool}) {
      const Tensor x = to(v, dt);
      CHECK_SAME(masked_select(x, mask), masked_select(t(contiguous(t(x))), mask), 0);
    }
  }
}

TEST(get_and_set_python_style) {
  Tensor x = iota({3, 4});
  const Tensor v = get(x, {TensorIndex::slice(1), TensorIndex::new_axis(), TensorIndex::ellipsis(),
                           TensorIndex::slice(0, INT64_MAX, 2)});
  CHECK_SHAPE(v, {2, 1, 2});
  CHECK(v.storage() == x.storage());
  CHECK_VALUES(v, 0, {4, 6, 8, 10});
  set_(x, {TensorIndex::of(gt(x, wrapped_scalar(Scalar(9.0))))}, zeros({}));
  CHECK_VALUES(x, 0, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0});
  set_(x, {TensorIndex::integer(0)}, reshape(make({5, 6, 7, 8}, {4}), {1, 4}));  // leading 1s are dropped
  CHECK_VALUES(select(x, 0, 0), 0, {5, 6, 7, 8});
  CHECK_THROWS(get(x, {TensorIndex::integer(3)}), Index, "getitem: select: index 3 out of range");
  CHECK_THROWS(get(x, {TensorIndex::ellipsis(), TensorIndex::ellipsis()}), Index, "single ellipsis");
  CHECK_THROWS(get(x, {TensorIndex::slice(0, 2, -1)}), Argument, "slice step must be positive");
}

TEST(large_gathers_and_puts_do_not_depend_on_the_thread_count) {
  const Tensor x = test::uniform({40, 300}, 3, -1, 1, DType::Float64);
  std::vector<double> rows(2000);
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<double>((i * 7919) % 40);
  const Tensor idx = longs(rows);
  Tensor one, many;
  {
    test::ThreadCount threads(1);
    one = index_put(index(t(x), {Tensor(), idx}), {Tensor(), longs({0, 1, 0})}, ones({}, DType::Float64), true);
  }
  {
    test::ThreadCount threads(4);
    many = index_put(index(t(x), {Tensor(), idx}), {Tensor(), longs({0, 1, 0})}, ones({}, DType::Float64), true);
  }
  CHECK_SAME(one, many, 0);
  CHECK_VALUES(select(select(many, 0, 7), 0, 2), 0, {test::values(x)[static_cast<size_t>(rows[2]) * 300 + 7]});
}

// scatter, scatter_add and index_add run by lines along dim, one thread per line: with many repeated targets the
// sums have the bits of one thread, match a plain loop in double, and both line orders (dim innermost or not)
// agree with it. A bad index anywhere throws before any write.
TEST(scatter_and_index_add_by_lines) {
  const int64_t rows = 600, cols = 70, targets = 9;
  const Tensor src = test::uniform({rows, cols}, 11, -1, 1, DType::Float32);
  std::vector<double> iv(static_cast<size_t>(rows * cols)), rv(static_cast<size_t>(rows));
  for (size_t i = 0; i < iv.size(); ++i) iv[i] = static_cast<double>((i * 7919 + i / 3) % targets);
  for (size_t i = 0; i < rv.size(); ++i) rv[i] = static_cast<double>((i * 31) % targets);
  const Tensor index = longs(iv, {rows, cols}), rindex = longs(rv);
  const std::vector<double> s = test::values(src);
  // dim 0: lines are columns (adjacent lines, j outside); dim 1 of the transposes: lines are rows of memory apart
  std::vector<double> want_scatter(targets * cols, 0.0), want_index_add(targets * cols, 0.0);
  std::vector<double> want_last(targets * cols, -5.0);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t c = 0; c < cols; ++c) {
      const size_t k = static_cast<size_t>(i * cols + c);
      want_scatter[static_cast<size_t>(iv[k]) * cols + c] += s[k];
      want_last[static_cast<size_t>(iv[k]) * cols + c] = s[k];
      want_index_add[static_cast<size_t>(rv[static_cast<size_t>(i)]) * cols + c] += s[k];
    }
  const Tensor base = full({targets, cols}, Scalar(-5.0), DType::Float32);
  Tensor one[4], two[4];
  for (int threads : {1, 2}) {
    test::ThreadCount count(threads);
    Tensor* out = threads == 1 ? one : two;
    out[0] = scatter_add(zeros({targets, cols}), 0, index, src);
    out[1] = t(scatter_add(zeros({cols, targets}), 1, t(index), t(src)));
    out[2] = index_add(zeros({targets, cols}), 0, rindex, src);
    out[3] = t(index_add(zeros({cols, targets}), 1, rindex, t(src)));
  }
  for (int k = 0; k < 4; ++k) CHECK_SAME(one[k], two[k], 0);
  CHECK_VALUES(two[0], 1e-4, want_scatter);
  CHECK_SAME(two[1], two[0], 0);
  CHECK_VALUES(two[2], 1e-4, want_index_add);
  CHECK_SAME(two[3], two[2], 0);
  CHECK_VALUES(scatter(base, 0, index, src), 0, want_last);  // repeated targets: the last j along the line wins
  CHECK_VALUES(t(scatter(t(base), 1, t(index), t(src))), 0, want_last);
  Tensor self = clone(base);
  std::vector<double> bad = iv;
  bad.back() = targets;
  CHECK_THROWS(scatter_(self, 0, longs(bad, {rows, cols}), src), Index, "scatter: index 9 is out of bounds");
  CHECK_SAME(self, base, 0);
}

// gather and scatter over a dim before the last go by blocks of adjacent lines copied into a scratch block (up to 256
// lines of the 300, so a full block and a tail in each of 3 runs of the outer dim), gather over the last dim line by
// line: both against a plain loop, in float32 and float64, on 1 and 2 threads; a strided index takes the same values.
TEST(gather_and_scatter_by_blocks_of_adjacent_lines) {
  const int64_t outer = 3, size = 40, n = 90, inner = 300;
  std::vector<double> iv(static_cast<size_t>(outer * n * inner));
  for (size_t i = 0; i < iv.size(); ++i) iv[i] = static_cast<double>((i * 7919 + i / 5) % size);
  const Tensor index = longs(iv, {outer, n, inner});
  for (DType dtype : {DType::Float32, DType::Float64}) {
    const Tensor x = test::uniform({outer, size, inner}, 5, -1, 1, dtype), src = test::uniform({outer, n, inner}, 6, -1, 1, dtype);
    const std::vector<double> xv = test::values(x), sv = test::values(src);
    std::vector<double> want_gather(iv.size()), want_add(xv.size(), 0.0), want_last(xv.size(), 2.0);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t c = 0; c < inner; ++c) {
          const size_t k = static_cast<size_t>((o * n + j) * inner + c);
          const size_t target = static_cast<size_t>((o * size + static_cast<int64_t>(iv[k])) * inner + c);
          want_gather[k] = xv[target];
          want_add[target] += sv[k];
          want_last[target] = sv[k];
        }
    Tensor one[3], two[3];
    for (int threads : {1, 2}) {
      test::ThreadCount count(threads);
      Tensor* out = threads == 1 ? one : two;
      out[0] = gather(x, 1, index);
      out[1] = scatter_add(zeros({outer, size, inner}, dtype), 1, index, src);
      out[2] = scatter(full({outer, size, inner}, Scalar(2.0), dtype), 1, index, src);
    }
    for (int k = 0; k < 3; ++k) CHECK_SAME(one[k], two[k], 0);
    CHECK_VALUES(two[0], 0, want_gather);
    CHECK_VALUES(two[1], 1e-5, want_add);
    CHECK_VALUES(two[2], 0, want_last);  // repeated targets: the last j along the line wins
    // Over the last dim (lines a row of memory apart), with an index whose positions along dim are strided.
    const Tensor xt = transpose(x, 1, 2), it = contiguous(transpose(index, 1, 2));
    CHECK_SAME(gather(xt, 2, transpose(contiguous(transpose(it, 1, 2)), 1, 2)), gather(xt, 2, it), 0);
    CHECK_SAME(transpose(gather(contiguous(xt), 2, it), 1, 2), two[0], 0);
  }
  std::vector<double> bad = iv;
  bad[bad.size() / 2] = size;
  CHECK_THROWS(gather(test::uniform({outer, size, inner}, 5, -1, 1), 1, longs(bad, {outer, n, inner})), Index,
               "gather: index 40 is out of bounds for dimension 1 with size 40");
  CHECK_THROWS(gather(test::uniform({outer, inner, size}, 5, -1, 1), 2, transpose(longs(bad, {outer, n, inner}), 1, 2)),
               Index, "gather: index 40 is out of bounds for dimension 2 with size 40");
}

// x[i] and x[:, i] (one 1-D index among slices): the forward copies whole rows where it can, the gradient goes
// through index_add; repeated and negative indices add up as index_put with accumulate does it.
TEST(gradient_of_one_index_tensor_among_slices) {
  std::vector<double> iv;
  for (int k = 0; k < 3000; ++k) iv.push_back(static_cast<double>((k * 37) % 50) - 25);  // -25 .. 24, repeated
  const Tensor i = longs(iv);
  Tensor x = test::uniform({50, 50}, 31, -1, 1, DType::Float64);
  set_requires_grad(x, true);
  for (int64_t dim : {0, 1}) {
    const TensorList list = dim == 0 ? TensorList{i} : TensorList{Tensor(), i};
    const Tensor y = index(x, list);
    std::vector<double> want_y;  // rows (dim 0) or columns (dim 1) copied by the index, negatives from the end
    const std::vector<double> xv = test::values(x);
    for (int64_t r = 0; r < (dim == 0 ? 3000 : 50); ++r)
      for (int64_t c = 0; c < (dim == 0 ? 50 : 3000); ++c) {
        const int64_t k = static_cast<int64_t>(iv[static_cast<size_t>(dim == 0 ? r : c)]);
        const int64_t kk = k < 0 ? k + 50 : k;
        want_y.push_back(xv[static_cast<size_t>(dim == 0 ? kk * 50 + c : r * 50 + kk)]);
      }
    CHECK_VALUES(y, 0, want_y);
    const Tensor g = test::uniform(y.shape(), 32, -1, 1, DType::Float64);
    const Tensor want = index_put(zeros({50, 50}, DType::Float64), list, g, true);
    CHECK_SAME(kiln::grad({y}, {x}, {g})[0], want, 1e-12);
  }
}
