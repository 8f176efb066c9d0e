// View ops (view, reshape, transpose, permute, narrow, slice, expand, squeeze, flatten): storage, strides, errors.
#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "fixtures.h"

using namespace kiln;
using test::iota;
using test::make;

namespace {

// Whether v is a view of base: same storage, no copy.
bool shares_storage(const Tensor& v, const Tensor& base) { return v.storage() == base.storage(); }

}  // namespace

TEST(view_of_a_contiguous_tensor_shares_memory) {
  const Tensor x = iota({2, 3, 4});
  const Tensor v = view(x, {6, 4});
  CHECK_SHAPE(v, {6, 4});
  CHECK_DIMS(v.strides(), {4, 1});
  CHECK(v.raw_data() == x.raw_data());
  CHECK(v.is_contiguous());
  CHECK_SAME(view(x, {-1}), iota({24}), 0);
  CHECK_SHAPE(view(x, {4, -1, 2}), {4, 3, 2});
  CHECK_SHAPE(view(x, {1, 24, 1}), {1, 24, 1});
}

TEST(view_of_strided_tensors_when_strides_allow) {
  // torch.arange(24.).view(4, 6).t().view(6, 2, 2): strides (1, 12, 6).
  const Tensor x = t(iota({4, 6}));
  const Tensor v = view(x, {6, 2, 2});
  CHECK_DIMS(v.strides(), {1, 12, 6});
  CHECK(shares_storage(v, x));
  CHECK_VALUES(narrow(v, 0, 1, 1), 0, {1, 7, 13, 19});
  // A sliced vector viewed with size-1 dims: strides (2, 2) and (10, 2).
  const Tensor s = slice(iota({10}), 0, 0, 10, 2);
  CHECK_DIMS(view(s, {5, 1}).strides(), {2, 2});
  CHECK_DIMS(view(s, {1, 5}).strides(), {10, 2});
}

TEST(view_of_incompatible_strides_is_refused) {
  const Tensor x = transpose(iota({2, 3, 4}), 1, 2);  // [2, 4, 3], strides [12, 1, 4]
  CHECK_DIMS(x.strides(), {12, 1, 4});
  CHECK_THROWS(view(x, {2, 12}), Shape,
               "view: view size [2, 12] is not compatible with input tensor's size [2, 4, 3] and stride [12, 1, 4]");
  CHECK_THROWS(view(x, {8, 3}), Shape, "Use reshape(...) instead");
  CHECK_THROWS(view(t(iota({2, 3})), {6}), Shape, "spans across two contiguous subspaces");
  CHECK_THROWS(view(iota({6}), {4, -1}), Shape, "shape [4, -1] is invalid for input of size 6");
}

TEST(view_and_reshape_of_an_expanded_tensor) {
  const Tensor e = expand(make({1, 2, 3}, {3, 1}), {3, 4});
  CHECK_DIMS(view(e, {3, 2, 2}).strides(), {1, 0, 0});  // a broadcast dim splits into broadcast dims
  CHECK_THROWS(view(e, {12}), Shape, "is not compatible with input tensor's size [3, 4] and stride [1, 0]");
  const Tensor r = reshape(e, {12});
  CHECK(!shares_storage(r, e));
  CHECK_VALUES(r, 0, {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3});
}

TEST(reshape_views_when_it_can) {
  const Tensor x = iota({3, 4});
  const Tensor r = reshape(x, {2, 6});
  CHECK(r.raw_data() == x.raw_data());
  CHECK(shares_storage(r, x));
  // Splitting a transposed dim is still a view.
  const Tensor xt = t(x);
  CHECK(shares_storage(reshape(xt, {2, 2, 3}), xt));
  // A scalar reshapes to any all-ones shape without a copy.
  const Tensor s = Tensor::scalar(5.0, DType::Float32);
  CHECK(shares_storage(reshape(s, {1, 1}), s));
}

TEST(reshape_copies_when_it_must) {
  const Tensor x = iota({2, 3, 4});
  const Tensor xt = transpose(x, 0, 2);  // [4, 3, 2]
  const Tensor r = reshape(xt, {-1});
  CHECK(!shares_storage(r, x));
  CHECK(r.is_contiguous());
  // torch.arange(24.).view(2, 3, 4).transpose(0, 2).flatten()[:8]
  CHECK_VALUES(narrow(r, 0, 0, 8), 0, {0, 12, 4, 16, 8, 20, 1, 13});
  const Tensor stepped = slice(iota({2, 3}), 1, 0, 3, 2);  // [[0, 2], [3, 5]]
  const Tensor r2 = reshape(stepped, {4});
  CHECK(!shares_storage(r2, stepped));
  CHECK_VALUES(r2, 0, {0, 2, 3, 5});
}

TEST(transpose_swaps_sizes_and_strides) {
  const Tensor x = iota({2, 3, 4});
  const Tensor y = transpose(x, 0, -1);
  CHECK_SHAPE(y, {4, 3, 2});
  CHECK_DIMS(y.strides(), {1, 4, 12});
  CHECK(shares_storage(y, x));
  CHECK(!y.is_contiguous());
  CHECK_VALUES(transpose(iota({2, 3}), 0, 1), 0, {0, 3, 1, 4, 2, 5});
  CHECK(transpose(x, 1, 1).same_layout(x));
  CHECK_SHAPE(transpose(Tensor::scalar(1.0, DType::Float32), 0, -1), {});
  CHECK_THROWS(transpose(x, 0, 3), Index,
               "transpose: dimension out of range (expected to be in range of [-3, 2], but got 3)");
}

TEST(t_transposes_matrices_only) {
  CHECK_VALUES(t(iota({2, 3})), 0, {0, 3, 1, 4, 2, 5});
  CHECK_SHAPE(t(iota({3})), {3});
  CHECK_SHAPE(t(Tensor::scalar(1.0, DType::Float32)), {});
  CHECK_THROWS(t(iota({2, 3, 4})), Shape,
               "t: expects a tensor with <= 2 dimensions, but got 3-D tensor of shape [2, 3, 4]");
}

TEST(permute_reorders_dims) {
  const Tensor x = iota({2, 3, 4});
  const Tensor p = permute(x, {2, 0, 1});
  CHECK_SHAPE(p, {4, 2, 3});
  CHECK_DIMS(p.strides(), {1, 12, 4});
  CHECK(shares_storage(p, x));
  // p[1][1][2] == x[1][2][1] == 12 + 8 + 1
  CHECK_VALUES(narrow(narrow(narrow(p, 0, 1, 1), 1, 1, 1), 2, 2, 1), 0, {21});
  CHECK(permute(x, {-3, -2, -1}).same_layout(x));
}

TEST(permute_errors) {
  const Tensor x = iota({2, 3});
  CHECK_THROWS(permute(x, {0, 0}), Argument, "permute: repeated dim 0 in [0, 0]");
  CHECK_THROWS(permute(x, {1, -1}), Argument, "repeated dim 1");
  CHECK_THROWS(permute(x, {0}), Shape, "permute: number of dims don't match");
  CHECK_THROWS(permute(x, {0, 2}), Index, "dimension out of range");
}

TEST(narrow_selects_a_range) {
  const Tensor x = iota({4, 5});
  const Tensor n = narrow(x, 1, 1, 3);
  CHECK_SHAPE(n, {4, 3});
  CHECK_EQ(n.offset(), int64_t(1));
  CHECK(shares_storage(n, x));
  CHECK_VALUES(n, 0, {1, 2, 3, 6, 7, 8, 11, 12, 13, 16, 17, 18});
  CHECK_VALUES(narrow(x, 1, -2, 2), 0, {3, 4, 8, 9, 13, 14, 18, 19});
  CHECK(narrow(x, 0, 1, 2).is_contiguous());
  CHECK(!n.is_contiguous());
  CHECK_SHAPE(narrow(x, 0, 4, 0), {0, 5});
}

TEST(narrow_errors) {
  const Tensor x = iota({6});
  CHECK_THROWS(narrow(x, 0, 4, 3), Index, "narrow: start (4) + length (3) exceeds dimension size (6)");
  CHECK_THROWS(narrow(x, 0, 7, 0), Index, "narrow: start (7) is out of range for dimension 0 of size 6");
  CHECK_THROWS(narrow(x, 0, -7, 1), Index, "out of range");
  CHECK_THROWS(narrow(x, 0, 0, -1), Argument, "length must be non-negative");
  CHECK_THROWS(narrow(x, 1, 0, 1), Index, "dimension out of range");
  // start + length must not overflow on the way to the check.
  CHECK_THROWS(narrow(x, 0, 1, INT64_MAX), Index,
               "narrow: start (1) + length (9223372036854775807) exceeds dimension size (6)");
  CHECK_THROWS(narrow(Tensor::scalar(1.0, DType::Float32), 0, 0, 1), Shape, "0-dim");
}

TEST(slice_with_steps) {
  const Tensor x = iota({10});
  CHECK_VALUES(slice(x, 0, 1, 8, 3), 0, {1, 4, 7});
  const Tensor s = slice(x, 0, 1, 10, 2);
  CHECK_VALUES(s, 0, {1, 3, 5, 7, 9});
  CHECK_DIMS(s.strides(), {2});
  CHECK_EQ(s.offset(), int64_t(1));
  CHECK(shares_storage(s, x));
  // torch.arange(20.).view(4, 5)[:, 1::2]: strides (5, 2).
  const Tensor m = slice(iota({4, 5}), 1, 1, 5, 2);
  CHECK_DIMS(m.strides(), {5, 2});
  CHECK_VALUES(m, 0, {1, 3, 6, 8, 11, 13, 16, 18});
}

TEST(slice_bounds_are_wrapped_and_clamped) {
  const Tensor x = iota({10});
  CHECK_VALUES(slice(x, 0, -3, 100, 2), 0, {7, 9});  // x[-3:100:2]
  CHECK_VALUES(slice(x, 0, -100, 3), 0, {0, 1, 2});  // x[-100:3]
  CHECK_VALUES(slice(x, 0, 2, -5), 0, {2, 3, 4});     // x[2:-5]
  CHECK_SHAPE(slice(x, 0, 8, 2), {0});                // x[8:2]
  CHECK_SHAPE(slice(x, 0, 20, 30), {0});
  CHECK_SHAPE(slice(x, -1, 0, 10, 20), {1});
  // Steps beyond the size keep the first element, without overflow (Python: list(range(10))[0:10:2**63 - 1]).
  CHECK_VALUES(slice(x, 0, 3, 10, int64_t(1) << 62), 0, {3});
  CHECK_VALUES(slice(x, 0, 0, 10, INT64_MAX), 0, {0});
  CHECK_VALUES(slice(iota({4, 5}), 0, 1, 4, INT64_MAX), 0, {5, 6, 7, 8, 9});
  CHECK_THROWS(slice(x, 0, 0, 10, 0), Argument, "slice: step must be positive, got 0");
  CHECK_THROWS(slice(x, 0, 0, 10, -1), Argument, "step must be positive");
  CHECK_THROWS(slice(x, 1, 0, 1), Index, "dimension out of range");
}

TEST(expand_broadcasts_with_zero_strides) {
  const Tensor x = make({1, 2, 3}, {3, 1});
  const Tensor e = expand(x, {3, 4});
  CHECK_SHAPE(e, {3, 4});
  CHECK_DIMS(e.strides(), {1, 0});
  CHECK(shares_storage(e, x));
  CHECK(!e.is_contiguous());
  CHECK_VALUES(e, 0, {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3});
  CHECK_SHAPE(expand(x, {-1, 4}), {3, 4});
  const Tensor lead = expand(x, {2, 3, 4});
  CHECK_DIMS(lead.strides(), {0, 1, 0});
  CHECK_VALUES(sum(lead), 0, {48});
  CHECK(expand(x, {3, 1}).same_layout(x));
  CHECK_SHAPE(expand(x, {3, 0}), {3, 0});
}

TEST(expand_errors) {
  const Tensor x = make({1, 2, 3}, {3, 1});
  CHECK_THROWS(expand(x, {4}), Shape,
               "expand: the number of sizes provided (1) must be greater or equal to the number of dimensions in the "
               "tensor (2)");
  CHECK_THROWS(expand(x, {4, 4}), Shape,
               "the expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0");
  CHECK_THROWS(expand(x, {-1, 3, 4}), Shape,
               "the expanded size -1 is not allowed in a leading, non-existing dimension 0");
  CHECK_THROWS(expand(x, {3, -2}), Shape, "invalid size -2");
}

TEST(squeeze_and_unsqueeze) {
  const Tensor x = iota({1, 2, 1});
  CHECK_SHAPE(squeeze(x), {2});
  CHECK_SHAPE(squeeze(x, 1), {1, 2, 1});
  CHECK_SHAPE(squeeze(x, -1), {1, 2});
  CHECK_SHAPE(squeeze(x, 0), {2, 1});
  CHECK(shares_storage(squeeze(x), x));
  CHECK_SHAPE(squeeze(Tensor::scalar(1.0, DType::Float32), 0), {});
  CHECK_THROWS(squeeze(x, 3), Index, "dimension out of range");

  const Tensor m = iota({2, 3});
  CHECK_SHAPE(unsqueeze(m, -1), {2, 3, 1});
  CHECK_SHAPE(unsqueeze(m, -3), {1, 2, 3});
  // torch.ones(2, 3).unsqueeze(d).stride() for d = 0, 1, 2.
  CHECK_DIMS(unsqueeze(m, 0).strides(), {6, 3, 1});
  CHECK_DIMS(unsqueeze(m, 1).strides(), {3, 3, 1});
  CHECK_DIMS(unsqueeze(m, 2).strides(), {3, 1, 1});
  CHECK(unsqueeze(m, 1).is_contiguous());
  CHECK_SHAPE(unsqueeze(Tensor::scalar(1.0, DType::Float32), 0), {1});
  CHECK_THROWS(unsqueeze(m, 3), Index, "(expected to be in range of [-3, 2], but got 3)");
}

TEST(flatten_merges_a_range_of_dims) {
  const Tensor x = iota({2, 3, 4, 5});
  CHECK_SHAPE(flatten(x, 1, 2), {2, 12, 5});
  CHECK_SHAPE(flatten(x), {120});
  CHECK_SHAPE(flatten(x, -2, -1), {2, 3, 20});
  CHECK_SHAPE(flatten(x, 2, 2), {2, 3, 4, 5});
  CHECK(shares_storage(flatten(x, 1, 2), x));
  CHECK_SHAPE(flatten(Tensor::scalar(1.0, DType::Float32)), {1});
  CHECK_VALUES(flatten(t(iota({2, 3}))), 0, {0, 3, 1, 4, 2, 5});
  CHECK_THROWS(flatten(x, 2, 1), Argument, "flatten: start_dim (2) cannot come after end_dim (1)");
}

TEST(contiguous_copies_only_strided_tensors) {
  const Tensor x = iota({3, 4});
  CHECK(contiguous(x).same(x));
  const Tensor c = contiguous(t(x));
  CHECK(c.is_contiguous());
  CHECK(!shares_storage(c, x));
  CHECK_DIMS(c.strides(), {3, 1});
  CHECK_VALUES(c, 0, {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  const Tensor e = contiguous(expand(make({1, 2}, {2, 1}), {2, 3}));
  CHECK(e.is_contiguous());
  CHECK_VALUES(e, 0, {1, 1, 1, 2, 2, 2});
}

TEST(contiguous_copies_of_transposes_and_permutes_match_element_by_element) {
  // Same-dtype copies whose sides are contiguous along different dims go through tiles (cpu/copy.cpp: dims that
  // are one run on both sides merged, bands of 32 rows, or of 1024 rows in strips of 16 columns for short rows;
  // sizes here leave a tail of each, and the other dims are strided); every element must land where the strides
  // say.
  // 4-byte dtypes move through vector registers as floats: int32 values in [-1000, 1000] are float NaNs and
  // subnormals by their bits, which must come out unchanged.
  const auto check_copy = [](const Tensor& view) {
    const Tensor got = contiguous(view);
    CHECK(got.is_contiguous());
    const std::vector<double> g = test::values(got);
    const Shape& shape = view.shape();
    const Tensor base = to(view, DType::Float64);  // the same elements through the general strided loop
    const std::vector<double> w = test::values(base);
    CHECK_EQ(g.size(), w.size());
    for (size_t i = 0; i < g.size(); ++i)
      if (g[i] != w[i]) test::fail_at(__FILE__, __LINE__, "element " + std::to_string(i) + " differs");
    CHECK(got.shape() == shape);
  };
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64, DType::Int32, DType::Float16, DType::Bool}) {
    const Tensor m = dt == DType::Bool ? gt(test::uniform({77, 45}, 3), Tensor::scalar(0.0, DType::Float32))
                                      : to(mul(test::uniform({77, 45}, 3), 1000.0), dt);
    check_copy(t(m));
    const Tensor img = dt == DType::Bool ? gt(test::uniform({3, 20, 17, 33}, 4), Tensor::scalar(0.0, DType::Float32))
                                        : to(mul(test::uniform({3, 20, 17, 33}, 4), 1000.0), dt);
    check_copy(permute(img, {0, 2, 3, 1}));  // NCHW -> NHWC
    check_copy(permute(contiguous(permute(img, {0, 2, 3, 1})), {0, 3, 1, 2}));  // and back
    check_copy(transpose(narrow(img, 3, 1, 30), 1, 3));  // a narrowed, strided source
    // H x W = 1517 pixels: two bands of rows from NHWC, 20 channels: a strip of 16 and one of 4.
    const Tensor big = to(mul(test::uniform({2, 20, 37, 41}, 5), 1000.0), dt == DType::Bool ? DType::Int32 : dt);
    check_copy(permute(big, {0, 2, 3, 1}));
    check_copy(permute(contiguous(permute(big, {0, 2, 3, 1})), {0, 3, 1, 2}));
    check_copy(permute(narrow(big, 3, 0, 40), {0, 2, 3, 1}));  // H and W do not merge: W is narrowed
  }
}

TEST(transposed_copies_past_the_last_level_cache_are_streamed_with_the_same_values) {
  // A 4-byte transposed copy of at least the last-level cache's size writes its whole lines by streaming stores
  // (cpu/copy.cpp, transpose16.h; rows of dst a multiple of 16 floats keep them aligned). Columns of the source
  // taken 100 at a time are small enough to be stored plainly and must give the same values; 4099 columns leave
  // a tail of 3 in the last 16 x 16 blocks.
  const Tensor x = test::uniform({4112, 4099}, 6);  // 67 MB
  const Tensor y = contiguous(t(x));
  for (int64_t c : {int64_t(0), int64_t(2011), int64_t(3999)})
    CHECK_SAME(slice(y, 0, c, c + 100), contiguous(t(slice(x, 1, c, c + 100))), 0);
}

TEST(same_dtype_copies_move_every_byte) {
  // Contiguous runs are copied by 8-byte words and then single bytes (cpu/copy.cpp), a large tensor in blocks of
  // 1 KB: lengths that leave each tail, destinations that start off an 8-byte boundary, and the elements around
  // the destination unchanged. Bits, not values: int32 patterns that are float NaNs must arrive as they left.
  for (DType dt : {DType::Int8, DType::Float16, DType::Int32, DType::Float64}) {
    const int64_t size = static_cast<int64_t>(dtype_size(dt));
    for (int64_t n : {int64_t(1), int64_t(7), int64_t(13), (int64_t(1) << 21) / size + 5}) {
      const Tensor src = to(mul(test::uniform({n}, 11), 100.0), dt);
      const Tensor c = clone(src);
      CHECK(std::memcmp(c.raw_data(), src.raw_data(), static_cast<size_t>(n * size)) == 0);
      Tensor frame = full({n + 3}, 5.0, dt);
      Tensor inner = narrow(frame, 0, 1, n);  // starts one element past frame's start
      copy_(inner, src);
      CHECK(std::memcmp(inner.raw_data(), src.raw_data(), static_cast<size_t>(n * size)) == 0);
      CHECK(item(select(frame, 0, 0)) == 5.0 && item(select(frame, 0, n + 1)) == 5.0 && item(select(frame, 0, n + 2)) == 5.0);
    }
  }
}

TEST(writes_through_a_view_reach_the_base) {
  Tensor x = zeros({3, 4});
  Tensor column = narrow(x, 1, 2, 1);
  fill_(column, 7.0);
  CHECK_VALUES(x, 0, {0, 0, 7, 0, 0, 0, 7, 0, 0, 0, 7, 0});
  Tensor every_other = slice(view(x, {12}), 0, 0, 12, 5);  // elements 0, 5, 10
  fill_(every_other, 1.0);
  CHECK_VALUES(x, 0, {1, 0, 7, 0, 0, 1, 7, 0, 0, 0, 1, 0});
  // One version counter for the storage: a write through a view is seen by every view.
  const uint32_t v0 = t(x).storage()->version();
  fill_(column, 2.0);
  CHECK_EQ(x.storage()->version(), v0 + 1);
}

TEST(contiguity_flags) {
  CHECK(iota({2, 3}).is_contiguous());
  CHECK(!t(iota({2, 3})).is_contiguous());
  CHECK(transpose(iota({2, 1, 3}), 0, 1).is_contiguous());  // size-1 dims' strides do not matter
  CHECK(slice(iota({4, 5}), 0, 1, 3).is_contiguous());
  CHECK(!slice(iota({4, 5}), 1, 1, 3).is_contiguous());
  CHECK(t(zeros({0, 3})).is_contiguous());  // empty tensors are contiguous
  CHECK(expand(iota({1, 3}), {1, 3}).is_contiguous());
  CHECK(!expand(iota({1, 3}), {2, 3}).is_contiguous());
  CHECK(Tensor::scalar(1.0, DType::Float32).is_contiguous());
}

TEST(as_strided_stays_inside_the_storage) {
  const Tensor x = iota({6});
  CHECK_VALUES(x.as_strided({2, 2}, {3, 1}, 1), 0, {1, 2, 4, 5});
  CHECK_THROWS(x.as_strided({2, 3}, {3, 1}, 1), Internal, "is out of bounds for storage of 6 elements");
  CHECK_THROWS(x.as_strided({7}, {1}, 0), Internal, "out of bounds");
}
