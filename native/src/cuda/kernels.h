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

}  // namespace kiln::cuda
