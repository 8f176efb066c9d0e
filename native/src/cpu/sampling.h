// CPU kernels of the random ops (ops/random_ops.cpp). Each element draws from Philox blocks at a fixed counter
// (element i, or row i, owns its blocks), so the numbers are the same whatever the number of threads; the op
// layer has checked the arguments.
#pragma once
#include <cstdint>

#include "kiln/generator.h"
#include "kiln/tensor.h"

namespace kiln::cpu {

// philox(seed, counter + k) for k < n into out[k] (kiln/generator.h), n blocks side by side in vector lanes.
void philox_blocks(uint64_t seed, uint64_t counter, int64_t n, PhiloxBlock* out);

// Uniform integers in [low, high), into a contiguous out of any dtype.
void randint_kernel(const Tensor& out, Generator& gen, int64_t low, int64_t high);
// A uniformly random permutation of 0 .. n-1 (Fisher-Yates), into a contiguous 1-D out of any non-bool dtype.
void randperm_kernel(const Tensor& out, Generator& gen);
// out[i] = 1 with probability p[i], else 0: out contiguous of any dtype, p a contiguous Float64 tensor of out's
// numel (probabilities, checked to lie in [0, 1]), or one value when p_scalar is used (p undefined).
void bernoulli_kernel(const Tensor& out, const Tensor& p, double p_scalar, Generator& gen);
// Whether row[0..n) of multinomial's weights holds one that is negative, infinite or NaN (bit 0) and one that is
// positive (bit 1).
int weight_flags(const double* row, int64_t n);
// num_samples category indices per row of probs (a contiguous Float64 [rows, n] of valid weights) into a
// contiguous Int64 [rows, num_samples]; without replacement, num_samples <= n.
void multinomial_kernel(const Tensor& out, const Tensor& probs, int64_t num_samples, bool replacement, Generator& gen);
// Normal(mean, std) truncated to [a, b] (inverse CDF), into a contiguous floating out.
void trunc_normal_kernel(const Tensor& out, Generator& gen, double mean, double std, double a, double b);
// A (semi-)orthogonal matrix times gain into a contiguous floating out viewed as [rows, numel / rows]: the Q
// factor (LAPACK geqrf + orgqr, in float64) of a standard normal matrix, its columns' signs set by R's diagonal,
// as torch.nn.init.orthogonal_ does.
void orthogonal_kernel(const Tensor& out, Generator& gen, double gain);

}  // namespace kiln::cpu
