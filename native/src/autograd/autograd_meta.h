// Per-tensor autograd state; only tensors that take part in differentiation carry one.
#pragma once
#include <memory>
#include <mutex>
#include <vector>

#include "kiln/autograd.h"
#include "op_table.h"

namespace kiln {

class Node;

// One view op between a base and a view: the row, its arguments and which output the view was. Steps form
// a list from the view back to its base, shared by the views made from one another.
struct ViewStep {
  const OpDef* op;
  OpArgs args;
  uint32_t output_nr;
  std::shared_ptr<const ViewStep> prev;  // null: the step applied to the base itself
};

// What a view made in grad mode remembers, so that an in-place write to it can be differentiated (PyTorch's
// CopySlices: the base's history is rebased) and its own grad_fn rebuilt when its base's history changes.
struct ViewInfo {
  Tensor base;                           // the tensor at the root of the views: never a view itself
  std::shared_ptr<const ViewStep> last;  // how to make this view from base, last step first
  std::weak_ptr<Node> built_on;          // base's grad_fn when this view's grad_fn was made
  bool built_on_leaf = true;             // base had no grad_fn then
  bool multi_output = false;             // a piece of split/unbind: in-place writes refused under autograd
  std::mutex refreshing;                 // two threads may use one view
};

struct AutogradMeta {
  bool requires_grad = false;  // a leaf's flag; a non-leaf requires grad through its grad_fn
  bool retains_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;  // null for leaves
  uint32_t output_nr = 0;          // which output of grad_fn this tensor is
  std::weak_ptr<Node> grad_accumulator;              // leaves: the node that accumulates into .grad
  std::vector<std::pair<int64_t, GradHook>> hooks;   // leaves' hooks (non-leaf hooks live on grad_fn)
  std::unique_ptr<ViewInfo> view;                    // set for views made by view ops in grad mode

  // Every recorded output has one: from a per-thread cache, as its TensorImpl (block_cache.h).
  static void* operator new(size_t bytes);
  static void operator delete(void* p) noexcept;
};

// The tensor's meta, created on first use.
AutogradMeta& autograd_meta(const Tensor& t);
// Whether t takes part in differentiation: a leaf that requires grad, or a tensor with a grad_fn.
bool requires_grad_impl(const TensorImpl* t);

}  // namespace kiln
