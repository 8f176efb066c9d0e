// scaled_dot_product_attention: a composite of batched matmul, the fused softmax, masked_fill or add for the mask
// and dropout, so its gradients of any order come from those ops. A single fused kernel would do the same two
// GEMMs and one softmax pass (benchmarks' NormBench compares it with PyTorch 1.13's math path).
#include <cmath>
#include <limits>

#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/optional_inputs.h"

namespace kiln {
namespace {

using SdpaInputs = OptionalInputs<3, 1>;  // query, key, value; attn_mask

void check_sdpa(const char* op, const SdpaInputs& p, bool is_causal) {
  const Tensor &q = p[0], &k = p[1], &v = p[2];
  check_cpu(op, p.inputs());
  KILN_CHECK(q.dim() >= 2 && k.dim() >= 2 && v.dim() >= 2, Shape, op,
             ": expected query, key and value of at least 2 dims, got ", shape_str(q.shape()), ", ",
             shape_str(k.shape()), " and ", shape_str(v.shape()));
  KILN_CHECK(is_floating(q.dtype()) && q.dtype() == k.dtype() && q.dtype() == v.dtype(), DType, op,
             ": Expected query, key, and value to have the same floating point dtype, but got query.dtype: ",
             dtype_name(q.dtype()), " key.dtype: ", dtype_name(k.dtype()), " and value.dtype: ", dtype_name(v.dtype()));
  KILN_CHECK(q.size(-1) == k.size(-1), Shape, op, ": query ", shape_str(q.shape()), " and key ", shape_str(k.shape()),
             " must have the same embedding size (last dim)");
  KILN_CHECK(k.size(-2) == v.size(-2), Shape, op, ": key ", shape_str(k.shape()), " and value ", shape_str(v.shape()),
             " must have the same sequence length (dim -2)");
  const Shape qb(q.shape().begin(), q.shape().end() - 2), kb(k.shape().begin(), k.shape().end() - 2),
      vb(v.shape().begin(), v.shape().end() - 2);
  Shape batch = broadcast_shapes(broadcast_shapes(qb, kb, op), vb, op);
  if (p.has(3)) {
    const Tensor& m = p[3];
    KILN_CHECK(!is_causal, Argument, op, ": Explicit attn_mask should not be set when is_causal=True");
    KILN_CHECK(m.dtype() == DType::Bool || is_floating(m.dtype()), DType, op,
               ": attn_mask must be bool or floating point, got ", dtype_name(m.dtype()));
    batch.insert(batch.end(), {q.size(-2), k.size(-2)});
    KILN_CHECK(broadcast_shapes(m.shape(), batch, op) == batch, Shape, op, ": attn_mask of shape ",
               shape_str(m.shape()), " cannot be broadcast to the attention's shape ", shape_str(batch));
  }
}

// ints: [present (1: attn_mask), is_causal, generator]; reals: [dropout_p, scale (NaN: 1 / sqrt(E))]
TensorList sdpa_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "scaled_dot_product_attention";
  const SdpaInputs p = SdpaInputs::unpack(in, int_arg(args, 0, op), op);
  const bool is_causal = int_arg(args, 1, op) != 0;
  const double dropout_p = real_arg(args, 0, op), given_scale = real_arg(args, 1, op);
  check_sdpa(op, p, is_causal);
  KILN_CHECK(dropout_p >= 0 && dropout_p <= 1, Argument, op, ": dropout_p has to be between 0 and 1, but got ",
             dropout_p);
  const Tensor &q = p[0], &k = p[1], &v = p[2];
  const double scale = std::isnan(given_scale) ? 1.0 / std::sqrt(static_cast<double>(q.size(-1))) : given_scale;
  // The query scaled before the product, as PyTorch 1.13's math path does (the same roundings), and a quarter of
  // the work of scaling the scores when the sequences are as long as the embedding is wide.
  Tensor scores = matmul(mul(q, Scalar(scale)), transpose(k, -2, -1));
  const double minus_inf = -std::numeric_limits<double>::infinity();
  if (is_causal) {
    const int64_t l = q.size(-2), s = k.size(-2);
    scores = masked_fill(scores, triu(ones({l, s}, DType::Bool), 1), Scalar(minus_inf));
  }
  if (p.has(3)) {
    const Tensor& m = p[3];
    scores = m.dtype() == DType::Bool ? masked_fill(scores, logical_not(m), Scalar(minus_inf)) : add(scores, m);
  }
  Tensor weights = softmax(scores, -1);
  if (dropout_p > 0)
    weights = dropout(weights, dropout_p, true, reinterpret_cast<Generator*>(int_arg(args, 2, op)));
  return {matmul(weights, v)};
}

const OpDef kSdpa{"scaled_dot_product_attention",
                  "scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, [attn_mask]; ints: present (1: "
                  "attn_mask), is_causal, generator; reals: dropout_p, scale (NaN: 1 / sqrt(E)))",
                  -1, OpKind::Composite, sdpa_fwd};

}  // namespace

void add_attention_ops(std::vector<const OpDef*>& table) { table.push_back(&kSdpa); }

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& attn_mask,
                                    double dropout_p, bool is_causal, std::optional<double> scale, Generator* gen) {
  const SdpaInputs p = SdpaInputs::of({query, key, value, attn_mask});
  const OpArgs args{{p.mask, is_causal ? 1 : 0, static_cast<int64_t>(reinterpret_cast<intptr_t>(gen))},
                    {dropout_p, scale ? *scale : std::numeric_limits<double>::quiet_NaN()}};
  return call1(kSdpa, p.inputs(), args);
}

}  // namespace kiln
