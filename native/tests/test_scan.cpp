// cumsum and cumprod: values, dtypes, reverse scans, layouts, threads, and cumprod's derivative at zeros
// (the O(n) first-order formula and the quadratic one used under create_graph must agree).
#include <cmath>
#include <limits>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::iota;
using test::make;
using test::ThreadCount;
using test::uniform;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor leaf(const std::vector<double>& values, const Shape& shape) {
  Tensor x = make(values, shape, DType::Float64);
  set_requires_grad(x, true);
  return x;
}

}  // namespace

TEST(cumsum_and_cumprod_values) {
  const Tensor x = add(iota({2, 3}), Scalar(1));
  CHECK_VALUES(cumsum(x, 1), 0, {1, 3, 6, 4, 9, 15});
  CHECK_VALUES(cumsum(x, 0), 0, {1, 2, 3, 5, 7, 9});
  CHECK_VALUES(cumprod(x, 1), 0, {1, 2, 6, 4, 20, 120});
  CHECK_VALUES(cumprod(x, -2), 0, {1, 2, 3, 4, 10, 18});
  CHECK_VALUES(cumsum(x, 1, true), 0, {6, 5, 3, 15, 11, 6});  // reverse: sums from the end
  CHECK_VALUES(cumprod(x, 1, true), 0, {6, 6, 3, 120, 30, 6});
  CHECK_VALUES(cumsum(make({1, kNaN, 2, kInf, -kInf, 1}, {2, 3}), 1), 0, {1, kNaN, kNaN, kInf, kNaN, kNaN});
  CHECK_VALUES(cumsum(Tensor::scalar(2.5, DType::Float32), 0), 0, {2.5});
  CHECK_SHAPE(cumprod(zeros({0, 3}), 0), {0, 3});
}

TEST(scan_dtypes) {
  const Tensor b = make({1, 1, 0, 1}, {4}, DType::Bool);
  CHECK_EQ(cumsum(b, 0).dtype(), DType::Int64);
  CHECK_VALUES(cumsum(b, 0), 0, {1, 2, 2, 3});
  CHECK_EQ(cumprod(make({1, 2}, {2}, DType::Int64), 0).dtype(), DType::Int64);
  CHECK_VALUES(cumsum(make({1.5, 2.5, -3.5}, {3}), 0, DType::Int64), 0, {1, 3, 0});  // converted first
  CHECK_EQ(cumprod(make({1, 2}, {2}, DType::Int64), 0, DType::Float64).dtype(), DType::Float64);
  const int64_t big[] = {int64_t(1) << 62, int64_t(1) << 62, int64_t(1) << 62};
  const Tensor s = cumsum(from_data(big, 3, {3}, DType::Int64), 0);  // wraps like PyTorch
  CHECK_EQ(s.data<int64_t>()[1], std::numeric_limits<int64_t>::min());
  CHECK_EQ(s.data<int64_t>()[2], -(int64_t(1) << 62));
  CHECK_THROWS(cumsum(zeros({2, 3}), -3), Index, "cumsum: dimension out of range");
  CHECK_THROWS(cumprod(b, 0, DType::Bool), DType, "cumprod: bool is not a supported result dtype");
}

TEST(scans_of_strided_inputs_and_threads) {
  const Tensor base = uniform({300, 411}, 31, 0.5, 1.5, DType::Float64);
  for (const Tensor& x : {t(base), slice(base, 1, 0, 411, 3), expand(slice(base, 0, 0, 1, 1), {50, 411}),
                          permute(view(base, {100, 3, 411}), {2, 0, 1})})
    for (int64_t d = 0; d < x.dim(); ++d) {
      CHECK_SAME(cumsum(x, d), cumsum(contiguous(x), d), 0);
      CHECK_SAME(cumprod(x, d, true), cumprod(contiguous(x), d, true), 0);
    }
  Tensor one, two;
  {
    ThreadCount t(1);
    one = cumsum(base, 0);
  }
  {
    ThreadCount t(2);
    two = cumsum(base, 0);
  }
  CHECK_SAME(two, one, 0);
  // Floats accumulate in double: the running sum of float32 values is exact here.
  const Tensor f = make(std::vector<double>(1000, 0.1), {1000});
  CHECK_VALUES(narrow(cumsum(f, 0), 0, 999, 1), 1e-7, {1000 * static_cast<double>(0.1f)});
}

TEST(scans_of_contiguous_inputs_match_line_by_line_scans) {
  // Contiguous inputs scanned along a dim that is not the last run 64 adjacent lines at a time; each line must get
  // the bits of the line-by-line scan, here forced through a non-contiguous copy of the same values.
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64}) {
    const Tensor x = dt == DType::Int64 ? test::small_ints({3, 50, 150}, 5)
                                        : to(test::uniform({3, 50, 150}, 6, 0.5, 1.5), dt);
    const Tensor strided = transpose(contiguous(transpose(x, 0, 2)), 0, 2);  // same values, other strides
    for (int64_t dim : {0, 1, 2}) {  // 2: the last dim, scanned line by line either way
      CHECK_SAME(cumsum(x, dim), cumsum(strided, dim), 0);
      CHECK_SAME(cumprod(x, dim), cumprod(strided, dim), 0);
      CHECK_SAME(cumsum(x, dim, true), cumsum(strided, dim, true), 0);
    }
  }
}

TEST(cumsum_gradient_is_the_reverse_scan) {
  Tensor x = leaf({1, 2, 3, 4}, {4});
  const Tensor g = kiln::grad({cumsum(x, 0)}, {x}, {make({1, 2, 3, 4}, {4}, DType::Float64)})[0];
  CHECK_VALUES(g, 0, {10, 9, 7, 4});
  CHECK_EQ(grad_fn_name(cumsum(x, 0, true)), std::string("CumsumBackward0"));
}

TEST(cumprod_gradient_is_exact_at_zeros) {
  const Tensor seed = make({1, 2, 3, 4, 5}, {5}, DType::Float64);
  // torch: x = [2, 0, 3, 0, 5]; x.cumprod(0).backward([1, 2, 3, 4, 5]) gives [1, 22, 0, 0, 0].
  Tensor x = leaf({2, 0, 3, 0, 5}, {5});
  CHECK_VALUES(kiln::grad({cumprod(x, 0)}, {x}, {seed})[0], 0, {1, 22, 0, 0, 0});
  Tensor y = leaf({2, 1, 3, 0, 5}, {5});
  CHECK_VALUES(kiln::grad({cumprod(y, 0)}, {y}, {seed})[0], 1e-12, {1 + 2 * 1 + 3 * 3, 2 * 2 + 3 * 6, 3 * 2, 4 * 6 + 5 * 30, 0});
  // The quadratic formula (create_graph) gives the same first derivative, in both directions and along dims.
  for (bool reverse : {false, true}) {
    for (const std::vector<double>& v : {std::vector<double>{2, 0, 3, 0, 5, 1, 0, 1.5, 2, 0, 0, 3},
                                         std::vector<double>{1, 2, 3, 4, 0.5, 0, 2, 2, 1, 1, 3, 0}}) {
      for (int64_t dim : {0, 1}) {
        Tensor a = leaf(v, {3, 4});
        const Tensor w = uniform({3, 4}, 32, -1, 1, DType::Float64);
        const Tensor fast = kiln::grad({cumprod(a, dim, reverse)}, {a}, {w})[0];
        const Tensor exact = kiln::grad({cumprod(a, dim, reverse)}, {a}, {w}, true, true)[0];
        CHECK_SAME(exact, fast, 1e-12);
      }
    }
  }
}

TEST(cumprod_second_derivative_at_zeros) {
  // d/dx of sum(w * d cumprod(x)/dx . g): against finite differences of the first derivative.
  const std::vector<double> v{2, 0, 3, 0.5, 0, 1.5};
  Tensor x = leaf(v, {6});
  const Tensor g = make({1, -2, 0.5, 3, 1, -1}, {6}, DType::Float64);
  const Tensor w = make({0.3, 1, -0.7, 2, 0.1, -1}, {6}, DType::Float64);
  const Tensor first = kiln::grad({cumprod(x, 0)}, {x}, {g}, true, true)[0];
  const Tensor second = kiln::grad({sum(mul(first, w))}, {x})[0];
  const double eps = 1e-6;
  std::vector<double> numeric;
  for (size_t i = 0; i < v.size(); ++i) {
    auto at = [&](double delta) {
      std::vector<double> p = v;
      p[i] += delta;
      Tensor a = leaf(p, {6});
      return item(sum(mul(kiln::grad({cumprod(a, 0)}, {a}, {g})[0], w)));
    };
    numeric.push_back((at(eps) - at(-eps)) / (2 * eps));
  }
  CHECK_SAME(second, make(numeric, {6}, DType::Float64), 1e-6);
}
