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

int64_t CtcBatch::states() const {
  int64_t longest = 0;
  for (int64_t l : target_length) longest = std::max(longest, l);
  return 2 * longest + 1;
}

namespace {

template <typename T>
constexpr T kNegInf = -std::numeric_limits<T>::infinity();

// log(exp(a) + exp(b) + exp(c)) around the largest term (whose exp is 1), skipping the terms that are -inf: one or
// two exps and a log, as PyTorch's kernel (which takes the three exps).
template <typename T>
T log_sum_exp(T a, T b, T c) {
  const T m = std::max(a, std::max(b, c));
  if (m == kNegInf<T>) return m;
  T sum = 0;
  if (a != kNegInf<T>) sum += std::exp(a - m);
  if (b != kNegInf<T>) sum += std::exp(b - m);
  if (c != kNegInf<T>) sum += std::exp(c - m);
  return m + std::log(sum);
}

// One element of the batch: its frames' log probabilities, its labels and its rows of log_alpha.
template <typename T>
struct Element {
  const T* lp;  // frame t, class c at lp[t * step + c]
  int64_t step;  // N * C
  const int64_t* labels;
  int64_t L, frames, blank;
  T* alpha;      // frame t, state s at alpha[t * width + s]
  int64_t width;

  int64_t states() const { return 2 * L + 1; }
  int64_t label(int64_t s) const { return s % 2 == 0 ? blank : labels[s / 2]; }
  T emit(int64_t t, int64_t s) const { return lp[t * step + label(s)]; }
  // Whether a path may reach state s from s - 2 (skipping the blank between two different labels).
  bool skips_into(int64_t s) const { return s >= 2 && s % 2 == 1 && labels[s / 2] != labels[s / 2 - 1]; }
};

template <typename T>
Element<T> element(const CtcBatch& b, const T* lp, T* alpha, int64_t n) {
  const int64_t classes = b.log_probs.size(2), frames = b.log_probs.size(0), width = b.states();
  return Element<T>{lp + n * classes,   b.log_probs.size(1) * classes, b.labels.data() + b.offset[n],
                    b.target_length[n], b.input_length[n],            b.blank,
                    alpha + n * frames * width, width};
}

template <typename T>
void forward_variables(const Element<T>& e) {
  const int64_t S = e.states();
  if (e.frames == 0) return;
  std::fill(e.alpha, e.alpha + S, kNegInf<T>);
  e.alpha[0] = e.emit(0, 0);
  if (S > 1) e.alpha[1] = e.emit(0, 1);
  for (int64_t t = 1; t < e.frames; ++t) {
    const T* prev = e.alpha + (t - 1) * e.width;
    T* cur = e.alpha + t * e.width;
    for (int64_t s = 0; s < S; ++s) {
      const T a = log_sum_exp(prev[s], s >= 1 ? prev[s - 1] : kNegInf<T>, e.skips_into(s) ? prev[s - 2] : kNegInf<T>);
      cur[s] = a + e.emit(t, s);
    }
  }
}

// -log p(labels | frames): the paths ending in the last label or the blank after it.
template <typename T>
T negative_log_likelihood(const Element<T>& e) {
  if (e.frames == 0) return e.L == 0 ? T(0) : std::numeric_limits<T>::infinity();
  const int64_t S = e.states();
  const T* last = e.alpha + (e.frames - 1) * e.width;
  return -(S == 1 ? last[0] : log_sum_exp(last[S - 1], last[S - 2], kNegInf<T>));
}

// grad rows [frames][C] of the element (stride step between frames): -g times the posterior occupancy of c at t, the
// sum over the states s that emit c of exp(alpha[t][s] + beta[t][s] - lp(t, l'(s)) + nll), each in [0, 1] (they sum
// to 1 over s), so added as they are. nll is finite.
template <typename T>
void backward_element(const Element<T>& e, T nll, T g, T* grad, int64_t classes) {
  const int64_t S = e.states();
  std::vector<T> beta_next(static_cast<size_t>(S), kNegInf<T>), beta(static_cast<size_t>(S), kNegInf<T>);
  std::vector<T> occupancy(static_cast<size_t>(classes));
  for (int64_t t = e.frames - 1; t >= 0; --t) {
    for (int64_t s = 0; s < S; ++s) {
      T b;
      if (t == e.frames - 1) {
        b = s >= S - 2 ? T(0) : kNegInf<T>;  // the paths end in the last label or the final blank
      } else {
        b = log_sum_exp(beta_next[s], s + 1 < S ? beta_next[s + 1] : kNegInf<T>,
                        s + 2 < S && e.skips_into(s + 2) ? beta_next[s + 2] : kNegInf<T>);
      }
      beta[s] = b + e.emit(t, s);
    }
    std::fill(occupancy.begin(), occupancy.end(), T(0));
    const T* a = e.alpha + t * e.width;
    for (int64_t s = 0; s < S; ++s) occupancy[e.label(s)] += std::exp(a[s] + beta[s] - e.emit(t, s) + nll);
    T* row = grad + t * e.step;
    for (int64_t c = 0; c < classes; ++c) row[c] = -g * occupancy[c];
    std::swap(beta, beta_next);
  }
}

}  // namespace

void ctc_loss_kernel(const Tensor& nll, const Tensor& log_alpha, const CtcBatch& b, bool zero_infinity) {
  dispatch(b.log_probs.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* lp = b.log_probs.data<T>();
      T* alpha = log_alpha.data<T>();
      T* out = nll.data<T>();
      parallel_for(b.log_probs.size(1), 1, [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
          const Element<T> e = element(b, lp, alpha, n);
          forward_variables(e);
          const T v = negative_log_likelihood(e);
          out[n] = zero_infinity && std::isinf(v) ? T(0) : v;
        }
      });
    } else {
      fail(ErrorKind::Internal, "ctc_loss: floating log_probs only");
    }
  });
}

void ctc_loss_backward_kernel(const Tensor& grad, const Tensor& grad_nll, const Tensor& log_alpha, const CtcBatch& b,
                              bool zero_infinity) {
  dispatch(b.log_probs.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* lp = b.log_probs.data<T>();
      const T* gn = grad_nll.data<T>();
      T* alpha = const_cast<T*>(log_alpha.data<T>());  // read only: Element serves both kernels
      T* out = grad.data<T>();
      const int64_t frames = b.log_probs.size(0), batch = b.log_probs.size(1), classes = b.log_probs.size(2);
      parallel_for(batch, 1, [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
          const Element<T> e = element(b, lp, alpha, n);
          T* g = out + n * classes;
          const T nll = negative_log_likelihood(e);
          int64_t zero_from = e.frames;
          if (!std::isinf(nll)) {
            backward_element(e, nll, gn[n], g, classes);
          } else if (zero_infinity) {
            zero_from = 0;
          } else {  // the derivative of an infinite loss, as PyTorch's
            for (int64_t t = 0; t < e.frames; ++t)
              std::fill(g + t * e.step, g + t * e.step + classes, std::numeric_limits<T>::quiet_NaN());
          }
          for (int64_t t = zero_from; t < frames; ++t) std::fill(g + t * e.step, g + t * e.step + classes, T(0));
        }
      });
    } else {
      fail(ErrorKind::Internal, "ctc_loss_backward: floating log_probs only");
    }
  });
}

}  // namespace kiln::cpu
