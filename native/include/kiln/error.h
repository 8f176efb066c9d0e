// Errors raised by the core. Every public entry checks its arguments and throws kiln::Error; nothing aborts.
#pragma once
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiln {

// The kind travels to Java, where it picks the exception class.
enum class ErrorKind : int32_t {
  Internal = 0,        // a broken invariant inside the core
  Argument = 1,        // a bad value: negative size, unknown option, wrong data length
  Shape = 2,           // shapes that do not fit together
  DType = 3,           // a dtype the op does not accept
  Index = 4,           // a dim or index out of range
  Autograd = 5,        // a graph that cannot be differentiated as asked
  OutOfMemory = 6,     // the allocator could not get memory, even after freeing its cache
  Device = 7,          // a device that is not available or tensors on different devices
  NotImplemented = 8,  // a valid request this build does not support
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// Formats [2, 3] the way PyTorch prints sizes.
std::string shape_str(const std::vector<int64_t>& shape);

template <class... Parts>
std::string cat_str(const Parts&... parts) {
  std::ostringstream s;
  (s << ... << parts);
  return s.str();
}

// Throws Error(kind, parts concatenated).
template <class... Parts>
[[noreturn]] void fail(ErrorKind kind, const Parts&... parts) {
  throw Error(kind, cat_str(parts...));
}

}  // namespace kiln

// KILN_CHECK(cond, kind, parts...): throws kiln::Error(kind, parts...) when cond is false.
// The message parts are only formatted on failure.
#define KILN_CHECK(cond, kind, ...)                                       \
  do {                                                                    \
    if (!(cond)) ::kiln::fail(::kiln::ErrorKind::kind, __VA_ARGS__);      \
  } while (0)
