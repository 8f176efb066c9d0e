// The autograd engine from C++: derivatives, broadcasting, higher order, graph release, in-place rules,
// hooks, Autograd.grad capture, and freeing deep graphs without recursion.
#include "check.h"
#include "kiln/autograd.h"

using namespace kiln;

namespace {

Tensor leaf(std::vector<double> values, Shape shape) {
  Tensor t = from_data(values.data(), static_cast<int64_t>(values.size()), shape, DType::Float64);
  return set_requires_grad(t, true);
}

}  // namespace

TEST(quadratic_at_three) {  // d/dx (x^2 + 2x + 1) at 3 = 8
  Tensor x = leaf({3}, {});
  Tensor y = add(add(mul(x, x), mul(x, Scalar(2.0))), Scalar(1.0));
  CHECK_EQ(grad_fn_name(y), std::string("AddBackward0"));
  backward({y});
  CHECK_VALUES(grad(x), 0, {8});
}

TEST(gradients_accumulate_and_can_be_cleared) {
  Tensor x = leaf({1, 2}, {2});
  backward({sum(mul(x, x))});
  backward({sum(mul(x, x))});
  CHECK_VALUES(grad(x), 0, {4, 8});
  set_grad(x, Tensor());
  CHECK(!grad(x).defined());
}

TEST(broadcasting_sums_back_to_each_input_shape) {
  Tensor a = leaf({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = leaf({10, 20, 30}, {3});
  Tensor c = leaf({7, 8}, {2, 1});
  backward({sum(mul(add(a, b), c))});
  CHECK_VALUES(grad(b), 0, {15, 15, 15});
  CHECK_VALUES(grad(c), 0, {66, 75});
  CHECK(grad(b).shape() == Shape({3}));
}

TEST(third_derivative_of_cube) {  // x^3 at 2: 12, 12, 6
  Tensor x = leaf({2}, {});
  Tensor y = pow(x, Scalar(3.0));
  Tensor d1 = grad({y}, {x}, {}, true, true)[0];
  Tensor d2 = grad({d1}, {x}, {}, true, true)[0];
  Tensor d3 = grad({d2}, {x})[0];
  CHECK_VALUES(d1, 1e-12, {12});
  CHECK_VALUES(d2, 1e-12, {12});
  CHECK_VALUES(d3, 1e-12, {6});
  CHECK(!grad(x).defined());  // grad() never touches .grad
}

TEST(second_backward_through_a_freed_graph_fails_unless_retained) {
  Tensor x = leaf({1, 2}, {2});
  Tensor y = sum(exp(x));
  backward({y});
  CHECK_THROWS(backward({y}), Autograd, "second time");
  Tensor z = sum(exp(x));
  backward({z}, {}, true);
  backward({z});
  CHECK_VALUES(grad(x), 1e-12, {3 * std::exp(1.0), 3 * std::exp(2.0)});
}

TEST(modified_saved_tensor_is_refused) {
  Tensor x = leaf({1, 2}, {2});
  Tensor y = mul(x, Scalar(2.0));
  Tensor z = sum(exp(y));
  Tensor e = exp(y);
  Tensor w = sum(mul(e, e));
  fill_(e, Scalar(1.0));  // e was saved by mul
  CHECK_THROWS(backward({w}), Autograd, "mul: one of the variables needed for gradient computation has been modified");
  backward({z});  // an untouched graph still works
}

TEST(leaf_in_place_is_refused_outside_no_grad) {
  Tensor x = leaf({1, 2}, {2});
  CHECK_THROWS(fill_(x, Scalar(0.0)), Autograd, "leaf tensor that requires grad");
  {
    NoGradGuard no_grad;
    fill_(x, Scalar(5.0));
  }
  CHECK_VALUES(x, 0, {5, 5});
}

TEST(in_place_on_a_non_leaf_is_recorded) {
  Tensor x = leaf({1, 2, 3}, {3});
  Tensor y = mul(x, Scalar(2.0));
  Tensor e = exp(y);   // e's backward saves its output
  Tensor y2 = mul(x, Scalar(3.0));
  copy_(y2, sigmoid(y2));  // y2 = sigmoid(3x), through record_inplace
  CHECK_EQ(grad_fn_name(y2), std::string("CopyBackward0"));
  backward({sum(y2)});
  std::vector<double> want;
  for (double v : {1.0, 2.0, 3.0}) {
    double s = 1 / (1 + std::exp(-3 * v));
    want.push_back(3 * s * (1 - s));
  }
  CHECK_VALUES(grad(x), 1e-12, want);
  (void)e;
}

TEST(hooks_read_and_replace_gradients) {
  Tensor x = leaf({1, 2}, {2});
  Tensor y = mul(x, Scalar(3.0));
  double seen = 0;
  int64_t id = register_hook(y, [&](const Tensor& g) {
    seen = item(sum(g));
    return mul(g, Scalar(10.0));
  });
  register_hook(x, [](const Tensor& g) { return add(g, Scalar(1.0)); });
  backward({sum(y)}, {}, true);
  CHECK_EQ(seen, 2.0);
  CHECK_VALUES(grad(x), 0, {31, 31});
  remove_hook(y, id);
  set_grad(x, Tensor());
  backward({sum(y)});
  CHECK_VALUES(grad(x), 0, {4, 4});
}

TEST(retain_grad_keeps_a_non_leaf_gradient) {
  Tensor x = leaf({1, 2}, {2});
  Tensor y = mul(x, x);
  retain_grad(y);
  backward({sum(mul(y, Scalar(5.0)))});
  CHECK_VALUES(grad(y), 0, {5, 5});
}

TEST(grad_of_unused_input) {
  Tensor x = leaf({1}, {});
  Tensor z = leaf({1}, {});
  Tensor y = mul(x, Scalar(2.0));
  CHECK_THROWS(grad({y}, {z}, {}, true), Autograd, "not have been used");
  CHECK(!grad({y}, {z}, {}, false, false, true)[0].defined());
}

TEST(grad_computes_only_the_gradients_it_was_asked_for) {
  // As PyTorch's engine, grad() asks each node only for the gradients that lead to the tensors requested: here
  // b's gradient (and so b's hook) is never made when only a's is asked for, also through an in-place op on a
  // view (CopySlices).
  Tensor a = leaf({1, 2, 3}, {3}), w = leaf({0, 0, 0}, {3});
  Tensor b = exp(w);
  int calls = 0;
  register_hook(b, [&](const Tensor&) {
    ++calls;
    return Tensor();
  });
  Tensor y = sum(mul(a, b));
  CHECK_VALUES(grad({y}, {a}, {}, true)[0], 0, {1, 1, 1});
  CHECK_EQ(calls, 0);
  CHECK_VALUES(grad({y}, {w}, {}, true)[0], 0, {1, 2, 3});
  CHECK_EQ(calls, 1);

  Tensor z = mul(a, Scalar(2.0));
  Tensor head = slice(z, 0, 0, 2);
  Tensor first = from_data(std::vector<int64_t>{0}.data(), 1, {1}, DType::Int64);
  index_add_(head, 0, first, slice(b, 0, 0, 1));  // z = [2a0 + b0, 2a1, 2a2]
  Tensor l = sum(mul(z, z));
  CHECK_VALUES(grad({l}, {a}, {}, true)[0], 1e-12, {12, 16, 24});
  CHECK_EQ(calls, 1);
  CHECK_VALUES(grad({l}, {w})[0], 1e-12, {6, 0, 0});
  CHECK_EQ(calls, 2);
}

TEST(non_scalar_needs_a_gradient_and_shapes_must_match) {
  Tensor x = leaf({1, 2}, {2});
  Tensor y = mul(x, Scalar(2.0));
  CHECK_THROWS(backward({y}), Autograd, "scalar outputs");
  CHECK_THROWS(backward({y}, {ones({3}, DType::Float64)}), Shape, "mismatch in shape");
  backward({y}, {ones({2}, DType::Float64)});
  CHECK_VALUES(grad(x), 0, {2, 2});
  Tensor c = ones({2});
  CHECK_THROWS(backward({c}), Autograd, "does not require grad");
}

TEST(matmul_and_views) {
  Tensor a = leaf({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = leaf({1, 0, 0, 1, 1, 1}, {3, 2});
  backward({sum(matmul(t(a), t(b)))});
  // d/da sum(a^T b^T) = (ones(3,3) b)^T: every entry is a column sum of b (as PyTorch gives)
  CHECK_VALUES(grad(a), 0, {2, 2, 2, 2, 2, 2});
  CHECK_VALUES(grad(b), 0, {6, 15, 6, 15, 6, 15});
}

TEST(no_grad_records_nothing) {
  Tensor x = leaf({1}, {});
  NoGradGuard no_grad;
  Tensor y = mul(x, x);
  CHECK(!requires_grad(y));
  CHECK(is_leaf(y));
}

TEST(deep_graph_is_freed_without_recursion) {
  Tensor x = leaf({1}, {});
  Tensor y = x;
  for (int i = 0; i < 200000; ++i) y = add(y, Scalar(1.0));
  y = Tensor();  // 200,000 nodes go at once: a recursive free would overflow the stack
  CHECK(is_leaf(x));
}
