// Autograd recording. Until the engine lands, no tensor requires grad, so nothing is recorded.
#include "autograd/recording.h"

#include "autograd/autograd_meta.h"
#include "autograd/grad_mode.h"

namespace kiln {

namespace {
thread_local bool tl_grad_enabled = true;
}

bool grad_enabled() { return tl_grad_enabled; }
void set_grad_enabled(bool enabled) { tl_grad_enabled = enabled; }

namespace autograd {

bool should_record(const TensorList& inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (t.impl()->autograd && t.impl()->autograd->requires_grad) return true;
  return false;
}

void record(const OpDef& op, const TensorList&, const TensorList&, const OpArgs&) {
  fail(ErrorKind::NotImplemented, cat_str(op.name, ": autograd is not available yet"));
}

void check_inplace_allowed(const OpDef&, const Tensor&) {}

Tensor record_inplace(const OpDef& op, const TensorList&, const OpArgs&) {
  fail(ErrorKind::NotImplemented, cat_str(op.name, "_: autograd is not available yet"));
}

}  // namespace autograd
}  // namespace kiln
