// embedding_bag: bags of embedding rows reduced by sum (optionally weighted per index), mean or max, in one fused
// pass (_embedding_bag, PyTorch's name: its node is EmbeddingBagBackward0), with a fused backward row for the
// weight's gradient. The gradient of per_sample_weights and every second derivative are written with ordinary
// ops (index_select, index_add, gather), so higher orders follow.
#include "autograd/backward_context.h"
#include "cpu/embedding.h"
#include "kiln/ops.h"
#include "ops/embedding_support.h"
#include "ops/operands.h"
#include "ops/optional_inputs.h"

namespace kiln {
namespace {

using cpu::BagMode;
using BagInputs = OptionalInputs<3, 1>;      // weight, indices (1-D), offsets (1-D); per_sample_weights
using BagGradInputs = OptionalInputs<4, 1>;  // grad, indices, offsets, max_indices; per_sample_weights

struct BagArgs {
  BagMode mode;
  bool include_last_offset;
  int64_t padding_idx;
  bool scale_grad_by_freq;
};

// ints[from..]: mode, include_last_offset, padding_idx, scale_grad_by_freq
BagArgs bag_args(const OpArgs& args, size_t from, const char* op) {
  const int64_t mode = int_arg(args, from, op);
  KILN_CHECK(mode >= 0 && mode <= 2, Argument, op, ": mode has to be one of sum, mean or max (code ", mode, ")");
  return {static_cast<BagMode>(mode), int_arg(args, from + 1, op) != 0, int_arg(args, from + 2, op),
          int_arg(args, from + 3, op) != 0};
}

std::vector<int64_t> longs(const Tensor& t) {
  const Tensor c = contiguous(cast(t, DType::Int64));
  const int64_t* p = c.numel() > 0 ? c.data<int64_t>() : nullptr;
  return std::vector<int64_t>(p, p + c.numel());
}

std::vector<double> doubles(const Tensor& t) {
  const Tensor c = contiguous(cast(t, DType::Float64));
  const double* p = c.numel() > 0 ? c.data<double>() : nullptr;
  return std::vector<double>(p, p + c.numel());
}

// The bags of a call: offsets checked as PyTorch does, padding left out, the sum/mean coefficients.
cpu::Bags make_bags(const char* op, const Tensor& idx, const Tensor& offsets, const Tensor& psw, const BagArgs& a) {
  KILN_CHECK(offsets.dim() == 1, Shape, op, ": offsets has to be a 1D Tensor, got shape ", shape_str(offsets.shape()));
  KILN_CHECK(offsets.dtype() == DType::Int64 || offsets.dtype() == DType::Int32, DType, op,
             ": offsets must be int64 or int32, got ", dtype_name(offsets.dtype()));
  const std::vector<int64_t> off = longs(offsets);
  const int64_t k = idx.numel();
  const int64_t n = static_cast<int64_t>(off.size());
  KILN_CHECK(!a.include_last_offset || n >= 1, Argument, op,
             ": include_last_offset: number of offsets should be at least 1");
  if (n > 0)
    KILN_CHECK(off[0] == 0, Argument, op,
               ": offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. "
               "However, got ",
               off[0]);
  for (int64_t i = 0; i < n; ++i) {
    KILN_CHECK(off[i] <= k, Argument, op, ": offsets[", i, "] can not be greater than input's length ", k, ", but got ",
               off[i]);
    KILN_CHECK(i == 0 || off[i] >= off[i - 1], Argument, op, ": offsets must not decrease, got ", off[i - 1], " then ",
               off[i], " at ", i);
  }
  const int64_t bags = std::max<int64_t>(0, a.include_last_offset ? n - 1 : n);
  cpu::Bags b;
  const int64_t* p = k > 0 ? idx.data<int64_t>() : nullptr;
  if (a.padding_idx >= 0) {  // indices are in range by now: a negative padding_idx (none) matches none
    b.use.resize(static_cast<size_t>(k));
    for (int64_t i = 0; i < k; ++i) b.use[static_cast<size_t>(i)] = p[i] != a.padding_idx;
  }
  if (psw.defined()) b.weight = doubles(psw);
  b.start.resize(static_cast<size_t>(bags));
  b.end.resize(static_cast<size_t>(bags));
  b.scale.assign(static_cast<size_t>(bags), 1.0);
  for (int64_t bag = 0; bag < bags; ++bag) {
    const int64_t s = off[static_cast<size_t>(bag)], e = bag + 1 < n ? off[static_cast<size_t>(bag + 1)] : k;
    b.start[static_cast<size_t>(bag)] = s;
    b.end[static_cast<size_t>(bag)] = e;
    if (a.mode != BagMode::Mean) continue;
    int64_t used = e - s;
    if (!b.use.empty())
      for (int64_t i = s; i < e; ++i) used -= 1 - b.use[static_cast<size_t>(i)];
    b.scale[static_cast<size_t>(bag)] = used > 0 ? 1.0 / static_cast<double>(used) : 0.0;
  }
  return b;
}

void check_bag_inputs(const char* op, const Tensor& weight, const Tensor& idx, const Tensor& psw, const BagArgs& a) {
  KILN_CHECK(psw.defined() ? a.mode == BagMode::Sum : true, Argument, op,
             ": per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
             "(got mode='",
             a.mode == BagMode::Mean ? "mean" : "max", "')");
  if (psw.defined()) {
    KILN_CHECK(psw.shape() == idx.shape(), Shape, op, ": per_sample_weights of shape ", shape_str(psw.shape()),
               " should have the shape of the indices, ", shape_str(idx.shape()));
    KILN_CHECK(psw.dtype() == weight.dtype(), DType, op, ": expected per_sample_weights of dtype ",
               dtype_name(weight.dtype()), ", got ", dtype_name(psw.dtype()));
  }
  KILN_CHECK(!(a.mode == BagMode::Max && a.scale_grad_by_freq), Argument, op,
             ": max mode does not support scaling the gradient by the frequency");
}

// For each index position, its bag (0 for positions in no bag, whose `valid` is 0), whether it counts and its bag's
// scale (mean's 1 / count).
struct BagMembership {
  Tensor bag_of;  // int64 [K]
  std::vector<double> valid, scale;
};

BagMembership membership(const cpu::Bags& b, int64_t k) {
  std::vector<int64_t> bag(static_cast<size_t>(k), 0);
  std::vector<double> valid(static_cast<size_t>(k), 0.0), scale(static_cast<size_t>(k), 0.0);
  for (size_t j = 0; j < b.start.size(); ++j)
    for (int64_t i = b.start[j]; i < b.end[j]; ++i) {
      bag[static_cast<size_t>(i)] = static_cast<int64_t>(j);
      valid[static_cast<size_t>(i)] = b.counts(i) ? 1.0 : 0.0;
      scale[static_cast<size_t>(i)] = b.scale[j];
    }
  return {from_data(bag.data(), k, {k}, DType::Int64), valid, scale};
}

Tensor column(const std::vector<double>& v, DType t) {
  const int64_t n = static_cast<int64_t>(v.size());
  return cast(from_data(v.data(), n, {n, 1}, DType::Float64), t);
}

// ints: [present (1: per_sample_weights), mode, include_last_offset, padding_idx, scale_grad_by_freq]
TensorList embedding_bag_primitive_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "embedding_bag";
  const BagInputs p = BagInputs::unpack(in, int_arg(args, 0, op), op);
  const BagArgs a = bag_args(args, 1, op);
  const Tensor& weight = p[0];
  check_embedding_weight(op, weight);
  KILN_CHECK(p[1].dim() == 1, Shape, op, ": expected 1-D indices, got shape ", shape_str(p[1].shape()));
  const Tensor idx = embedding_indices(op, p[1], weight.size(0));
  check_bag_inputs(op, weight, p[1], p[3], a);
  const cpu::Bags bags = make_bags(op, idx, p[2], p[3], a);
  const int64_t b = static_cast<int64_t>(bags.start.size()), d = weight.size(1);
  Tensor out = Tensor::empty({b, d}, weight.dtype(), weight.device());
  Tensor max_indices = a.mode == BagMode::Max ? Tensor::empty({b, d}, DType::Int64) : zeros({0}, DType::Int64);
  cpu::embedding_bag_kernel(out, max_indices, contiguous(weight), idx, bags, a.mode);
  return {out, max_indices};
}

// ints: [present (1: per_sample_weights), num_weights, mode, include_last_offset, padding_idx, scale_grad_by_freq]
TensorList embedding_bag_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "embedding_bag_backward";
  const BagGradInputs p = BagGradInputs::unpack(in, int_arg(args, 0, op), op);
  const int64_t v = int_arg(args, 1, op);
  const BagArgs a = bag_args(args, 2, op);
  const Tensor& grad = p[0];
  KILN_CHECK(grad.dtype() == DType::Float32 || grad.dtype() == DType::Float64, DType, op,
             ": expected a float32 or float64 grad, got ", dtype_name(grad.dtype()));
  const Tensor idx = embedding_indices(op, p[1], v);
  const cpu::Bags bags = make_bags(op, idx, p[2], p[4], a);
  const int64_t b = static_cast<int64_t>(bags.start.size());
  KILN_CHECK(grad.dim() == 2 && grad.size(0) == b, Shape, op, ": grad of shape ", shape_str(grad.shape()),
             " does not fit ", b, " bags");
  const int64_t d = grad.size(1);
  if (a.mode == BagMode::Max)
    KILN_CHECK(p[3].shape() == grad.shape() && p[3].dtype() == DType::Int64, Shape, op, ": max_indices of shape ",
               shape_str(p[3].shape()), " does not fit the grad's ", shape_str(grad.shape()));
  Tensor gw = zeros({v, d}, grad.dtype());
  const std::vector<double> freq = a.scale_grad_by_freq ? index_frequency_scale(idx, v) : std::vector<double>();
  cpu::embedding_bag_backward_kernel(gw, contiguous(grad), idx, contiguous(p[3]), bags, a.mode, freq);
  return {gw};
}

TensorList embedding_bag_primitive_derivative(const BackwardContext& c);
TensorList embedding_bag_backward_derivative(const BackwardContext& c);

const OpDef kEmbeddingBagPrimitive{
    "_embedding_bag",
    "_embedding_bag(Tensor weight, Tensor indices, Tensor offsets, [per_sample_weights]; ints: present (1: "
    "per_sample_weights), mode (0 sum, 1 mean, 2 max), include_last_offset, padding_idx, scale_grad_by_freq) -> "
    "(out, max_indices)",
    -1, OpKind::Primitive, embedding_bag_primitive_fwd, nullptr, embedding_bag_primitive_derivative,
    kSaveInputs | kSaveOutputs};
const OpDef kEmbeddingBagBackward{
    "_embedding_bag_backward",
    "_embedding_bag_backward(Tensor grad, Tensor indices, Tensor offsets, Tensor max_indices, [per_sample_weights]; "
    "ints: present (1: per_sample_weights), num_weights, mode, include_last_offset, padding_idx, scale_grad_by_freq) "
    "-> grad_weight",
    -1, OpKind::Primitive, embedding_bag_backward_fwd, nullptr, embedding_bag_backward_derivative, kSaveInputs};

// d out / d weight: the backward row; d out / d psw[k] = grad[bag k] . weight[idx k] (0 where k does not count).
TensorList embedding_bag_primitive_derivative(const BackwardContext& c) {
  const BagInputs p = BagInputs::unpack(c.inputs, c.args.ints[0], "_embedding_bag");
  TensorList out(c.inputs.size());
  if (c.needs(0)) {
    const BagGradInputs bw = BagGradInputs::of({c.grad(0), p[1], p[2], c.output(1), p[3]});
    OpArgs args{{bw.mask, c.input_shape(0)[0]}, {}};
    args.ints.insert(args.ints.end(), c.args.ints.begin() + 1, c.args.ints.end());
    out[0] = call1(kEmbeddingBagBackward, bw.inputs(), args);
  }
  if (p.has(3) && c.needs(p.position[3])) {
    const BagArgs a = bag_args(c.args, 1, "_embedding_bag");
    const Tensor idx = embedding_indices("_embedding_bag", p[1], p[0].size(0));
    const cpu::Bags bags = make_bags("_embedding_bag", idx, p[2], Tensor(), a);
    const BagMembership m = membership(bags, idx.numel());
    const Tensor dot = sum(mul(index_select(p[0], 0, idx), index_select(c.grad(0), 0, m.bag_of)), {1});
    out[p.position[3]] = mul(dot, reshape(column(m.valid, dot.dtype()), {idx.numel()}));
  }
  return out;
}

// The backward row is linear in grad (its adjoint spreads each index's row back into its bag) and, in sum mode,
// in per_sample_weights.
TensorList embedding_bag_backward_derivative(const BackwardContext& c) {
  const BagGradInputs p = BagGradInputs::unpack(c.inputs, c.args.ints[0], "_embedding_bag_backward");
  const int64_t v = c.args.ints[1];
  const BagArgs a = bag_args(c.args, 2, "_embedding_bag_backward");
  const Tensor& G = c.grad();
  TensorList out(c.inputs.size());
  if (a.mode == BagMode::Max) {
    if (c.needs(0)) {
      const Tensor& mi = p[3];
      const Tensor picked = gather(G, 0, clamp_min(mi, Scalar(int64_t{0})));
      out[0] = mul(picked, to(ge(mi, wrapped_scalar(Scalar(int64_t{0}))), G.dtype()));
    }
    return out;
  }
  const Tensor idx = embedding_indices("_embedding_bag_backward", p[1], v);
  const cpu::Bags bags = make_bags("_embedding_bag_backward", idx, p[2], Tensor(), a);
  const BagMembership m = membership(bags, idx.numel());
  // Per index: what multiplies its row besides per_sample_weights (mean's 1 / count, the frequency, counting).
  std::vector<double> factor(m.valid);
  const std::vector<double> freq = a.scale_grad_by_freq ? index_frequency_scale(idx, v) : std::vector<double>();
  for (size_t i = 0; i < factor.size(); ++i) {
    if (a.mode == BagMode::Mean) factor[i] *= m.scale[i];
    if (!freq.empty()) factor[i] *= freq[i];
  }
  const Tensor f = column(factor, G.dtype());
  const Tensor rows = index_select(G, 0, idx);  // [K, D]
  if (c.needs(0)) {
    Tensor coef = f;
    if (p.has(4)) coef = mul(coef, reshape(p[4], {idx.numel(), 1}));
    const Tensor& g = p[0];
    out[0] = index_add(zeros({g.size(0), g.size(1)}, g.dtype()), 0, m.bag_of, mul(rows, coef));
  }
  if (p.has(4) && c.needs(p.position[4])) {
    const Tensor dot = sum(mul(mul(rows, index_select(p[0], 0, m.bag_of)), f), {1});
    out[p.position[4]] = dot;
  }
  return out;
}

BagMode mode_of(const char* op, const std::string& mode) {
  if (mode == "sum") return BagMode::Sum;
  if (mode == "mean") return BagMode::Mean;
  KILN_CHECK(mode == "max", Argument, op, ": mode has to be one of sum, mean or max, got '", mode, "'");
  return BagMode::Max;
}

// The composite users call. ints: [present (bits: offsets, per_sample_weights), mode, include_last_offset,
// padding_idx, scale_grad_by_freq]. A 2-D input is B bags of its row length, as in PyTorch.
TensorList embedding_bag_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "embedding_bag";
  const OptionalInputs<2, 2> p = OptionalInputs<2, 2>::unpack(in, int_arg(args, 0, op), op);
  const BagArgs a = bag_args(args, 1, op);
  check_embedding_weight(op, p[0]);
  Tensor indices = p[1], offsets = p[2], psw = p[3];
  check_cpu(op, {indices});
  check_bag_inputs(op, p[0], indices, psw, a);
  if (indices.dim() == 2) {
    KILN_CHECK(!offsets.defined(), Argument, op,
               ": if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length "
               "sequences. However, found offsets of shape ",
               shape_str(offsets.defined() ? offsets.shape() : Shape{}));
    const int64_t rows = indices.size(0), len = indices.size(1);
    offsets = arange(0, static_cast<double>(rows * len), static_cast<double>(std::max<int64_t>(len, 1)), DType::Int64);
    if (len == 0) offsets = zeros({rows}, DType::Int64);
    indices = reshape(indices, {rows * len});
    if (psw.defined()) psw = reshape(psw, {rows * len});
  } else {
    KILN_CHECK(indices.dim() == 1, Shape, op, ": input has to be 1D or 2D Tensor, but got Tensor of dimension ",
               indices.dim());
    KILN_CHECK(offsets.defined(), Argument, op, ": offsets has to be a 1D Tensor but got None");
    KILN_CHECK(offsets.dim() == 1, Shape, op, ": offsets has to be a 1D Tensor, got shape ", shape_str(offsets.shape()));
    KILN_CHECK(offsets.dtype() == indices.dtype(), DType, op,
               ": Expected tensor for argument #1 'input' to have the same type as tensor for argument #2 'offsets'; "
               "but got ",
               dtype_name(indices.dtype()), " and ", dtype_name(offsets.dtype()));
  }
  const BagInputs q = BagInputs::of({p[0], indices, offsets, psw});
  OpArgs pargs{{q.mask}, {}};
  pargs.ints.insert(pargs.ints.end(), args.ints.begin() + 1, args.ints.end());
  return {call(kEmbeddingBagPrimitive, q.inputs(), pargs)[0]};
}

const OpDef kEmbeddingBag{"embedding_bag",
                          "embedding_bag(Tensor weight, Tensor indices, [offsets], [per_sample_weights]; ints: present "
                          "(bits: offsets, per_sample_weights), mode (0 sum, 1 mean, 2 max), include_last_offset, "
                          "padding_idx, scale_grad_by_freq)",
                          -1, OpKind::Composite, embedding_bag_fwd};

}  // namespace

void add_embedding_bag_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kEmbeddingBag, &kEmbeddingBagPrimitive, &kEmbeddingBagBackward});
}

Tensor embedding_bag(const Tensor& weight, const Tensor& indices, const Tensor& offsets, const std::string& mode,
                     const Tensor& per_sample_weights, bool include_last_offset, int64_t padding_idx,
                     bool scale_grad_by_freq) {
  const OptionalInputs<2, 2> p = OptionalInputs<2, 2>::of({weight, indices, offsets, per_sample_weights});
  const OpArgs args{{p.mask, static_cast<int64_t>(mode_of("embedding_bag", mode)), include_last_offset ? 1 : 0,
                     padding_idx, scale_grad_by_freq ? 1 : 0},
                    {}};
  return call1(kEmbeddingBag, p.inputs(), args);
}

}  // namespace kiln
