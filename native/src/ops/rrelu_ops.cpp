// rrelu (randomized leaky ReLU, torch.nn.functional.rrelu): in training each element x <= 0 is scaled by its own
// slope drawn uniformly from [lower, upper]; in evaluation by their mean, as leaky_relu. As in PyTorch, both go
// through one node, rrelu_with_noise, whose second output is the slope each element got (1 where x > 0; empty in
// evaluation): the derivative is grad times it in training, leaky_relu's with the mean slope otherwise.
#include "autograd/backward_context.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

// ints: generator, training; reals: lower, upper -> (out, noise).
TensorList rrelu_with_noise_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "rrelu";
  const Tensor& x = in[0];
  check_cpu(op, in);
  const double lower = real_arg(args, 0, op), upper = real_arg(args, 1, op);
  KILN_CHECK(lower <= upper, Argument, op, ": Lower bound should be less than or equal to the upper bound, got lower ",
             lower, " and upper ", upper);
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()),
             "' (expected a floating input)");
  if (int_arg(args, 1, op) == 0) return {leaky_relu(x, (lower + upper) / 2), Tensor::empty({0}, x.dtype())};
  Tensor slopes = Tensor::empty(x.shape(), x.dtype());
  uniform_(slopes, lower, upper, reinterpret_cast<Generator*>(int_arg(args, 0, op)));
  const Tensor noise = where(le(x, zeros({}, x.dtype())), slopes, ones({}, x.dtype()));
  return {mul(x, noise), noise};
}

TensorList rrelu_with_noise_derivative(const BackwardContext& c) {
  if (c.args.ints[1] != 0) return {mul(c.grad(), c.output(1))};
  return {leaky_relu_backward(c.grad(), c.input(0), (c.args.reals[0] + c.args.reals[1]) / 2)};
}

const OpDef kRreluWithNoise{"rrelu_with_noise",
                            "rrelu_with_noise(Tensor x; ints: generator, training; reals: lower, upper) -> (out, noise)",
                            1, OpKind::Primitive, rrelu_with_noise_fwd, nullptr, rrelu_with_noise_derivative,
                            kSaveInputs | kSaveOutputs, false, 1};

TensorList rrelu_fwd(const TensorList& in, const OpArgs& args) { return {call(kRreluWithNoise, in, args)[0]}; }

const OpDef kRrelu{"rrelu", "rrelu(Tensor x; ints: generator, training; reals: lower, upper)", 1, OpKind::Composite,
                   rrelu_fwd};

}  // namespace

void add_rrelu_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kRrelu, &kRreluWithNoise});
}

Tensor rrelu(const Tensor& x, double lower, double upper, bool training, Generator* gen) {
  const int64_t g = static_cast<int64_t>(reinterpret_cast<intptr_t>(gen));
  return call1(kRrelu, {x}, OpArgs{{g, training ? 1 : 0}, {lower, upper}});
}

}  // namespace kiln
