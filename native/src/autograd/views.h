// Autograd of views: what a view remembers of its base, how its grad_fn follows the base's history, and
// in-place ops on views, which rebase the base's history through a CopySlices node (as PyTorch does).
#pragma once
#include "autograd/autograd_meta.h"

namespace kiln::autograd {

// After a view op's forward in grad mode: each output that shares the input's memory remembers its base and
// the steps that make it from the base.
void track_views(const OpDef& op, const Tensor& input, const TensorList& outputs, const OpArgs& args);
// Rebuilds a view's grad_fn when its base's history changed since it was made (an in-place op on the base or
// on another view of it). Cheap when nothing changed.
void refresh_view(const TensorImpl* t);
// The view steps ending at `last` replayed on `base_like`, a tensor of the base's shape (views of it,
// recorded as usual).
Tensor replay_view(const ViewStep* last, const Tensor& base_like);
// An in-place op on a view that autograd must see: runs it and makes the base's history a CopySlices node.
Tensor record_inplace_view(const OpDef& op, const TensorList& inputs, const OpArgs& args);
// Refuses in-place writes to views that autograd cannot allow (a view of a leaf that requires grad).
void check_inplace_on_view(const OpDef& op, const Tensor& self);

}  // namespace kiln::autograd
