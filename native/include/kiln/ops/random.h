// Random ops: integers, permutations, Bernoulli and multinomial draws, and in-place fills (normal_, uniform_,
// and the trunc_normal_ and orthogonal_ that nn.init needs). A null generator means the global one
// (torch.manual_seed's); the same seed gives the same numbers whatever the number of threads. None of them is
// differentiable. Part of the C++ API of kiln/ops.h.
#pragma once
#include "kiln/generator.h"
#include "kiln/shape.h"
#include "kiln/tensor.h"

namespace kiln {

// Uniform integers in [low, high) (torch.randint), in any dtype.
Tensor randint(int64_t low, int64_t high, const Shape& shape, DType dtype = DType::Int64, Generator* gen = nullptr);
// A random permutation of 0 .. n-1 (torch.randperm).
Tensor randperm(int64_t n, DType dtype = DType::Int64, Generator* gen = nullptr);
// 1 with probability p (a floating tensor of probabilities), else 0, in p's dtype (torch.bernoulli(p)).
Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
// x's shape and dtype, 1 with probability p (torch.bernoulli(x, p)).
Tensor bernoulli(const Tensor& x, double p, Generator* gen = nullptr);
Tensor& bernoulli_(Tensor& self, double p, Generator* gen = nullptr);
Tensor& bernoulli_(Tensor& self, const Tensor& p, Generator* gen = nullptr);  // p broadcast to self
// num_samples indices per row of a 1-D or 2-D tensor of non-negative weights (torch.multinomial).
Tensor multinomial(const Tensor& p, int64_t num_samples, bool replacement = false, Generator* gen = nullptr);
Tensor& normal_(Tensor& self, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);
Tensor& uniform_(Tensor& self, double from = 0.0, double to = 1.0, Generator* gen = nullptr);
// Normal(mean, std) truncated to [a, b] (torch.nn.init.trunc_normal_).
Tensor& trunc_normal_(Tensor& self, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0,
                      Generator* gen = nullptr);
// A (semi-)orthogonal matrix of self viewed as [size(0), rest] times gain (torch.nn.init.orthogonal_).
Tensor& orthogonal_(Tensor& self, double gain = 1.0, Generator* gen = nullptr);
Tensor rand_like(const Tensor& x, Generator* gen = nullptr);
Tensor randn_like(const Tensor& x, Generator* gen = nullptr);
Tensor randint_like(const Tensor& x, int64_t low, int64_t high, Generator* gen = nullptr);

}  // namespace kiln
