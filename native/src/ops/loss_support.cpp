// The loss family's shared argument handling (loss_support.h).
#include "ops/loss_support.h"

#include "kiln/ops.h"

namespace kiln {

Reduction reduction_arg(const OpArgs& args, size_t i, const char* op) {
  const int64_t code = int_arg(args, i, op);
  KILN_CHECK(code >= 0 && code <= 2, Argument, op, ": reduction must be 0 (none), 1 (mean) or 2 (sum), got ", code);
  return static_cast<Reduction>(code);
}

Tensor apply_reduction(const Tensor& loss, Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return loss;
    case Reduction::Mean: return mean(loss);
    case Reduction::Sum: return sum(loss);
  }
  fail(ErrorKind::Internal, "apply_reduction: unknown reduction");
}

DType loss_compute_dtype(const char* op, DType t) {
  KILN_CHECK(is_floating(t), DType, op, ": not implemented for '", dtype_name(t), "' (expected a floating point input)");
  return compute_dtype(t);
}

OpArgs with_mask(const OpArgs& forward_args, int64_t mask) {
  OpArgs a = forward_args;
  a.ints.push_back(mask);
  return a;
}

int64_t mask_arg(const OpArgs& args, const char* op) {
  KILN_CHECK(!args.ints.empty(), Argument, op, ": missing the mask of gradients to compute");
  const int64_t mask = args.ints.back();
  KILN_CHECK(mask >= 1 && mask <= 3, Argument, op, ": the mask of gradients must be 1 (input), 2 (target) or 3 (both), got ",
             mask);
  return mask;
}

OpArgs without_mask(const OpArgs& args) {
  OpArgs a = args;
  if (!a.ints.empty()) a.ints.pop_back();
  return a;
}

void check_count(const char* op, const TensorList& in, size_t required, size_t optional, const char* names) {
  KILN_CHECK(in.size() >= required && in.size() <= required + optional, Argument, op, ": expected ", required, " to ",
             required + optional, " tensor arguments (", names, "), got ", in.size());
}

Tensor optional_input(const TensorList& in, size_t i) { return in.size() > i ? in[i] : Tensor(); }

void check_no_weight_grad(const char* op, bool needed, const char* what) {
  KILN_CHECK(!needed, Autograd, op, ": the function is not differentiable with respect to argument '", what,
             "' (it must not require grad)");
}

}  // namespace kiln
