// Activations, as torch.nn.functional has them, and their backward ops (the fused gradients autograd runs,
// usable directly: gelu_backward(grad, x) is grad * gelu'(x)). Part of the C++ API of kiln/ops.h.
#pragma once
#include <string>
#include <utility>

#include "kiln/generator.h"
#include "kiln/tensor.h"

namespace kiln {

Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
Tensor gelu(const Tensor& x, const std::string& approximate = "none");  // "none" (erf) or "tanh"
Tensor silu(const Tensor& x);
Tensor mish(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
// Randomized leaky ReLU: training, each x <= 0 times its own slope drawn uniformly from [lower, upper] (from gen;
// null: the global generator); not training, leaky_relu with their mean.
Tensor rrelu(const Tensor& x, double lower = 1.0 / 8, double upper = 1.0 / 3, bool training = false,
             Generator* gen = nullptr);
// scale x for x > 0, else scale alpha (exp(input_scale x) - 1).
Tensor elu(const Tensor& x, double alpha = 1.0, double scale = 1.0, double input_scale = 1.0);
Tensor selu(const Tensor& x);
Tensor celu(const Tensor& x, double alpha = 1.0);
Tensor hardtanh(const Tensor& x, double min_val = -1.0, double max_val = 1.0);
Tensor relu6(const Tensor& x);
Tensor hardsigmoid(const Tensor& x);
Tensor hardswish(const Tensor& x);
Tensor softsign(const Tensor& x);
Tensor log_sigmoid(const Tensor& x);
// weight: one value, or one per channel (dim 1 of x).
Tensor prelu(const Tensor& x, const Tensor& weight);
// a * sigmoid(b), a and b the two halves of x along dim.
Tensor glu(const Tensor& x, int64_t dim = -1);

// relu's backward: grad where x > threshold, else 0 (a NaN x passes grad on).
Tensor threshold_backward(const Tensor& grad, const Tensor& x, double threshold);
// sigmoid's and tanh's backward from their output y: grad (1 - y) y and grad (1 - y^2).
Tensor sigmoid_backward(const Tensor& grad, const Tensor& output);
Tensor tanh_backward(const Tensor& grad, const Tensor& output);
Tensor softplus_backward(const Tensor& grad, const Tensor& x, double beta, double threshold);
Tensor gelu_backward(const Tensor& grad, const Tensor& x, const std::string& approximate = "none");
Tensor silu_backward(const Tensor& grad, const Tensor& x);
Tensor mish_backward(const Tensor& grad, const Tensor& x);
Tensor leaky_relu_backward(const Tensor& grad, const Tensor& x, double negative_slope);
Tensor elu_backward(const Tensor& grad, const Tensor& x, double alpha, double scale, double input_scale);
Tensor hardtanh_backward(const Tensor& grad, const Tensor& x, double min_val, double max_val);
Tensor hardsigmoid_backward(const Tensor& grad, const Tensor& x);
Tensor hardswish_backward(const Tensor& grad, const Tensor& x);
Tensor softsign_backward(const Tensor& grad, const Tensor& x);
Tensor log_sigmoid_backward(const Tensor& grad, const Tensor& x);
std::pair<Tensor, Tensor> prelu_backward(const Tensor& grad, const Tensor& x, const Tensor& weight);  // grad_x, grad_weight
Tensor glu_backward(const Tensor& grad, const Tensor& x, int64_t dim);

}  // namespace kiln
