// ctc_loss (torch.nn.functional.ctc_loss): _ctc_loss, the per-element negative log likelihood, is the primitive
// (cpu/ctc.cpp) with its backward row; ctc_loss composes it with the reduction (a mean divides each element's loss
// by its target length first, as PyTorch does) and takes unbatched input ([T, C] log_probs, one target sequence).
// The gradient is the derivative of the loss with respect to log_probs (minus the labels' posterior occupancies),
// so it passes a finite-difference check. PyTorch's kernel returns exp(log_probs) minus the occupancies, which
// is the gradient for the logits under log_softmax: both agree after log_softmax, the input ctc_loss expects.
#include <algorithm>

#include "autograd/backward_context.h"
#include "cpu/ctc.h"
#include "kiln/ops.h"
#include "ops/loss_support.h"
#include "ops/operands.h"

namespace kiln {
namespace {

// A length list: one integral value per element of the batch.
std::vector<int64_t> lengths(const char* op, const char* what, const Tensor& t, int64_t batch) {
  KILN_CHECK(is_integral(t.dtype(), false), DType, op, ": ", what, " must be integral, got ", dtype_name(t.dtype()));
  KILN_CHECK(t.dim() <= 1 && t.numel() == batch, Shape, op, ": ", what, " must be of size batch_size (", batch,
             "), got shape ", shape_str(t.shape()));
  const Tensor v = contiguous(cast(t, DType::Int64));
  return std::vector<int64_t>(v.data<int64_t>(), v.data<int64_t>() + batch);
}

// inputs: log_probs [T, N, C], targets ([N, S] padded or 1-D concatenated), input_lengths [N], target_lengths [N];
// ints: blank, zero_infinity. Checks the call as PyTorch's ctc_loss_cpu does, and what it leaves unchecked too
// (negative lengths, labels outside [0, C)), naming the op.
cpu::CtcBatch prepare(const char* op, const TensorList& in, const OpArgs& args) {
  const Tensor &lp = in[0], &targets = in[1];
  check_cpu(op, in);
  KILN_CHECK(lp.dim() == 3, Shape, op, ": expected log_probs of 3 dims [T, N, C], got shape ", shape_str(lp.shape()));
  KILN_CHECK(is_floating(lp.dtype()), DType, op, ": not implemented for '", dtype_name(lp.dtype()),
             "' log_probs (expected a floating point dtype)");
  KILN_CHECK(is_integral(targets.dtype(), false), DType, op, ": expected integral targets (class indices), got ",
             dtype_name(targets.dtype()));
  KILN_CHECK(targets.dim() == 1 || targets.dim() == 2, Shape, op, ": expected targets of 1 dim (concatenated) or 2 "
             "dims [N, S] (padded), got shape ", shape_str(targets.shape()));
  const int64_t frames = lp.size(0), batch = lp.size(1), classes = lp.size(2);
  cpu::CtcBatch b;
  b.blank = int_arg(args, 0, op);
  KILN_CHECK(b.blank >= 0 && b.blank < classes, Argument, op, ": blank must be in label range [0, ", classes,
             "), got ", b.blank);
  b.input_length = lengths(op, "input_lengths", in[2], batch);
  b.target_length = lengths(op, "target_lengths", in[3], batch);
  int64_t total = 0, longest = 0;
  for (int64_t n = 0; n < batch; ++n) {
    const int64_t il = b.input_length[n], tl = b.target_length[n];
    KILN_CHECK(il >= 0 && il <= frames, Argument, op, ": Expected input_lengths to have values in [0, ", frames,
               "] (the length of log_probs), but got value ", il, " for element ", n);
    KILN_CHECK(tl >= 0, Argument, op, ": Expected target_lengths to be non-negative, but got value ", tl,
               " for element ", n);
    total += tl;
    longest = std::max(longest, tl);
  }
  const Tensor t = contiguous(cast(targets, DType::Int64));
  const int64_t* labels = t.data<int64_t>();
  if (targets.dim() == 1) {
    KILN_CHECK(targets.numel() == total, Shape, op, ": expected concatenated targets of the target lengths' sum (",
               total, "), got shape ", shape_str(targets.shape()));
  } else {
    KILN_CHECK(targets.size(0) == batch && targets.size(1) >= longest, Shape, op, ": expected targets of shape [",
               batch, ", S] with S at least the longest target length (", longest, "), got shape ",
               shape_str(targets.shape()));
  }
  b.labels.reserve(static_cast<size_t>(total));
  for (int64_t n = 0, pos = 0; n < batch; ++n) {
    const int64_t start = targets.dim() == 1 ? pos : n * targets.size(1);
    b.offset.push_back(static_cast<int64_t>(b.labels.size()));
    for (int64_t i = 0; i < b.target_length[n]; ++i) {
      const int64_t label = labels[start + i];
      KILN_CHECK(label >= 0 && label < classes, Index, op, ": target ", label, " of element ", n,
                 " is out of the label range [0, ", classes, ")");
      b.labels.push_back(label);
    }
    pos += b.target_length[n];
  }
  b.log_probs = contiguous(cast(lp, compute_dtype(lp.dtype())));
  return b;
}

bool zero_infinity_arg(const OpArgs& args, const char* op) { return int_arg(args, 1, op) != 0; }

// Returns the negative log likelihoods [N] and the forward variables (log_alpha [N, T, 2 max(S) + 1], in the
// compute dtype), which the backward row reads.
TensorList ctc_nll_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "ctc_loss";
  const cpu::CtcBatch b = prepare(op, in, args);
  const DType ct = b.log_probs.dtype();
  Tensor nll = Tensor::empty({b.log_probs.size(1)}, ct, b.log_probs.device());
  Tensor log_alpha = Tensor::empty({b.log_probs.size(1), b.log_probs.size(0), b.states()}, ct, b.log_probs.device());
  cpu::ctc_loss_kernel(nll, log_alpha, b, zero_infinity_arg(args, op));
  return {cast(nll, in[0].dtype()), log_alpha};
}

// inputs: grad [N], then _ctc_loss's inputs, then its log_alpha.
TensorList ctc_nll_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "ctc_loss_backward";
  const TensorList forward_inputs(in.begin() + 1, in.begin() + 5);
  const cpu::CtcBatch b = prepare(op, forward_inputs, args);
  const Tensor &g = in[0], &log_alpha = in[5];
  KILN_CHECK(is_floating(g.dtype()) && g.numel() == b.log_probs.size(1), Shape, op,
             ": expected a floating point gradient of one value per element (", b.log_probs.size(1), "), got ",
             dtype_name(g.dtype()), " of shape ", shape_str(g.shape()));
  const Shape alpha_shape{b.log_probs.size(1), b.log_probs.size(0), b.states()};
  KILN_CHECK(log_alpha.shape() == alpha_shape && log_alpha.dtype() == b.log_probs.dtype(), Shape, op,
             ": expected log_alpha from _ctc_loss of shape ", shape_str(alpha_shape), " and dtype ",
             dtype_name(b.log_probs.dtype()), ", got ", shape_str(log_alpha.shape()), " ",
             dtype_name(log_alpha.dtype()));
  const Tensor gn = contiguous(cast(g, b.log_probs.dtype()));
  Tensor grad = Tensor::empty(b.log_probs.shape(), b.log_probs.dtype(), b.log_probs.device());
  cpu::ctc_loss_backward_kernel(grad, gn, contiguous(log_alpha), b, zero_infinity_arg(args, op));
  return {cast(grad, in[1].dtype())};
}

TensorList ctc_nll_derivative(const BackwardContext& c);
TensorList ctc_nll_backward_derivative(const BackwardContext& c);

const OpDef kCtcNll{"_ctc_loss",
                    "_ctc_loss(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths; ints: "
                    "blank, zero_infinity) -> (the negative log likelihood of each element, log_alpha)",
                    4, OpKind::Primitive, ctc_nll_fwd, nullptr, ctc_nll_derivative, kSaveInputs | kSaveOutputs,
                    false, 1};
const OpDef kCtcNllBackward{"_ctc_loss_backward",
                            "_ctc_loss_backward(Tensor grad, Tensor log_probs, Tensor targets, Tensor input_lengths, "
                            "Tensor target_lengths, Tensor log_alpha; ints: blank, zero_infinity)",
                            6, OpKind::Primitive, ctc_nll_backward_fwd, nullptr, ctc_nll_backward_derivative,
                            kSaveInputs};

TensorList ctc_nll_derivative(const BackwardContext& c) {
  return {call1(kCtcNllBackward, {c.grad(), c.input(0), c.input(1), c.input(2), c.input(3), c.output(1)}, c.args),
          Tensor(), Tensor(), Tensor()};
}

// The backward is linear in grad: its derivative for grad sums the incoming gradient times the unit gradients.
// Its derivative for log_probs (the occupancies' own derivative) is not implemented, as in PyTorch.
TensorList ctc_nll_backward_derivative(const BackwardContext& c) {
  KILN_CHECK(!c.needs(1), NotImplemented,
             "ctc_loss: the second derivative with respect to log_probs is not implemented");
  Tensor dg;
  if (c.needs(0)) {
    const Tensor unit = call1(kCtcNllBackward, {ones(c.input(0).shape(), c.input(0).dtype()), c.input(1), c.input(2),
                                                c.input(3), c.input(4), c.input(5)}, c.args);
    dg = sum(mul(c.grad(), unit), {0, 2});
  }
  return {dg, Tensor(), Tensor(), Tensor(), Tensor(), Tensor()};
}

// inputs: log_probs ([T, N, C] or unbatched [T, C]), targets, input_lengths, target_lengths; ints: blank,
// reduction, zero_infinity.
TensorList ctc_loss_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "ctc_loss";
  check_cpu(op, in);
  const Reduction reduction = reduction_arg(args, 1, op);
  const bool batched = in[0].dim() != 2;
  TensorList call_in = in;
  if (!batched) {
    KILN_CHECK(in[1].dim() == 1, Shape, op, ": unbatched log_probs [T, C] take one target sequence (1 dim), got "
               "targets of shape ", shape_str(in[1].shape()));
    call_in = {unsqueeze(in[0], 1), unsqueeze(in[1], 0), reshape(in[2], {-1}), reshape(in[3], {-1})};
  }
  const Tensor nll = call1(kCtcNll, call_in, OpArgs{{int_arg(args, 0, op), int_arg(args, 2, op)}, {}});
  switch (reduction) {
    case Reduction::None:
      return {batched ? nll : reshape(nll, {})};
    case Reduction::Sum:
      return {sum(nll)};
    case Reduction::Mean:
      break;
  }
  const Tensor divisor = clamp_min(to(call_in[3], nll.dtype()), Scalar(1.0));
  return {mean(div(nll, divisor))};
}

const OpDef kCtcLoss{"ctc_loss",
                     "ctc_loss(Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths; ints: "
                     "blank, reduction, zero_infinity)",
                     4, OpKind::Composite, ctc_loss_fwd};

}  // namespace

void add_ctc_loss_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kCtcLoss, &kCtcNll, &kCtcNllBackward});
}

Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, int64_t blank, Reduction reduction, bool zero_infinity) {
  return call1(kCtcLoss, {log_probs, targets, input_lengths, target_lengths},
               OpArgs{{blank, static_cast<int64_t>(reduction), zero_infinity ? 1 : 0}, {}});
}

}  // namespace kiln
