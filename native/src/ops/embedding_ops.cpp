// embedding (rows of a weight picked by indices), its backward row embedding_backward (the dense gradient of the
// weight, with padding_idx's row left at zero and optional scaling by each index's frequency) and the in-place
// embedding_renorm_ behind max_norm. The backward row is linear in its grad: its derivative is an embedding of
// the incoming gradient, so higher orders follow.
#include "autograd/backward_context.h"
#include "cpu/embedding.h"
#include "kiln/ops.h"
#include "ops/embedding_support.h"
#include "ops/operands.h"

namespace kiln {

Tensor embedding_indices(const char* op, const Tensor& indices, int64_t num_weights) {
  check_cpu(op, {indices});
  KILN_CHECK(indices.dtype() == DType::Int64 || indices.dtype() == DType::Int32, DType, op,
             ": Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but "
             "got ",
             dtype_name(indices.dtype()), " instead");
  const Tensor idx = contiguous(cast(indices, DType::Int64));
  const int64_t* p = idx.numel() > 0 ? idx.data<int64_t>() : nullptr;
  uint64_t bad = 0;  // branch-free first (it vectorizes); the throwing loop only to name the index
  for (int64_t i = 0; i < idx.numel(); ++i) bad |= static_cast<uint64_t>(p[i]) >= static_cast<uint64_t>(num_weights);
  for (int64_t i = 0; bad && i < idx.numel(); ++i)
    KILN_CHECK(p[i] >= 0 && p[i] < num_weights, Index, op, ": index ", p[i], " is out of range for a weight of ",
               num_weights, " rows (index out of range in self)");
  return idx;
}

void check_embedding_weight(const char* op, const Tensor& weight, bool copies_rows) {
  check_cpu(op, {weight});
  KILN_CHECK(weight.dim() == 2, Shape, op, ": 'weight' must be 2-D, got shape ", shape_str(weight.shape()));
  KILN_CHECK(copies_rows || weight.dtype() == DType::Float32 || weight.dtype() == DType::Float64, DType, op,
             ": not implemented for a weight of dtype '", dtype_name(weight.dtype()), "' (float32 or float64)");
}

std::vector<double> index_frequency_scale(const Tensor& idx, int64_t num_weights) {
  std::vector<int64_t> count(static_cast<size_t>(num_weights), 0);
  const int64_t* p = idx.numel() > 0 ? idx.data<int64_t>() : nullptr;
  for (int64_t i = 0; i < idx.numel(); ++i) ++count[static_cast<size_t>(p[i])];
  std::vector<double> scale(static_cast<size_t>(idx.numel()));
  for (int64_t i = 0; i < idx.numel(); ++i) scale[static_cast<size_t>(i)] = 1.0 / static_cast<double>(count[p[i]]);
  return scale;
}

namespace {

// Per index: 0 at padding_idx, 1 / its count with scale_grad_by_freq, else 1; empty when all are 1.
std::vector<double> grad_scale(const Tensor& idx, int64_t num_weights, int64_t padding_idx, bool by_freq) {
  const int64_t* p = idx.numel() > 0 ? idx.data<int64_t>() : nullptr;
  bool padded = false;
  for (int64_t i = 0; i < idx.numel() && padding_idx >= 0; ++i) padded = padded || p[i] == padding_idx;
  if (!padded && !by_freq) return {};
  std::vector<double> scale = by_freq ? index_frequency_scale(idx, num_weights)
                                      : std::vector<double>(static_cast<size_t>(idx.numel()), 1.0);
  for (int64_t i = 0; i < idx.numel(); ++i)
    if (p[i] == padding_idx) scale[static_cast<size_t>(i)] = 0;
  return scale;
}

// ints: [padding_idx (-1: none), scale_grad_by_freq]
TensorList embedding_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "embedding";
  const Tensor& weight = in[0];
  check_embedding_weight(op, weight, /*copies_rows=*/true);
  const Tensor idx = embedding_indices(op, in[1], weight.size(0));
  Shape shape = in[1].shape();
  shape.push_back(weight.size(1));
  Tensor out = Tensor::empty(shape, weight.dtype(), weight.device());
  cpu::embedding_kernel(out, contiguous(weight), idx);
  return {out};
}

// ints: [num_weights, padding_idx, scale_grad_by_freq] -> grad_weight [num_weights, D]
TensorList embedding_backward_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "embedding_backward";
  const int64_t v = int_arg(args, 0, op), padding_idx = int_arg(args, 1, op);
  const Tensor& grad = in[0];
  KILN_CHECK(grad.dtype() == DType::Float32 || grad.dtype() == DType::Float64, DType, op,
             ": expected a float32 or float64 grad, got ", dtype_name(grad.dtype()));
  KILN_CHECK(v >= 0, Argument, op, ": num_weights must be non-negative, got ", v);
  const Tensor idx = embedding_indices(op, in[1], v);
  Shape want = in[1].shape();
  KILN_CHECK(grad.dim() == static_cast<int64_t>(want.size()) + 1, Shape, op, ": grad of shape ",
             shape_str(grad.shape()), " does not fit indices of shape ", shape_str(want));
  want.push_back(grad.shape().back());
  KILN_CHECK(grad.shape() == want, Shape, op, ": grad of shape ", shape_str(grad.shape()),
             " does not fit indices of shape ", shape_str(in[1].shape()));
  const int64_t d = grad.shape().back();
  Tensor gw = zeros({v, d}, grad.dtype());
  cpu::embedding_backward_kernel(gw, contiguous(grad), idx, grad_scale(idx, v, padding_idx, int_arg(args, 2, op) != 0));
  return {gw};
}

TensorList embedding_derivative(const BackwardContext& c);
TensorList embedding_backward_derivative(const BackwardContext& c);

const OpDef kEmbedding{"embedding", "embedding(Tensor weight, Tensor indices; ints: padding_idx (-1: none), "
                                    "scale_grad_by_freq)",
                       2, OpKind::Primitive, embedding_fwd, nullptr, embedding_derivative, kSaveInputs};
const OpDef kEmbeddingBackward{"embedding_backward",
                               "embedding_backward(Tensor grad, Tensor indices; ints: num_weights, padding_idx, "
                               "scale_grad_by_freq) -> grad_weight",
                               2, OpKind::Primitive, embedding_backward_fwd, nullptr, embedding_backward_derivative,
                               kSaveInputs};

TensorList embedding_derivative(const BackwardContext& c) {
  const OpArgs args{{c.input_shape(0)[0], c.args.ints[0], c.args.ints[1]}, {}};
  return {call1(kEmbeddingBackward, {c.grad(), c.input(1)}, args), Tensor()};
}

// grad_weight[idx[k]] += s[k] grad[k] is linear in grad: d grad[k] = s[k] G[idx[k]].
TensorList embedding_backward_derivative(const BackwardContext& c) {
  if (!c.needs(0)) return {};
  const Tensor& indices = c.input(1);
  const Tensor idx = embedding_indices("embedding_backward", indices, c.args.ints[0]);
  const std::vector<double> scale = grad_scale(idx, c.args.ints[0], c.args.ints[1], c.args.ints[2] != 0);
  Tensor d = call1(kEmbedding, {c.grad(), indices}, OpArgs{{-1, 0}, {}});
  if (!scale.empty()) {
    Shape s = indices.shape();
    s.push_back(1);
    d = mul(d, reshape(cast(from_data(scale.data(), static_cast<int64_t>(scale.size()), {static_cast<int64_t>(scale.size())},
                                      DType::Float64),
                            d.dtype()),
                       s));
  }
  return {d, Tensor()};
}

// embedding_renorm_(weight, indices; reals: max_norm, norm_type), in place.
void embedding_renorm_into(const Tensor& self, const TensorList& in, const OpArgs& args) {
  const char* op = "embedding_renorm_";
  check_embedding_weight(op, self);
  KILN_CHECK(self.is_contiguous(), Argument, op, ": expected a contiguous weight");
  const Tensor idx = embedding_indices(op, in[1], self.size(0));
  cpu::embedding_renorm_kernel(self, idx, real_arg(args, 0, op), real_arg(args, 1, op));
}

TensorList embedding_renorm_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = clone(in[0]);
  embedding_renorm_into(out, in, args);
  return {out};
}

const OpDef kEmbeddingRenorm{"embedding_renorm_",
                             "embedding_renorm_(Tensor weight, Tensor indices; reals: max_norm, norm_type) [in-place]", 2,
                             OpKind::Primitive, embedding_renorm_fwd, embedding_renorm_into};

}  // namespace

void add_embedding_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kEmbedding, &kEmbeddingBackward, &kEmbeddingRenorm});
  add_embedding_bag_ops(table);
}

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx, bool scale_grad_by_freq) {
  return call1(kEmbedding, {weight, indices}, OpArgs{{padding_idx, scale_grad_by_freq ? 1 : 0}, {}});
}

Tensor embedding_backward(const Tensor& grad, const Tensor& indices, int64_t num_weights, int64_t padding_idx,
                          bool scale_grad_by_freq) {
  return call1(kEmbeddingBackward, {grad, indices}, OpArgs{{num_weights, padding_idx, scale_grad_by_freq ? 1 : 0}, {}});
}

Tensor& embedding_renorm_(Tensor& weight, const Tensor& indices, double max_norm, double norm_type) {
  call_inplace(kEmbeddingRenorm, {weight, indices}, OpArgs{{}, {max_norm, norm_type}});
  return weight;
}

}  // namespace kiln
