// Elementwise activations (softplus, gelu, silu, mish, leaky_relu, elu, selu, celu, hardtanh, relu6,
// hardsigmoid, hardswish, softsign, log_sigmoid). Each is one fused kernel forward and one fused op backward
// (gelu_backward(grad, x), ...), a row of its own whose derivative (ordinary ops) gives double backward.
// prelu and glu, which take a second operand, are in activation_gated_ops.cpp.
#include "autograd/backward_context.h"
#include "cpu/activation.h"
#include "kiln/ops.h"
#include "ops/activation_support.h"
#include "ops/operands.h"

namespace kiln {
namespace {

using cpu::Act;
using cpu::ActParams;

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }
Tensor as_float(const Tensor& mask, const Tensor& like) { return to(mask, like.dtype()); }

// ---- Parameters: each row takes its PyTorch arguments as reals (gelu: approximate as an int).

ActParams no_params(const OpArgs&) { return {}; }
ActParams softplus_params(const OpArgs& a) { return {real_arg(a, 0, "softplus"), real_arg(a, 1, "softplus"), 0}; }
ActParams leaky_params(const OpArgs& a) { return {real_arg(a, 0, "leaky_relu"), 0, 0}; }
ActParams elu_params(const OpArgs& a) { return {real_arg(a, 0, "elu"), real_arg(a, 1, "elu"), real_arg(a, 2, "elu")}; }
ActParams celu_params(const OpArgs& a) {
  const double alpha = real_arg(a, 0, "celu");
  KILN_CHECK(alpha != 0, Argument, "celu: ZeroDivisionError: alpha cannot be 0 for CELU");
  return {alpha, 1.0, 1.0 / alpha};
}
ActParams hardtanh_params(const OpArgs& a) { return {real_arg(a, 0, "hardtanh"), real_arg(a, 1, "hardtanh"), 0}; }

Act gelu_act(const OpArgs& a) {
  const int64_t approximate = int_arg(a, 0, "gelu");
  KILN_CHECK(approximate == 0 || approximate == 1, Argument,
             "gelu: approximate argument must be either none or tanh (got code ", approximate, ")");
  return approximate == 1 ? Act::GeluTanh : Act::GeluErf;
}
template <Act A>
Act fixed_act(const OpArgs&) {
  return A;
}

// celu(x, alpha) is elu(x, alpha, 1, 1 / alpha): its derivative runs elu_backward with those arguments.
OpArgs celu_as_elu(const OpArgs& a) {
  const ActParams p = celu_params(a);
  return OpArgs{{}, {p.a, p.b, p.c}};
}

// ---- Second derivatives f''(x), with ordinary ops: what makes the backward rows differentiable.

Tensor softplus_second(const Tensor& x, const OpArgs& a) {
  const double beta = real_arg(a, 0, "softplus"), threshold = real_arg(a, 1, "softplus");
  const Tensor z = mul(x, S(beta)), s = sigmoid(z);
  // PyTorch's mask is z < threshold, where the forward's is z > threshold: at z == threshold, f'' is 0.
  return mul(as_float(lt(z, S(threshold)), x), mul(mul(s, sub(S(1.0), s)), S(beta)));
}

Tensor gelu_second(const Tensor& x, const OpArgs& a) {
  if (gelu_act(a) == Act::GeluErf) {  // phi(x) (2 - x^2)
    const Tensor pdf = mul(exp(mul(mul(x, x), S(-0.5))), S(0.39894228040143267794));
    return mul(pdf, sub(S(2.0), mul(x, x)));
  }
  // (1 - t^2) (u' - x t u'^2 + x u'' / 2), t = tanh(u), u = k (x + c x^3)
  const double k = 0.79788456080286535588, c = 0.044715;
  const Tensor x2 = mul(x, x);
  const Tensor t = tanh(mul(add(x, mul(mul(x2, x), S(c))), S(k)));
  const Tensor du = mul(add(mul(x2, S(3 * c)), S(1.0)), S(k));
  const Tensor d2u = mul(x, S(6 * k * c));
  const Tensor inner = add(sub(du, mul(mul(x, t), mul(du, du))), mul(mul(x, d2u), S(0.5)));
  return mul(sub(S(1.0), mul(t, t)), inner);
}

Tensor silu_second(const Tensor& x, const OpArgs&) {  // s (1 - s) (2 + x (1 - 2 s))
  const Tensor s = sigmoid(x);
  return mul(mul(s, sub(S(1.0), s)), add(mul(x, sub(S(1.0), mul(s, S(2.0)))), S(2.0)));
}

Tensor mish_second(const Tensor& x, const OpArgs&) {  // (1 - T^2) (2 s + x s (1 - s) - 2 x s^2 T), T = tanh(softplus x)
  const Tensor T = tanh(softplus(x, 1.0, 20.0)), s = sigmoid(x);
  const Tensor xs = mul(x, s);
  const Tensor inner = sub(add(mul(s, S(2.0)), mul(xs, sub(S(1.0), s))), mul(mul(xs, mul(s, T)), S(2.0)));
  return mul(sub(S(1.0), mul(T, T)), inner);
}

Tensor elu_second(const Tensor& x, const OpArgs& a) {  // x <= 0: input_scale^2 alpha scale exp(input_scale x)
  const ActParams p = elu_params(a);
  return mul(as_float(le(x, S(0.0)), x), mul(exp(mul(x, S(p.c))), S(p.c * p.c * p.a * p.b)));
}

Tensor hardswish_second(const Tensor& x, const OpArgs&) {  // 1/3 on (-3, 3)
  return mul(as_float(mul(gt(x, S(-3.0)), lt(x, S(3.0))), x), S(1.0 / 3.0));  // bool * bool: and
}

Tensor softsign_second(const Tensor& x, const OpArgs&) {  // -2 sign(x) / (1 + |x|)^3
  const Tensor sign = sub(as_float(gt(x, S(0.0)), x), as_float(lt(x, S(0.0)), x));
  const Tensor d = add(abs(x), S(1.0));
  return div(mul(sign, S(-2.0)), mul(mul(d, d), d));
}

Tensor log_sigmoid_second(const Tensor& x, const OpArgs&) {  // -s (1 - s)
  const Tensor s = sigmoid(x);
  return mul(s, sub(s, S(1.0)));
}

// ---- The table: one entry per forward row.

struct Kind {
  const char* name;
  const char* backward_name;  // the backward row (nullptr: another kind's, see backward_kind)
  const char* signature;
  const char* backward_signature;
  IntInputs ints;
  Act (*act)(const OpArgs&);
  ActParams (*params)(const OpArgs&);
  int backward_kind;                      // the kind whose backward row the derivative runs
  OpArgs (*backward_args)(const OpArgs&);  // its arguments, when not the op's own
  Tensor (*second)(const Tensor& x, const OpArgs& args);  // nullptr: f'' = 0
};

enum KindIndex { kSoftplus, kGelu, kSilu, kMish, kLeakyRelu, kElu, kCelu, kHardtanh, kHardsigmoid, kHardswish,
                 kSoftsign, kLogSigmoid, kNumKinds };

const Kind kKinds[kNumKinds] = {
    {"softplus", "softplus_backward", "softplus(Tensor x; reals: beta, threshold)",
     "softplus_backward(Tensor grad, Tensor x; reals: beta, threshold)", IntInputs::Refuse, fixed_act<Act::Softplus>,
     softplus_params, kSoftplus, nullptr, softplus_second},
    {"gelu", "gelu_backward", "gelu(Tensor x; ints: approximate (0 none, 1 tanh))",
     "gelu_backward(Tensor grad, Tensor x; ints: approximate)", IntInputs::Refuse, gelu_act, no_params, kGelu, nullptr,
     gelu_second},
    {"silu", "silu_backward", "silu(Tensor x)", "silu_backward(Tensor grad, Tensor x)", IntInputs::Refuse,
     fixed_act<Act::Silu>, no_params, kSilu, nullptr, silu_second},
    {"mish", "mish_backward", "mish(Tensor x)", "mish_backward(Tensor grad, Tensor x)", IntInputs::Refuse,
     fixed_act<Act::Mish>, no_params, kMish, nullptr, mish_second},
    {"leaky_relu", "leaky_relu_backward", "leaky_relu(Tensor x; reals: negative_slope)",
     "leaky_relu_backward(Tensor grad, Tensor x; reals: negative_slope)", IntInputs::Refuse, fixed_act<Act::LeakyRelu>,
     leaky_params, kLeakyRelu, nullptr, nullptr},
    {"elu", "elu_backward", "elu(Tensor x; reals: alpha, scale, input_scale)",
     "elu_backward(Tensor grad, Tensor x; reals: alpha, scale, input_scale)", IntInputs::Refuse, fixed_act<Act::Elu>,
     elu_params, kElu, nullptr, elu_second},
    {"celu", nullptr, "celu(Tensor x; reals: alpha)", nullptr, IntInputs::Refuse, fixed_act<Act::Elu>, celu_params,
     kElu, celu_as_elu, nullptr},
    {"hardtanh", "hardtanh_backward", "hardtanh(Tensor x; reals: min_val, max_val)",
     "hardtanh_backward(Tensor grad, Tensor x; reals: min_val, max_val)", IntInputs::Clamp, fixed_act<Act::Hardtanh>,
     hardtanh_params, kHardtanh, nullptr, nullptr},
    {"hardsigmoid", "hardsigmoid_backward", "hardsigmoid(Tensor x)", "hardsigmoid_backward(Tensor grad, Tensor x)",
     IntInputs::Refuse, fixed_act<Act::Hardsigmoid>, no_params, kHardsigmoid, nullptr, nullptr},
    {"hardswish", "hardswish_backward", "hardswish(Tensor x)", "hardswish_backward(Tensor grad, Tensor x)",
     IntInputs::Refuse, fixed_act<Act::Hardswish>, no_params, kHardswish, nullptr, hardswish_second},
    {"softsign", "softsign_backward", "softsign(Tensor x)", "softsign_backward(Tensor grad, Tensor x)",
     IntInputs::ToFloat, fixed_act<Act::Softsign>, no_params, kSoftsign, nullptr, softsign_second},
    {"log_sigmoid", "log_sigmoid_backward", "log_sigmoid(Tensor x)", "log_sigmoid_backward(Tensor grad, Tensor x)",
     IntInputs::Refuse, fixed_act<Act::LogSigmoid>, no_params, kLogSigmoid, nullptr, log_sigmoid_second},
};

const OpDef& backward_row(int kind);

Tensor act_forward(const Kind& k, const Tensor& x, const OpArgs& args) {
  const Tensor xc = activation_input(k.name, x, k.ints);
  const ActParams p = k.params(args);
  Tensor out = Tensor::empty(xc.shape(), xc.dtype(), xc.device());
  cpu::activation_kernel(k.act(args), p, out, xc);
  return out;
}

// grad * f'(x) over the broadcast shape of grad and x, in their promoted floating dtype.
Tensor act_backward(const Kind& k, const Tensor& grad, const Tensor& x, const OpArgs& args) {
  const char* name = k.backward_name;
  check_cpu(name, {grad, x});
  KILN_CHECK(is_floating(grad.dtype()), DType, name, ": expected a floating point gradient, got ", dtype_name(grad.dtype()));
  const DType t = is_floating(x.dtype()) ? result_type({grad, x}) : grad.dtype();
  const Shape shape = broadcast_shapes(grad.shape(), x.shape(), name);
  Tensor out = new_tensor(shape, t, name, x.device());
  cpu::activation_backward_kernel(k.act(args), k.params(args), out, expand_to(cast(grad, t), shape),
                                  expand_to(cast(x, t), shape));
  return out;
}

template <int K>
TensorList forward_fn(const TensorList& in, const OpArgs& args) {
  return {act_forward(kKinds[K], in[0], args)};
}

template <int K>
TensorList backward_row_fn(const TensorList& in, const OpArgs& args) {
  return {act_backward(kKinds[K], in[0], in[1], args)};
}

// The forward row's derivative: the fused backward row.
template <int K>
TensorList derivative(const BackwardContext& c) {
  const Kind& k = kKinds[K];
  return {call1(backward_row(k.backward_kind), {c.grad(), c.input(0)}, k.backward_args ? k.backward_args(c.args) : c.args)};
}

// The backward row's derivative: linear in grad (the row itself again); f'' for x.
template <int K>
TensorList backward_derivative(const BackwardContext& c) {
  const Kind& k = kKinds[K];
  const Tensor &gg = c.grad(), &grad = c.input(0), &x = c.input(1);
  Tensor d_grad, d_x;
  if (c.needs(0)) d_grad = call1(backward_row(K), {gg, x}, c.args);
  if (c.needs(1) && k.second) d_x = mul(mul(gg, grad), k.second(x, c.args));
  return {d_grad, d_x};
}

template <int K>
OpDef forward_row() {
  const Kind& k = kKinds[K];
  return {k.name, k.signature, 1, OpKind::Primitive, forward_fn<K>, nullptr, derivative<K>, kSaveInputs};
}

template <int K>
OpDef backward_row_def() {
  const Kind& k = kKinds[K];
  return {k.backward_name, k.backward_signature, 2, OpKind::Primitive, backward_row_fn<K>, nullptr,
          backward_derivative<K>, kSaveInputs};
}

const OpDef kForward[kNumKinds] = {forward_row<0>(), forward_row<1>(), forward_row<2>(), forward_row<3>(),
                                   forward_row<4>(), forward_row<5>(), forward_row<6>(), forward_row<7>(),
                                   forward_row<8>(), forward_row<9>(), forward_row<10>(), forward_row<11>()};
// celu has none of its own: it runs elu's.
const OpDef kBackward[kNumKinds] = {backward_row_def<0>(), backward_row_def<1>(), backward_row_def<2>(),
                                    backward_row_def<3>(), backward_row_def<4>(), backward_row_def<5>(), {},
                                    backward_row_def<7>(), backward_row_def<8>(), backward_row_def<9>(),
                                    backward_row_def<10>(), backward_row_def<11>()};

const OpDef& backward_row(int kind) { return kBackward[kind]; }

// selu and relu6 are elu and hardtanh with fixed arguments, as in PyTorch (their grad_fn is the inner op's).
TensorList selu_fwd(const TensorList& in, const OpArgs&) {
  activation_input("selu", in[0], IntInputs::Refuse);
  return call(kForward[kElu], in, OpArgs{{}, {kSeluAlpha, kSeluScale, 1.0}});
}
TensorList relu6_fwd(const TensorList& in, const OpArgs&) {
  activation_input("relu6", in[0], IntInputs::Clamp);
  return call(kForward[kHardtanh], in, OpArgs{{}, {0.0, 6.0}});
}

const OpDef kSelu{"selu", "selu(Tensor x)", 1, OpKind::Composite, selu_fwd};
const OpDef kRelu6{"relu6", "relu6(Tensor x)", 1, OpKind::Composite, relu6_fwd};

OpArgs reals(std::initializer_list<double> r) { return OpArgs{{}, std::vector<double>(r)}; }
OpArgs gelu_args(const std::string& approximate) {
  KILN_CHECK(approximate == "none" || approximate == "tanh", Argument,
             "gelu: approximate argument must be either none or tanh, got '", approximate, "'");
  return OpArgs{{approximate == "tanh" ? 1 : 0}, {}};
}

}  // namespace

void add_activation_ops(std::vector<const OpDef*>& table) {
  for (int k = 0; k < kNumKinds; ++k) {
    table.push_back(&kForward[k]);
    if (kBackward[k].name) table.push_back(&kBackward[k]);
  }
  table.insert(table.end(), {&kSelu, &kRelu6});
  add_gated_activation_ops(table);
}

Tensor softplus(const Tensor& x, double beta, double threshold) { return call1(kForward[kSoftplus], {x}, reals({beta, threshold})); }
Tensor gelu(const Tensor& x, const std::string& approximate) { return call1(kForward[kGelu], {x}, gelu_args(approximate)); }
Tensor silu(const Tensor& x) { return call1(kForward[kSilu], {x}); }
Tensor mish(const Tensor& x) { return call1(kForward[kMish], {x}); }
Tensor leaky_relu(const Tensor& x, double negative_slope) { return call1(kForward[kLeakyRelu], {x}, reals({negative_slope})); }
Tensor elu(const Tensor& x, double alpha, double scale, double input_scale) {
  return call1(kForward[kElu], {x}, reals({alpha, scale, input_scale}));
}
Tensor selu(const Tensor& x) { return call1(kSelu, {x}); }
Tensor celu(const Tensor& x, double alpha) { return call1(kForward[kCelu], {x}, reals({alpha})); }
Tensor hardtanh(const Tensor& x, double min_val, double max_val) { return call1(kForward[kHardtanh], {x}, reals({min_val, max_val})); }
Tensor relu6(const Tensor& x) { return call1(kRelu6, {x}); }
Tensor hardsigmoid(const Tensor& x) { return call1(kForward[kHardsigmoid], {x}); }
Tensor hardswish(const Tensor& x) { return call1(kForward[kHardswish], {x}); }
Tensor softsign(const Tensor& x) { return call1(kForward[kSoftsign], {x}); }
Tensor log_sigmoid(const Tensor& x) { return call1(kForward[kLogSigmoid], {x}); }

Tensor softplus_backward(const Tensor& grad, const Tensor& x, double beta, double threshold) {
  return call1(kBackward[kSoftplus], {grad, x}, reals({beta, threshold}));
}
Tensor gelu_backward(const Tensor& grad, const Tensor& x, const std::string& approximate) {
  return call1(kBackward[kGelu], {grad, x}, gelu_args(approximate));
}
Tensor silu_backward(const Tensor& grad, const Tensor& x) { return call1(kBackward[kSilu], {grad, x}); }
Tensor mish_backward(const Tensor& grad, const Tensor& x) { return call1(kBackward[kMish], {grad, x}); }
Tensor leaky_relu_backward(const Tensor& grad, const Tensor& x, double negative_slope) {
  return call1(kBackward[kLeakyRelu], {grad, x}, reals({negative_slope}));
}
Tensor elu_backward(const Tensor& grad, const Tensor& x, double alpha, double scale, double input_scale) {
  return call1(kBackward[kElu], {grad, x}, reals({alpha, scale, input_scale}));
}
Tensor hardtanh_backward(const Tensor& grad, const Tensor& x, double min_val, double max_val) {
  return call1(kBackward[kHardtanh], {grad, x}, reals({min_val, max_val}));
}
Tensor hardsigmoid_backward(const Tensor& grad, const Tensor& x) { return call1(kBackward[kHardsigmoid], {grad, x}); }
Tensor hardswish_backward(const Tensor& grad, const Tensor& x) { return call1(kBackward[kHardswish], {grad, x}); }
Tensor softsign_backward(const Tensor& grad, const Tensor& x) { return call1(kBackward[kSoftsign], {grad, x}); }
Tensor log_sigmoid_backward(const Tensor& grad, const Tensor& x) { return call1(kBackward[kLogSigmoid], {grad, x}); }

}  // namespace kiln
