// CPU kernels of the activation ops (ops/activation_ops.cpp): one fused pass forward and one backward per
// activation, over any strided layout. The op layer checks arguments, promotes and allocates; these only compute.
#pragma once
#include <cstdint>

#include "kiln/tensor.h"

namespace kiln::cpu {

enum class Act : int32_t {
  Softplus,     // a = beta, b = threshold
  GeluErf,
  GeluTanh,
  Silu,
  Mish,
  LeakyRelu,    // a = negative_slope
  Elu,          // a = alpha, b = scale, c = input_scale
  Hardtanh,     // a = min_val, b = max_val
  Hardsigmoid,
  Hardswish,
  Softsign,
  LogSigmoid,
};

struct ActParams {
  double a = 0, b = 0, c = 0;
};

// out = f(x); out and x have one shape and one floating dtype (Hardtanh also takes Int64).
void activation_kernel(Act op, const ActParams& p, const Tensor& out, const Tensor& x);
// grad_in = grad * f'(x); all three have one shape (grad may be broadcast by zero strides) and one dtype.
void activation_backward_kernel(Act op, const ActParams& p, const Tensor& grad_in, const Tensor& grad, const Tensor& x);

// threshold_backward (relu's backward): out = x <= threshold ? 0 : grad, over one broadcast shape; float32 and
// float64 (the op layer takes other dtypes through where and le).
void threshold_backward_kernel(const Tensor& out, const Tensor& grad, const Tensor& x, double threshold);

// The backward of an activation from its output y: sigmoid's out = grad (1 - y) y, tanh's out = grad (1 - y^2),
// over one broadcast shape; float32 and float64.
enum class OutputGrad : int32_t { Sigmoid, Tanh };
void output_backward_kernel(OutputGrad op, const Tensor& out, const Tensor& grad, const Tensor& y);

// prelu: out = x > 0 ? x : w x, with w already expanded to x's shape (zero strides off the channel dim).
void prelu_kernel(const Tensor& out, const Tensor& x, const Tensor& w_expanded);
// prelu's backward in one pass: grad_x, and grad_w[c] = sum of x g where x <= 0 over the elements of
// channel c. g and x are contiguous with `channels` channels (1 for a one-value weight) of `inner`
// elements each, repeated over the leading dim; grad_w has `channels` elements. Sums are merged in a
// fixed order: the result does not depend on the number of threads.
void prelu_backward_kernel(const Tensor& grad_x, const Tensor& grad_w, const Tensor& g, const Tensor& x,
                           const Tensor& w, int64_t channels, int64_t inner);

// glu: out = a sigmoid(b), a and b the halves of the input (views of one shape).
void glu_kernel(const Tensor& out, const Tensor& a, const Tensor& b);
// glu's backward: grad_a = g s, grad_b = g a s (1 - s), s = sigmoid(b); grad_a and grad_b are the halves
// of the input's gradient.
void glu_backward_kernel(const Tensor& grad_a, const Tensor& grad_b, const Tensor& g, const Tensor& a, const Tensor& b);

}  // namespace kiln::cpu
