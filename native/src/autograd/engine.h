// The backward pass: one call walks the graph from the outputs in dependency order and applies each
// node's derivative (micrograd's topological sort and reversed loop, with PyTorch's semantics).
#pragma once
#include "kiln/autograd.h"

namespace kiln {

struct BackwardRequest {
  TensorList outputs;
  TensorList grad_outputs;  // one per output; undefined: 1 for a one-element output
  bool retain_graph = false;
  bool create_graph = false;
  TensorList inputs;        // empty: accumulate into leaves' .grad; else return d(outputs)/d(inputs)
  bool allow_unused = false;
};

// Runs backward; returns the gradients of request.inputs (empty when accumulating into .grad).
TensorList run_backward(const BackwardRequest& request);

// Sums g over broadcast dims so that it has `shape`; throws when g cannot come from broadcasting shape.
Tensor sum_to(const Tensor& g, const Shape& shape);

// Set by the Java side: the Java stack of the current forward call, recorded in anomaly mode.
using ForwardTraceProvider = std::string (*)();
void set_forward_trace_provider(ForwardTraceProvider provider);
std::string current_forward_trace();

}  // namespace kiln
