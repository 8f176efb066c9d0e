// Per-tensor autograd state; only tensors that take part in differentiation carry one.
#pragma once

namespace kiln {

struct AutogradMeta {
  bool requires_grad = false;
};

}  // namespace kiln
