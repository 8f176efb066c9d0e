// The CPU kernels, one function per family; cpu_backend.cpp binds them to the Backend interface.
#pragma once
#include "backend.h"

namespace kiln::cpu {

void unary_kernel(UnaryOp op, const Tensor& out, const Tensor& in, double param);
void binary_kernel(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b);
void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
void copy_kernel(const Tensor& dst, const Tensor& src);
// `in` itself, or, when an elementwise kernel writing the contiguous `out` would read it across its lines (a
// transposed or strided inner dim, 64K elements and up, nothing broadcast), a contiguous copy by copy_kernel's
// tiles: exp of a transposed 4096 x 4096 read a new cache line and page an element (238 ms; PyTorch 33).
Tensor dense_input(const Tensor& in, const Tensor& out);
void fill_kernel(const Tensor& dst, Scalar value);
void reduce_kernel(ReduceOp op, const Tensor& out, const Tensor& in);
void arg_reduce_kernel(ArgReduceOp op, const Tensor& values, const Tensor& indices, const Tensor& in, int64_t dim);
void matmul_kernel(const Tensor& out, const Tensor& a, const Tensor& b);
void arange_kernel(const Tensor& out, double start, double step);
void random_kernel(RandomOp op, const Tensor& out, Generator& gen, double a, double b);
void gather_kernel(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index);
void scatter_kernel(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate);

}  // namespace kiln::cpu
