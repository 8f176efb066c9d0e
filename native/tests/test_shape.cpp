// Shape arithmetic (kiln/shape.h): numel, strides, dim wrapping, broadcasting, -1 inference, reduction dims.
#include <climits>

#include "fixtures.h"

using namespace kiln;

TEST(checked_numel_multiplies_sizes) {
  CHECK_EQ(checked_numel({}, "t"), 1);
  CHECK_EQ(checked_numel({7}, "t"), 7);
  CHECK_EQ(checked_numel({2, 3, 4}, "t"), 24);
  CHECK_EQ(checked_numel({2, 0, 4}, "t"), 0);
  CHECK_EQ(checked_numel({int64_t(1) << 31, int64_t(1) << 31}, "t"), int64_t(1) << 62);
  CHECK_EQ(checked_numel({INT64_MAX}, "t"), INT64_MAX);
}

TEST(checked_numel_rejects_negative_sizes) {
  CHECK_THROWS(checked_numel({2, -1}, "zeros"), Argument, "zeros: sizes must be non-negative, got [2, -1]");
  CHECK_THROWS(checked_numel({-3}, "empty"), Argument, "[-3]");
}

TEST(checked_numel_rejects_64_bit_overflow) {
  CHECK_THROWS(checked_numel({int64_t(1) << 32, int64_t(1) << 32}, "ones"), Argument, "overflows 64 bits");
  CHECK_THROWS(checked_numel({INT64_MAX, 2}, "ones"), Argument, "ones: the number of elements of");
  CHECK_THROWS(checked_numel({int64_t(1) << 21, int64_t(1) << 21, int64_t(1) << 21}, "ones"), Argument, "overflows");
}

TEST(checked_numel_rejects_too_many_dims) {
  CHECK_EQ(checked_numel(Shape(64, 1), "t"), 1);
  CHECK_THROWS(checked_numel(Shape(65, 1), "view"), Argument, "at most 64 dims, got 65");
}

TEST(contiguous_strides_are_row_major) {
  CHECK_DIMS(contiguous_strides({2, 3, 4}), {12, 4, 1});
  CHECK_DIMS(contiguous_strides({5}), {1});
  CHECK_DIMS(contiguous_strides({}), {});
  CHECK_DIMS(contiguous_strides({3, 1, 2}), {2, 2, 1});
  // A zero size counts as one, as in torch.empty(2, 0, 3).stride() == (3, 3, 1).
  CHECK_DIMS(contiguous_strides({2, 0, 3}), {3, 3, 1});
}

TEST(wrap_dim_maps_negative_dims) {
  CHECK_EQ(wrap_dim(0, 3, "t"), 0);
  CHECK_EQ(wrap_dim(2, 3, "t"), 2);
  CHECK_EQ(wrap_dim(-1, 3, "t"), 2);
  CHECK_EQ(wrap_dim(-3, 3, "t"), 0);
}

TEST(wrap_dim_out_of_range_names_the_range) {
  CHECK_THROWS(wrap_dim(3, 3, "sum"), Index,
               "sum: dimension out of range (expected to be in range of [-3, 2], but got 3)");
  CHECK_THROWS(wrap_dim(-4, 3, "sum"), Index, "[-3, 2], but got -4");
  CHECK_THROWS(wrap_dim(2, 2, "transpose"), Index, "[-2, 1], but got 2");
}

TEST(wrap_dim_of_a_0_dim_tensor_accepts_minus_one_and_zero) {
  CHECK_EQ(wrap_dim(0, 0, "t"), 0);
  CHECK_EQ(wrap_dim(-1, 0, "t"), 0);
  CHECK_THROWS(wrap_dim(1, 0, "t"), Index, "[-1, 0], but got 1");
  CHECK_THROWS(wrap_dim(-2, 0, "t"), Index, "[-1, 0], but got -2");
}

TEST(broadcast_shapes_follow_numpy_rules) {
  CHECK_DIMS(broadcast_shapes({2, 1, 3}, {4, 1}, "add"), {2, 4, 3});
  CHECK_DIMS(broadcast_shapes({4, 1}, {2, 1, 3}, "add"), {2, 4, 3});
  CHECK_DIMS(broadcast_shapes({}, {3}, "add"), {3});
  CHECK_DIMS(broadcast_shapes({}, {}, "add"), {});
  CHECK_DIMS(broadcast_shapes({2, 3}, {2, 3}, "add"), {2, 3});
  CHECK_DIMS(broadcast_shapes({0}, {1}, "add"), {0});
  CHECK_DIMS(broadcast_shapes({3, 1}, {1, 0}, "add"), {3, 0});
  CHECK_DIMS(broadcast_shapes({5, 1, 4, 1}, {3, 1, 1}, "add"), {5, 3, 4, 1});
}

TEST(broadcast_shapes_mismatch_names_both_shapes) {
  CHECK_THROWS(broadcast_shapes({2, 3}, {3, 2}, "mul"), Shape, "mul: shapes [2, 3] and [3, 2] cannot be broadcast");
  CHECK_THROWS(broadcast_shapes({4}, {2, 3}, "add"), Shape, "size 4 vs 3 at dim 1");
  CHECK_THROWS(broadcast_shapes({0}, {2}, "add"), Shape, "cannot be broadcast");
}

TEST(infer_size_resolves_one_minus_one) {
  CHECK_DIMS(infer_size({2, -1}, 6, "view"), {2, 3});
  CHECK_DIMS(infer_size({-1, 4, 1}, 12, "view"), {3, 4, 1});
  CHECK_DIMS(infer_size({-1}, 0, "view"), {0});
}

TEST(infer_size_without_minus_one_checks_numel) {
  CHECK_DIMS(infer_size({2, 3}, 6, "view"), {2, 3});
  CHECK_DIMS(infer_size({}, 1, "view"), {});
  CHECK_THROWS(infer_size({5}, 6, "view"), Shape, "view: shape [5] is invalid for input of size 6");
  CHECK_THROWS(infer_size({}, 2, "view"), Shape, "shape [] is invalid for input of size 2");
}

TEST(infer_size_errors) {
  CHECK_THROWS(infer_size({-1, -1}, 6, "reshape"), Argument, "reshape: only one dimension can be inferred in [-1, -1]");
  CHECK_THROWS(infer_size({4, -1}, 6, "reshape"), Shape, "shape [4, -1] is invalid for input of size 6");
  CHECK_THROWS(infer_size({-2, 3}, 6, "reshape"), Argument, "invalid shape dimension -2");
  CHECK_THROWS(infer_size({-1, 0}, 0, "reshape"), Shape, "the unspecified dimension size -1 can be any value");
  CHECK_THROWS(infer_size({0, -1}, 0, "reshape"), Shape, "can be any value");
}

TEST(reduction_dims_empty_means_all) {
  CHECK_DIMS(reduction_dims({}, 3, "sum"), {0, 1, 2});
  CHECK_DIMS(reduction_dims({}, 0, "sum"), {});
}

TEST(reduction_dims_are_wrapped_and_sorted) {
  CHECK_DIMS(reduction_dims({2, 0}, 3, "sum"), {0, 2});
  CHECK_DIMS(reduction_dims({-1, 0}, 3, "sum"), {0, 2});
  CHECK_DIMS(reduction_dims({3, -4, 1}, 4, "sum"), {0, 1, 3});
  // Dim 0 or -1 of a 0-dim tensor is accepted and reduces nothing.
  CHECK_DIMS(reduction_dims({-1}, 0, "sum"), {});
  CHECK_DIMS(reduction_dims({0}, 0, "sum"), {});
}

TEST(reduction_dims_rejects_duplicates_and_bad_dims) {
  CHECK_THROWS(reduction_dims({1, -2}, 3, "sum"), Argument, "sum: dim 1 appears multiple times in the list of dims");
  CHECK_THROWS(reduction_dims({0, 0}, 2, "mean"), Argument, "dim 0 appears multiple times");
  CHECK_THROWS(reduction_dims({3}, 3, "sum"), Index, "dimension out of range");
}
