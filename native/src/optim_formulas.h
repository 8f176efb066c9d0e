// The optimizer steps' per-element formulas, shared by the CPU's fused updates (cpu/optim.cpp) and the CUDA
// kernels (cuda/optim.cu), so a parameter steps to the same bits on either device. PyTorch's formulas
// (torch/optim/*.py); scalars are applied in the parameter's dtype, as its tensor-scalar ops do.
#pragma once
#include <cmath>

#include "host_device.h"
#include "kernel_args.h"

namespace kiln {

template <class T>
KILN_HOST_DEVICE T sqrt_of(T x) {
#if defined(__CUDA_ARCH__)
  return sqrt(x);
#else
  return std::sqrt(x);
#endif
}

// Adam's formulas for one element, with the configuration turned into constants of the parameter's dtype once per
// update. maximize and AdamW's decay are multiplications (by -1 or 1, by the decay or 1: exact either way), so the
// loop has no branch to vectorise around; amsgrad and coupled weight decay are template arguments, since
// 0 * weight decay would turn an infinite parameter's gradient into NaN, and without amsgrad the loop never touches
// max_exp_avg_sq.
template <class T>
struct AdamFormula {
  explicit AdamFormula(const AdamConfig& c)
      : sign(c.maximize ? T(-1) : T(1)), decay(c.decoupled ? T(1 - c.lr * c.weight_decay) : T(1)),
        weight_decay(T(c.weight_decay)), beta1(T(c.beta1)), one_minus_beta1(T(1 - c.beta1)), beta2(T(c.beta2)),
        one_minus_beta2(T(1 - c.beta2)), bias_correction2_sqrt(T(c.bias_correction2_sqrt)), eps(T(c.eps)),
        neg_step_size(T(-c.step_size)) {}

  template <bool kAmsgrad, bool kCoupled>
  KILN_HOST_DEVICE void step(T& p, T g, T& m, T& v, T& vmax) const {
    T d = g * sign;
    const T pv = p * decay;
    if constexpr (kCoupled) d = d + weight_decay * pv;
    m = m * beta1 + one_minus_beta1 * d;
    v = v * beta2 + one_minus_beta2 * (d * d);
    T second = v;
    if constexpr (kAmsgrad) {
      vmax = vmax < v || v != v ? v : vmax;  // torch.maximum: NaN wins
      second = vmax;
    }
    const T denom = sqrt_of(second) / bias_correction2_sqrt + eps;
    p = pv + neg_step_size * (m / denom);
  }

  T sign, decay, weight_decay, beta1, one_minus_beta1, beta2, one_minus_beta2, bias_correction2_sqrt, eps,
      neg_step_size;
};

template <class T>
struct SgdFormula {
  explicit SgdFormula(const SgdConfig& c)
      : maximize(c.maximize), nesterov(c.nesterov), first_step(c.first_step), with_decay(c.weight_decay != 0),
        with_momentum(c.momentum != 0), weight_decay(T(c.weight_decay)), momentum(T(c.momentum)),
        one_minus_dampening(T(1 - c.dampening)), neg_lr(T(-c.lr)) {}

  KILN_HOST_DEVICE void step(T& p, T g, T& m) const {
    T d = maximize ? -g : g;
    if (with_decay) d = d + weight_decay * p;
    if (with_momentum) {
      m = first_step ? d : m * momentum + one_minus_dampening * d;
      d = nesterov ? d + momentum * m : m;
    }
    p = p + neg_lr * d;
  }

  bool maximize, nesterov, first_step, with_decay, with_momentum;
  T weight_decay, momentum, one_minus_dampening, neg_lr;
};

}  // namespace kiln
