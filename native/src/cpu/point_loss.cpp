// The elementwise losses (mse, l1, smooth_l1, huber, kl_div, binary_cross_entropy and its logits form): the
// forward f(x, t) and the two partial derivatives, with PyTorch's branches and edge conventions. The target's
// derivative of the distance losses is PyTorch's: the input's formula with input and target swapped (which
// differs from its negation only on a branch boundary). float32 runs go through vec_math.h's vectorizable
// functions; contiguous runs are KILN_SIMD functions, other runs a strided loop.
#include <atomic>
#include <cmath>

#include "cpu/activation_fns.h"
#include "cpu/dispatch.h"
#include "cpu/loop.h"
#include "cpu/loss.h"
#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

using act::exp_of;
using act::log1p_of;

template <class T>
KILN_ALWAYS_INLINE T log_of(T x) {
  if constexpr (act::is_f32<T>) return vm::log(x);
  else return std::log(x);
}
template <class T>
KILN_ALWAYS_INLINE T sign_of(T x) {
  return x != x ? x : static_cast<T>((T(0) < x) - (x < T(0)));
}
// log(1 + exp(-|x|)) + max(-x, 0): softplus(-x) = -log_sigmoid(x), without overflow.
template <class T>
KILN_ALWAYS_INLINE T softplus_neg(T x) {
  return log1p_of(exp_of(-std::fabs(x))) + (x < T(0) ? -x : T(0));
}

// Each loss: fwd(x, t, w, pw) and the derivatives dx, dt (without the incoming gradient). w and pw are 1 where
// not given; only the binary cross entropies read them.
template <class T>
struct Mse {
  T param;
  KILN_ALWAYS_INLINE T fwd(T x, T t, T, T) const { return (x - t) * (x - t); }
  KILN_ALWAYS_INLINE T dx(T x, T t, T, T) const { return T(2) * (x - t); }
  KILN_ALWAYS_INLINE T dt(T x, T t, T, T) const { return T(2) * (t - x); }
};

template <class T>
struct L1 {
  T param;
  KILN_ALWAYS_INLINE T fwd(T x, T t, T, T) const { return std::fabs(x - t); }
  KILN_ALWAYS_INLINE T dx(T x, T t, T, T) const { return sign_of(x - t); }
  KILN_ALWAYS_INLINE T dt(T x, T t, T, T) const { return sign_of(t - x); }
};

template <class T>
struct SmoothL1 {
  T beta;
  KILN_ALWAYS_INLINE T fwd(T x, T t, T, T) const {
    const T z = std::fabs(x - t);
    return z < beta ? T(0.5) * z * z / beta : z - T(0.5) * beta;
  }
  KILN_ALWAYS_INLINE T d(T a, T b) const {
    const T z = a - b;
    return z <= -beta ? T(-1) : (z >= beta ? T(1) : z / beta);
  }
  KILN_ALWAYS_INLINE T dx(T x, T t, T, T) const { return d(x, t); }
  KILN_ALWAYS_INLINE T dt(T x, T t, T, T) const { return d(t, x); }
};

template <class T>
struct Huber {
  T delta;
  KILN_ALWAYS_INLINE T fwd(T x, T t, T, T) const {
    const T z = std::fabs(x - t);
    return z < delta ? T(0.5) * z * z : delta * (z - T(0.5) * delta);
  }
  KILN_ALWAYS_INLINE T d(T a, T b) const {
    const T z = a - b;
    return z <= -delta ? -delta : (z >= delta ? delta : z);
  }
  KILN_ALWAYS_INLINE T dx(T x, T t, T, T) const { return d(x, t); }
  KILN_ALWAYS_INLINE T dt(T x, T t, T, T) const { return d(t, x); }
};

// xlogy(t, t) - t x, with xlogy(0, y) = 0 (y not NaN). The target's derivative is what autograd gives the
// composite: xlogy(t != 0, t) + t / t - x.
template <class T>
struct KlDiv {
  T param;
  KILN_ALWAYS_INLINE T fwd(T x, T t, T, T) const {
    const T xlogy = t != t ? t : (t == T(0) ? T(0) : t * log_of(t));
    return xlogy - t * x;
  }
  KILN_ALWAYS_INLINE T dx(T, T t, T, T) const { return -t; }
  KILN_ALWAYS_INLINE T dt(T x, T t, T, T) const {
    const T lg = t != t ? t : (t == T(0) ? T(0) : log_of(t));
    return lg + t / t - x;
  }
};

template <class T>
struct KlDivLogTarget {
  T param;
  KILN_ALWAYS_INLINE T fwd(T x, T t, T, T) const { return exp_of(t) * (t - x); }
  KILN_ALWAYS_INLINE T dx(T, T t, T, T) const { return -exp_of(t); }
  KILN_ALWAYS_INLINE T dt(T x, T t, T, T) const {
    const T e = exp_of(t);
    return e * (t - x) + e;
  }
};

// -w (t log x + (1 - t) log(1 - x)), each log clamped at -100.
template <class T>
struct Bce {
  T param;
  KILN_ALWAYS_INLINE T fwd(T x, T t, T w, T) const {
    const T log_x = log_of(x), log_1mx = log1p_of(-x);
    return w * ((t - T(1)) * (log_1mx > T(-100) ? log_1mx : T(-100)) - t * (log_x > T(-100) ? log_x : T(-100)));
  }
  KILN_ALWAYS_INLINE T dx(T x, T t, T w, T) const {
    const T denom = (T(1) - x) * x;
    return w * ((x - t) / (denom > T(1e-12) ? denom : T(1e-12)));
  }
  KILN_ALWAYS_INLINE T dt(T x, T, T w, T) const { return -w * log_of(x / (T(1) - x)); }
  static KILN_ALWAYS_INLINE bool valid(T x) { return x >= T(0) && x <= T(1); }
};

// w ((1 - t) x + l softplus(-x)), l = (pw - 1) t + 1. has_pos (the param) chooses PyTorch's formulas without
// pos_weight, which differ from pw = 1 in rounding only.
template <class T>
struct BceWithLogits {
  T has_pos;
  KILN_ALWAYS_INLINE T fwd(T x, T t, T w, T pw) const {
    const T l = has_pos != T(0) ? (pw - T(1)) * t + T(1) : T(1);
    return w * ((T(1) - t) * x + l * softplus_neg(x));
  }
  KILN_ALWAYS_INLINE T dx(T x, T t, T w, T pw) const {
    const T s = T(1) / (T(1) + exp_of(-x));
    if (has_pos == T(0)) return w * (s - t);
    const T pt = pw * t;
    return w * ((pt + T(1) - t) * s - pt);
  }
  KILN_ALWAYS_INLINE T dt(T x, T, T w, T pw) const {
    if (has_pos == T(0)) return w * -x;
    // log_sigmoid(-x) - pw log_sigmoid(x)
    return w * (pw * softplus_neg(x) - softplus_neg(-x));
  }
};

template <class F>
constexpr bool checks_domain() {
  return std::is_same_v<F, Bce<float>> || std::is_same_v<F, Bce<double>>;
}

// The operand pointers of a run: out/grad, x, t, w, pw, g; strides in elements (w, pw, g may be 0: one value).
template <class T>
struct Run {
  T* out;
  const T* x;
  const T* t;
  const T* w;
  const T* pw;
  const T* g;
  int64_t ws, pws, gs;
};

template <class F, class T>
KILN_ALWAYS_INLINE bool forward_run(const F& f, const Run<T>& r, int64_t n) {
  int bad = 0;
  if (r.ws == 0 && r.pws == 0) {
    const T w = *r.w, pw = *r.pw;
    for (int64_t i = 0; i < n; ++i) r.out[i] = f.fwd(r.x[i], r.t[i], w, pw);
  } else {
    for (int64_t i = 0; i < n; ++i) r.out[i] = f.fwd(r.x[i], r.t[i], r.w[i * r.ws], r.pw[i * r.pws]);
  }
  if constexpr (checks_domain<F>())
    for (int64_t i = 0; i < n; ++i) bad |= !F::valid(r.x[i]);
  return bad == 0;
}

template <class F, class T>
KILN_ALWAYS_INLINE void backward_run(const F& f, const Run<T>& r, int64_t n, T scale, bool for_target) {
  if (r.ws == 0 && r.pws == 0 && r.gs == 0) {
    const T w = *r.w, pw = *r.pw, k = *r.g * scale;
    if (for_target)
      for (int64_t i = 0; i < n; ++i) r.out[i] = k * f.dt(r.x[i], r.t[i], w, pw);
    else
      for (int64_t i = 0; i < n; ++i) r.out[i] = k * f.dx(r.x[i], r.t[i], w, pw);
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const T w = r.w[i * r.ws], pw = r.pw[i * r.pws], k = r.g[i * r.gs] * scale;
    r.out[i] = k * (for_target ? f.dt(r.x[i], r.t[i], w, pw) : f.dx(r.x[i], r.t[i], w, pw));
  }
}

// One KILN_SIMD pair per loss and dtype: target_clones functions cannot be templates.
#define KILN_POINT_LOSS_RUNS(name, F)                                                                          \
  KILN_SIMD bool name##_forward_f32(const F<float>& f, const Run<float>& r, int64_t n) {                       \
    return forward_run(f, r, n);                                                                               \
  }                                                                                                            \
  KILN_SIMD bool name##_forward_f64(const F<double>& f, const Run<double>& r, int64_t n) {                     \
    return forward_run(f, r, n);                                                                               \
  }                                                                                                            \
  KILN_SIMD void name##_backward_f32(const F<float>& f, const Run<float>& r, int64_t n, float s, bool tgt) {   \
    backward_run(f, r, n, s, tgt);                                                                             \
  }                                                                                                            \
  KILN_SIMD void name##_backward_f64(const F<double>& f, const Run<double>& r, int64_t n, double s, bool tgt) { \
    backward_run(f, r, n, s, tgt);                                                                             \
  }                                                                                                            \
  bool run_forward(const F<float>& f, const Run<float>& r, int64_t n) { return name##_forward_f32(f, r, n); }  \
  bool run_forward(const F<double>& f, const Run<double>& r, int64_t n) { return name##_forward_f64(f, r, n); } \
  void run_backward(const F<float>& f, const Run<float>& r, int64_t n, float s, bool tgt) {                    \
    name##_backward_f32(f, r, n, s, tgt);                                                                      \
  }                                                                                                            \
  void run_backward(const F<double>& f, const Run<double>& r, int64_t n, double s, bool tgt) {                 \
    name##_backward_f64(f, r, n, s, tgt);                                                                      \
  }

KILN_POINT_LOSS_RUNS(mse, Mse)
KILN_POINT_LOSS_RUNS(l1, L1)
KILN_POINT_LOSS_RUNS(smooth_l1, SmoothL1)
KILN_POINT_LOSS_RUNS(huber, Huber)
KILN_POINT_LOSS_RUNS(kl_div, KlDiv)
KILN_POINT_LOSS_RUNS(kl_div_log_target, KlDivLogTarget)
KILN_POINT_LOSS_RUNS(bce, Bce)
KILN_POINT_LOSS_RUNS(bce_with_logits, BceWithLogits)
#undef KILN_POINT_LOSS_RUNS

// Calls body(f) with the element functions of the loss for element type T.
template <class T, class Body>
void with_loss(PointLoss loss, double param, Body&& body) {
  const T p = static_cast<T>(param);
  switch (loss) {
    case PointLoss::Mse: return body(Mse<T>{p});
    case PointLoss::L1: return body(L1<T>{p});
    case PointLoss::SmoothL1: return body(SmoothL1<T>{p});
    case PointLoss::Huber: return body(Huber<T>{p});
    case PointLoss::KlDiv: return body(KlDiv<T>{p});
    case PointLoss::KlDivLogTarget: return body(KlDivLogTarget<T>{p});
    case PointLoss::Bce: return body(Bce<T>{p});
    case PointLoss::BceWithLogits: return body(BceWithLogits<T>{p});
  }
  fail(ErrorKind::Internal, "point loss kernel: unknown loss");
}

// A one-element tensor of 1 standing in for an absent weight (stride 0 across the loop).
Tensor ones_like_scalar(const Tensor& like, const Shape& shape) {
  Tensor one = Tensor::empty({}, like.dtype(), like.device());
  dispatch(like.dtype(), [&](auto tag) { *one.data<decltype(tag)>() = decltype(tag)(1); });
  return one.as_strided(shape, Shape(shape.size(), 0), 0);
}

Tensor or_ones(const Tensor& t, const Tensor& like) { return t.defined() ? t : ones_like_scalar(like, like.shape()); }

template <class T>
Run<T> run_of(char** p, const int64_t* s, bool with_grad) {
  const int64_t e = sizeof(T);
  Run<T> r{reinterpret_cast<T*>(p[0]), reinterpret_cast<const T*>(p[1]), reinterpret_cast<const T*>(p[2]),
           reinterpret_cast<const T*>(p[3]), reinterpret_cast<const T*>(p[4]),
           with_grad ? reinterpret_cast<const T*>(p[5]) : nullptr, s[3] / e, s[4] / e, with_grad ? s[5] / e : 0};
  return r;
}

// Whether out, x and t run contiguously (and w, pw, g contiguously or as one value): the KILN_SIMD path.
bool simd_run(const int64_t* s, int n, int64_t e) {
  if (s[0] != e || s[1] != e || s[2] != e) return false;
  for (int k = 3; k < n; ++k)
    if (s[k] != e && s[k] != 0) return false;
  return true;
}

}  // namespace

bool point_loss_kernel(PointLoss loss, double param, const Tensor& out, const PointLossOperands& in) {
  const Tensor w = or_ones(in.weight, out), pw = or_ones(in.pos_weight, out);
  StridedLoop<5> loop({&out, &in.x, &in.target, &w, &pw});
  std::atomic<bool> ok{true};
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      with_loss<T>(loss, param, [&](const auto& f) {
        loop.run(
            [&](char** p, const int64_t* s, int64_t n) {
              if (simd_run(s, 5, sizeof(T))) {
                if (!run_forward(f, run_of<T>(p, s, false), n)) ok = false;
                return;
              }
              // Strided: one element at a time, as runs of length 1.
              for (int64_t i = 0; i < n; ++i) {
                char* q[5];
                for (int k = 0; k < 5; ++k) q[k] = p[k] + i * s[k];
                const int64_t one[5] = {sizeof(T), sizeof(T), sizeof(T), 0, 0};
                if (!forward_run(f, run_of<T>(q, one, false), 1)) ok = false;
              }
            },
            kGrainCostly);
      });
    } else {
      fail(ErrorKind::Internal, "point loss kernel: floating dtypes only");
    }
  });
  return ok;
}

void point_loss_backward_kernel(PointLoss loss, double param, double scale, bool for_target, const Tensor& grad,
                                const Tensor& g, const PointLossOperands& in) {
  const Tensor w = or_ones(in.weight, grad), pw = or_ones(in.pos_weight, grad);
  StridedLoop<6> loop({&grad, &in.x, &in.target, &w, &pw, &g});
  dispatch(grad.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T k = static_cast<T>(scale);
      with_loss<T>(loss, param, [&](const auto& f) {
        loop.run(
            [&](char** p, const int64_t* s, int64_t n) {
              if (simd_run(s, 6, sizeof(T))) return run_backward(f, run_of<T>(p, s, true), n, k, for_target);
              for (int64_t i = 0; i < n; ++i) {
                char* q[6];
                for (int j = 0; j < 6; ++j) q[j] = p[j] + i * s[j];
                const int64_t one[6] = {sizeof(T), sizeof(T), sizeof(T), 0, 0, 0};
                backward_run(f, run_of<T>(q, one, true), 1, k, for_target);
              }
            },
            kGrainCostly);
      });
    } else {
      fail(ErrorKind::Internal, "point loss backward kernel: floating dtypes only");
    }
  });
}

}  // namespace kiln::cpu
