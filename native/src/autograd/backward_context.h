// What a derivative formula (an op row's backward) receives: the gradients of the op's outputs, the
// tensors the row asked to save, the inputs' shapes and dtypes, the call's arguments, and which inputs
// need a gradient. Formulas use ordinary ops, so they are differentiable themselves.
#pragma once
#include "autograd/node.h"

namespace kiln {

struct BackwardContext {
  const TensorList& grads;               // per output; undefined only for outputs the op declares non-differentiable
  const TensorList& inputs;              // saved inputs (undefined unless the row saves them)
  const TensorList& outputs;             // saved outputs (undefined unless the row saves them)
  const std::vector<TensorMeta>& inputs_meta;
  const OpArgs& args;
  const std::vector<bool>& needs_grad;   // per input

  const Tensor& grad(size_t i = 0) const { return grads[i]; }
  const Tensor& input(size_t i) const { return inputs[i]; }
  const Tensor& output(size_t i = 0) const { return outputs[i]; }
  const Shape& input_shape(size_t i) const { return inputs_meta[i].shape; }
  DType input_dtype(size_t i) const { return inputs_meta[i].dtype; }
  bool needs(size_t i) const { return i < needs_grad.size() && needs_grad[i]; }
};

}  // namespace kiln
