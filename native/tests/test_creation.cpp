// Creation ops (zeros, ones, full, arange, eye, rand, randn, from_data): values, errors, seeding, threads.
#include <cmath>
#include <cstring>
#include <limits>

#include "fixtures.h"

using namespace kiln;
using test::make;
using test::ThreadCount;

namespace {

constexpr DType kAll[] = {DType::Bool, DType::Int64, DType::Float32, DType::Float64};

struct Moments {
  double min, max, mean, std;
};

Moments moments(const Tensor& x) {
  const std::vector<double> v = test::values(x);
  Moments m{INFINITY, -INFINITY, 0, 0};
  for (double e : v) {
    m.min = std::min(m.min, e);
    m.max = std::max(m.max, e);
    m.mean += e;
  }
  m.mean /= static_cast<double>(v.size());
  for (double e : v) m.std += (e - m.mean) * (e - m.mean);
  m.std = std::sqrt(m.std / static_cast<double>(v.size()));
  return m;
}

// The fraction of elements with |x| < 1.
double within_one(const Tensor& x) {
  const std::vector<double> v = test::values(x);
  double n = 0;
  for (double e : v) n += std::fabs(e) < 1;
  return n / static_cast<double>(v.size());
}

bool identical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), static_cast<size_t>(a.numel()) * a.element_size()) == 0;
}

}  // namespace

TEST(zeros_ones_and_full) {
  for (DType t : kAll) {
    const Tensor z = zeros({2, 3}, t), o = ones({2, 3}, t);
    CHECK_EQ(z.dtype(), t);
    CHECK_SHAPE(z, {2, 3});
    CHECK(z.is_contiguous());
    CHECK_VALUES(z, 0, {0, 0, 0, 0, 0, 0});
    CHECK_VALUES(o, 0, {1, 1, 1, 1, 1, 1});
  }
  CHECK_EQ(zeros({1}).dtype(), DType::Float32);
  CHECK_VALUES(full({3}, 2.5, DType::Float64), 0, {2.5, 2.5, 2.5});
  CHECK_VALUES(full({2}, 2.7, DType::Int64), 0, {2, 2});   // torch.full((2,), 2.7, dtype=torch.int64)
  CHECK_VALUES(full({2}, -2.7, DType::Int64), 0, {-2, -2});
  CHECK_VALUES(full({2}, 3, DType::Bool), 0, {1, 1});
  CHECK_VALUES(full({}, 7, DType::Float32), 0, {7});
  CHECK_SHAPE(full({}, 7, DType::Float32), {});
  CHECK_SHAPE(zeros({0, 4}), {0, 4});
  CHECK_SHAPE(empty({2, 5}, DType::Int64), {2, 5});
  CHECK_EQ(empty({2, 5}, DType::Int64).dtype(), DType::Int64);
}

TEST(creation_size_errors) {
  CHECK_THROWS(zeros({2, -1}), Argument, "zeros: sizes must be non-negative, got [2, -1]");
  CHECK_THROWS(ones({-3}), Argument, "ones: sizes must be non-negative");
  CHECK_THROWS(full({-1}, 1.0, DType::Float32), Argument, "full: sizes must be non-negative");
  CHECK_THROWS(zeros({int64_t(1) << 40, int64_t(1) << 40}), Argument, "overflows 64 bits");
}

TEST(arange_integers) {
  const Tensor a = arange(0, 10, 3, DType::Int64);
  CHECK_EQ(a.dtype(), DType::Int64);
  CHECK_VALUES(a, 0, {0, 3, 6, 9});
  CHECK_VALUES(arange(-3, 3, 2, DType::Int64), 0, {-3, -1, 1});
  CHECK_VALUES(arange(5, 0, -2, DType::Int64), 0, {5, 3, 1});
  CHECK_VALUES(arange(0, 5, 1, DType::Int64), 0, {0, 1, 2, 3, 4});
  // torch.arange(0, 5, 1.5, dtype=torch.int64): the step is converted to an integer first.
  CHECK_VALUES(arange(0, 5, 1.5, DType::Int64), 0, {0, 1, 2, 3, 4});
}

TEST(arange_floats) {
  CHECK_VALUES(arange(1, 2.5, 0.5, DType::Float64), 0, {1, 1.5, 2});
  CHECK_VALUES(arange(5, 0, -1.5, DType::Float32), 0, {5, 3.5, 2, 0.5});
  CHECK_VALUES(arange(0, 1, 0.25, DType::Float32), 0, {0, 0.25, 0.5, 0.75});
  CHECK_SHAPE(arange(0, 0, 1, DType::Float32), {0});
  CHECK_SHAPE(arange(0, 1000000, 1, DType::Float64), {1000000});
  CHECK_VALUES(sum(arange(0, 1000, 1, DType::Float64)), 0, {499500});
}

TEST(arange_errors) {
  CHECK_THROWS(arange(0, 5, 0, DType::Float32), Argument, "arange: step must be nonzero and finite, got 0");
  CHECK_THROWS(arange(0, 5, -1, DType::Float32), Argument,
               "arange: upper bound and larger bound inconsistent with step sign");
  CHECK_THROWS(arange(5, 0, 1, DType::Int64), Argument, "inconsistent with step sign");
  CHECK_THROWS(arange(0, INFINITY, 1, DType::Float32), Argument, "arange: unsupported range: 0 -> inf");
  CHECK_THROWS(arange(0, 5, NAN, DType::Float32), Argument, "step must be nonzero and finite");
  CHECK_THROWS(arange(0, 5, 1, DType::Bool), DType, "arange: not implemented for 'bool'");
  // torch.arange(0, 1, 0.25, dtype=torch.int64): "step must be nonzero" once the step is an integer.
  CHECK_THROWS(arange(0, 1, 0.25, DType::Int64), Argument, "step must be nonzero");
}

TEST(eye_of_any_shape) {
  CHECK_VALUES(eye(2, 3), 0, {1, 0, 0, 0, 1, 0});
  CHECK_VALUES(eye(3, 2), 0, {1, 0, 0, 1, 0, 0});
  CHECK_VALUES(eye(3, 3, DType::Int64), 0, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  CHECK_EQ(eye(2, 2, DType::Float64).dtype(), DType::Float64);
  CHECK_SHAPE(eye(0, 3), {0, 3});
  CHECK_SHAPE(eye(3, 0), {3, 0});
  CHECK_VALUES(sum(eye(500, 700)), 0, {500});
  CHECK_THROWS(eye(-1, 2), Argument, "eye: n and m must be non-negative, got n = -1, m = 2");
}

TEST(rand_is_uniform_on_the_unit_interval) {
  Generator g(7);
  for (DType t : {DType::Float32, DType::Float64}) {
    const Tensor r = rand({100000}, t, &g);
    CHECK_EQ(r.dtype(), t);
    const Moments m = moments(r);
    CHECK(m.min >= 0);
    CHECK(m.max < 1);
    CHECK(std::fabs(m.mean - 0.5) < 0.01);
    CHECK(std::fabs(m.std - std::sqrt(1.0 / 12)) < 0.01);
    CHECK(m.min < 0.001 && m.max > 0.999);  // it covers the interval
  }
  CHECK_SHAPE(rand({3, 0}), {3, 0});
  CHECK_THROWS(rand({3}, DType::Int64), DType, "rand: expected a floating point dtype, got int64");
}

TEST(randn_is_standard_normal) {
  Generator g(8);
  for (DType t : {DType::Float32, DType::Float64}) {
    const Tensor r = randn({100001}, t, &g);  // odd: the last pair is cut
    const Moments m = moments(r);
    CHECK(std::fabs(m.mean) < 0.02);
    CHECK(std::fabs(m.std - 1) < 0.02);
    CHECK(std::fabs(within_one(r) - 0.6827) < 0.01);
    CHECK(std::isfinite(m.min) && std::isfinite(m.max));
    CHECK(m.min < -3.5 && m.max > 3.5);
  }
  CHECK_THROWS(randn({3}, DType::Bool), DType, "randn: expected a floating point dtype, got bool");
}

TEST(same_seed_gives_the_same_numbers) {
  Generator a(42), b(42), c(43);
  const Tensor ra = rand({1000}, DType::Float32, &a), rb = rand({1000}, DType::Float32, &b);
  CHECK(identical(ra, rb));
  CHECK(!identical(ra, rand({1000}, DType::Float32, &c)));
  const Tensor next = rand({1000}, DType::Float32, &a);  // the generator moves on
  CHECK(!identical(ra, next));
  a.manual_seed(42);
  CHECK(identical(rand({1000}, DType::Float32, &a), ra));
  CHECK_EQ(a.seed(), uint64_t(42));
  a.manual_seed(9);
  b.manual_seed(9);
  const Tensor na = randn({999}, DType::Float64, &a), nb = randn({999}, DType::Float64, &b);
  CHECK(identical(na, nb));
}

TEST(the_default_generator_is_seedable) {
  Generator::default_generator().manual_seed(5);
  const Tensor first = randn({100});
  Generator::default_generator().manual_seed(5);
  CHECK(identical(randn({100}), first));
  CHECK(!identical(randn({100}), first));
}

TEST(random_numbers_do_not_depend_on_the_thread_count) {
  auto draw = [](int threads, bool normal, DType t) {
    ThreadCount count(threads);
    Generator g(1234);
    return normal ? randn({100003}, t, &g) : rand({100003}, t, &g);
  };
  for (bool normal : {false, true})
    for (DType t : {DType::Float32, DType::Float64}) {
      const Tensor one = draw(1, normal, t);
      CHECK(identical(draw(2, normal, t), one));
      CHECK(identical(draw(3, normal, t), one));
    }
}

TEST(from_data_copies_and_checks_the_length) {
  const float data[] = {1, 2, 3, 4, 5, 6};
  const Tensor x = from_data(data, 6, {2, 3}, DType::Float32);
  CHECK_VALUES(x, 0, {1, 2, 3, 4, 5, 6});
  CHECK(x.raw_data() != static_cast<const void*>(data));
  CHECK_THROWS(from_data(data, 5, {2, 3}, DType::Float32), Argument,
               "tensor: 5 values do not fill shape [2, 3] (6 elements)");
  CHECK_THROWS(from_data(data, 1, {-1}, DType::Float32), Argument, "sizes must be non-negative");
  CHECK_SHAPE(from_data(nullptr, 0, {0, 2}, DType::Float64), {0, 2});
  // Bool bytes are normalised to 0/1, so a nonzero byte equals true.
  const unsigned char bytes[] = {0, 2, 255};
  const Tensor b = from_data(bytes, 3, {3}, DType::Bool);
  CHECK_VALUES(eq(b, full({3}, 1, DType::Bool)), 0, {0, 1, 1});
  CHECK_VALUES(sum(b), 0, {2});
}

TEST(scalars_and_wrapped_numbers) {
  const Tensor s = Tensor::scalar(2.5, DType::Float64);
  CHECK_SHAPE(s, {});
  CHECK_EQ(s.numel(), int64_t(1));
  CHECK(!s.is_wrapped_number());
  CHECK_VALUES(s, 0, {2.5});
  CHECK_VALUES(Tensor::scalar(-7, DType::Int64), 0, {-7});
  CHECK_VALUES(Tensor::scalar(Scalar::boolean(true), DType::Bool), 0, {1});
  const Tensor w = wrapped_scalar(3);
  CHECK(w.is_wrapped_number());
  CHECK_EQ(w.dtype(), DType::Int64);
  CHECK_EQ(wrapped_scalar(Scalar::boolean(false)).dtype(), DType::Bool);
}
