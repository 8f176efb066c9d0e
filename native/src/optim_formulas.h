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

// A float whose arithmetic runs in double, each result rounded back to float: the same bits as float arithmetic
// (double's 53 bits are more than twice float's 24, plus 2, so rounding twice is innocuous for + - * / and sqrt),
// without the microcode assist an Intel core takes for each operation with a subnormal operand or result: a float
// multiply-add with subnormal results ran 36 ns an element against 0.4, and 2.3 through double. Adam's state turns
// subnormal wherever gradients stay zero (exp_avg shrinks by beta1 a step: below 2^-126 after ~800 steps), and so
// does SGD's momentum buffer.
// Operands are scaled by 2^64 (exact in double's range), since GCC folds (float)((double)a * (double)b) back into a
// float multiply, rightly so for its bits, and with it the assist.
struct FloatViaDouble {
  float x;
  KILN_HOST_DEVICE FloatViaDouble(float v) : x(v) {}
  KILN_HOST_DEVICE explicit operator float() const { return x; }
  KILN_HOST_DEVICE static double up(float a) { return static_cast<double>(a) * 0x1p64; }
  KILN_HOST_DEVICE static float down(double a) { return static_cast<float>(a * 0x1p-64); }
  KILN_HOST_DEVICE friend FloatViaDouble operator+(FloatViaDouble a, FloatViaDouble b) { return down(up(a.x) + up(b.x)); }
  KILN_HOST_DEVICE friend FloatViaDouble operator*(FloatViaDouble a, FloatViaDouble b) {
    return down(up(a.x) * static_cast<double>(b.x));
  }
  KILN_HOST_DEVICE friend FloatViaDouble operator/(FloatViaDouble a, FloatViaDouble b) {
    return down(up(a.x) / static_cast<double>(b.x));
  }
  KILN_HOST_DEVICE friend bool operator<(FloatViaDouble a, FloatViaDouble b) { return a.x < b.x; }
  KILN_HOST_DEVICE friend bool operator!=(FloatViaDouble a, FloatViaDouble b) { return a.x != b.x; }
};

KILN_HOST_DEVICE FloatViaDouble sqrt_of(FloatViaDouble a) {
  return static_cast<float>(sqrt_of(static_cast<double>(a.x)));
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

  // U is the type the arithmetic runs in: T, or FloatViaDouble for float (the same bits).
  template <bool kAmsgrad, bool kCoupled, class U = T>
  KILN_HOST_DEVICE void step(T& p, T g, T& m, T& v, T& vmax) const {
    U d = U(g) * U(sign);
    const U pv = U(p) * U(decay);
    if constexpr (kCoupled) d = d + U(weight_decay) * pv;
    const U m1 = U(m) * U(beta1) + U(one_minus_beta1) * d;
    const U v1 = U(v) * U(beta2) + U(one_minus_beta2) * (d * d);
    U second = v1;
    if constexpr (kAmsgrad) {
      const U vmax1 = U(vmax) < v1 || v1 != v1 ? v1 : U(vmax);  // torch.maximum: NaN wins
      vmax = T(vmax1);
      second = vmax1;
    }
    const U denom = sqrt_of(second) / U(bias_correction2_sqrt) + U(eps);
    p = T(pv + U(neg_step_size) * (m1 / denom));
    m = T(m1);
    v = T(v1);
  }

  T sign, decay, weight_decay, beta1, one_minus_beta1, beta2, one_minus_beta2, bias_correction2_sqrt, eps,
      neg_step_size;
};

// SGD's formulas for one element. momentum is a template argument of step_as, as the buffer is only touched with
// it; the other options are selects (maximize a multiplication by -1 or 1), so that a loop over elements
// vectorizes.
template <class T>
struct SgdFormula {
  explicit SgdFormula(const SgdConfig& c)
      : nesterov(c.nesterov), first_step(c.first_step), with_decay(c.weight_decay != 0),
        with_momentum(c.momentum != 0), sign(c.maximize ? T(-1) : T(1)), weight_decay(T(c.weight_decay)),
        momentum(T(c.momentum)), one_minus_dampening(T(1 - c.dampening)), neg_lr(T(-c.lr)) {}

  KILN_HOST_DEVICE void step(T& p, T g, T& m) const {
    if (with_momentum) step_as<true>(p, g, m);
    else step_as<false>(p, g, m);
  }

  // U is the type the arithmetic runs in: T, or FloatViaDouble for float (the same bits).
  template <bool kMomentum, class U = T>
  KILN_HOST_DEVICE void step_as(T& p, T g, T& m) const {
    const U pu = U(p);
    U d = U(g) * U(sign);
    d = with_decay ? d + U(weight_decay) * pu : d;
    if constexpr (kMomentum) {
      const U m1 = first_step ? d : U(m) * U(momentum) + U(one_minus_dampening) * d;
      m = T(m1);
      d = nesterov ? d + U(momentum) * m1 : m1;
    }
    p = T(pu + U(neg_lr) * d);
  }

  bool nesterov, first_step, with_decay, with_momentum;
  T sign, weight_decay, momentum, one_minus_dampening, neg_lr;
};

}  // namespace kiln
