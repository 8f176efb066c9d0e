// A few lines of test support, so the C++ tests build with nothing but the compiler and CMake.
// TEST(name) registers a case; main() runs them all (or those named on the command line).
#pragma once
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "kiln/error.h"
#include "kiln/ops.h"

namespace kiln::test {

struct Case {
  const char* name;
  void (*fn)();
};
inline std::vector<Case>& cases() {
  static std::vector<Case> all;
  return all;
}
struct Register {
  Register(const char* name, void (*fn)()) { cases().push_back({name, fn}); }
};

struct Failure {
  std::string message;
};

inline void fail_at(const char* file, int line, const std::string& what) {
  std::ostringstream s;
  s << file << ":" << line << ": " << what;
  throw Failure{s.str()};
}

// Values of any tensor as doubles, row-major.
inline std::vector<double> values(const Tensor& t) {
  Tensor c = contiguous(to(to_device(t, Device::cpu()), DType::Float64));
  const double* p = c.data<double>();
  return std::vector<double>(p, p + c.numel());
}

inline std::string join(const std::vector<double>& v) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
  return s.str() + "]";
}

inline bool close(double a, double b, double tol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= tol * (1 + std::fabs(b));
}

}  // namespace kiln::test

#define TEST(name)                                                   \
  static void test_##name();                                         \
  static ::kiln::test::Register register_##name(#name, test_##name); \
  static void test_##name()

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) ::kiln::test::fail_at(__FILE__, __LINE__, "CHECK(" #cond ")"); \
  } while (0)

#define CHECK_EQ(a, b)                                                                                \
  do {                                                                                                \
    auto va_ = (a);                                                                                   \
    auto vb_ = (b);                                                                                   \
    if (!(va_ == vb_)) {                                                                              \
      std::ostringstream s_;                                                                          \
      s_ << "CHECK_EQ(" #a ", " #b "): " << va_ << " vs " << vb_;                                  \
      ::kiln::test::fail_at(__FILE__, __LINE__, s_.str());                                            \
    }                                                                                                 \
  } while (0)

// Compares a tensor's values (any dtype) with expected doubles.
#define CHECK_VALUES(t, tol, ...)                                                                        \
  do {                                                                                                   \
    std::vector<double> got_ = ::kiln::test::values(t), want_ = __VA_ARGS__;                             \
    bool ok_ = got_.size() == want_.size();                                                              \
    for (size_t i_ = 0; ok_ && i_ < got_.size(); ++i_) ok_ = ::kiln::test::close(got_[i_], want_[i_], tol); \
    if (!ok_)                                                                                            \
      ::kiln::test::fail_at(__FILE__, __LINE__,                                                          \
                            "values of " #t ": " + ::kiln::test::join(got_) + " vs " + ::kiln::test::join(want_)); \
  } while (0)

// Checks that expr throws kiln::Error of the given kind with `fragment` in its message.
#define CHECK_THROWS(expr, kind_, fragment)                                                               \
  do {                                                                                                    \
    bool thrown_ = false;                                                                                 \
    try {                                                                                                 \
      (void)(expr);                                                                                       \
    } catch (const ::kiln::Error& e_) {                                                                   \
      thrown_ = true;                                                                                     \
      if (e_.kind() != ::kiln::ErrorKind::kind_ || !std::strstr(e_.what(), fragment))                     \
        ::kiln::test::fail_at(__FILE__, __LINE__, std::string("wrong error from " #expr ": ") + e_.what()); \
    }                                                                                                     \
    if (!thrown_) ::kiln::test::fail_at(__FILE__, __LINE__, "no error from " #expr);                      \
  } while (0)

int main(int argc, char** argv) {
  int failed = 0, ran = 0;
  for (const auto& c : ::kiln::test::cases()) {
    bool selected = argc < 2;
    for (int i = 1; i < argc; ++i) selected |= std::strcmp(argv[i], c.name) == 0;
    if (!selected) continue;
    ++ran;
    try {
      c.fn();
      std::printf("ok    %s\n", c.name);
    } catch (const ::kiln::test::Failure& f) {
      ++failed;
      std::printf("FAIL  %s\n      %s\n", c.name, f.message.c_str());
    } catch (const std::exception& e) {
      ++failed;
      std::printf("FAIL  %s\n      unexpected exception: %s\n", c.name, e.what());
    }
  }
  std::printf("%d of %d cases passed\n", ran - failed, ran);
  return failed == 0 && ran > 0 ? 0 : 1;
}
