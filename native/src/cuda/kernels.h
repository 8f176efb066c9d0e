// The CUDA kernels' host entry points (the .cu files of this folder). Tensors are on one CUDA device; the
// contracts are those of the Backend methods (backend.h) that call them.
#pragma once
#include "backend.h"

namespace kiln::cuda {

void unary(UnaryOp op, const Tensor& out, const Tensor& in, double param);
void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b);
void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
// Same device; any two dtypes, converted as the CPU converts (cpu/convert.h).
void copy_on_device(const Tensor& dst, const Tensor& src);
void fill(const Tensor& dst, Scalar value);
void arange(const Tensor& out, double start, double step);
void reduce(ReduceOp op, const Tensor& out, const Tensor& in);
void arg_reduce(ArgReduceOp op, const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim);
void matmul(const Tensor& out, const Tensor& a, const Tensor& b);
// out = alpha * a @ b + beta * out, as cpu::gemm_kernel.
void gemm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta);
void gather(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index);
void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate);

// Contiguous operands (cuda_backend.cpp makes them so).
void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log);
void softmax_backward(const Tensor& grad_in, const Tensor& g, const Tensor& y, int64_t dim, bool log);

void conv_forward(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                  const Tensor& bias);
void conv_transpose(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& weight,
                    const Tensor& bias);
void conv_weight_grad(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large, const Tensor& small);

// Inputs and gradients of any strides; indices contiguous.
void max_pool2d(const Pool2d& p, const Tensor& out, const Tensor& indices, const Tensor& x);
void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Tensor& indices);
void avg_pool2d(const Pool2d& p, const Tensor& out, const Tensor& x);
void avg_pool2d_backward(const Pool2d& p, const Tensor& grad_input, const Tensor& grad_out);
void adaptive_avg_pool2d(const Tensor& out, const Tensor& x);
void adaptive_avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out);
void adaptive_max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& x);

void cross_entropy(const Tensor& loss, const Tensor& x, const Tensor& target, const Tensor& weight,
                   const CrossEntropyPlan& plan);
void cross_entropy_backward(const Tensor& grad_x, const Tensor& grad_target, const Tensor& scale, const Tensor& x,
                            const Tensor& target, const Tensor& weight, const CrossEntropyPlan& plan);
void nll_loss(const Tensor& loss, const Tensor& x, const Tensor& target, const Tensor& weight, int64_t ignore_index);
void nll_loss_backward(const Tensor& grad_x, const Tensor& scale, const Tensor& target, const Tensor& weight,
                       int64_t ignore_index);

void sgd_update(const SgdConfig& c, const Tensor& param, const Tensor& grad, const Tensor& buf);
void adam_update(const AdamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                 const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq);

}  // namespace kiln::cuda
