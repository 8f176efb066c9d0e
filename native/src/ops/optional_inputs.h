// Rows with optional tensor inputs (a norm's weight and bias, running statistics, an attention mask): the
// required inputs come first, then the optional ones that are present, in order, and an int argument holds a
// bit per optional input saying which are. Every input of a call must be a tensor, so absence is a bit.
#pragma once
#include <array>
#include <initializer_list>

#include "op_table.h"

namespace kiln {

template <size_t Required, size_t Optional>
struct OptionalInputs {
  std::array<Tensor, Required + Optional> all;  // undefined where absent
  std::array<int, Required + Optional> position{};  // index in the call's inputs, -1 where absent
  int64_t mask = 0;

  // From the inputs of a call and its mask.
  static OptionalInputs unpack(const TensorList& in, int64_t mask, const char* op) {
    OptionalInputs o;
    o.mask = mask;
    size_t next = 0;
    for (size_t i = 0; i < Required + Optional; ++i) {
      const bool present = i < Required || (mask >> (i - Required) & 1);
      o.position[i] = present ? static_cast<int>(next) : -1;
      if (present) {
        KILN_CHECK(next < in.size(), Argument, op, ": expected ", Required, " tensors and the optional ones of mask ",
                   mask, ", got ", in.size(), " tensors");
        o.all[i] = in[next++];
      }
    }
    KILN_CHECK(next == in.size(), Argument, op, ": got ", in.size(), " tensors, expected ", next, " for mask ", mask);
    return o;
  }

  // From tensors (undefined ones absent): the inputs to call with, and the mask.
  static OptionalInputs of(std::initializer_list<Tensor> tensors) {
    OptionalInputs o;
    size_t i = 0, next = 0;
    for (const Tensor& t : tensors) {
      o.all[i] = t;
      const bool present = i < Required || t.defined();
      if (i >= Required && present) o.mask |= int64_t{1} << (i - Required);
      o.position[i] = present ? static_cast<int>(next++) : -1;
      ++i;
    }
    return o;
  }

  TensorList inputs() const {
    TensorList list;
    for (size_t i = 0; i < Required + Optional; ++i)
      if (position[i] >= 0) list.push_back(all[i]);
    return list;
  }

  const Tensor& operator[](size_t i) const { return all[i]; }
  bool has(size_t i) const { return position[i] >= 0; }
};

}  // namespace kiln
