// Cumulative sums and products along a dim (cpu/scan.h). Both take a `reverse` flag (a scan from the end),
// which their derivatives use: the gradient of a scan is the opposite scan of the gradient.
#include "autograd/backward_context.h"
#include "cpu/scan.h"
#include "kiln/autograd.h"
#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/reduction_family.h"

namespace kiln {
namespace {

// ints: [dim, reverse, dtype code (-1: the input's, int64 for integral inputs)]
template <cpu::ScanOp Op>
TensorList scan_fwd(const TensorList& in, const OpArgs& args) {
  const char* name = Op == cpu::ScanOp::Sum ? "cumsum" : "cumprod";
  const Tensor& x = in[0];
  check_cpu(name, in);
  const int64_t dim = wrap_dim(int_arg(args, 0, name), x.dim(), name);
  const bool reverse = int_arg(args, 1, name) != 0;
  const int64_t code = int_arg(args, 2, name);
  const DType t = code >= 0 ? dtype_arg(args, 2, name) : is_floating(x.dtype()) ? x.dtype() : DType::Int64;
  KILN_CHECK(t != DType::Bool, DType, name, ": bool is not a supported result dtype");
  const DType c = is_floating(t) ? compute_dtype(t) : t;  // float16 and bfloat16 in float32, rounded at the end
  Tensor out = Tensor::empty(x.shape(), c, x.device());
  cpu::scan_kernel(Op, out, cast(x, c), dim, reverse);
  return {cast(out, t)};
}

TensorList cumsum_backward(const BackwardContext& c) {
  return {cumsum(c.grad(), c.args.ints[0], c.args.ints[1] == 0)};
}

// grad[k] = sum over i at or after k (in scan order) of g[i] * the product of x[j] for j up to i, j != k:
// built as an [..., n, n] tensor of products so that it is differentiable again, exactly, at zeros too.
// PyTorch uses the same formula when the gradient itself is being differentiated.
Tensor cumprod_grad_quadratic(const Tensor& g, const Tensor& x, int64_t dim, bool reverse) {
  const int64_t n = x.shape()[dim];
  const Tensor xt = transpose(x, dim, -1), gt = transpose(g, dim, -1);
  Shape square = xt.shape();
  square.push_back(n);
  const Tensor k = view(arange(0, static_cast<double>(n), 1, DType::Int64), {n, 1});
  const Tensor j = view(arange(0, static_cast<double>(n), 1, DType::Int64), {1, n});
  const Tensor one = wrapped_scalar(Scalar(1.0)), zero = wrapped_scalar(Scalar(0.0));
  const Tensor skip_k = where(eq(k, j), one, expand(unsqueeze(xt, -2), square));  // row k: x with x[k] = 1
  const Tensor products = cumprod(skip_k, -1, reverse);
  const Tensor reaches_k = reverse ? le(j, k) : ge(j, k);  // the outputs i whose product contains x[k]
  return transpose(sum(mul(where(reaches_k, products, zero), unsqueeze(gt, -2)), {-1}), dim, -1);
}

// As PyTorch's cumprod_backward: without zeros, the opposite scan of g * y divided by x; with zeros, an exact
// O(n) formula, or the quadratic one when the gradient will be differentiated (create_graph).
TensorList cumprod_backward(const BackwardContext& c) {
  const Tensor &x = c.input(0), &y = c.output(), &g = c.grad();
  if (x.dim() == 0 || x.numel() == 0) return {g};
  const int64_t dim = wrap_dim(c.args.ints[0], x.dim(), "cumprod");
  const bool reverse = c.args.ints[1] != 0;
  if (x.shape()[dim] == 1) return {g};
  const Tensor one = wrapped_scalar(Scalar(1.0)), zero = wrapped_scalar(Scalar(0.0));
  const Tensor is_zero = eq(x, zero);
  if (!item(any(is_zero))) return {div(cumsum(mul(y, g), dim, !reverse), x)};
  if (grad_enabled()) return {cumprod_grad_quadratic(g, x, dim, reverse)};
  // Before the first zero (in scan order) the division is exact; at the first zero, the sum of g times the
  // products that skip it; after it, nothing (every product there holds the first zero).
  const Tensor zeros_so_far = cumsum(is_zero, dim, reverse);
  const Tensor before = eq(zeros_so_far, wrapped_scalar(Scalar(int64_t(0))));
  const Tensor first = where(is_zero, eq(zeros_so_far, wrapped_scalar(Scalar(int64_t(1)))), is_zero);
  const Tensor skip_first = cumprod(where(first, one, x), dim, reverse);
  const Tensor at_first = sum(where(before, zero, mul(g, skip_first)), {dim}, true);
  const Tensor divided = div(cumsum(mul(y, g), dim, !reverse), where(before, x, one));
  return {where(before, divided, where(first, at_first, zero))};
}

const OpDef kCumsum{"cumsum", "cumsum(Tensor x; ints: dim, reverse, dtype)", 1, OpKind::Primitive,
                    scan_fwd<cpu::ScanOp::Sum>, nullptr, cumsum_backward};
const OpDef kCumprod{"cumprod", "cumprod(Tensor x; ints: dim, reverse, dtype)", 1, OpKind::Primitive,
                     scan_fwd<cpu::ScanOp::Prod>, nullptr, cumprod_backward, kSaveInputs | kSaveOutputs};

}  // namespace

void add_scan_ops(std::vector<const OpDef*>& table) { table.insert(table.end(), {&kCumsum, &kCumprod}); }

Tensor cumsum(const Tensor& x, int64_t dim, bool reverse) { return call1(kCumsum, {x}, OpArgs{{dim, reverse, -1}, {}}); }
Tensor cumsum(const Tensor& x, int64_t dim, DType dtype) {
  return call1(kCumsum, {x}, OpArgs{{dim, 0, static_cast<int64_t>(dtype)}, {}});
}
Tensor cumprod(const Tensor& x, int64_t dim, bool reverse) {
  return call1(kCumprod, {x}, OpArgs{{dim, reverse, -1}, {}});
}
Tensor cumprod(const Tensor& x, int64_t dim, DType dtype) {
  return call1(kCumprod, {x}, OpArgs{{dim, 0, static_cast<int64_t>(dtype)}, {}});
}

}  // namespace kiln
