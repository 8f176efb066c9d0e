// scaled_dot_product_attention, cosine_similarity and pairwise_distance against their definitions written with
// plain ops; masks, causality, scale, broadcasting, bad input.
#include <cmath>
#include <limits>

#include "fixtures.h"
#include "kiln/autograd.h"

using namespace kiln;
using test::make;
using test::uniform;

namespace {

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }

// softmax(q k^T scale + bias) v, with bias already -inf where masked.
Tensor attention_ref(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& bias, double scale) {
  Tensor s = mul(matmul(q, transpose(k, -2, -1)), S(scale));
  if (bias.defined()) s = add(s, bias);
  const Tensor e = exp(sub(s, amax(s, {-1}, true)));
  return matmul(div(e, sum(e, {-1}, true)), v);
}

}  // namespace

TEST(attention_matches_its_definition) {
  const Tensor q = uniform({2, 3, 4, 5}, 1, -1, 1, DType::Float64), k = uniform({2, 3, 6, 5}, 2, -1, 1, DType::Float64);
  const Tensor v = uniform({2, 3, 6, 7}, 3, -1, 1, DType::Float64);
  CHECK_SAME(scaled_dot_product_attention(q, k, v), attention_ref(q, k, v, Tensor(), 1 / std::sqrt(5.0)), 1e-12);
  CHECK_SAME(scaled_dot_product_attention(q, k, v, {}, 0, false, 0.3), attention_ref(q, k, v, Tensor(), 0.3), 1e-12);
  const Tensor fmask = uniform({4, 6}, 4, -2, 2, DType::Float64);
  CHECK_SAME(scaled_dot_product_attention(q, k, v, fmask), attention_ref(q, k, v, fmask, 1 / std::sqrt(5.0)), 1e-12);
  const Tensor bmask = gt(uniform({3, 4, 6}, 5), S(-0.5));
  const Tensor bias = where(bmask, zeros({}, DType::Float64), full({}, Scalar(-INFINITY), DType::Float64));
  CHECK_SAME(scaled_dot_product_attention(q, k, v, bmask), attention_ref(q, k, v, bias, 1 / std::sqrt(5.0)), 1e-12);
  const Tensor causal = where(triu(ones({4, 6}, DType::Bool), 1), full({}, Scalar(-INFINITY), DType::Float64),
                              zeros({}, DType::Float64));
  CHECK_SAME(scaled_dot_product_attention(q, k, v, {}, 0, true), attention_ref(q, k, v, causal, 1 / std::sqrt(5.0)),
             1e-12);
}

TEST(attention_dropout_uses_the_generator) {
  const Tensor q = uniform({2, 8, 4}, 6), k = uniform({2, 8, 4}, 7), v = uniform({2, 8, 4}, 8);
  Generator a(1), b(1);
  CHECK_SAME(scaled_dot_product_attention(q, k, v, {}, 0.5, false, std::nullopt, &a),
             scaled_dot_product_attention(q, k, v, {}, 0.5, false, std::nullopt, &b), 0);
}

TEST(attention_refuses_bad_input) {
  const Tensor q = uniform({2, 4, 5}, 9), k = uniform({2, 6, 5}, 10), v = uniform({2, 6, 3}, 11);
  CHECK_THROWS(scaled_dot_product_attention(q, uniform({2, 6, 4}, 12), v), Shape, "same embedding size");
  CHECK_THROWS(scaled_dot_product_attention(q, k, uniform({2, 5, 3}, 13)), Shape, "same sequence length");
  CHECK_THROWS(scaled_dot_product_attention(q, k, to(v, DType::Float64)), DType, "same floating point dtype");
  CHECK_THROWS(scaled_dot_product_attention(q, k, v, ones({4, 6}, DType::Bool), 0, true), Argument,
               "should not be set when is_causal=True");
  CHECK_THROWS(scaled_dot_product_attention(q, k, v, ones({4, 5}, DType::Bool)), Shape, "cannot be broadcast");
}

TEST(cosine_similarity_and_pairwise_distance_match_their_definitions) {
  const Tensor a = uniform({3, 1, 4}, 14, -1, 1, DType::Float64), b = uniform({2, 4}, 15, -1, 1, DType::Float64);
  const Tensor ae = expand(a, {3, 2, 4}), be = expand(b, {3, 2, 4});
  const Tensor want = div(sum(mul(ae, be), {2}), mul(sqrt(sum(mul(ae, ae), {2})), sqrt(sum(mul(be, be), {2}))));
  CHECK_SAME(cosine_similarity(a, b, -1), want, 1e-12);
  // a zero vector: its norm is clamped to eps, so the similarity is 0
  CHECK_VALUES(cosine_similarity(zeros({1, 3}), ones({1, 3})), 0, {0});
  const Tensor d = sub(ae, be);
  CHECK_SAME(pairwise_distance(a, b), sqrt(sum(mul(add(d, S(1e-6)), add(d, S(1e-6))), {2})), 1e-12);
  CHECK_SAME(pairwise_distance(a, b, 1, 0, true), sum(abs(d), {2}, true), 1e-12);
  CHECK_THROWS(cosine_similarity(a, b, 3), Index, "cosine_similarity");
  CHECK_THROWS(cosine_similarity(make({1, 2}, {2}, DType::Int64), make({1, 2}, {2}, DType::Int64), 0), DType,
               "expected common dtype to be floating point");
  CHECK_THROWS(pairwise_distance(uniform({2, 3}, 16), uniform({4, 3}, 17)), Shape, "pairwise_distance");
}
