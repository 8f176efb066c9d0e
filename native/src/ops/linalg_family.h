// The linalg family's rows live in three files; linalg_ops.cpp adds them all to the table.
#pragma once
#include <vector>

#include "op_table.h"

namespace kiln {

void add_linalg_addmm_ops(std::vector<const OpDef*>& table);  // addmm_ops.cpp
void add_linalg_einsum_op(std::vector<const OpDef*>& table);  // einsum.cpp

}  // namespace kiln
