// The parameters of a convolution as the conv family's rows carry them in their ints, and the checks that
// name the public op (conv2d, conv_transpose1d, ...) that was called.
#pragma once
#include <vector>

#include "op_table.h"

namespace kiln {

struct ConvParams {
  int64_t nd = 2;  // spatial dims
  Shape stride, pad_lo, pad_hi, dilation, output_padding;
  bool transposed = false;
  int64_t groups = 1;

  // ints: [nd, stride..., pad_lo..., pad_hi..., dilation..., transposed, output_padding..., groups]
  OpArgs encode() const;
  static ConvParams decode(const OpArgs& args, const char* op);
  // The large side's spatial size a transposed convolution of a small side `small` gives (output_padding 0).
  int64_t transposed_size(int64_t small, int64_t kernel, int64_t d) const;
  // The small side's spatial size a convolution of a large side gives (before checking it is positive).
  int64_t conv_size(int64_t large, int64_t kernel, int64_t d) const;
};

// Checks the operands of a convolution (bias may be undefined) and returns the output's shape. `op` is the
// name errors give: the public function's when it checks first.
Shape check_convolution(const char* op, const Tensor& x, const Tensor& w, const Tensor& bias, const ConvParams& p);

// The conv family's C++ entry points used across its files.
void add_conv_row_ops(std::vector<const OpDef*>& table);       // conv_ops.cpp
void add_conv_function_ops(std::vector<const OpDef*>& table);  // conv_functions.cpp
void add_unfold_ops(std::vector<const OpDef*>& table);         // unfold_ops.cpp
Tensor convolution(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvParams& p);

}  // namespace kiln
