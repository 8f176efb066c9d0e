// The link between the op table and the autograd graph.
#pragma once
#include "op_table.h"

namespace kiln::autograd {

// True when grad mode is on and some input requires grad.
bool should_record(const TensorList& inputs);
// Records a node for a call of op that produced outputs.
void record(const OpDef& op, const TensorList& inputs, const TensorList& outputs, const OpArgs& args);
// Refuses in-place writes that autograd cannot allow (a leaf that requires grad).
void check_inplace_allowed(const OpDef& op, const Tensor& self);
// Runs an in-place op that autograd must see: the result becomes self's new history.
Tensor record_inplace(const OpDef& op, const TensorList& inputs, const OpArgs& args);

}  // namespace kiln::autograd
