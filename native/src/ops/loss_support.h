// What the loss op files share: the reduction argument, the floating dtype a loss computes in, and the rows of
// the family's other files (add_loss_ops, in class_loss_ops.cpp, adds them all).
#pragma once
#include <vector>

#include "kiln/ops/loss.h"
#include "op_table.h"

namespace kiln {

void add_point_loss_ops(std::vector<const OpDef*>& table);
void add_composite_loss_ops(std::vector<const OpDef*>& table);
void add_multi_margin_loss_ops(std::vector<const OpDef*>& table);
void add_ctc_loss_ops(std::vector<const OpDef*>& table);

// ints[i] as a Reduction; any other code is refused, naming the op.
Reduction reduction_arg(const OpArgs& args, size_t i, const char* op);

// none: the per-element losses; mean: their mean (NaN when there are none); sum: their sum.
Tensor apply_reduction(const Tensor& loss, Reduction reduction);

// The dtype a loss runs its kernel in, for a result of dtype t (float16 and bfloat16 compute in float32); t must
// be floating: an integral input is refused with PyTorch's wording, naming the op.
DType loss_compute_dtype(const char* op, DType t);

// The bit of the outputs a backward row computes (its last int): 1 the input's gradient, 2 the target's.
constexpr int64_t kGradInput = 1, kGradTarget = 2;

// A backward row's ints: the forward's, then which gradients to compute.
OpArgs with_mask(const OpArgs& forward_args, int64_t mask);
int64_t mask_arg(const OpArgs& args, const char* op);
OpArgs without_mask(const OpArgs& args);

// A row of optional arity takes its required tensors and up to `optional` more (names: for the message).
void check_count(const char* op, const TensorList& in, size_t required, size_t optional, const char* names);
Tensor optional_input(const TensorList& in, size_t i);

// PyTorch's refusal of a gradient for a loss's weight: the weights are constants.
void check_no_weight_grad(const char* op, bool needed, const char* what);

}  // namespace kiln
