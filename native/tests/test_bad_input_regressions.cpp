// Regressions found by the bad-input walk (OpBadInputTest, DimOutOfRangeTest, InPlaceIntoExpandedTest): empty
// inputs that crashed an op, dim errors that named another op, in-place writes PyTorch allows into expanded
// tensors. Each case is a value or a typed error now, as in PyTorch.
#include <cmath>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;

TEST(var_over_an_empty_dim_is_nan) {
  const Tensor x = zeros({0, 2, 4}, DType::Float64);
  const Tensor v = var(x, {0, 2}, 1);  // crashed: the reduction walk took a modulo by the size-0 dim
  CHECK(v.shape() == Shape({2}));
  CHECK(std::isnan(test::values(v)[0]) && std::isnan(test::values(v)[1]));
}

TEST(instance_norm_of_an_empty_batch_is_empty) {
  const Tensor x = zeros({0, 3, 4}, DType::Float64);
  // crashed: batch norm of the folded [1, 0, 4] divided by its zero columns
  const Tensor y = instance_norm(x, Tensor(), Tensor(), ones({3}, DType::Float64), zeros({3}, DType::Float64));
  CHECK(y.shape() == x.shape());
}

TEST(dim_errors_name_the_op_called) {
  const Tensor x = zeros({2, 3}, DType::Float64);
  CHECK_THROWS(nanmean(x, {5}), Index, "nanmean: dimension out of range");
  CHECK_THROWS(slice_scatter(x, zeros({2, 3}, DType::Float64), -6, 0, 1, 1), Index,
               "slice_scatter: dimension out of range");
}

TEST(masked_fill_and_index_put_write_through_an_expanded_tensor_as_pytorch) {
  Tensor base = ones({1, 3}, DType::Float64);
  Tensor e = expand(base, {2, 3});
  masked_fill_(e, test::make({1, 0, 1}, {3}, DType::Bool), wrapped_scalar(Scalar(5.0)));
  CHECK_VALUES(base, 0, {5, 1, 5});
  index_put_(e, {test::make({0}, {1}, DType::Int64)}, wrapped_scalar(Scalar(2.0)), true);
  CHECK_VALUES(base, 0, {7, 3, 7});  // torch: ones(1, 3).expand(2, 3).index_put_(([0],), 2., accumulate=True) adds once
  CHECK_THROWS(copy_(e, zeros({3}, DType::Float64)), Argument, "refers to a single memory location");
}
