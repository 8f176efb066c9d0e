// fused_lstm_cell: the LSTM cell's activations and state update as one op (nn.LSTMCell runs it after each step's
// gate products), where the composite form was 9 ops forward and about 25 backward on [batch, hidden] tensors,
// each a dispatch, an allocation and a pass over memory. fused_lstm_layer: a whole layer's recurrence (nn.LSTM
// runs it after the input's gate products for the whole sequence), so that backpropagation through time is one
// op too and W_hh's gradient one product over all steps. fused_gru_layer: the same for nn.GRU.
#include "autograd/backward_context.h"
#include "cpu/gru_layer.h"
#include "cpu/lstm_cell.h"
#include "cpu/lstm_layer.h"
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

// The cell's gradient in ordinary ops, so that create_graph can differentiate it again (any order): the gates'
// and cx's gradients (each only when wanted) from those of hy (dh) and cy (dcy).
std::pair<Tensor, Tensor> composite_cell_grads(const Tensor& gates, const Tensor& cx, const Tensor& cy,
                                               const Tensor& dh, const Tensor& dcy, bool want_gates, bool want_cx) {
  const TensorList q = chunk(gates, 4, -1);
  const Tensor i = sigmoid(q[0]), f = sigmoid(q[1]), g = tanh(q[2]), o = sigmoid(q[3]), tc = tanh(cy);
  const Tensor dc = add(dcy, mul(mul(dh, o), sub(S(1.0), mul(tc, tc))));
  Tensor dgates, dcx;
  if (want_gates) {
    dgates = cat({mul(mul(dc, g), mul(i, sub(S(1.0), i))), mul(mul(dc, cx), mul(f, sub(S(1.0), f))),
                  mul(mul(dc, i), sub(S(1.0), mul(g, g))), mul(mul(dh, tc), mul(o, sub(S(1.0), o)))},
                 -1);
  }
  if (want_cx) dcx = mul(dc, f);
  return {dgates, dcx};
}

TensorList lstm_cell_composite_derivative(const BackwardContext& c) {
  auto [dgates, dcx] = composite_cell_grads(c.input(0), c.input(1), c.output(1), c.grad(0), c.grad(1), c.needs(0),
                                            c.needs(1));
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

constexpr const char* kLayerOp = "fused_lstm_layer";

// The layers' ints after `reverse`: a packed sequence's batch sizes, one per step, non-increasing and within
// [1, batch] (recurrent_layer.h's ActiveRows); none: every row runs every step.
std::vector<int64_t> batch_sizes_arg(const OpArgs& args, const Tensor& gates_x, const char* op) {
  std::vector<int64_t> sizes = int_list(args, 1);
  if (sizes.empty()) return sizes;
  KILN_CHECK(int64_t(sizes.size()) == gates_x.size(0), Shape, op, ": expected one batch size per step, ",
             gates_x.size(0), " for gates_x ", shape_str(gates_x.shape()), ", got ", sizes.size());
  for (size_t t = 0; t < sizes.size(); ++t)
    KILN_CHECK(sizes[t] >= 1 && sizes[t] <= gates_x.size(1) && (t == 0 || sizes[t] <= sizes[t - 1]), Argument, op,
               ": batch sizes must be non-increasing and within [1, ", gates_x.size(1), "], got ", sizes[t],
               " at step ", t, t > 0 ? " after " + std::to_string(sizes[t - 1]) : std::string());
  return sizes;
}

// For the composite derivatives: the gradients of a step whose rows from `active` on carried their states through
// it (packed sequences): those rows' gate gradients are zeros, and what reached their states passes to the previous
// step unchanged (`carried`), in place of what the cell gives (`through_cell`).
Tensor carry_rows(const Tensor& through_cell, const Tensor& carried, int64_t active) {
  const int64_t B = through_cell.size(0);
  if (active >= B) return through_cell;
  return cat({narrow(through_cell, 0, 0, active), narrow(carried, 0, active, B - active)}, 0);
}

Tensor zero_rows(const Tensor& x, int64_t active) {
  const int64_t B = x.size(0);
  if (active >= B) return x;
  return cat({narrow(x, 0, 0, active), zeros({B - active, x.size(1)}, x.dtype())}, 0);
}

void check_lstm_layer(const Tensor& gx, const Tensor& h0, const Tensor& c0, const Tensor& w) {
  check_cpu(kLayerOp, {gx, h0, c0, w});
  KILN_CHECK(gx.dim() == 3 && h0.dim() == 2 && c0.dim() == 2 && w.dim() == 2, Shape, kLayerOp,
             ": expected gates_x [seq, batch, 4 hidden], h0 and c0 [batch, hidden] and w_hh [4 hidden, hidden], got ",
             shape_str(gx.shape()), ", ", shape_str(h0.shape()), ", ", shape_str(c0.shape()), " and ",
             shape_str(w.shape()));
  const int64_t B = gx.size(1), H = h0.size(1);
  KILN_CHECK(gx.size(0) > 0, Shape, kLayerOp, ": expected a sequence length larger than 0, got gates_x ",
             shape_str(gx.shape()));
  KILN_CHECK(gx.size(2) == 4 * H && h0.size(0) == B && c0.shape() == h0.shape() && w.size(0) == 4 * H &&
                 w.size(1) == H,
             Shape, kLayerOp, ": gates_x ", shape_str(gx.shape()), ", h0 ", shape_str(h0.shape()), ", c0 ",
             shape_str(c0.shape()), " and w_hh ", shape_str(w.shape()),
             " do not agree on batch and hidden size (gates_x [seq, batch, 4 hidden], w_hh [4 hidden, hidden])");
  const DType t = gx.dtype();
  KILN_CHECK((t == DType::Float32 || t == DType::Float64) && h0.dtype() == t && c0.dtype() == t && w.dtype() == t,
             DType, kLayerOp, ": expected gates_x, h0, c0 and w_hh of one dtype, float32 or float64, got ",
             dtype_name(t), ", ", dtype_name(h0.dtype()), ", ", dtype_name(c0.dtype()), " and ", dtype_name(w.dtype()));
}

TensorList lstm_layer_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor &gx = in[0], &h0 = in[1], &c0 = in[2], &w = in[3];
  check_lstm_layer(gx, h0, c0, w);
  const bool reverse = int_arg(args, 0, kLayerOp) != 0;
  const std::vector<int64_t> batch_sizes = batch_sizes_arg(args, gx, kLayerOp);
  const Shape states{gx.size(0), gx.size(1), h0.size(1)};
  Tensor hs = new_tensor(states, gx.dtype(), kLayerOp), cs = new_tensor(states, gx.dtype(), kLayerOp);
  Tensor gates = new_tensor(gx.shape(), gx.dtype(), kLayerOp);
  cpu::lstm_layer_kernel(hs, cs, gates, contiguous(gx), contiguous(h0), contiguous(c0), contiguous(w), reverse,
                         batch_sizes);
  return {hs, cs, gates};
}

// Backpropagation through time in ordinary ops, step by step (the cell's gradient as above, then the hidden
// product's), for create_graph. Each step's gate pre-activations are recomputed from the inputs: the saved
// workspace carries no gradient, and a higher order must see how they depend on gates_x, h and w_hh.
TensorList lstm_layer_composite_derivative(const BackwardContext& c) {
  const Tensor &gx = c.input(0), &h0 = c.input(1), &c0 = c.input(2), &w = c.input(3);
  const Tensor &hs = c.output(0), &cs = c.output(1);
  const bool reverse = int_arg(c.args, 0, kLayerOp) != 0;
  const std::vector<int64_t> batch_sizes = batch_sizes_arg(c.args, gx, kLayerOp);
  const int64_t steps = hs.size(0), B = hs.size(1);
  auto at = [&](int64_t s) { return reverse ? steps - 1 - s : s; };
  TensorList dgates(steps), hprev(steps);
  Tensor dh_next, dc_next;
  for (int64_t s = steps - 1; s >= 0; --s) {
    const int64_t t = at(s);
    const Tensor hp = s == 0 ? h0 : select(hs, 0, at(s - 1)), cp = s == 0 ? c0 : select(cs, 0, at(s - 1));
    Tensor dh = select(c.grad(0), 0, t), dc = select(c.grad(1), 0, t);
    if (dh_next.defined()) dh = add(dh, dh_next);
    if (dc_next.defined()) dc = add(dc, dc_next);
    const Tensor gates = addmm(select(gx, 0, t), hp, kiln::t(w));
    auto [dg, dcp] = composite_cell_grads(gates, cp, select(cs, 0, t), dh, dc, true, true);
    const int64_t active = batch_sizes.empty() ? B : batch_sizes[t];
    dgates[t] = zero_rows(dg, active);
    hprev[t] = hp;
    dh_next = carry_rows(matmul(dgates[t], w), dh, active);
    dc_next = carry_rows(dcp, dc, active);
  }
  const Tensor dgx = stack(dgates, 0);
  Tensor dw;
  if (c.needs(3)) {
    const int64_t rows = hs.size(0) * hs.size(1);
    dw = matmul(t(reshape(dgx, {rows, gx.size(2)})), reshape(stack(hprev, 0), {rows, hs.size(2)}));
  }
  return {c.needs(0) ? dgx : Tensor(), c.needs(1) ? dh_next : Tensor(), c.needs(2) ? dc_next : Tensor(), dw};
}

TensorList lstm_layer_derivative(const BackwardContext& c) {
  if (grad_enabled()) return lstm_layer_composite_derivative(c);
  const Tensor &h0 = c.input(1), &c0 = c.input(2), &w = c.input(3), &gates = c.output(2);
  cpu::LstmLayerGrads g{new_tensor(gates.shape(), gates.dtype(), kLayerOp),
                        c.needs(1) ? new_tensor(h0.shape(), h0.dtype(), kLayerOp) : Tensor(),
                        c.needs(2) ? new_tensor(c0.shape(), c0.dtype(), kLayerOp) : Tensor(),
                        c.needs(3) ? new_tensor(w.shape(), w.dtype(), kLayerOp) : Tensor()};
  cpu::lstm_layer_backward_kernel(g, contiguous(c.grad(0)), contiguous(c.grad(1)), contiguous(h0), contiguous(c0),
                                  contiguous(w), c.output(0), c.output(1), gates, int_arg(c.args, 0, kLayerOp) != 0,
                                  batch_sizes_arg(c.args, gates, kLayerOp));
  return {c.needs(0) ? g.gates_x : Tensor(), g.h0, g.c0, g.w_hh};
}

const OpDef kLstmLayer{kLayerOp,
                       "fused_lstm_layer(Tensor gates_x, Tensor h0, Tensor c0, Tensor w_hh; ints: reverse, batch_sizes...) -> "
                       "(hs, cs, gates)",
                       4, OpKind::Primitive, lstm_layer_fwd, nullptr, lstm_layer_derivative,
                       kSaveInputs | kSaveOutputs, false, /*differentiable_outputs=*/2};  // gates: a workspace

constexpr const char* kGruOp = "fused_gru_layer";

void check_gru_layer(const Tensor& gx, const Tensor& h0, const Tensor& w, const Tensor& b) {
  check_cpu(kGruOp, {gx, h0, w, b});
  KILN_CHECK(gx.dim() == 3 && h0.dim() == 2 && w.dim() == 2 && b.dim() == 1, Shape, kGruOp,
             ": expected gates_x [seq, batch, 3 hidden], h0 [batch, hidden], w_hh [3 hidden, hidden] and b_hh "
             "[3 hidden], got ",
             shape_str(gx.shape()), ", ", shape_str(h0.shape()), ", ", shape_str(w.shape()), " and ",
             shape_str(b.shape()));
  const int64_t B = gx.size(1), H = h0.size(1);
  KILN_CHECK(gx.size(0) > 0, Shape, kGruOp, ": expected a sequence length larger than 0, got gates_x ",
             shape_str(gx.shape()));
  KILN_CHECK(gx.size(2) == 3 * H && h0.size(0) == B && w.size(0) == 3 * H && w.size(1) == H && b.size(0) == 3 * H,
             Shape, kGruOp, ": gates_x ", shape_str(gx.shape()), ", h0 ", shape_str(h0.shape()), ", w_hh ",
             shape_str(w.shape()), " and b_hh ", shape_str(b.shape()),
             " do not agree on batch and hidden size (gates_x [seq, batch, 3 hidden], w_hh [3 hidden, hidden])");
  const DType t = gx.dtype();
  KILN_CHECK((t == DType::Float32 || t == DType::Float64) && h0.dtype() == t && w.dtype() == t && b.dtype() == t,
             DType, kGruOp, ": expected gates_x, h0, w_hh and b_hh of one dtype, float32 or float64, got ",
             dtype_name(t), ", ", dtype_name(h0.dtype()), ", ", dtype_name(w.dtype()), " and ", dtype_name(b.dtype()));
}

TensorList gru_layer_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor &gx = in[0], &h0 = in[1], &w = in[2], &b = in[3];
  check_gru_layer(gx, h0, w, b);
  const std::vector<int64_t> batch_sizes = batch_sizes_arg(args, gx, kGruOp);
  const int64_t steps = gx.size(0), B = gx.size(1), H = h0.size(1);
  Tensor hs = new_tensor({steps, B, H}, gx.dtype(), kGruOp), ws = new_tensor({steps, B, 4 * H}, gx.dtype(), kGruOp);
  cpu::gru_layer_kernel(hs, ws, contiguous(gx), contiguous(h0), contiguous(w), contiguous(b),
                        int_arg(args, 0, kGruOp) != 0, batch_sizes);
  return {hs, ws};
}

// Backpropagation through time in ordinary ops for create_graph, each step's hidden product and gates recomputed
// from the inputs (the workspace carries no gradient).
TensorList gru_layer_composite_derivative(const BackwardContext& c) {
  const Tensor &gx = c.input(0), &h0 = c.input(1), &w = c.input(2), &b = c.input(3), &hs = c.output(0);
  const bool reverse = int_arg(c.args, 0, kGruOp) != 0;
  const std::vector<int64_t> batch_sizes = batch_sizes_arg(c.args, gx, kGruOp);
  const int64_t steps = hs.size(0), B = hs.size(1);
  auto at = [&](int64_t s) { return reverse ? steps - 1 - s : s; };
  TensorList dgx(steps), dgh(steps), hprev(steps);
  Tensor dh_next;
  for (int64_t s = steps - 1; s >= 0; --s) {
    const int64_t t = at(s);
    const Tensor hp = s == 0 ? h0 : select(hs, 0, at(s - 1));
    const TensorList q = chunk(select(gx, 0, t), 3, -1), k = chunk(addmm(b, hp, kiln::t(w)), 3, -1);
    const Tensor r = sigmoid(add(q[0], k[0])), z = sigmoid(add(q[1], k[1])), n = tanh(add(q[2], mul(r, k[2])));
    Tensor dh = select(c.grad(0), 0, t);
    if (dh_next.defined()) dh = add(dh, dh_next);
    const Tensor dn_pre = mul(mul(dh, sub(S(1.0), z)), sub(S(1.0), mul(n, n)));
    const Tensor dr_pre = mul(mul(dn_pre, k[2]), mul(r, sub(S(1.0), r)));
    const Tensor dz_pre = mul(mul(dh, sub(hp, n)), mul(z, sub(S(1.0), z)));
    const int64_t active = batch_sizes.empty() ? B : batch_sizes[t];
    dgx[t] = zero_rows(cat({dr_pre, dz_pre, dn_pre}, -1), active);
    dgh[t] = zero_rows(cat({dr_pre, dz_pre, mul(dn_pre, r)}, -1), active);
    hprev[t] = hp;
    dh_next = carry_rows(add(mul(dh, z), matmul(dgh[t], w)), dh, active);
  }
  const int64_t rows = hs.size(0) * hs.size(1), G = gx.size(2);
  const Tensor dgh_rows = c.needs(2) || c.needs(3) ? reshape(stack(dgh, 0), {rows, G}) : Tensor();
  return {c.needs(0) ? stack(dgx, 0) : Tensor(), c.needs(1) ? dh_next : Tensor(),
          c.needs(2) ? matmul(kiln::t(dgh_rows), reshape(stack(hprev, 0), {rows, hs.size(2)})) : Tensor(),
          c.needs(3) ? sum(dgh_rows, {0}) : Tensor()};
}

TensorList gru_layer_derivative(const BackwardContext& c) {
  if (grad_enabled()) return gru_layer_composite_derivative(c);
  const Tensor &gx = c.input(0), &h0 = c.input(1), &w = c.input(2), &b = c.input(3);
  cpu::GruLayerGrads g{new_tensor(gx.shape(), gx.dtype(), kGruOp),
                       c.needs(1) ? new_tensor(h0.shape(), h0.dtype(), kGruOp) : Tensor(),
                       c.needs(2) ? new_tensor(w.shape(), w.dtype(), kGruOp) : Tensor(),
                       c.needs(3) ? new_tensor(b.shape(), b.dtype(), kGruOp) : Tensor()};
  cpu::gru_layer_backward_kernel(g, contiguous(c.grad(0)), contiguous(h0), contiguous(w), c.output(0), c.output(1),
                                 int_arg(c.args, 0, kGruOp) != 0, batch_sizes_arg(c.args, gx, kGruOp));
  return {c.needs(0) ? g.gates_x : Tensor(), g.h0, g.w_hh, g.b_hh};
}

const OpDef kGruLayer{kGruOp,
                      "fused_gru_layer(Tensor gates_x, Tensor h0, Tensor w_hh, Tensor b_hh; ints: reverse, batch_sizes...) -> "
                      "(hs, ws)",
                      4, OpKind::Primitive, gru_layer_fwd, nullptr, gru_layer_derivative,
                      kSaveInputs | kSaveOutputs, false, /*differentiable_outputs=*/1};  // ws: a workspace

std::vector<int64_t> layer_ints(bool reverse, const std::vector<int64_t>& batch_sizes) {
  std::vector<int64_t> ints{reverse ? 1 : 0};
  ints.insert(ints.end(), batch_sizes.begin(), batch_sizes.end());
  return ints;
}

}  // namespace

void add_recurrent_ops(std::vector<const OpDef*>& table) {
  table.push_back(&kLstmCell);
  table.push_back(&kLstmLayer);
  table.push_back(&kGruLayer);
}

std::pair<Tensor, Tensor> fused_lstm_cell(const Tensor& gates, const Tensor& cx) {
  TensorList r = call(kLstmCell, {gates, cx});
  return {r[0], r[1]};
}

std::tuple<Tensor, Tensor, Tensor> fused_lstm_layer(const Tensor& gates_x, const Tensor& h0, const Tensor& c0,
                                                    const Tensor& w_hh, bool reverse,
                                                    const std::vector<int64_t>& batch_sizes) {
  TensorList r = call(kLstmLayer, {gates_x, h0, c0, w_hh}, OpArgs{layer_ints(reverse, batch_sizes), {}});
  return {r[0], r[1], r[2]};
}

std::pair<Tensor, Tensor> fused_gru_layer(const Tensor& gates_x, const Tensor& h0, const Tensor& w_hh,
                                          const Tensor& b_hh, bool reverse, const std::vector<int64_t>& batch_sizes) {
  TensorList r = call(kGruLayer, {gates_x, h0, w_hh, b_hh}, OpArgs{layer_ints(reverse, batch_sizes), {}});
  return {r[0], r[1]};
}

}  // namespace kiln
