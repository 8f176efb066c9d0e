// What the pooling family's files share: pooling windows as the rows carry them, the output-size rule and
// argument checks, and calls of the 2-D rows (by their ints) for the 1-D composites and the derivatives.
#pragma once
#include <vector>

#include "op_table.h"

namespace kiln {

// A window over (D, H, W): an nd-D pool fills the last nd entries (the others stay 1-wide windows over a size 1).
struct PoolWindow {
  int64_t kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};
};

// PyTorch's pooling_output_shape: floor or ceil mode, the last window starting inside the input or left pad.
int64_t pooling_output_size(int64_t in, int64_t kernel, int64_t pad, int64_t stride, int64_t dilation, bool ceil);
// Reads kernel[nd], stride[nd], padding[nd] (and dilation[nd]) from ints at pos, advancing it.
PoolWindow read_window(const OpArgs& args, size_t& pos, int64_t nd, bool with_dilation);
// An average pool's ints: its window (no dilation), then ceil_mode, count_include_pad, has_divisor and
// divisor_override (checked non-zero when given).
struct AvgPoolArgs {
  PoolWindow w;
  bool ceil = false, include_pad = true;
  int64_t divisor = 0;  // 0: none
};
AvgPoolArgs read_avg_args(const OpArgs& args, int64_t nd, const char* op);
// Checks input and window for an nd-D pool named op; returns the output shape.
Shape check_pool(const char* op, const Tensor& x, const PoolWindow& w, int64_t nd, bool ceil);
Tensor as_4d(const Tensor& t);  // an unbatched [C, H, W] as [1, C, H, W]
Tensor as_5d(const Tensor& t);  // an unbatched [C, D, H, W] as [1, C, D, H, W]

void add_pool_row_ops(std::vector<const OpDef*>& table);       // pool_ops.cpp
void add_pool_function_ops(std::vector<const OpDef*>& table);  // pool_functions.cpp
void add_pool3d_ops(std::vector<const OpDef*>& table);         // pool3d_ops.cpp

// The 2-D rows by their ints (see pool_ops.cpp for the layouts).
TensorList call_max_pool2d(const Tensor& x, const OpArgs& args);  // values, indices
Tensor call_max_pool2d_backward(const Tensor& grad, const Tensor& indices, int64_t h, int64_t w);
Tensor call_avg_pool2d(const Tensor& x, const OpArgs& args);
Tensor call_avg_pool2d_backward(const Tensor& grad, const OpArgs& args);
Tensor call_adaptive_avg_pool2d(const Tensor& x, const Shape& output_size);
Tensor call_adaptive_avg_pool2d_backward(const Tensor& grad, int64_t h, int64_t w);
TensorList call_adaptive_max_pool2d(const Tensor& x, const Shape& output_size);  // values, indices

}  // namespace kiln
