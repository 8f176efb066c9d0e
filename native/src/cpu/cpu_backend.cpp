// The CPU device: binds the kernels to the Backend interface.
#include "backend.h"
#include "cpu/gemm.h"
#include "cpu/conv.h"
#include "cpu/kernels.h"
#include "cpu/loss.h"
#include "cpu/optim.h"
#include "cpu/pool.h"
#include "cpu/softmax.h"
#include "cuda_device.h"

namespace kiln {
namespace {

class CpuBackend final : public Backend {
 public:
  bool takes_16bit_floats() const override { return true; }
  bool takes_narrow_ints() const override { return true; }
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
  void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) override {
    cpu::softmax_kernel(out, x, dim, log);
  }
  void softmax_backward(const Tensor& gi, const Tensor& g, const Tensor& y, int64_t dim, bool log) override {
    cpu::softmax_backward_kernel(gi, g, y, dim, log);
  }
  void conv_forward(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& w,
                    const Tensor& bias) override {
    cpu::conv_forward(g, small, large, w, bias);
  }
  void conv_transpose(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& w,
                      const Tensor& bias) override {
    cpu::conv_transpose(g, large, small, w, bias);
  }
  void conv_weight_grad(const ConvGeometry& g, const Tensor& gw, const Tensor& large, const Tensor& small) override {
    cpu::conv_weight_grad(g, gw, large, small);
  }
  void max_pool2d(const Pool2d& p, const Tensor& out, const Tensor& idx, const Tensor& x) override {
    cpu::max_pool2d(p, out, idx, x);
  }
  void max_pool2d_backward(const Tensor& gi, const Tensor& go, const Tensor& idx) override {
    cpu::max_pool2d_backward(gi, go, idx);
  }
  void avg_pool2d(const Pool2d& p, const Tensor& out, const Tensor& x) override { cpu::avg_pool2d(p, out, x); }
  void avg_pool2d_backward(const Pool2d& p, const Tensor& gi, const Tensor& go) override {
    cpu::avg_pool2d_backward(p, gi, go);
  }
  void adaptive_avg_pool2d(const Tensor& out, const Tensor& x) override { cpu::adaptive_avg_pool2d(out, x); }
  void adaptive_avg_pool2d_backward(const Tensor& gi, const Tensor& go) override {
    cpu::adaptive_avg_pool2d_backward(gi, go);
  }
  void adaptive_max_pool2d(const Tensor& out, const Tensor& idx, const Tensor& x) override {
    cpu::adaptive_max_pool2d(out, idx, x);
  }
  void cross_entropy(const Tensor& loss, const Tensor& x, const Tensor& t, const Tensor& w,
                     const CrossEntropyPlan& plan) override {
    cpu::cross_entropy_kernel(loss, x, t, w, plan);
  }
  void cross_entropy_backward(const Tensor& gx, const Tensor& gt, const Tensor& scale, const Tensor& x, const Tensor& t,
                              const Tensor& w, const CrossEntropyPlan& plan) override {
    cpu::cross_entropy_backward_kernel(gx, gt, scale, x, t, w, plan);
  }
  void nll_loss(const Tensor& loss, const Tensor& x, const Tensor& t, const Tensor& w, int64_t ignore) override {
    cpu::nll_loss_kernel(loss, x, t, w, ignore);
  }
  void nll_loss_backward(const Tensor& gx, const Tensor& scale, const Tensor& t, const Tensor& w, int64_t ignore) override {
    cpu::nll_loss_backward_kernel(gx, scale, t, w, ignore);
  }
  void sgd_update(const SgdConfig& c, const Tensor& p, const Tensor& g, const Tensor& buf) override {
    cpu::sgd_update(c, p, g, buf);
  }
  void adam_update(const AdamConfig& c, const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v,
                   const Tensor& vmax) override {
    cpu::adam_update(c, p, g, m, v, vmax);
  }
};

}  // namespace

Backend& backend_for(Device device) {
  static CpuBackend cpu;
  return device.is_cpu() ? cpu : cuda::backend(device.index);
}

}  // namespace kiln
