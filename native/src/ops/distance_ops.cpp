// cosine_similarity and pairwise_distance: composites of vector_norm, clamp_min, div and sum (cosine similarity,
// as PyTorch 1.13 computes it: each input divided by its clamped norm, then the products summed) and of norm
// (pairwise distance), so their gradients of any order come from those ops.
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

// ints: [dim]; reals: [eps]
TensorList cosine_similarity_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "cosine_similarity";
  check_cpu(op, in);
  const DType t = result_type({in[0], in[1]});
  KILN_CHECK(is_floating(t), DType, op, ": expected common dtype to be floating point, yet common dtype is ",
             dtype_name(t));
  const Shape shape = broadcast_shapes(in[0].shape(), in[1].shape(), op);
  const int64_t dim = wrap_dim(int_arg(args, 0, op), static_cast<int64_t>(shape.size()), op);
  const double eps = real_arg(args, 0, op);
  const Tensor x1 = expand(in[0], shape), x2 = expand(in[1], shape);
  const Dims dims = shape.empty() ? Dims{} : Dims{dim};
  const Tensor n1 = clamp_min(vector_norm(x1, 2, dims, true), Scalar(eps));
  const Tensor n2 = clamp_min(vector_norm(x2, 2, dims, true), Scalar(eps));
  return {sum(mul(div(x1, n1), div(x2, n2)), dims)};
}

// ints: [keepdim]; reals: [p, eps]
TensorList pairwise_distance_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "pairwise_distance";
  check_cpu(op, in);
  const Shape shape = broadcast_shapes(in[0].shape(), in[1].shape(), op);
  const double p = real_arg(args, 0, op), eps = real_arg(args, 1, op);
  const bool keepdim = int_arg(args, 0, op) != 0;
  const Dims dims = shape.empty() ? Dims{} : Dims{static_cast<int64_t>(shape.size()) - 1};
  return {norm(add(sub(in[0], in[1]), Scalar(eps)), p, dims, keepdim)};
}

const OpDef kCosineSimilarity{"cosine_similarity", "cosine_similarity(Tensor x1, Tensor x2; ints: dim; reals: eps)", 2,
                              OpKind::Composite, cosine_similarity_fwd};
const OpDef kPairwiseDistance{"pairwise_distance",
                              "pairwise_distance(Tensor x1, Tensor x2; ints: keepdim; reals: p, eps)", 2,
                              OpKind::Composite, pairwise_distance_fwd};

}  // namespace

void add_distance_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kCosineSimilarity, &kPairwiseDistance});
}

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim, double eps) {
  return call1(kCosineSimilarity, {x1, x2}, OpArgs{{dim}, {eps}});
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  return call1(kPairwiseDistance, {x1, x2}, OpArgs{{keepdim ? 1 : 0}, {p, eps}});
}

}  // namespace kiln
