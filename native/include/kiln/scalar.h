// A number of any dtype, as passed to fill, full and the scalar forms of binary ops.
#pragma once
#include <cstdint>
#include <type_traits>

#include "kiln/dtype.h"

namespace kiln {

class Scalar {
 public:
  Scalar() : kind_(DType::Int64), i_(0), d_(0) {}
  Scalar(double v) : kind_(DType::Float64), i_(0), d_(v) {}
  Scalar(int64_t v) : kind_(DType::Int64), i_(v), d_(static_cast<double>(v)) {}
  Scalar(int v) : Scalar(static_cast<int64_t>(v)) {}
  static Scalar boolean(bool v) {
    Scalar s(static_cast<int64_t>(v));
    s.kind_ = DType::Bool;
    return s;
  }

  // Float64 for floating values, Int64 for integers, Bool for booleans.
  DType kind() const { return kind_; }
  double to_double() const { return d_; }
  int64_t to_int() const { return kind_ == DType::Float64 ? static_cast<int64_t>(d_) : i_; }
  bool to_bool() const { return kind_ == DType::Float64 ? d_ != 0 : i_ != 0; }

  template <class T>
  T to() const {
    if constexpr (std::is_same_v<T, bool>) return to_bool();
    else if constexpr (std::is_floating_point_v<T>) return static_cast<T>(d_);
    else return static_cast<T>(to_int());
  }

 private:
  DType kind_;
  int64_t i_;
  double d_;
};

}  // namespace kiln
