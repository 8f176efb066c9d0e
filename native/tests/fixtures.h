// Tensor builders and comparisons shared by the C++ tests (on top of check.h).
#pragma once
#include <functional>
#include <ostream>
#include <vector>

#include "check.h"
#include "thread_pool.h"

namespace kiln {

// Lets CHECK_EQ print dtypes.
inline std::ostream& operator<<(std::ostream& s, DType t) { return s << dtype_name(t); }

namespace test {

// A tensor of `dtype` holding `vals`, row-major.
inline Tensor make(const std::vector<double>& vals, const Shape& shape, DType dtype = DType::Float32) {
  return to(from_data(vals.data(), static_cast<int64_t>(vals.size()), shape, DType::Float64), dtype);
}

// 0, 1, 2, ... laid out in `shape`.
inline Tensor iota(const Shape& shape, DType dtype = DType::Float32) {
  const int64_t n = checked_numel(shape, "iota");
  return reshape(arange(0, static_cast<double>(n), 1, dtype), shape);
}

// Reproducible values in [lo, hi): uniform from a generator with the given seed.
inline Tensor uniform(const Shape& shape, uint64_t seed, double lo = -1, double hi = 1, DType dtype = DType::Float32) {
  Generator g(seed);
  return to(add(mul(rand(shape, DType::Float64, &g), hi - lo), lo), dtype);
}

// Small integers in [-5, 5], a different pattern for each seed.
inline Tensor small_ints(const Shape& shape, int64_t seed) {
  const int64_t n = checked_numel(shape, "small_ints");
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<double>((i * 7 + seed * 3) % 11 - 5);
  return make(v, shape, DType::Int64);
}

// d(sum(f(x) * probe)) / dx by central differences, in float64.
inline Tensor numeric_grad(const std::function<Tensor(const Tensor&)>& f, const Tensor& x, const Tensor& probe) {
  Tensor base = contiguous(to(x, DType::Float64));
  std::vector<double> out(static_cast<size_t>(base.numel()));
  const double h = 1e-6;
  for (int64_t i = 0; i < base.numel(); ++i) {
    double* p = base.data<double>() + i;
    const double keep = *p;
    *p = keep + h;
    const double up = values(sum(mul(f(base), probe)))[0];
    *p = keep - h;
    const double down = values(sum(mul(f(base), probe)))[0];
    *p = keep;
    out[static_cast<size_t>(i)] = (up - down) / (2 * h);
  }
  return make(out, base.shape(), DType::Float64);
}

// Sets the kernel thread count for a scope, then puts the previous count back.
class ThreadCount {
 public:
  explicit ThreadCount(int n) : previous_(get_num_threads()) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(previous_); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int previous_;
};

inline void check_dims_at(const char* file, int line, const std::string& what, const Shape& got, const Shape& want) {
  if (got != want) fail_at(file, line, what + ": " + shape_str(got) + " vs " + shape_str(want));
}
inline void check_shape_at(const char* file, int line, const char* what, const Tensor& t, const Shape& want) {
  check_dims_at(file, line, std::string("shape of ") + what, t.shape(), want);
}

// Same shape and the same values within tol (NaN matches NaN).
inline void check_same_at(const char* file, int line, const char* what, const Tensor& got, const Tensor& want,
                          double tol) {
  check_shape_at(file, line, what, got, want.shape());
  const std::vector<double> g = values(got), w = values(want);
  for (size_t i = 0; i < g.size(); ++i)
    if (!close(g[i], w[i], tol)) {
      std::ostringstream s;
      s << "values of " << what << " differ at flat index " << i << ": " << g[i] << " vs " << w[i];
      fail_at(file, line, s.str());
    }
}

}  // namespace test
}  // namespace kiln

// CHECK_DIMS(list, {2, 3}) compares a list of int64 (shape, strides, dims); CHECK_SHAPE(t, {2, 3}) a
// tensor's shape. The expected list is written in braces.
#define CHECK_DIMS(got, ...) ::kiln::test::check_dims_at(__FILE__, __LINE__, #got, (got), ::kiln::Shape __VA_ARGS__)
#define CHECK_SHAPE(t, ...) ::kiln::test::check_shape_at(__FILE__, __LINE__, #t, (t), ::kiln::Shape __VA_ARGS__)
#define CHECK_SAME(got, want, tol) ::kiln::test::check_same_at(__FILE__, __LINE__, #got, (got), (want), (tol))
