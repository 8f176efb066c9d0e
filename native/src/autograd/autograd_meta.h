// Per-tensor autograd state; only tensors that take part in differentiation carry one.
#pragma once
#include <memory>
#include <vector>

#include "kiln/autograd.h"

namespace kiln {

class Node;

struct AutogradMeta {
  bool requires_grad = false;  // a leaf's flag; a non-leaf requires grad through its grad_fn
  bool retains_grad = false;
  bool is_view = false;        // a differentiable view of a tensor with history (in-place on it is refused)
  Tensor grad;
  std::shared_ptr<Node> grad_fn;  // null for leaves
  uint32_t output_nr = 0;          // which output of grad_fn this tensor is
  std::weak_ptr<Node> grad_accumulator;              // leaves: the node that accumulates into .grad
  std::vector<std::pair<int64_t, GradHook>> hooks;   // leaves' hooks (non-leaf hooks live on grad_fn)
};

// The tensor's meta, created on first use.
AutogradMeta& autograd_meta(const Tensor& t);
// Whether t takes part in differentiation: a leaf that requires grad, or a tensor with a grad_fn.
bool requires_grad_impl(const TensorImpl* t);

}  // namespace kiln
