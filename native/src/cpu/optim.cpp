// The fused optimizer updates. Each walks its tensors with one strided loop (all of the parameter's
// shape), so a parameter and its state are read and written once per step. Adam's, the one most training runs
// use, also has a vectorised loop for contiguous runs.
#include "cpu/optim.h"

#include <cmath>

#include "cpu/loop.h"
#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

// Runs update(p, g, s0, s1, s2) element by element over tensors of one shape and a floating dtype;
// undefined state tensors stand in as the parameter (their slots are then never used).
template <class Update>
void each_element(const Tensor& param, const Tensor& grad, const Tensor& s0, const Tensor& s1, const Tensor& s2,
                  Update&& update) {
  const Tensor& a = s0.defined() ? s0 : param;
  const Tensor& b = s1.defined() ? s1 : param;
  const Tensor& c = s2.defined() ? s2 : param;
  StridedLoop<5> loop({&param, &grad, &a, &b, &c});
  auto run = [&](auto tag) {
    using T = decltype(tag);
    loop.run(
        [&](char** p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i)
            update(*reinterpret_cast<T*>(p[0] + i * s[0]), *reinterpret_cast<const T*>(p[1] + i * s[1]),
                   *reinterpret_cast<T*>(p[2] + i * s[2]), *reinterpret_cast<T*>(p[3] + i * s[3]),
                   *reinterpret_cast<T*>(p[4] + i * s[4]));
        },
        kGrainCheap / 4);
  };
  if (param.dtype() == DType::Float32) run(float{});
  else run(double{});
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
  KILN_ALWAYS_INLINE void step(T& p, T g, T& m, T& v, T& vmax) const {
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
    const T denom = std::sqrt(second) / bias_correction2_sqrt + eps;
    p = pv + neg_step_size * (m / denom);
  }

  T sign, decay, weight_decay, beta1, one_minus_beta1, beta2, one_minus_beta2, bias_correction2_sqrt, eps,
      neg_step_size;
};

// Contiguous runs (parameters and their state almost always are), vectorised for each ISA: the same formulas as
// the strided loop, so both give the same bits.
template <class T, bool kAmsgrad, bool kCoupled>
KILN_SIMD void adam_contiguous(const AdamFormula<T>& f, T* __restrict p, const T* __restrict g, T* __restrict m,
                               T* __restrict v, T* __restrict vmax, int64_t n) {
  T unused = 0;
  for (int64_t i = 0; i < n; ++i)
    f.template step<kAmsgrad, kCoupled>(p[i], g[i], m[i], v[i], kAmsgrad ? vmax[i] : unused);
}

template <class T, bool kAmsgrad, bool kCoupled>
void adam_typed(const AdamFormula<T>& f, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq) {
  const Tensor& vmax = kAmsgrad ? max_exp_avg_sq : param;  // a stand-in, never touched without amsgrad
  StridedLoop<5> loop({&param, &grad, &exp_avg, &exp_avg_sq, &vmax});
  loop.run(
      [&](char** ptr, const int64_t* s, int64_t n) {
        auto at = [&](int k) { return reinterpret_cast<T*>(ptr[k]); };
        bool contiguous = true;
        for (int k = 0; k < (kAmsgrad ? 5 : 4); ++k) contiguous &= s[k] == sizeof(T);
        if (contiguous)
          return adam_contiguous<T, kAmsgrad, kCoupled>(f, at(0), at(1), at(2), at(3), kAmsgrad ? at(4) : nullptr, n);
        for (int64_t i = 0; i < n; ++i) {
          auto el = [&](int k) -> T& { return *reinterpret_cast<T*>(ptr[k] + i * s[k]); };
          f.template step<kAmsgrad, kCoupled>(el(0), el(1), el(2), el(3), el(4));
        }
      },
      kGrainCheap / 4);
}

template <class T>
void adam_typed(const AdamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq) {
  const AdamFormula<T> f(c);
  const bool coupled = !c.decoupled && c.weight_decay != 0;
  if (c.amsgrad && coupled) adam_typed<T, true, true>(f, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq);
  else if (c.amsgrad) adam_typed<T, true, false>(f, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq);
  else if (coupled) adam_typed<T, false, true>(f, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq);
  else adam_typed<T, false, false>(f, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq);
}

}  // namespace

void adam_update(const AdamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                 const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq) {
  if (param.dtype() == DType::Float32) adam_typed<float>(c, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq);
  else adam_typed<double>(c, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq);
}

void sgd_update(const SgdConfig& c, const Tensor& param, const Tensor& grad, const Tensor& buf) {
  each_element(param, grad, buf, Tensor(), Tensor(), [&](auto& p, auto g, auto& m, auto&, auto&) {
    using T = std::remove_reference_t<decltype(p)>;
    T d = c.maximize ? -g : g;
    if (c.weight_decay != 0) d = d + T(c.weight_decay) * p;
    if (c.momentum != 0) {
      m = c.first_step ? d : m * T(c.momentum) + T(1 - c.dampening) * d;
      d = c.nesterov ? d + T(c.momentum) * m : m;
    }
    p = p + T(-c.lr) * d;
  });
}

void rmsprop_update(const RmspropConfig& c, const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                    const Tensor& grad_avg, const Tensor& buf) {
  each_element(param, grad, square_avg, grad_avg, buf, [&](auto& p, auto g, auto& sq, auto& ga, auto& mb) {
    using T = std::remove_reference_t<decltype(p)>;
    T d = c.maximize ? -g : g;
    if (c.weight_decay != 0) d = d + T(c.weight_decay) * p;
    sq = sq * T(c.alpha) + T(1 - c.alpha) * (d * d);
    T avg;
    if (c.centered) {
      ga = ga * T(c.alpha) + T(1 - c.alpha) * d;
      avg = std::sqrt(sq + T(-1) * (ga * ga));
    } else {
      avg = std::sqrt(sq);
    }
    avg = avg + T(c.eps);
    if (c.momentum > 0) {
      mb = mb * T(c.momentum) + d / avg;
      p = p + T(-c.lr) * mb;
    } else {
      p = p + T(-c.lr) * (d / avg);
    }
  });
}

void adagrad_update(const AdagradConfig& c, const Tensor& param, const Tensor& grad, const Tensor& sum) {
  each_element(param, grad, sum, Tensor(), Tensor(), [&](auto& p, auto g, auto& s, auto&, auto&) {
    using T = std::remove_reference_t<decltype(p)>;
    T d = c.maximize ? -g : g;
    if (c.weight_decay != 0) d = d + T(c.weight_decay) * p;
    s = s + d * d;
    const T std_dev = std::sqrt(s) + T(c.eps);
    p = p + T(-c.clr) * (d / std_dev);
  });
}

void adadelta_update(const AdadeltaConfig& c, const Tensor& param, const Tensor& grad, const Tensor& square_avg,
                     const Tensor& acc_delta) {
  each_element(param, grad, square_avg, acc_delta, Tensor(), [&](auto& p, auto g, auto& sq, auto& acc, auto&) {
    using T = std::remove_reference_t<decltype(p)>;
    T d = c.maximize ? -g : g;
    if (c.weight_decay != 0) d = d + T(c.weight_decay) * p;
    sq = sq * T(c.rho) + T(1 - c.rho) * (d * d);
    const T std_dev = std::sqrt(sq + T(c.eps));
    const T delta = std::sqrt(acc + T(c.eps)) / std_dev * d;
    acc = acc * T(c.rho) + T(1 - c.rho) * (delta * delta);
    p = p + T(-c.lr) * delta;
  });
}

void adamax_update(const AdamaxConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                   const Tensor& exp_inf) {
  each_element(param, grad, exp_avg, exp_inf, Tensor(), [&](auto& p, auto g, auto& m, auto& u, auto&) {
    using T = std::remove_reference_t<decltype(p)>;
    T d = c.maximize ? -g : g;
    if (c.weight_decay != 0) d = d + T(c.weight_decay) * p;
    m = m * T(c.beta1) + T(1 - c.beta1) * d;
    const T decayed = u * T(c.beta2), fresh = std::fabs(d) + T(c.eps);
    u = decayed > fresh || decayed != decayed ? decayed : fresh;  // torch.amax of the two: NaN wins
    p = p + T(-c.clr) * (m / u);
  });
}

void nadam_update(const NadamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                  const Tensor& exp_avg_sq) {
  each_element(param, grad, exp_avg, exp_avg_sq, Tensor(), [&](auto& p, auto g, auto& m, auto& v, auto&) {
    using T = std::remove_reference_t<decltype(p)>;
    T d = g;
    if (c.weight_decay != 0) d = d + T(c.weight_decay) * p;
    m = m * T(c.beta1) + T(1 - c.beta1) * d;
    v = v * T(c.beta2) + T(1 - c.beta2) * (d * d);
    const T denom = std::sqrt(v / T(c.bias_correction2)) + T(c.eps);
    p = p + T(c.grad_coef) * (d / denom);
    p = p + T(c.avg_coef) * (m / denom);
  });
}

void radam_update(const RadamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                  const Tensor& exp_avg_sq) {
  each_element(param, grad, exp_avg, exp_avg_sq, Tensor(), [&](auto& p, auto g, auto& m, auto& v, auto&) {
    using T = std::remove_reference_t<decltype(p)>;
    T d = g;
    if (c.weight_decay != 0) d = d + T(c.weight_decay) * p;
    m = m * T(c.beta1) + T(1 - c.beta1) * d;
    v = v * T(c.beta2) + T(1 - c.beta2) * (d * d);
    const T corrected = m / T(c.bias_correction1);
    if (c.rectified) {
      const T adaptive = T(std::sqrt(c.bias_correction2)) / (std::sqrt(v) + T(c.eps));
      p = p + T(-1) * (((corrected * T(c.lr)) * adaptive) * T(c.rect));
    } else {
      p = p + T(-1) * (corrected * T(c.lr));
    }
  });
}

}  // namespace kiln::cpu
