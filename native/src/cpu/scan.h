// Cumulative sums and products along a dim (called by ops/scan_ops.cpp after check_cpu).
#pragma once
#include "kiln/tensor.h"

namespace kiln::cpu {

enum class ScanOp { Sum, Prod };

// out[i] = x[0] + ... + x[i] (or the product) along dim; reverse: x[i] + ... + x[n-1]. in has out's shape and
// dtype (int64 or floating; floats accumulate in double, int64 wraps on overflow).
void scan_kernel(ScanOp op, const Tensor& out, const Tensor& in, int64_t dim, bool reverse);

}  // namespace kiln::cpu
