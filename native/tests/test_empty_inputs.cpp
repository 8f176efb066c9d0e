// Empty inputs (a dim of size 0) found by the bad-input walk (OpBadInputTest) to crash an op: each is a value
// or a typed error now, as in PyTorch.
#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;

TEST(var_over_an_empty_dim_is_nan) {
  const Tensor x = zeros({0, 2, 4}, DType::Float64);
  const Tensor v = var(x, {0, 2}, 1);
  CHECK(v.shape() == Shape({2}));
  CHECK(std::isnan(test::values(v)[0]));
}

TEST(instance_norm_of_an_empty_batch) {
  const Tensor x = zeros({0, 3, 4}, DType::Float64);
  const Tensor y = instance_norm(x, Tensor(), Tensor(), ones({3}, DType::Float64), zeros({3}, DType::Float64));
  CHECK(y.shape() == x.shape());
}
