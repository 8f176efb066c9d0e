// The elementwise family's files register their rows through add_elementwise_ops (elementwise_ops.cpp), so
// the op table knows one family: math functions (math_ops.cpp), rounding and clamping (rounding_ops.cpp),
// binary and ternary math (binary_math_ops.cpp) and logical, bitwise and test ops (logical_ops.cpp).
#pragma once
#include <vector>

#include "op_table.h"

namespace kiln {

void add_math_ops(std::vector<const OpDef*>& table);
void add_rounding_ops(std::vector<const OpDef*>& table);
void add_binary_math_ops(std::vector<const OpDef*>& table);
void add_logical_ops(std::vector<const OpDef*>& table);

}  // namespace kiln
