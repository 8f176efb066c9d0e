// Statistics over dims: prod, var/std (and var_mean/std_mean), logsumexp, nansum/nanmean, and the logical
// reductions all/any/count_nonzero. Kernels in cpu/stats.h.
#include "autograd/backward_context.h"
#include "cpu/stats.h"
#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/reduction_family.h"

namespace kiln {
namespace {

bool keepdim_arg(const OpArgs& args, const char* op) { return int_arg(args, 0, op) != 0; }

// The output of a reduction of x over dims (sorted, wrapped): allocated with the reduced dims kept as 1.
Tensor reduction_out(const Tensor& x, const std::vector<int64_t>& dims, DType t) {
  return Tensor::empty(keepdim_shape(x.shape(), dims), t, x.device());
}
Tensor finish_reduction(const Tensor& out, const std::vector<int64_t>& dims, bool keepdim) {
  return keepdim ? out : drop_dims(out, dims);
}

int64_t reduced_count(const Shape& shape, const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= shape[d];
  return n;
}

// ---- prod. ints: [keepdim, dtype code (-1: default), dim (none: all)]

TensorList prod_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_cpu("prod", in);
  const bool keepdim = keepdim_arg(args, "prod");
  const int64_t code = int_arg(args, 1, "prod");
  const std::vector<int64_t> dims = reduction_dims(int_list(args, 2), x.dim(), "prod");
  const DType t = code >= 0 ? dtype_arg(args, 1, "prod") : is_floating(x.dtype()) ? x.dtype() : DType::Int64;
  KILN_CHECK(t != DType::Bool, DType, "prod: bool is not a supported result dtype");
  const DType c = is_floating(t) ? compute_dtype(t) : t;  // float16 and bfloat16 in float32, rounded at the end
  Tensor out = reduction_out(x, dims, c);
  cpu::prod_kernel(out, cast(x, c));
  return {cast(finish_reduction(out, dims, keepdim), t)};
}

// The products of all other elements along dim (exact when some are zero): the product of those before
// (an exclusive cumprod) times the product of those after (an exclusive reversed cumprod).
Tensor exclusive_products(const Tensor& x, int64_t dim) {
  const int64_t n = x.shape()[dim];
  const Tensor one = ones(x.shape(), x.dtype());
  const Tensor before = slice_scatter(one, narrow(x, dim, 0, n - 1), dim, 1, n, 1);
  const Tensor after = slice_scatter(one, narrow(x, dim, 1, n - 1), dim, 0, n - 1, 1);
  return mul(cumprod(before, dim), cumprod(after, dim, /*reverse=*/true));
}

// g * out / x where no element is zero; otherwise g times the exclusive products, as PyTorch.
TensorList prod_backward(const BackwardContext& c) {
  const Tensor &x = c.input(0), &out = c.output();
  const Shape& shape = x.shape();
  if (x.numel() == 0) return {zeros(shape, x.dtype())};
  if (x.dim() == 0) return {c.grad()};
  const auto dims = reduction_dims(int_list(c.args, 2), x.dim(), "prod");
  const bool keepdim = c.args.ints[0] != 0;
  const Tensor g = expand_reduced(c.grad(), shape, dims, keepdim);
  if (!item(any(eq(x, wrapped_scalar(Scalar(0.0)))))) return {mul(g, div(expand_reduced(out, shape, dims, keepdim), x))};
  if (dims.size() == 1) return {mul(g, exclusive_products(x, dims[0]))};
  return {mul(g, reshape(exclusive_products(reshape(x, {-1}), 0), shape))};
}

// ---- var, std, var_mean, std_mean. ints: [keepdim, dims...]; reals: [correction]

template <bool Sqrt, bool WithMean>
TensorList var_fwd(const TensorList& in, const OpArgs& args) {
  const char* name = Sqrt ? (WithMean ? "std_mean" : "std") : (WithMean ? "var_mean" : "var");
  const Tensor& x = in[0];
  check_cpu(name, in);
  KILN_CHECK(is_floating(x.dtype()), DType, name, ": std and var only support floating point dtypes, got ",
             dtype_name(x.dtype()));
  const bool keepdim = keepdim_arg(args, name);
  const std::vector<int64_t> dims = reduction_dims(int_list(args, 1), x.dim(), name);
  const double correction = real_arg(args, 0, name);
  Tensor out = reduction_out(x, dims, x.dtype());
  Tensor m = WithMean ? reduction_out(x, dims, x.dtype()) : Tensor();
  cpu::var_kernel(out, m, x, correction, Sqrt);
  if (!WithMean) return {finish_reduction(out, dims, keepdim)};
  return {finish_reduction(out, dims, keepdim), finish_reduction(m, dims, keepdim)};
}

struct VarArgs {
  std::vector<int64_t> dims;
  bool keepdim;
  double correction;
};
VarArgs var_args(const BackwardContext& c) {
  return {reduction_dims(int_list(c.args, 1), static_cast<int64_t>(c.input_shape(0).size()), "var"), c.args.ints[0] != 0,
          c.args.reals[0]};
}

// d var = 2 (x - mean) / (N - correction).
Tensor var_grad(const Tensor& gvar, const Tensor& x, const VarArgs& a) {
  const double n = static_cast<double>(reduced_count(x.shape(), a.dims));
  const Tensor g = expand_reduced(gvar, x.shape(), a.dims, a.keepdim);
  return mul(mul(g, sub(x, mean(x, a.dims, true))), Scalar(2.0 / (n - a.correction)));
}

// d std = d var / (2 std), and nothing where std is 0, as PyTorch.
Tensor std_to_var_grad(const Tensor& gstd, const Tensor& std) {
  const Tensor zero = wrapped_scalar(Scalar(0.0));
  return where(eq(std, zero), zero, div(gstd, mul(std, Scalar(2.0))));
}

template <bool Sqrt>
TensorList var_backward(const BackwardContext& c) {
  const VarArgs a = var_args(c);
  const Tensor g = Sqrt ? std_to_var_grad(c.grad(), c.output()) : c.grad();
  return {var_grad(g, c.input(0), a)};
}

template <bool Sqrt>
TensorList var_mean_backward(const BackwardContext& c) {
  const VarArgs a = var_args(c);
  const Tensor& x = c.input(0);
  const Tensor gvar = Sqrt ? std_to_var_grad(c.grad(0), c.output(0)) : c.grad(0);
  const Tensor gmean = div(expand_reduced(c.grad(1), x.shape(), a.dims, a.keepdim),
                           Scalar(static_cast<double>(reduced_count(x.shape(), a.dims))));
  return {add(var_grad(gvar, x, a), gmean)};
}

// ---- logsumexp. ints: [keepdim, dims...] (no dims: all); integral inputs give the default float.

TensorList logsumexp_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_cpu("logsumexp", in);
  const bool keepdim = keepdim_arg(args, "logsumexp");
  const std::vector<int64_t> dims = reduction_dims(int_list(args, 1), x.dim(), "logsumexp");
  const DType t = float_result_dtype(x, -1, "logsumexp", true);
  Tensor out = reduction_out(x, dims, t);
  cpu::logsumexp_kernel(out, cast(x, t));
  return {finish_reduction(out, dims, keepdim)};
}

TensorList logsumexp_backward(const BackwardContext& c) {
  const Tensor& x = c.input(0);
  const auto dims = reduction_dims(int_list(c.args, 1), x.dim(), "logsumexp");
  const bool keepdim = c.args.ints[0] != 0;
  const Tensor g = expand_reduced(c.grad(), x.shape(), dims, keepdim);
  return {mul(g, exp(sub(x, expand_reduced(c.output(), x.shape(), dims, keepdim))))};
}

// ---- nansum. ints: [keepdim, dtype code (-1: default), dims...]

TensorList nansum_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_cpu("nansum", in);
  const bool keepdim = keepdim_arg(args, "nansum");
  const int64_t code = int_arg(args, 1, "nansum");
  const std::vector<int64_t> dims = reduction_dims(int_list(args, 2), x.dim(), "nansum");
  const DType t = code >= 0 ? dtype_arg(args, 1, "nansum") : is_floating(x.dtype()) ? x.dtype() : DType::Int64;
  KILN_CHECK(t != DType::Bool, DType, "nansum: bool is not a supported result dtype");
  const DType c = is_floating(t) ? compute_dtype(t) : t;  // float16 and bfloat16 in float32, rounded at the end
  Tensor out = reduction_out(x, dims, c);
  cpu::nansum_kernel(out, cast(x, c));
  return {cast(finish_reduction(out, dims, keepdim), t)};
}

TensorList nansum_backward(const BackwardContext& c) {
  const Tensor& x = c.input(0);
  const auto dims = reduction_dims(int_list(c.args, 2), x.dim(), "nansum");
  const Tensor g = expand_reduced(c.grad(), x.shape(), dims, c.args.ints[0] != 0);
  return {where(ne(x, x), wrapped_scalar(Scalar(0.0)), g)};
}

// nanmean: nansum over the count of non-NaN elements, composed as in PyTorch. ints: [keepdim, dims...]
TensorList nanmean_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  KILN_CHECK(is_floating(x.dtype()), DType, "nanmean: expected input to have floating point dtype but got ",
             dtype_name(x.dtype()));
  const bool keepdim = keepdim_arg(args, "nanmean");
  const Dims dims = int_list(args, 1);
  reduction_dims(dims, x.dim(), "nanmean");  // a bad dim is named for nanmean, not for the ops it is made of
  return {div(nansum(x, dims, keepdim), sum(eq(x, x), dims, keepdim))};
}

// ---- all, any (ints: [keepdim, dims...]) and count_nonzero (ints: [dims...]).

template <cpu::LogicalReduce Op>
TensorList logical_fwd(const TensorList& in, const OpArgs& args) {
  const char* name = Op == cpu::LogicalReduce::All ? "all" : Op == cpu::LogicalReduce::Any ? "any" : "count_nonzero";
  const Tensor& x = in[0];
  check_cpu(name, in);
  const bool count = Op == cpu::LogicalReduce::CountNonzero;
  const bool keepdim = !count && keepdim_arg(args, name);
  const std::vector<int64_t> dims = reduction_dims(int_list(args, count ? 0 : 1), x.dim(), name);
  Tensor out = reduction_out(x, dims, count ? DType::Int64 : DType::Bool);
  cpu::logical_reduce_kernel(Op, out, x);
  return {finish_reduction(out, dims, keepdim)};
}

const OpDef kProd{"prod", "prod(Tensor x; ints: keepdim, dtype, [dim])", 1, OpKind::Primitive, prod_fwd, nullptr,
                  prod_backward, kSaveInputs | kSaveOutputs};
const OpDef kVar{"var", "var(Tensor x; ints: keepdim, dims...; reals: correction)", 1, OpKind::Primitive,
                 var_fwd<false, false>, nullptr, var_backward<false>, kSaveInputs};
const OpDef kStd{"std", "std(Tensor x; ints: keepdim, dims...; reals: correction)", 1, OpKind::Primitive,
                 var_fwd<true, false>, nullptr, var_backward<true>, kSaveInputs | kSaveOutputs};
const OpDef kVarMean{"var_mean", "var_mean(Tensor x; ints: keepdim, dims...; reals: correction) -> (var, mean)", 1,
                     OpKind::Primitive, var_fwd<false, true>, nullptr, var_mean_backward<false>, kSaveInputs};
const OpDef kStdMean{"std_mean", "std_mean(Tensor x; ints: keepdim, dims...; reals: correction) -> (std, mean)", 1,
                     OpKind::Primitive, var_fwd<true, true>, nullptr, var_mean_backward<true>,
                     kSaveInputs | kSaveOutputs};
const OpDef kLogsumexp{"logsumexp", "logsumexp(Tensor x; ints: keepdim, dims...)", 1, OpKind::Primitive,
                       logsumexp_fwd, nullptr, logsumexp_backward, kSaveInputs | kSaveOutputs};
const OpDef kNansum{"nansum", "nansum(Tensor x; ints: keepdim, dtype, dims...)", 1, OpKind::Primitive, nansum_fwd,
                    nullptr, nansum_backward, kSaveInputs};
const OpDef kNanmean{"nanmean", "nanmean(Tensor x; ints: keepdim, dims...)", 1, OpKind::Composite, nanmean_fwd};
const OpDef kAll{"all", "all(Tensor x; ints: keepdim, dims...) -> bool", 1, OpKind::Primitive,
                 logical_fwd<cpu::LogicalReduce::All>};
const OpDef kAny{"any", "any(Tensor x; ints: keepdim, dims...) -> bool", 1, OpKind::Primitive,
                 logical_fwd<cpu::LogicalReduce::Any>};
const OpDef kCountNonzero{"count_nonzero", "count_nonzero(Tensor x; ints: dims...) -> int64", 1, OpKind::Primitive,
                          logical_fwd<cpu::LogicalReduce::CountNonzero>};

OpArgs var_call_args(const Dims& dims, double correction, bool keepdim) {
  OpArgs a = dims_args(dims, keepdim);
  a.reals.push_back(correction);
  return a;
}

OpArgs dtype_dims_args(const Dims& dims, bool keepdim, int64_t dtype_code) {
  OpArgs a{{keepdim, dtype_code}, {}};
  a.ints.insert(a.ints.end(), dims.begin(), dims.end());
  return a;
}

}  // namespace

void add_stats_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kProd, &kVar, &kStd, &kVarMean, &kStdMean, &kLogsumexp, &kNansum, &kNanmean, &kAll,
                             &kAny, &kCountNonzero});
}

Tensor prod(const Tensor& x) { return call1(kProd, {x}, OpArgs{{0, -1}, {}}); }
Tensor prod(const Tensor& x, int64_t dim, bool keepdim) { return call1(kProd, {x}, OpArgs{{keepdim, -1, dim}, {}}); }
Tensor var(const Tensor& x, const Dims& dims, double correction, bool keepdim) {
  return call1(kVar, {x}, var_call_args(dims, correction, keepdim));
}
Tensor std(const Tensor& x, const Dims& dims, double correction, bool keepdim) {
  return call1(kStd, {x}, var_call_args(dims, correction, keepdim));
}
std::pair<Tensor, Tensor> var_mean(const Tensor& x, const Dims& dims, double correction, bool keepdim) {
  TensorList r = call(kVarMean, {x}, var_call_args(dims, correction, keepdim));
  return {r[0], r[1]};
}
std::pair<Tensor, Tensor> std_mean(const Tensor& x, const Dims& dims, double correction, bool keepdim) {
  TensorList r = call(kStdMean, {x}, var_call_args(dims, correction, keepdim));
  return {r[0], r[1]};
}
Tensor logsumexp(const Tensor& x, const Dims& dims, bool keepdim) { return call1(kLogsumexp, {x}, dims_args(dims, keepdim)); }
Tensor nansum(const Tensor& x, const Dims& dims, bool keepdim) {
  return call1(kNansum, {x}, dtype_dims_args(dims, keepdim, -1));
}
Tensor nanmean(const Tensor& x, const Dims& dims, bool keepdim) { return call1(kNanmean, {x}, dims_args(dims, keepdim)); }
Tensor all(const Tensor& x, const Dims& dims, bool keepdim) { return call1(kAll, {x}, dims_args(dims, keepdim)); }
Tensor any(const Tensor& x, const Dims& dims, bool keepdim) { return call1(kAny, {x}, dims_args(dims, keepdim)); }
Tensor count_nonzero(const Tensor& x, const Dims& dims) { return call1(kCountNonzero, {x}, OpArgs{dims, {}}); }

}  // namespace kiln
