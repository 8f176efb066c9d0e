// CPU kernels of the embedding ops (ops/embedding_ops.cpp, embedding_bag_ops.cpp). Indices are contiguous int64,
// already checked to lie in [0, num_weights); weights and gradients contiguous, float32 or float64. Gradients
// are summed into each weight row in the order of the indices, whatever the number of threads.
#pragma once
#include <cstdint>
#include <vector>

#include "kiln/tensor.h"

namespace kiln::cpu {

// out[k] = weight[indices[k]] (out [K, D], weight [V, D]).
void embedding_kernel(const Tensor& out, const Tensor& weight, const Tensor& indices);
// grad_weight (zeroed, [V, D]) += scale[k] * grad[k] at row indices[k], for every k (grad [K, D]); scale
// empty: 1 everywhere.
void embedding_backward_kernel(const Tensor& grad_weight, const Tensor& grad, const Tensor& indices,
                               const std::vector<double>& scale);
// For each distinct index, the row is scaled to norm max_norm when its p-norm exceeds it (in place).
void embedding_renorm_kernel(const Tensor& weight, const Tensor& indices, double max_norm, double norm_type);

enum class BagMode : int64_t { Sum = 0, Mean = 1, Max = 2 };

// The bags of an embedding_bag call: bag b holds indices [start[b], end[b]); index k counts unless it is
// padding_idx (use[k] 0; use empty: every index counts); in sum and mean modes its row is multiplied by weight[k]
// (per_sample_weights; empty: 1) and the bag's sum by scale[b] (mean's 1 / count; else 1). Nothing is built per
// index that a call does not need: a vector of ones and one of coefficients per index were a tenth of a call.
struct Bags {
  std::vector<int64_t> start, end;
  std::vector<uint8_t> use;  // bytes, not std::vector<bool>'s bits: read once per index in the kernels
  std::vector<double> weight, scale;

  bool counts(int64_t k) const { return use.empty() || use[static_cast<size_t>(k)] != 0; }
  double weight_of(int64_t k) const { return weight.empty() ? 1.0 : weight[static_cast<size_t>(k)]; }
};

// out [B, D]: per bag the (weighted) sum times the bag's scale, or the max of its rows; max_indices [B, D] (max
// mode only, else undefined) gets the row each maximum came from, -1 for an empty bag.
void embedding_bag_kernel(const Tensor& out, const Tensor& max_indices, const Tensor& weight, const Tensor& indices,
                          const Bags& bags, BagMode mode);
// grad_weight (zeroed, [V, D]) from grad [B, D]: sum and mean modes add weight[k] scale[b] freq_scale[k] grad[b] to
// row indices[k] for each index k of bag b that counts; max mode adds grad[b, d] to row max_indices[b, d] of column d.
void embedding_bag_backward_kernel(const Tensor& grad_weight, const Tensor& grad, const Tensor& indices,
                                   const Tensor& max_indices, const Bags& bags, BagMode mode,
                                   const std::vector<double>& freq_scale);

}  // namespace kiln::cpu
