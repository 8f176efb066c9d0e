// What the activation op files share: input checks and the rows of prelu and glu.
#pragma once
#include <vector>

#include "op_table.h"

namespace kiln {

// What an activation does with integer inputs: refuse them (most), clamp them (hardtanh, relu6), or compute
// in the default float type (softsign, which PyTorch composes of a true division).
enum class IntInputs { Refuse, Clamp, ToFloat };

// Checks an activation's input (on the CPU; a dtype the op accepts) and returns it ready for the kernel.
Tensor activation_input(const char* op, const Tensor& x, IntInputs ints);

// prelu, glu and their backward rows (activation_gated_ops.cpp).
void add_gated_activation_ops(std::vector<const OpDef*>& table);

}  // namespace kiln
