// Shape arithmetic shared by every op.
#include "kiln/shape.h"

#include <algorithm>

#include "kiln/error.h"

namespace kiln {

std::string shape_str(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t checked_numel(const Shape& shape, const char* op) {
  KILN_CHECK(static_cast<int64_t>(shape.size()) <= kMaxDims, Argument, op, ": tensors have at most ", kMaxDims,
             " dims, got ", shape.size());
  int64_t n = 1;
  for (int64_t s : shape) {
    KILN_CHECK(s >= 0, Argument, op, ": sizes must be non-negative, got ", shape_str(shape));
    KILN_CHECK(!__builtin_mul_overflow(n, s, &n), Argument, op, ": the number of elements of ", shape_str(shape),
               " overflows 64 bits");
  }
  return n;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  int64_t s = 1;
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    strides[d] = s;
    s *= std::max<int64_t>(shape[d], 1);
  }
  return strides;
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  const int64_t n = std::max<int64_t>(ndim, 1);  // a 0-dim tensor takes dim -1 or 0
  KILN_CHECK(dim >= -n && dim < n, Index, op, ": dimension out of range (expected to be in range of [", -n, ", ",
             n - 1, "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t sa = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t sb = i < n - b.size() ? 1 : b[i - (n - b.size())];
    KILN_CHECK(sa == sb || sa == 1 || sb == 1, Shape, op, ": shapes ", shape_str(a), " and ", shape_str(b),
               " cannot be broadcast (size ", sa, " vs ", sb, " at dim ", i, " of the result)");
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

Shape infer_size(const Shape& requested, int64_t numel, const char* op) {
  Shape out = requested;
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      KILN_CHECK(infer < 0, Argument, op, ": only one dimension can be inferred in ", shape_str(requested));
      infer = static_cast<int64_t>(i);
    } else {
      KILN_CHECK(out[i] >= 0, Argument, op, ": invalid shape dimension ", out[i], " in ", shape_str(requested));
      KILN_CHECK(!__builtin_mul_overflow(known, out[i], &known), Argument, op, ": shape ", shape_str(requested),
                 " overflows 64 bits");
    }
  }
  if (infer >= 0) {
    KILN_CHECK(known != 0, Shape, op, ": cannot reshape a tensor of ", numel, " elements into shape ",
               shape_str(requested), " because the unspecified dimension size -1 can be any value");
    KILN_CHECK(numel % known == 0, Shape, op, ": shape ", shape_str(requested), " is invalid for input of size ", numel);
    out[infer] = numel / known;
  } else {
    KILN_CHECK(known == numel, Shape, op, ": shape ", shape_str(requested), " is invalid for input of size ", numel);
  }
  return out;
}

std::vector<int64_t> reduction_dims(const std::vector<int64_t>& dims, int64_t ndim, const char* op) {
  std::vector<int64_t> out;
  if (dims.empty()) {
    for (int64_t d = 0; d < ndim; ++d) out.push_back(d);
    return out;
  }
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, ndim, op);
    KILN_CHECK(std::find(out.begin(), out.end(), w) == out.end(), Argument, op, ": dim ", w,
               " appears multiple times in the list of dims");
    out.push_back(w);
  }
  std::sort(out.begin(), out.end());
  if (ndim == 0) out.clear();  // dim 0/-1 of a 0-dim tensor reduces nothing
  return out;
}

}  // namespace kiln
