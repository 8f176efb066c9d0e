// The CUDA device behind the Backend interface. Operands that live on the CPU (0-dim scalars, the fill values
// that creation ops broadcast) are moved over first; copies cross between host and device.
#include <mutex>
#include <vector>

#include "cuda/kernels.h"
#include "cuda/runtime.h"
#include "cuda_device.h"

namespace kiln::cuda {
namespace {

// t without its broadcast dims (stride 0 becomes size 1): the elements that are really there.
Tensor compact(const Tensor& t) {
  Shape shape(t.shape());
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.strides()[d] == 0) shape[d] = 1;
  return t.as_strided(shape, t.strides(), t.offset());
}

// A contiguous copy of t in its own dtype on `device` (either side may be the CPU).
Tensor contiguous_on(const Tensor& t, Device device) {
  const Tensor src = t.is_contiguous() ? t : [&] {
    Tensor c = Tensor::empty(t.shape(), t.dtype(), t.device());
    backend_for(t.device()).copy(c, t);
    return c;
  }();
  if (src.device() == device) return src;
  Tensor out = Tensor::empty(t.shape(), t.dtype(), device);
  copy_bytes(out.raw_data(), device, src.raw_data(), src.device(), static_cast<size_t>(t.numel()) * t.element_size());
  return out;
}

// t readable by kernels on `device`: t itself, or its elements moved there, broadcast again as t was.
Tensor on_device(const Tensor& t, Device device) {
  if (t.device() == device) return t;
  const Tensor moved = contiguous_on(compact(t), device);
  Shape strides(t.dim(), 0);
  for (int64_t d = t.dim() - 1, s = 1; d >= 0; --d)
    if (t.strides()[d] != 0) {
      strides[d] = s;
      s *= t.shape()[d];
    }
  return moved.as_strided(t.shape(), strides, 0);
}

// t on `device`, contiguous (for the row kernels); undefined stays undefined.
Tensor dense_on(const Tensor& t, Device device) {
  if (!t.defined()) return t;
  const Tensor d = on_device(t, device);
  if (d.is_contiguous()) return d;
  Tensor c = Tensor::empty(d.shape(), d.dtype(), device);
  copy_on_device(c, d);
  return c;
}

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int index) : device_{DeviceType::CUDA, index} {}

  void unary(UnaryOp op, const Tensor& out, const Tensor& in, double param) override {
    cuda::unary(op, out, on_device(in, device_), param);
  }
  void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) override {
    cuda::binary(op, out, on_device(a, device_), on_device(b, device_));
  }
  void where(const Tensor& out, const Tensor& c, const Tensor& a, const Tensor& b) override {
    cuda::where(out, on_device(c, device_), on_device(a, device_), on_device(b, device_));
  }
  // dst or src (not both) may be on the CPU or on another GPU.
  void copy(const Tensor& dst, const Tensor& src) override {
    if (dst.device() == src.device()) return copy_on_device(dst, src);
    if (!dst.device().is_cpu()) return copy_on_device(dst, on_device(src, dst.device()));
    // To the host: one contiguous transfer in src's dtype, then the CPU converts and lays it out.
    const Tensor host = contiguous_on(src, Device::cpu());
    backend_for(Device::cpu()).copy(dst, host);
  }
  void fill(const Tensor& dst, Scalar value) override { cuda::fill(dst, value); }
  void reduce(ReduceOp op, const Tensor& out, const Tensor& in) override { cuda::reduce(op, out, on_device(in, device_)); }
  void arg_reduce(ArgReduceOp op, const Tensor& v, const Tensor& i, const Tensor& in, int64_t dim) override {
    cuda::arg_reduce(op, v, i, on_device(in, device_), dim);
  }
  void matmul(const Tensor& out, const Tensor& a, const Tensor& b) override {
    cuda::matmul(out, on_device(a, device_), on_device(b, device_));
  }
  void gemm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) override {
    cuda::gemm(out, on_device(a, device_), on_device(b, device_), alpha, beta);
  }
  void arange(const Tensor& out, double start, double step) override { cuda::arange(out, start, step); }
  // The CPU's counter-based generator makes the numbers, so a seed gives the same values on either device.
  void random(RandomOp op, const Tensor& out, Generator& g, double a, double b) override {
    const Tensor host = Tensor::empty(out.shape(), out.dtype());
    backend_for(Device::cpu()).random(op, host, g, a, b);
    copy(out, host);
  }
  void gather(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) override {
    cuda::gather(out, on_device(in, device_), dim, on_device(index, device_));
  }
  void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) override {
    cuda::scatter(out, dim, on_device(index, device_), on_device(src, device_), accumulate);
  }
  void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) override {
    cuda::softmax(out, dense_on(x, device_), dim, log);
  }
  void softmax_backward(const Tensor& gi, const Tensor& g, const Tensor& y, int64_t dim, bool log) override {
    cuda::softmax_backward(gi, dense_on(g, device_), dense_on(y, device_), dim, log);
  }
  void conv_forward(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& w,
                    const Tensor& bias) override {
    cuda::conv_forward(g, small, on_device(large, device_), on_device(w, device_), dense_on(bias, device_));
  }
  void conv_transpose(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& w,
                      const Tensor& bias) override {
    cuda::conv_transpose(g, large, on_device(small, device_), on_device(w, device_), dense_on(bias, device_));
  }
  void conv_weight_grad(const ConvGeometry& g, const Tensor& gw, const Tensor& large, const Tensor& small) override {
    cuda::conv_weight_grad(g, gw, on_device(large, device_), on_device(small, device_));
  }
  void max_pool2d(const Pool2d& p, const Tensor& out, const Tensor& idx, const Tensor& x) override {
    cuda::max_pool2d(p, out, idx, on_device(x, device_));
  }
  void max_pool2d_backward(const Tensor& gi, const Tensor& go, const Tensor& idx) override {
    cuda::max_pool2d_backward(gi, on_device(go, device_), dense_on(idx, device_));
  }
  void avg_pool2d(const Pool2d& p, const Tensor& out, const Tensor& x) override {
    cuda::avg_pool2d(p, out, on_device(x, device_));
  }
  void avg_pool2d_backward(const Pool2d& p, const Tensor& gi, const Tensor& go) override {
    cuda::avg_pool2d_backward(p, gi, on_device(go, device_));
  }
  void adaptive_avg_pool2d(const Tensor& out, const Tensor& x) override {
    cuda::adaptive_avg_pool2d(out, on_device(x, device_));
  }
  void adaptive_avg_pool2d_backward(const Tensor& gi, const Tensor& go) override {
    cuda::adaptive_avg_pool2d_backward(gi, on_device(go, device_));
  }
  void adaptive_max_pool2d(const Tensor& out, const Tensor& idx, const Tensor& x) override {
    cuda::adaptive_max_pool2d(out, idx, on_device(x, device_));
  }
  void cross_entropy(const Tensor& loss, const Tensor& x, const Tensor& t, const Tensor& w,
                     const CrossEntropyPlan& plan) override {
    cuda::cross_entropy(loss, dense_on(x, device_), dense_on(t, device_), dense_on(w, device_), plan);
  }
  void cross_entropy_backward(const Tensor& gx, const Tensor& gt, const Tensor& scale, const Tensor& x, const Tensor& t,
                              const Tensor& w, const CrossEntropyPlan& plan) override {
    cuda::cross_entropy_backward(gx, gt, on_device(scale, device_), dense_on(x, device_), dense_on(t, device_),
                                 dense_on(w, device_), plan);
  }
  void nll_loss(const Tensor& loss, const Tensor& x, const Tensor& t, const Tensor& w, int64_t ignore) override {
    cuda::nll_loss(loss, dense_on(x, device_), dense_on(t, device_), dense_on(w, device_), ignore);
  }
  void nll_loss_backward(const Tensor& gx, const Tensor& scale, const Tensor& t, const Tensor& w, int64_t ignore) override {
    cuda::nll_loss_backward(gx, on_device(scale, device_), dense_on(t, device_), dense_on(w, device_), ignore);
  }
  void sgd_update(const SgdConfig& c, const Tensor& p, const Tensor& g, const Tensor& buf) override {
    cuda::sgd_update(c, p, on_device(g, device_), buf);
  }
  void adam_update(const AdamConfig& c, const Tensor& p, const Tensor& g, const Tensor& m, const Tensor& v,
                   const Tensor& vmax) override {
    cuda::adam_update(c, p, on_device(g, device_), m, v, vmax);
  }

 private:
  Device device_;
};

}  // namespace

Backend& backend(int index) {
  static std::mutex mutex;
  static std::vector<std::unique_ptr<CudaBackend>> backends;
  check_available({DeviceType::CUDA, index});
  std::lock_guard<std::mutex> lock(mutex);
  if (backends.size() <= static_cast<size_t>(index)) backends.resize(index + 1);
  if (!backends[index]) backends[index] = std::make_unique<CudaBackend>(index);
  return *backends[index];
}

}  // namespace kiln::cuda
