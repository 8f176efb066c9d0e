// Activations with a second operand: prelu (x > 0 ? x : w x, one learned slope or one per channel, dim 1) and
// glu (a sigmoid(b), a and b the halves of the input along a dim). Forward and backward are fused kernels
// (cpu/prelu_glu.cpp); the backward rows' derivatives, in ordinary ops, give double backward.
#include "autograd/backward_context.h"
#include "cpu/activation.h"
#include "kiln/ops.h"
#include "ops/activation_support.h"
#include "ops/operands.h"

namespace kiln {

Tensor activation_input(const char* op, const Tensor& x, IntInputs ints) {
  check_cpu(op, {x});
  const DType t = x.dtype();
  if (is_floating(t) || (t == DType::Int64 && ints == IntInputs::Clamp)) return x;
  KILN_CHECK(t == DType::Int64 && ints == IntInputs::ToFloat, DType, op, ": not implemented for '", dtype_name(t),
             "' (expected a floating point tensor)");
  return cast(x, default_float());
}

namespace {

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }

// ---- prelu

// The number of channels prelu's weight must match: size(1), or 1 for inputs of fewer than 2 dims.
int64_t prelu_channels(const Tensor& x) { return x.dim() >= 2 ? x.size(1) : 1; }

void check_prelu(const char* op, const Tensor& x, const Tensor& w) {
  check_cpu(op, {x, w});
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()),
             "' (expected a floating point input)");
  KILN_CHECK(w.dtype() == x.dtype(), DType, op, ": expected the weight to have the input's dtype ",
             dtype_name(x.dtype()), ", but got ", dtype_name(w.dtype()));
  KILN_CHECK(w.dim() <= 1, Shape, op, ": Expected `weight` to be a scalar or 1D tensor, but got ndim = ", w.dim(),
             " (shape ", shape_str(w.shape()), ")");
  const int64_t channels = prelu_channels(x);
  KILN_CHECK(w.numel() == 1 || w.numel() == channels, Shape, op,
             ": Mismatch of parameter numbers and input channel size. Found parameter numbers = ", w.numel(),
             " and channel size = ", channels, " (input shape ", shape_str(x.shape()), ")");
}

// w as a view of x's shape: one value everywhere, or one per index of dim 1.
Tensor expand_weight(const Tensor& w, const Tensor& x) {
  Shape strides(x.shape().size(), 0);
  if (w.numel() != 1) strides[1] = w.strides()[0];
  return w.as_strided(x.shape(), strides, w.offset());
}

TensorList prelu_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &x = in[0], &w = in[1];
  check_prelu("prelu", x, w);
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  cpu::prelu_kernel(out, x, expand_weight(w, x));
  return {out};
}

// prelu_backward(grad, x, weight) -> (grad_x, grad_weight).
TensorList prelu_backward_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &x = in[1], &w = in[2];
  check_prelu("prelu_backward", x, w);
  KILN_CHECK(is_floating(in[0].dtype()), DType, "prelu_backward: expected a floating point gradient, got ",
             dtype_name(in[0].dtype()));
  const Shape shape = broadcast_shapes(in[0].shape(), x.shape(), "prelu_backward");
  KILN_CHECK(shape == x.shape(), Shape, "prelu_backward: gradient of shape ", shape_str(in[0].shape()),
             " does not fit the input's shape ", shape_str(x.shape()));
  const Tensor g = contiguous(expand_to(cast(in[0], x.dtype()), shape));
  const Tensor xc = contiguous(x), wc = contiguous(w);
  const int64_t channels = w.numel() == 1 ? 1 : prelu_channels(x);
  const int64_t lead = x.dim() >= 2 && channels > 1 ? x.size(0) : 1;
  const int64_t inner = lead * channels == 0 ? 0 : x.numel() / (lead * channels);
  Tensor gx = Tensor::empty(x.shape(), x.dtype(), x.device()), gw = Tensor::empty(w.shape(), w.dtype(), w.device());
  cpu::prelu_backward_kernel(gx, gw, g, xc, wc, channels, inner);
  return {gx, gw};
}

// The weight (or a gradient of the weight's shape) in a shape that broadcasts against x along dim 1.
Tensor channel_view(const Tensor& w, const Tensor& x) {
  if (w.numel() == 1) return reshape(w, {});
  Shape shape(static_cast<size_t>(x.dim()), 1);
  shape[1] = w.numel();
  return reshape(w, shape);
}

// t (x's shape) summed to the weight's shape: over everything but dim 1.
Tensor sum_to_weight(const Tensor& t, const Tensor& w_meta_like, const Shape& w_shape) {
  if (w_meta_like.numel() == 1) return reshape(sum(t), w_shape);
  Dims dims;
  for (int64_t d = 0; d < t.dim(); ++d)
    if (d != 1) dims.push_back(d);
  return reshape(sum(t, dims), w_shape);
}

// grad_x = g (x > 0 ? 1 : w), grad_w = sum of g x [x <= 0]; gg_x and gg_w flow back into g, x and w.
TensorList prelu_backward_derivative(const BackwardContext& c) {
  const Tensor &ggx = c.grad(0), &ggw = c.grad(1), &g = c.input(0), &x = c.input(1), &w = c.input(2);
  const Tensor neg = to(le(x, S(0.0)), x.dtype());
  const Tensor ggw_b = channel_view(ggw, x);
  Tensor dg, dx, dw;
  if (c.needs(0)) dg = add(where(gt(x, S(0.0)), ggx, mul(ggx, channel_view(w, x))), mul(mul(ggw_b, x), neg));
  if (c.needs(1)) dx = mul(mul(ggw_b, g), neg);
  if (c.needs(2)) dw = sum_to_weight(mul(mul(ggx, g), neg), w, w.shape());
  return {dg, dx, dw};
}

const OpDef kPreluBackward{"prelu_backward",
                           "prelu_backward(Tensor grad, Tensor x, Tensor weight) -> (grad_x, grad_weight)", 3,
                           OpKind::Primitive, prelu_backward_fwd, nullptr, prelu_backward_derivative, kSaveInputs};

TensorList prelu_derivative(const BackwardContext& c) { return call(kPreluBackward, {c.grad(), c.input(0), c.input(1)}); }

const OpDef kPrelu{"prelu", "prelu(Tensor x, Tensor weight)", 2, OpKind::Primitive, prelu_fwd, nullptr,
                   prelu_derivative, kSaveInputs};

// ---- glu

struct Halves {
  int64_t dim, half;
};

Halves glu_halves(const char* op, const Tensor& x, const OpArgs& args) {
  check_cpu(op, {x});
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()),
             "' (expected a floating point input)");
  KILN_CHECK(x.dim() > 0, Shape, op, ": glu does not support scalars because halving size must be even");
  const int64_t dim = wrap_dim(int_arg(args, 0, op), x.dim(), op);
  const int64_t n = x.size(dim);
  KILN_CHECK(n % 2 == 0, Shape, op, ": Halving dimension must be even, but dimension ", dim, " is size ", n,
             " (input shape ", shape_str(x.shape()), ")");
  return {dim, n / 2};
}

TensorList glu_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const Halves h = glu_halves("glu", x, args);
  Shape shape = x.shape();
  shape[h.dim] = h.half;
  Tensor out = Tensor::empty(shape, x.dtype(), x.device());
  cpu::glu_kernel(out, narrow(x, h.dim, 0, h.half), narrow(x, h.dim, h.half, h.half));
  return {out};
}

// glu_backward(grad, x; ints: dim) -> grad_x.
TensorList glu_backward_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[1];
  const Halves h = glu_halves("glu_backward", x, args);
  KILN_CHECK(is_floating(in[0].dtype()), DType, "glu_backward: expected a floating point gradient, got ",
             dtype_name(in[0].dtype()));
  Shape shape = x.shape();
  shape[h.dim] = h.half;
  KILN_CHECK(broadcast_shapes(in[0].shape(), shape, "glu_backward") == shape, Shape, "glu_backward: gradient of shape ",
             shape_str(in[0].shape()), " does not fit the output's shape ", shape_str(shape));
  const Tensor g = expand_to(cast(in[0], x.dtype()), shape);
  Tensor gx = Tensor::empty(x.shape(), x.dtype(), x.device());
  cpu::glu_backward_kernel(narrow(gx, h.dim, 0, h.half), narrow(gx, h.dim, h.half, h.half), g,
                           narrow(x, h.dim, 0, h.half), narrow(x, h.dim, h.half, h.half));
  return {gx};
}

const OpDef& glu_backward_row();

TensorList glu_derivative(const BackwardContext& c) {
  return {call1(glu_backward_row(), {c.grad(), c.input(0)}, c.args)};
}

// With s = sigmoid(b) and gg = (hA, hB): d/dg = hA s + hB a s (1 - s); d/da = hB g s (1 - s);
// d/db = g s (1 - s) (hA + hB a (1 - 2 s)).
TensorList glu_backward_derivative(const BackwardContext& c) {
  const Tensor &gg = c.grad(), &g = c.input(0), &x = c.input(1);
  const Halves h = glu_halves("glu_backward", x, c.args);
  const Tensor a = narrow(x, h.dim, 0, h.half), b = narrow(x, h.dim, h.half, h.half);
  const Tensor ha = narrow(gg, h.dim, 0, h.half), hb = narrow(gg, h.dim, h.half, h.half);
  const Tensor s = sigmoid(b);
  const Tensor ds = mul(s, sub(S(1.0), s));
  Tensor dg, dx;
  if (c.needs(0)) dg = add(mul(ha, s), mul(mul(hb, a), ds));
  if (c.needs(1)) {
    const Tensor gds = mul(g, ds);
    const Tensor da = mul(hb, gds);
    const Tensor db = mul(gds, add(ha, mul(mul(hb, a), sub(S(1.0), mul(s, S(2.0))))));
    const Tensor zero = zeros(x.shape(), x.dtype());
    dx = slice_scatter(slice_scatter(zero, da, h.dim, 0, h.half), db, h.dim, h.half, 2 * h.half);
  }
  return {dg, dx};
}

const OpDef kGlu{"glu", "glu(Tensor x; ints: dim)", 1, OpKind::Primitive, glu_fwd, nullptr, glu_derivative, kSaveInputs};
const OpDef kGluBackward{"glu_backward", "glu_backward(Tensor grad, Tensor x; ints: dim)", 2, OpKind::Primitive,
                         glu_backward_fwd, nullptr, glu_backward_derivative, kSaveInputs};
const OpDef& glu_backward_row() { return kGluBackward; }

}  // namespace

void add_gated_activation_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kPrelu, &kPreluBackward, &kGlu, &kGluBackward});
}

Tensor prelu(const Tensor& x, const Tensor& weight) { return call1(kPrelu, {x, weight}); }
std::pair<Tensor, Tensor> prelu_backward(const Tensor& grad, const Tensor& x, const Tensor& weight) {
  TensorList r = call(kPreluBackward, {grad, x, weight});
  return {r[0], r[1]};
}
Tensor glu(const Tensor& x, int64_t dim) { return call1(kGlu, {x}, OpArgs{{dim}, {}}); }
Tensor glu_backward(const Tensor& grad, const Tensor& x, int64_t dim) {
  return call1(kGluBackward, {grad, x}, OpArgs{{dim}, {}});
}

}  // namespace kiln
