// The CPU device: binds the kernels to the Backend interface.
#include "backend.h"
#include "cpu/gemm.h"
#include "cpu/kernels.h"
#include "cuda_device.h"

namespace kiln {
namespace {

class CpuBackend final : public Backend {
 public:
  void unary(UnaryOp op, const Tensor& out, const Tensor& in, double param) override { cpu::unary_kernel(op, out, in, param); }
  void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) override { cpu::binary_kernel(op, out, a, b); }
  void where(const Tensor& out, const Tensor& c, const Tensor& a, const Tensor& b) override { cpu::where_kernel(out, c, a, b); }
  void copy(const Tensor& dst, const Tensor& src) override { cpu::copy_kernel(dst, src); }
  void fill(const Tensor& dst, Scalar value) override { cpu::fill_kernel(dst, value); }
  void reduce(ReduceOp op, const Tensor& out, const Tensor& in) override { cpu::reduce_kernel(op, out, in); }
  void arg_reduce(ArgReduceOp op, const Tensor& v, const Tensor& i, const Tensor& in, int64_t dim) override {
    cpu::arg_reduce_kernel(op, v, i, in, dim);
  }
  void matmul(const Tensor& out, const Tensor& a, const Tensor& b) override { cpu::matmul_kernel(out, a, b); }
  void gemm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) override {
    cpu::gemm_kernel(out, a, b, alpha, beta);
  }
  void arange(const Tensor& out, double start, double step) override { cpu::arange_kernel(out, start, step); }
  void random(RandomOp op, const Tensor& out, Generator& g, double a, double b) override {
    cpu::random_kernel(op, out, g, a, b);
  }
  void gather(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) override {
    cpu::gather_kernel(out, in, dim, index);
  }
  void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) override {
    cpu::scatter_kernel(out, dim, index, src, accumulate);
  }
};

}  // namespace

Backend& backend_for(Device device) {
  static CpuBackend cpu;
  return device.is_cpu() ? cpu : cuda::backend(device.index);
}

}  // namespace kiln
