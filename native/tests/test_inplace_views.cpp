// In-place ops on views under autograd (PyTorch's CopySlices): the base's history is rebased, views' grad_fn
// follow their base, and the cases PyTorch refuses are refused.
#include "fixtures.h"
#include "kiln/autograd.h"
#include "op_table.h"

using namespace kiln;
using test::make;

namespace {

Tensor leaf(std::vector<double> values, Shape shape) {
  Tensor t = make(values, shape, DType::Float64);
  return set_requires_grad(t, true);
}

// self.op_(other): the in-place form of a binary op, as Java's mul_ calls it.
void inplace(const char* op, const Tensor& self, const Tensor& other) {
  call_inplace(*op_table()[op_id(op)], {self, other});
}
void inplace(const char* op, const Tensor& self, double other) { inplace(op, self, wrapped_scalar(Scalar(other))); }

}  // namespace

TEST(mul_into_a_narrowed_row_of_a_non_leaf) {  // y = x * 2; y[0:1] *= 3
  Tensor x = leaf({1, 2, 3, 4}, {2, 2});
  Tensor y = mul(x, Scalar(2.0));
  Tensor v = narrow(y, 0, 0, 1);
  inplace("mul", v, 3.0);
  CHECK_EQ(grad_fn_name(y), std::string("CopySlices"));
  CHECK_EQ(grad_fn_name(v), std::string("SliceBackward0"));
  CHECK_VALUES(y, 0, {6, 12, 6, 8});
  backward({sum(mul(y, y))});  // d/dx sum(y^2) = 2 y dy/dx: 2*6*6, 2*12*6, 2*6*2, 2*8*2
  CHECK_VALUES(grad(x), 1e-12, {72, 144, 24, 32});
}

TEST(copy_into_a_view_of_a_buffer_that_needs_no_grad) {  // buf = zeros; buf[1:3] = h * 2
  Tensor h = leaf({5, 7}, {2});
  Tensor buf = zeros({4}, DType::Float64);
  Tensor region = slice(buf, 0, 1, 3);
  copy_(region, mul(h, Scalar(2.0)));
  CHECK(requires_grad(buf));
  CHECK_EQ(grad_fn_name(buf), std::string("CopySlices"));
  CHECK_VALUES(buf, 0, {0, 10, 14, 0});
  backward({sum(mul(buf, make({1, 2, 3, 4}, {4}, DType::Float64)))});
  CHECK_VALUES(grad(h), 1e-12, {4, 6});
}

TEST(views_made_before_the_write_follow_the_base) {
  Tensor x = leaf({1, 2, 3}, {3});
  Tensor y = mul(x, Scalar(1.0));
  Tensor tail = slice(y, 0, 1, 3);   // made before the write, overlaps it
  Tensor head = slice(y, 0, 0, 2);
  CHECK_EQ(grad_fn_name(tail), std::string("SliceBackward0"));
  inplace("mul", head, 10.0);  // y = [10, 20, 3]
  CHECK_VALUES(tail, 0, {20, 3});
  backward({sum(tail)});  // d/dx of y[1] + y[2] = 10 dx1 + dx2
  CHECK_VALUES(grad(x), 1e-12, {0, 10, 1});
}

TEST(view_of_a_view_and_a_second_write) {
  Tensor x = leaf({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor y = mul(x, Scalar(2.0));
  Tensor row = select(y, 0, 1);         // [8, 10, 12]
  Tensor cell = slice(row, 0, 1, 2);    // [10]
  inplace("mul", cell, 3.0);
  Tensor col = select(y, 1, 0);         // [2, 8]
  inplace("add", col, col);  // doubles column 0 through itself
  CHECK_VALUES(y, 0, {4, 4, 6, 16, 30, 12});
  backward({sum(y)});
  CHECK_VALUES(grad(x), 1e-12, {4, 2, 2, 4, 6, 2});
}

TEST(higher_order_through_copy_slices) {
  Tensor x = leaf({1.5, -2}, {2});
  Tensor y = mul(x, x);
  Tensor v = slice(y, 0, 0, 1);
  inplace("mul", v, slice(x, 0, 0, 1));  // y0 = x0^3
  Tensor g = grad({sum(y)}, {x}, {}, true, true)[0];  // [3 x0^2, 2 x1]
  CHECK_VALUES(g, 1e-12, {6.75, -4});
  Tensor gg = grad({sum(g)}, {x})[0];  // [6 x0, 2]
  CHECK_VALUES(gg, 1e-12, {9, 2});
}

TEST(views_of_leaves_that_require_grad_are_refused) {
  Tensor x = leaf({1, 2}, {2});
  Tensor v = slice(x, 0, 0, 1);
  CHECK_THROWS(inplace("mul", v, 2.0), Autograd,
               "a view of a leaf tensor that requires grad");
  CHECK_VALUES(x, 0, {1, 2});
  {
    NoGradGuard no_grad;  // as optimizers do
    inplace("mul", v, 2.0);
  }
  CHECK_VALUES(x, 0, {2, 2});
}

TEST(pieces_of_split_cannot_be_written_in_place_under_autograd) {
  Tensor x = leaf({1, 2, 3, 4}, {4});
  Tensor y = mul(x, Scalar(1.0));
  TensorList parts = split(y, 2);
  CHECK_THROWS(inplace("mul", parts[0], 2.0), Autograd,
               "several views");
  CHECK_VALUES(y, 0, {1, 2, 3, 4});
  Tensor plain = make({1, 2, 3, 4}, {4});
  TensorList p2 = split(plain, 2);
  inplace("mul", p2[1], 2.0);  // nothing records: allowed
  CHECK_VALUES(plain, 0, {1, 2, 6, 8});
}

TEST(saved_base_modified_through_a_view_is_caught) {
  Tensor x = leaf({1, 2}, {2});
  Tensor y = mul(x, Scalar(1.0));
  Tensor z = mul(y, y);  // saves y
  Tensor v = slice(y, 0, 0, 1);
  inplace("add", v, 1.0);
  CHECK_THROWS(backward({sum(z)}), Autograd, "modified by an inplace operation");
}

TEST(set_writes_through_basic_and_advanced_indices) {
  Tensor x = leaf({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor y = mul(x, Scalar(1.0));
  Tensor v = leaf({10, 20}, {2});
  set_(y, {TensorIndex::slice(), TensorIndex::integer(1)}, v);  // y[:, 1] = v
  CHECK_VALUES(y, 0, {1, 10, 3, 4, 20, 6});
  set_(y, {TensorIndex::of(make({1, 0}, {2}, DType::Int64)), TensorIndex::integer(2)},
       mul(v, Scalar(3.0)));  // y[[1, 0], 2] = 3 v
  CHECK_VALUES(y, 0, {1, 10, 60, 4, 20, 30});
  backward({sum(mul(y, make({1, 2, 3, 4, 5, 6}, {2, 3}, DType::Float64)))});
  CHECK_VALUES(grad(x), 1e-12, {1, 0, 0, 4, 0, 0});
  CHECK_VALUES(grad(v), 1e-12, {2 + 9 * 2, 5 + 9});  // v0: y[0,1] (2) and 3*y[1,2] (3*6); v1: y[1,1] (5) and 3*y[0,2] (3*3)
}
