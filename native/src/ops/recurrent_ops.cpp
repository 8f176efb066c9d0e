// fused_lstm_cell: the LSTM cell's activations and state update as one op (nn.LSTM and nn.LSTMCell run it
// after each step's gate products), where the composite form was 9 ops forward and about 25 backward on
// [batch, hidden] tensors, each a dispatch, an allocation and a pass over memory.
#include "autograd/backward_context.h"
#include "cpu/lstm_cell.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

constexpr const char* kOp = "fused_lstm_cell";

void check_lstm_cell(const Tensor& gates, const Tensor& cx) {
  check_cpu(kOp, {gates, cx});
  KILN_CHECK((cx.dim() == 1 || cx.dim() == 2) && gates.dim() == cx.dim(), Shape, kOp,
             ": expected gates [batch, 4 hidden] and cx [batch, hidden] (or both without the batch dim), got ",
             shape_str(gates.shape()), " and ", shape_str(cx.shape()));
  const int64_t H = cx.size(-1);
  KILN_CHECK(gates.size(-1) == 4 * H && (cx.dim() == 1 || gates.size(0) == cx.size(0)), Shape, kOp, ": gates ",
             shape_str(gates.shape()), " must hold 4 x the hidden size of cx ", shape_str(cx.shape()),
             " for the same batch");
  KILN_CHECK(gates.dtype() == cx.dtype() && (gates.dtype() == DType::Float32 || gates.dtype() == DType::Float64),
             DType, kOp, ": expected gates and cx of one dtype, float32 or float64, got ", dtype_name(gates.dtype()),
             " and ", dtype_name(cx.dtype()));
}

TensorList lstm_cell_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &gates = in[0], &cx = in[1];
  check_lstm_cell(gates, cx);
  Tensor hy = new_tensor(cx.shape(), cx.dtype(), kOp), cy = new_tensor(cx.shape(), cx.dtype(), kOp);
  cpu::lstm_cell_kernel(hy, cy, contiguous(gates), contiguous(cx));
  return {hy, cy};
}

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }

// The same gradient in ordinary ops, so that create_graph can differentiate it again (any order).
TensorList lstm_cell_composite_derivative(const BackwardContext& c) {
  const Tensor &gates = c.input(0), &cx = c.input(1), &cy = c.output(1), &dh = c.grad(0), &dcy = c.grad(1);
  const TensorList q = chunk(gates, 4, -1);
  const Tensor i = sigmoid(q[0]), f = sigmoid(q[1]), g = tanh(q[2]), o = sigmoid(q[3]), tc = tanh(cy);
  const Tensor dc = add(dcy, mul(mul(dh, o), sub(S(1.0), mul(tc, tc))));
  Tensor dgates, dcx;
  if (c.needs(0)) {
    dgates = cat({mul(mul(dc, g), mul(i, sub(S(1.0), i))), mul(mul(dc, cx), mul(f, sub(S(1.0), f))),
                  mul(mul(dc, i), sub(S(1.0), mul(g, g))), mul(mul(dh, tc), mul(o, sub(S(1.0), o)))},
                 -1);
  }
  if (c.needs(1)) dcx = mul(dc, f);
  return {dgates, dcx};
}

// Without create_graph (nothing records the gradient's own graph) one fused pass; with it, the composite above.
TensorList lstm_cell_derivative(const BackwardContext& c) {
  if (grad_enabled()) return lstm_cell_composite_derivative(c);
  const Tensor &gates = c.input(0), &cx = c.input(1);
  Tensor dgates = new_tensor(gates.shape(), gates.dtype(), kOp);
  Tensor dcx = c.needs(1) ? new_tensor(cx.shape(), cx.dtype(), kOp) : Tensor();
  cpu::lstm_cell_backward_kernel(dgates, dcx, contiguous(c.grad(0)), contiguous(c.grad(1)), contiguous(gates),
                                 contiguous(cx), contiguous(c.output(1)));
  return {c.needs(0) ? dgates : Tensor(), dcx};
}

const OpDef kLstmCell{kOp, "fused_lstm_cell(Tensor gates, Tensor cx) -> (hy, cy)", 2, OpKind::Primitive,
                      lstm_cell_fwd, nullptr, lstm_cell_derivative, kSaveInputs | kSaveOutputs};

}  // namespace

void add_recurrent_ops(std::vector<const OpDef*>& table) { table.push_back(&kLstmCell); }

std::pair<Tensor, Tensor> fused_lstm_cell(const Tensor& gates, const Tensor& cx) {
  TensorList r = call(kLstmCell, {gates, cx});
  return {r[0], r[1]};
}

}  // namespace kiln
