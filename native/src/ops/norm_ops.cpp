// Vector norms over dims: norm (torch.norm / Tensor.norm for a numeric p and 'fro') and linalg_vector_norm
// (torch.linalg.vector_norm). One kernel (cpu/stats.h) and one derivative serve both; they differ in the
// checks PyTorch makes (vector_norm refuses an inf or negative order on an empty input, and a dtype that
// would narrow the input).
#include <cmath>

#include "autograd/backward_context.h"
#include "cpu/stats.h"
#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/reduction_family.h"

namespace kiln {
namespace {

// reals: [p]; ints: [keepdim, dtype code (-1: the input's), dims...] (no dims: all)
template <bool Vector>
TensorList norm_fwd(const TensorList& in, const OpArgs& args) {
  const char* name = Vector ? "linalg.vector_norm" : "norm";
  const Tensor& x = in[0];
  check_cpu(name, in);
  const double p = real_arg(args, 0, name);
  const bool keepdim = int_arg(args, 0, name) != 0;
  const int64_t code = int_arg(args, 1, name);
  const std::vector<int64_t> dims = reduction_dims(int_list(args, 2), x.dim(), name);
  KILN_CHECK(is_floating(x.dtype()), DType, name, Vector ? ": Expected a floating point tensor as input. Got "
             : ": input dtype should be floating point. Got ", dtype_name(x.dtype()));
  KILN_CHECK(!std::isnan(p), Argument, name, ": the order p must not be NaN");
  DType t = x.dtype();
  if (code >= 0) {
    t = dtype_arg(args, 1, name);
    KILN_CHECK(is_floating(t), DType, name, ": expected a floating point dtype, got ", dtype_name(t));
    KILN_CHECK(!Vector || promote_types(x.dtype(), t) == t, DType, name, ": the dtype of the input (",
               dtype_name(x.dtype()), ") should be convertible without narrowing to the specified dtype (",
               dtype_name(t), ")");
  }
  if (Vector && x.numel() == 0 && (p < 0 || std::isinf(p))) {
    for (int64_t d : dims)
      KILN_CHECK(x.shape()[d] != 0, Argument, name, ": cannot compute the ", p, " norm on an empty tensor because "
                 "the operation does not have an identity (dim ", d, " of ", shape_str(x.shape()), " is empty)");
  }
  const DType c = compute_dtype(t);  // float16 and bfloat16 in float32, rounded at the end
  Tensor out = Tensor::empty(keepdim_shape(x.shape(), dims), c, x.device());
  cpu::norm_kernel(out, cast(x, c), p);
  if (!Vector && x.numel() == 0) fill_(out, Scalar(0.0));  // torch.norm: 0 for every order on empty input
  return {cast(keepdim ? out : drop_dims(out, dims), t)};
}

Tensor sign_of(const Tensor& x) { return sub(to(gt(x, wrapped_scalar(Scalar(0.0))), x.dtype()), to(lt(x, wrapped_scalar(Scalar(0.0))), x.dtype())); }

// PyTorch's norm_backward: by the order p; where the norm is 0 the gradient is 0 (none at all for p = 0). The
// factors that depend only on the norm and the incoming gradient are formed at the reduced shape and broadcast
// once (p = 2: x (g / norm), as PyTorch rounds it; formed at x's shape, the 2-norm's backward took 5 passes).
TensorList norm_backward(const BackwardContext& c) {
  const Tensor& x = c.input(0);
  const double p = c.args.reals[0];
  if (p == 0) return {Tensor()};
  const auto dims = reduction_dims(int_list(c.args, 2), x.dim(), "norm");
  const bool keepdim = c.args.ints[0] != 0;
  const auto full = [&](const Tensor& reduced) { return expand_reduced(reduced, x.shape(), dims, keepdim); };
  const Tensor &g = c.grad(), &norm = c.output();
  const Tensor zero = wrapped_scalar(Scalar(0.0));
  if (p == 1) return {mul(sign_of(x), full(g))};
  if (p == 2) return {mul(x, full(where(eq(norm, zero), zero, div(g, norm))))};
  const Tensor ax = abs(x);
  if (std::isinf(p)) {
    // Shared evenly by the elements whose |x| is the norm (the NaN ones when the norm is NaN).
    const Tensor hit = add(to(eq(ax, full(norm)), x.dtype()), to(ne(ax, ax), x.dtype()));
    return {mul(sign_of(x), mul(div(full(g), sum(hit, dims, true)), hit))};
  }
  if (p < 1) {
    const Tensor scaled = mul(sign_of(x), where(eq(x, zero), zero, pow(ax, Scalar(p - 1))));
    return {mul(scaled, full(mul(g, pow(norm, Scalar(1 - p)))))};
  }
  const Tensor scale = where(eq(norm, zero), zero, div(g, pow(norm, Scalar(p - 1))));
  const Tensor scaled = p < 2 ? mul(sign_of(x), pow(ax, Scalar(p - 1))) : mul(x, pow(ax, Scalar(p - 2)));
  return {mul(scaled, full(scale))};
}

const OpDef kNorm{"norm", "norm(Tensor x; ints: keepdim, dtype, dims...; reals: p)", 1, OpKind::Primitive,
                  norm_fwd<false>, nullptr, norm_backward, kSaveInputs | kSaveOutputs};
const OpDef kVectorNorm{"linalg_vector_norm", "linalg_vector_norm(Tensor x; ints: keepdim, dtype, dims...; reals: ord)",
                        1, OpKind::Primitive, norm_fwd<true>, nullptr, norm_backward, kSaveInputs | kSaveOutputs};

OpArgs norm_args(double p, const Dims& dims, bool keepdim) {
  OpArgs a{{keepdim, -1}, {p}};
  a.ints.insert(a.ints.end(), dims.begin(), dims.end());
  return a;
}

}  // namespace

void add_norm_ops(std::vector<const OpDef*>& table) { table.insert(table.end(), {&kNorm, &kVectorNorm}); }

Tensor norm(const Tensor& x, double p, const Dims& dims, bool keepdim) {
  return call1(kNorm, {x}, norm_args(p, dims, keepdim));
}
Tensor vector_norm(const Tensor& x, double ord, const Dims& dims, bool keepdim) {
  return call1(kVectorNorm, {x}, norm_args(ord, dims, keepdim));
}

}  // namespace kiln
