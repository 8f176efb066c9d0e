// The narrow kernel interface each device implements. Kernels know nothing of the graph: the op layer
// (ops/) checks arguments, broadcasts, promotes dtypes and allocates outputs, then calls these.
#pragma once
#include <cstdint>

#include "kernel_args.h"
#include "kiln/generator.h"
#include "kiln/scalar.h"
#include "kiln/tensor.h"

namespace kiln {

enum class UnaryOp : int32_t { Neg, Exp, Log, Sqrt, Abs, Relu, Sigmoid, Tanh, PowScalar };
enum class BinaryOp : int32_t { Add, Sub, Mul, Div, Pow, Eq, Ne, Lt, Le, Gt, Ge };
enum class ReduceOp : int32_t { Sum, Mean, Max, Min };
enum class ArgReduceOp : int32_t { Max, Min };
enum class RandomOp : int32_t { Uniform, Normal };

inline bool is_comparison(BinaryOp op) { return op >= BinaryOp::Eq; }

class Backend {
 public:
  virtual ~Backend() = default;

  // Whether unary and binary also take float16 and bfloat16 operands and outputs (computing in float32 inside, a
  // chunk at a time); otherwise the op layer hands them float32 copies and converts the result.
  virtual bool takes_16bit_floats() const { return false; }
  // Whether binary's arithmetic (add, sub, mul) and comparisons, unary's integer ops (neg, abs, relu), and max
  // and min in reduce and arg_reduce also take int32, int16, int8 and uint8 operands as they are (wrapping as int64
  // arithmetic cast back would); otherwise the op layer hands them int64 copies. (The CPU-only exact ops follow it
  // too: see exact_compute_dtype in ops/pointwise.h.)
  virtual bool takes_narrow_ints() const { return false; }

  // out = op(in, param). in has out's shape (broadcast by zero strides allowed) and dtype.
  virtual void unary(UnaryOp op, const Tensor& out, const Tensor& in, double param) = 0;
  // out = op(a, b). a and b share one dtype and out's shape; out has that dtype, or Bool for comparisons. (With
  // takes_16bit_floats, float16 and bfloat16 operands may meet float32 ones, and in may be float32 in unary.)
  virtual void binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) = 0;
  // out = cond ? a : b; cond is Bool, a and b have out's dtype.
  virtual void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) = 0;
  // dst = src converted to dst's dtype; src has dst's shape (broadcast by zero strides allowed).
  virtual void copy(const Tensor& dst, const Tensor& src) = 0;
  virtual void fill(const Tensor& dst, Scalar value) = 0;
  // Reduces `in` over every dim where `out` (same rank) has size 1 and `in` does not.
  virtual void reduce(ReduceOp op, const Tensor& out, const Tensor& in) = 0;
  // Extreme values and their first index along dim; values and indices have in's rank, size 1 at dim.
  virtual void arg_reduce(ArgReduceOp op, const Tensor& values, const Tensor& indices, const Tensor& in,
                          int64_t dim) = 0;
  // out[i] = a[i] @ b[i] for [B, n, k] x [B, k, m] -> [B, n, m]; out is contiguous, a and b any strides.
  virtual void matmul(const Tensor& out, const Tensor& a, const Tensor& b) = 0;
  // out = alpha * a @ b + beta * out, shapes as matmul's (addmm, linear: out prefilled with the added term).
  virtual void gemm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) = 0;
  // out[i] = start + i * step over a contiguous out.
  virtual void arange(const Tensor& out, double start, double step) = 0;
  // Uniform on [a, b) or normal with mean a and std b, into a contiguous out.
  virtual void random(RandomOp op, const Tensor& out, Generator& gen, double a, double b) = 0;
  // out[..i..] = in[..index[..i..]..] along dim (torch.gather); index is Int64 with out's shape.
  virtual void gather(const Tensor& out, const Tensor& in, int64_t dim, const Tensor& index) = 0;
  // out[..index[..i..]..] = src[..i..] along dim (torch.scatter_); accumulate adds instead.
  virtual void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) = 0;

  // softmax (log_softmax when log) along dim; tensors of one shape and floating dtype, out contiguous. The
  // backward takes the forward's output y and its gradient g: y (g - sum(g y)), or g - exp(y) sum(g).
  virtual void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) = 0;
  virtual void softmax_backward(const Tensor& grad_in, const Tensor& g, const Tensor& y, int64_t dim, bool log) = 0;

  // Convolutions over [N, C, spatial...] (cpu/conv.h has the contracts): forward maps the large side to the
  // small one, transpose the small side to the large one, weight_grad both to the weight's gradient.
  virtual void conv_forward(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                            const Tensor& bias) = 0;
  virtual void conv_transpose(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& weight,
                              const Tensor& bias) = 0;
  virtual void conv_weight_grad(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large,
                                const Tensor& small) = 0;

  // 2-D pooling over [N, C, H, W] (cpu/pool.h has the contracts); outputs contiguous.
  virtual void max_pool2d(const Pool2d& p, const Tensor& out, const Tensor& indices, const Tensor& x) = 0;
  virtual void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out, const Tensor& indices) = 0;
  virtual void avg_pool2d(const Pool2d& p, const Tensor& out, const Tensor& x) = 0;
  virtual void avg_pool2d_backward(const Pool2d& p, const Tensor& grad_input, const Tensor& grad_out) = 0;
  virtual void adaptive_avg_pool2d(const Tensor& out, const Tensor& x) = 0;
  virtual void adaptive_avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_out) = 0;
  virtual void adaptive_max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& x) = 0;

  // The class losses on rows (cpu/loss.h has the contracts; targets are checked before).
  virtual void cross_entropy(const Tensor& loss, const Tensor& x, const Tensor& target, const Tensor& weight,
                             const CrossEntropyPlan& plan) = 0;
  virtual void cross_entropy_backward(const Tensor& grad_x, const Tensor& grad_target, const Tensor& scale,
                                      const Tensor& x, const Tensor& target, const Tensor& weight,
                                      const CrossEntropyPlan& plan) = 0;
  virtual void nll_loss(const Tensor& loss, const Tensor& x, const Tensor& target, const Tensor& weight,
                        int64_t ignore_index) = 0;
  virtual void nll_loss_backward(const Tensor& grad_x, const Tensor& scale, const Tensor& target, const Tensor& weight,
                                 int64_t ignore_index) = 0;

  // Fused optimizer steps, in place, with the formulas of optim_formulas.h; tensors of the parameter's shape.
  virtual void sgd_update(const SgdConfig& c, const Tensor& param, const Tensor& grad, const Tensor& buf) = 0;
  virtual void adam_update(const AdamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                           const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq) = 0;
};

Backend& backend_for(Device device);

}  // namespace kiln
