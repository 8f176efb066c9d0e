// ctc_loss's kernels (cpu/ctc.h). For an element with labels l_1..l_L the extended sequence has S = 2L + 1 states:
// state s is the blank for even s and l_{(s+1)/2} for odd s. alpha[t][s] is the log probability of the frames 0..t
// ending in state s, beta[t][s] that of the frames t..T-1 starting in state s (both include frame t's emission), so
// alpha[t][s] + beta[t][s] - log_probs[t][l'(s)] is the log probability of the paths through state s at frame t.
// A path moves from state s to s, s + 1, or s + 2 when that skips a blank between two different labels.
#include "cpu/ctc.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "cpu/dispatch.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// log(exp(a) + exp(b)), exact when either is -inf.
double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  return std::max(a, b) + std::log1p(std::exp(-std::abs(a - b)));
}

// One element of the batch: its frames' log probabilities and its labels.
template <typename T>
struct Element {
  const T* lp;      // frame t, class c at lp[t * step + c]
  int64_t step;     // N * C
  const int64_t* labels;
  int64_t L, frames, blank;

  int64_t states() const { return 2 * L + 1; }
  int64_t label(int64_t s) const { return s % 2 == 0 ? blank : labels[s / 2]; }
  double emit(int64_t t, int64_t s) const { return static_cast<double>(lp[t * step + label(s)]); }
  // Whether a path may reach state s from s - 2 (skipping the blank between two different labels).
  bool skips_into(int64_t s) const { return s >= 2 && s % 2 == 1 && labels[s / 2] != labels[s / 2 - 1]; }
};

template <typename T>
Element<T> element(const CtcBatch& b, const T* lp, int64_t n) {
  const int64_t classes = b.log_probs.size(2);
  return Element<T>{lp + n * classes,          b.log_probs.size(1) * classes, b.labels.data() + b.offset[n],
                    b.target_length[n],        b.input_length[n],             b.blank};
}

// alpha as [frames][states], row-major; empty for an element without frames.
template <typename T>
std::vector<double> forward_variables(const Element<T>& e) {
  const int64_t S = e.states();
  std::vector<double> alpha(static_cast<size_t>(e.frames * S), kNegInf);
  if (e.frames == 0) return alpha;
  alpha[0] = e.emit(0, 0);
  if (S > 1) alpha[1] = e.emit(0, 1);
  for (int64_t t = 1; t < e.frames; ++t) {
    const double* prev = &alpha[(t - 1) * S];
    double* cur = &alpha[t * S];
    for (int64_t s = 0; s < S; ++s) {
      double a = prev[s];
      if (s >= 1) a = log_add(a, prev[s - 1]);
      if (e.skips_into(s)) a = log_add(a, prev[s - 2]);
      cur[s] = a + e.emit(t, s);
    }
  }
  return alpha;
}

// -log p(labels | frames): the paths ending in the last label or the blank after it.
template <typename T>
double negative_log_likelihood(const Element<T>& e, const std::vector<double>& alpha) {
  if (e.frames == 0) return e.L == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  const int64_t S = e.states();
  const double* last = &alpha[(e.frames - 1) * S];
  return -(S == 1 ? last[0] : log_add(last[S - 1], last[S - 2]));
}

// grad rows [frames][C] of the element (stride step between frames): -g exp(log occupancy(t, c) + nll - lp(t, c)),
// the occupancy summing alpha + beta over the states that emit c.
template <typename T>
void backward_element(const Element<T>& e, const std::vector<double>& alpha, double nll, double g, T* grad,
                      int64_t classes) {
  const int64_t S = e.states();
  std::vector<double> beta_next(static_cast<size_t>(S), kNegInf), beta(static_cast<size_t>(S), kNegInf);
  std::vector<double> occupancy(static_cast<size_t>(classes));
  for (int64_t t = e.frames - 1; t >= 0; --t) {
    for (int64_t s = 0; s < S; ++s) {
      double b;
      if (t == e.frames - 1) {
        b = s >= S - 2 ? 0.0 : kNegInf;  // the paths end in the last label or the final blank
      } else {
        b = beta_next[s];
        if (s + 1 < S) b = log_add(b, beta_next[s + 1]);
        if (s + 2 < S && e.skips_into(s + 2)) b = log_add(b, beta_next[s + 2]);
      }
      beta[s] = b + e.emit(t, s);
    }
    std::fill(occupancy.begin(), occupancy.end(), kNegInf);
    const double* a = &alpha[t * S];
    for (int64_t s = 0; s < S; ++s) {
      double& o = occupancy[e.label(s)];
      o = log_add(o, a[s] + beta[s]);
    }
    T* row = grad + t * e.step;
    for (int64_t c = 0; c < classes; ++c)
      row[c] = static_cast<T>(-g * std::exp(occupancy[c] + nll - static_cast<double>(e.lp[t * e.step + c])));
    std::swap(beta, beta_next);
  }
}

}  // namespace

void ctc_loss_kernel(const Tensor& nll, const CtcBatch& b, bool zero_infinity) {
  dispatch(b.log_probs.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* lp = b.log_probs.data<T>();
      T* out = nll.data<T>();
      parallel_for(b.log_probs.size(1), 1, [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
          const Element<T> e = element(b, lp, n);
          const double v = negative_log_likelihood(e, forward_variables(e));
          out[n] = static_cast<T>(zero_infinity && std::isinf(v) ? 0.0 : v);
        }
      });
    } else {
      fail(ErrorKind::Internal, "ctc_loss: floating log_probs only");
    }
  });
}

void ctc_loss_backward_kernel(const Tensor& grad, const Tensor& grad_nll, const CtcBatch& b, bool zero_infinity) {
  dispatch(b.log_probs.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* lp = b.log_probs.data<T>();
      const T* gn = grad_nll.data<T>();
      T* out = grad.data<T>();
      const int64_t frames = b.log_probs.size(0), batch = b.log_probs.size(1), classes = b.log_probs.size(2);
      parallel_for(batch, 1, [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
          const Element<T> e = element(b, lp, n);
          T* g = out + n * classes;
          const std::vector<double> alpha = forward_variables(e);
          const double nll = negative_log_likelihood(e, alpha);
          int64_t zero_from = e.frames;
          if (zero_infinity && std::isinf(nll))
            zero_from = 0;
          else
            backward_element(e, alpha, nll, static_cast<double>(gn[n]), g, classes);
          for (int64_t t = zero_from; t < frames; ++t) std::fill(g + t * e.step, g + t * e.step + classes, T(0));
        }
      });
    } else {
      fail(ErrorKind::Internal, "ctc_loss_backward: floating log_probs only");
    }
  });
}

}  // namespace kiln::cpu
