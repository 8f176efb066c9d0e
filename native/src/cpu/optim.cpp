// The fused optimizer updates. Each walks its tensors with one strided loop (all of the parameter's
// shape), so a parameter and its state are read and written once per step. Adam's, the one most training runs
// use, and ASGD's and Rprop's also have a vectorised loop for contiguous runs.
#include "cpu/dispatch.h"
#include "cpu/optim.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "cpu/loop.h"
#include "cpu/simd.h"
#include "optim_formulas.h"

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
  dispatch_float(param.dtype(), "optimizer step", run);
}

// Contiguous runs (parameters and their state almost always are), vectorised for each ISA: the same formulas as
// the strided loop, so both give the same bits.
//
// float32 state that shrinks geometrically (Adam's exp_avg, SGD's momentum buffer, where a gradient stays zero)
// turns subnormal, and an Intel core takes a microcode assist for each vector operation with a subnormal lane.
// There, blocks of 16 elements (a vector: the tiny elements of a weight's few dead inputs take few others along) where
// some value is tiny enough to meet subnormal numbers run their arithmetic through double (FloatViaDouble): the
// same bits, without the assists, at ~7x the cost of plain float. A heuristic for speed only: either path gives
// the same results.
struct TinyBelow {
  const float* x;
  uint32_t limit_bits;  // the bits of the limit: x is tiny if 0 < |x| < limit
};

template <int K>
KILN_ALWAYS_INLINE bool any_tiny(const TinyBelow (&values)[K], int64_t begin, int64_t n) {
  // On the bits, so that the loop vectorizes: |x| in (0, limit) is (bits of |x|) - 1 < (bits of limit) - 1, unsigned.
  uint32_t tiny = 0;
  for (int64_t i = begin; i < begin + n; ++i)
    for (int k = 0; k < K; ++k) {
      uint32_t bits;
      std::memcpy(&bits, values[k].x + i, 4);
      tiny |= ((bits & 0x7fffffffu) - 1) < values[k].limit_bits - 1;
    }
  return tiny != 0;
}

// Whether subnormal operands cost a microcode assist: on Intel's cores. AMD's (Zen 4 here) take them in their
// stride: Adam over 235K float32 elements with tiny values ran 0.5-1.0 ns an element as float against 2.3-4.7
// through double (0.34-0.45 with normal values), and the double path took 20% of the MLP step's profile late in
// training, so elsewhere the tiny blocks run as float too.
std::atomic<int> g_tiny_through_double{-1};

bool subnormals_are_slow() {
  if (const int forced = g_tiny_through_double.load(std::memory_order_relaxed); forced >= 0) return forced != 0;
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool slow = [] {
    __builtin_cpu_init();
    return __builtin_cpu_is("intel") != 0;
  }();
  return slow;
#else
  return false;
#endif
}

// step(i, U()) for i in [0, n), U FloatViaDouble in the blocks where any_tiny(values) and float elsewhere.
template <int K, class Step>
KILN_ALWAYS_INLINE void float_blocks(const TinyBelow (&values)[K], int64_t n, Step&& step) {
  constexpr int64_t kBlock = 16;
  if (!subnormals_are_slow()) {
    for (int64_t i = 0; i < n; ++i) step(i, 0.0f);
    return;
  }
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t e = std::min(n, b + kBlock);
    if (any_tiny(values, b, e - b)) {
      for (int64_t i = b; i < e; ++i) step(i, FloatViaDouble(0.0f));
    } else {
      for (int64_t i = b; i < e; ++i) step(i, 0.0f);
    }
  }
}

// Adam: a gradient under 2^-55 (its square times 1 - beta2 falls under 2^-126), an exp_avg under 2^-90 (it, or its
// step, is near 2^-126) or an exp_avg_sq under 2^-100.
template <class T, bool kAmsgrad, bool kCoupled>
KILN_SIMD void adam_contiguous(const AdamFormula<T>& f, T* __restrict p, const T* __restrict g, T* __restrict m,
                               T* __restrict v, T* __restrict vmax, int64_t n) {
  T unused = 0;
  if constexpr (std::is_same_v<T, float>) {
    const TinyBelow tiny[] = {{g, 0x24000000u}, {m, 0x12800000u}, {v, 0x0d800000u}};
    float_blocks(tiny, n, [&](int64_t i, auto u) {
      f.template step<kAmsgrad, kCoupled, decltype(u)>(p[i], g[i], m[i], v[i], kAmsgrad ? vmax[i] : unused);
    });
  } else {
    for (int64_t i = 0; i < n; ++i)
      f.template step<kAmsgrad, kCoupled>(p[i], g[i], m[i], v[i], kAmsgrad ? vmax[i] : unused);
  }
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

// SGD: a gradient, buffer or parameter under 2^-80, whose product with a learning rate, momentum or weight decay
// from 2^-46 up may fall under 2^-126.
template <class T, bool kMomentum>
KILN_SIMD void sgd_contiguous(const SgdFormula<T>& f, T* __restrict p, const T* __restrict g, T* __restrict m,
                              int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    constexpr uint32_t kSmall = 0x17800000u;  // 2^-80
    auto step = [&](int64_t i, auto u) { f.template step_as<kMomentum, decltype(u)>(p[i], g[i], m[i]); };
    if constexpr (kMomentum) {
      const TinyBelow tiny[] = {{g, kSmall}, {m, kSmall}, {p, kSmall}};
      float_blocks(tiny, n, step);
    } else {
      const TinyBelow tiny[] = {{g, kSmall}, {p, kSmall}};
      float_blocks(tiny, n, step);
    }
  } else {
    for (int64_t i = 0; i < n; ++i) f.template step_as<kMomentum>(p[i], g[i], m[i]);
  }
}

template <class T>
void sgd_typed(const SgdConfig& c, const Tensor& param, const Tensor& grad, const Tensor& buf) {
  const SgdFormula<T> f(c);
  const Tensor& m = f.with_momentum ? buf : param;  // a stand-in, never touched without momentum
  StridedLoop<3> loop({&param, &grad, &m});
  loop.run(
      [&](char** ptr, const int64_t* s, int64_t n) {
        auto at = [&](int k) { return reinterpret_cast<T*>(ptr[k]); };
        if (s[0] == sizeof(T) && s[1] == sizeof(T) && (!f.with_momentum || s[2] == sizeof(T))) {
          if (f.with_momentum) return sgd_contiguous<T, true>(f, at(0), at(1), at(2), n);
          return sgd_contiguous<T, false>(f, at(0), at(1), at(2), n);
        }
        for (int64_t i = 0; i < n; ++i) {
          auto el = [&](int k) -> T& { return *reinterpret_cast<T*>(ptr[k] + i * s[k]); };
          f.step(el(0), el(1), el(2));
        }
      },
      kGrainCheap / 4);
}

}  // namespace

void set_tiny_blocks_through_double(int mode) { g_tiny_through_double.store(mode, std::memory_order_relaxed); }

void adam_update(const AdamConfig& c, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                 const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq) {
  dispatch_float(param.dtype(), "optimizer step", [&](auto tag) { adam_typed<decltype(tag)>(c, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq); });
}

void sgd_update(const SgdConfig& c, const Tensor& param, const Tensor& grad, const Tensor& buf) {
  dispatch_float(param.dtype(), "optimizer step", [&](auto tag) { sgd_typed<decltype(tag)>(c, param, grad, buf); });
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

namespace {

// A parameter, its gradient and Formula::kStates state tensors (one or two; with one, the last slot is the parameter
// again, never touched): contiguous runs go through a vectorised loop, other layouts through the strided one. Both
// call the same Formula::step, so they give the same bits, as Adam's loops do.
template <class Formula, class T>
KILN_SIMD void fused_contiguous(const Formula& formula, T* __restrict p, const T* __restrict g, T* __restrict a,
                                T* __restrict b, int64_t n) {
  const Formula f = formula;  // a local copy: its constants may be read unconditionally, so selects vectorise
  T unused = 0;
  for (int64_t i = 0; i < n; ++i) f.step(p[i], g[i], a[i], Formula::kStates == 2 ? b[i] : unused);
}

template <class Formula>
void fused_update(const Formula& f, const Tensor& param, const Tensor& grad, const Tensor& a, const Tensor& b) {
  using T = typename Formula::Scalar;
  const Tensor& second = Formula::kStates == 2 ? b : param;
  StridedLoop<4> loop({&param, &grad, &a, &second});
  loop.run(
      [&](char** ptr, const int64_t* s, int64_t n) {
        auto at = [&](int k) { return reinterpret_cast<T*>(ptr[k]); };
        bool contiguous = true;
        for (int k = 0; k < 2 + Formula::kStates; ++k) contiguous &= s[k] == sizeof(T);
        if (contiguous)
          return fused_contiguous(f, at(0), at(1), at(2), Formula::kStates == 2 ? at(3) : nullptr, n);
        for (int64_t i = 0; i < n; ++i) {
          auto el = [&](int k) -> T& { return *reinterpret_cast<T*>(ptr[k] + i * s[k]); };
          f.step(el(0), el(1), el(2), el(3));
        }
      },
      kGrainCheap / 4);
}

// PyTorch's _single_tensor_asgd, op by op in the parameter's dtype: grad (negated for maximize) plus weight_decay *
// param, param.mul_(1 - lambd eta), param.add_(grad, alpha=-eta), then ax.add_(param.sub(ax).mul(mu)), or
// ax.copy_(param) while mu is 1. Weight decay is a template argument as in Adam's (0 * an infinite parameter is
// NaN), averaging one since mu is the same for the whole tensor.
template <class T, bool kWeightDecay, bool kAverage>
struct AsgdFormula {
  using Scalar = T;
  static constexpr int kStates = 1;

  explicit AsgdFormula(const AsgdConfig& c)
      : sign(c.maximize ? T(-1) : T(1)), weight_decay(T(c.weight_decay)), decay(T(1 - c.lambd * c.eta)),
        neg_eta(T(-c.eta)), mu(T(c.mu)) {}

  KILN_ALWAYS_INLINE void step(T& p, T g, T& ax, T&) const {
    T d = g * sign;
    if constexpr (kWeightDecay) d = d + weight_decay * p;
    p = p * decay;
    p = p + neg_eta * d;
    if constexpr (kAverage) ax = ax + (p - ax) * mu;
    else ax = p;
  }

  T sign, weight_decay, decay, neg_eta, mu;
};

template <class T>
void asgd_typed(const AsgdConfig& c, const Tensor& param, const Tensor& grad, const Tensor& ax) {
  const bool decay = c.weight_decay != 0, average = c.mu != 1;
  if (decay && average) fused_update(AsgdFormula<T, true, true>(c), param, grad, ax, Tensor());
  else if (decay) fused_update(AsgdFormula<T, true, false>(c), param, grad, ax, Tensor());
  else if (average) fused_update(AsgdFormula<T, false, true>(c), param, grad, ax, Tensor());
  else fused_update(AsgdFormula<T, false, false>(c), param, grad, ax, Tensor());
}

// PyTorch's _single_tensor_rprop in the parameter's dtype. Its `sign` tensor (torch.sign of grad * prev: 0 for NaN)
// becomes the step size's factor by three masked fills in turn (> 0: etaplus, then < 0: etaminus, then == 0: 1), and
// the gradient is zeroed where the factor equals etaminus. The fills give one constant per sign, worked out here as
// PyTorch's fills would (so etas that round to 0 or 1 in float32 act as there); the loop then only selects, which
// vectorises.
template <class T>
struct RpropFormula {
  using Scalar = T;
  static constexpr int kStates = 2;

  explicit RpropFormula(const RpropConfig& c)
      : sign(c.maximize ? T(-1) : T(1)), etaminus(T(c.etaminus)), positive(fills(T(c.etaplus), etaminus)),
        negative(fills(T(-1), etaminus)), lo(T(c.step_size_min)), hi(T(c.step_size_max)),
        // torch.clamp fills its result with NaN when a bound is NaN; multiplying by 1 keeps every other value
        nan_or_one(std::isnan(c.step_size_min) || std::isnan(c.step_size_max) ? std::numeric_limits<T>::quiet_NaN()
                                                                                : T(1)) {}

  // The fills after `sign[sign.gt(0)] = etaplus`.
  static T fills(T v, T minus) {
    v = v < T(0) ? minus : v;
    return v == T(0) ? T(1) : v;
  }

  KILN_ALWAYS_INLINE void step(T& p, T g, T& prev, T& step_size) const {
    const T d = g * sign, product = d * prev;
    const T f = product > T(0) ? positive : product < T(0) ? negative : T(1);
    T s = step_size * f;
    s = s < lo ? lo : s;  // clamp_: std::min(std::max(s, lo), hi), a NaN step size stays NaN
    s = hi < s ? hi : s;
    step_size = s * nan_or_one;
    const T kept = f == etaminus ? T(0) : d;
    const T kept_sign = T(T(0) < kept) - T(kept < T(0));  // torch.sign
    p = p + (T(-1) * kept_sign) * step_size;  // addcmul_(grad.sign(), step_size, value=-1)
    prev = kept;
  }

  T sign, etaminus, positive, negative, lo, hi, nan_or_one;
};

}  // namespace

void asgd_update(const AsgdConfig& c, const Tensor& param, const Tensor& grad, const Tensor& ax) {
  dispatch_float(param.dtype(), "optimizer step", [&](auto tag) { asgd_typed<decltype(tag)>(c, param, grad, ax); });
}

void rprop_update(const RpropConfig& c, const Tensor& param, const Tensor& grad, const Tensor& prev,
                  const Tensor& step_size) {
  dispatch_float(param.dtype(), "optimizer step", [&](auto tag) { fused_update(RpropFormula<decltype(tag)>(c), param, grad, prev, step_size); });
}

}  // namespace kiln::cpu
