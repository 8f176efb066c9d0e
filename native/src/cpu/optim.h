// Fused optimizer updates: one pass over a parameter and its gradient and state, with PyTorch's formulas
// (torch/optim/*.py, _single_tensor_* in 1.13). Scalars are applied in the parameter's dtype, as PyTorch's
// tensor-scalar ops do. Every tensor of one update has the parameter's shape and dtype.
#pragma once
#include "kernel_args.h"
#include "kiln/tensor.h"

namespace kiln::cpu {

using kiln::AdamConfig;
using kiln::SgdConfig;

void sgd_update(const SgdConfig& c, const Tensor& param, const Tensor& grad, const Tensor& buf);

// Whether float32 updates run the blocks that hold tiny values through double (1) or as float (0), where the CPU
// would choose (-1: through double on Intel's cores, see optim.cpp). Either gives the same bits; tests run both.
void set_tiny_blocks_through_double(int mode);

void adam_update(const AdamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                 const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq);

struct RmspropConfig {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
};
void rmsprop_update(const RmspropConfig& c, const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                    const Tensor& grad_avg, const Tensor& buf);

struct AdagradConfig {
  double clr, eps, weight_decay;  // clr = lr / (1 + (t - 1) lr_decay)
  bool maximize;
};
void adagrad_update(const AdagradConfig& c, const Tensor& param, const Tensor& grad, const Tensor& sum);

struct AdadeltaConfig {
  double lr, rho, eps, weight_decay;
  bool maximize;
};
void adadelta_update(const AdadeltaConfig& c, const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                     const Tensor& acc_delta);

struct AdamaxConfig {
  double beta1, beta2, eps, weight_decay, clr;  // clr = lr / (1 - beta1^t)
  bool maximize;
};
void adamax_update(const AdamaxConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                   const Tensor& exp_inf);

struct NadamConfig {
  double beta1, beta2, eps, weight_decay, bias_correction2;
  double grad_coef, avg_coef;  // -lr (1 - mu) / (1 - mu_product), -lr mu_next / (1 - mu_product_next)
};
void nadam_update(const NadamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                  const Tensor& exp_avg_sq);

struct RadamConfig {
  double lr, beta1, beta2, eps, weight_decay, bias_correction1, bias_correction2, rect;
  bool rectified;  // rho_t > 5: use the adaptive step
};
void radam_update(const RadamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                  const Tensor& exp_avg_sq);

struct AsgdConfig {
  double lambd, weight_decay;
  double eta, mu;  // the parameter's own: PyTorch's float32 state tensors, read with .item()
  bool maximize;
};
void asgd_update(const AsgdConfig& c, const Tensor& param, const Tensor& grad, const Tensor& ax);

struct RpropConfig {
  double etaminus, etaplus, step_size_min, step_size_max;
  bool maximize;
};
void rprop_update(const RpropConfig& c, const Tensor& param, const Tensor& grad, const Tensor& prev,
                  const Tensor& step_size);

}  // namespace kiln::cpu
