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
#include "cpu/simd.h"
#include "cpu/vec_math.h"
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

// log(exp(a) + exp(b) + exp(c)) around the largest term, as PyTorch's kernel (m = 0 where all three are -inf, so
// that the result is -inf, not NaN). Branch-free, so that the rows below vectorize (vm's exp and log in float32).
template <typename T>
KILN_ALWAYS_INLINE T log_sum_exp(T a, T b, T c) {
  const T m = std::max(a, std::max(b, c));
  const T base = m == kNegInf<T> ? T(0) : m;
  return vm::log(vm::exp(a - base) + vm::exp(b - base) + vm::exp(c - base)) + base;
}

// One frame of the forward recursion over S states: prev holds the previous frame's states after two -inf
// (prev[s + 2] is state s); skip[s] is 1 where state s may be reached from s - 2.
template <typename T>
KILN_ALWAYS_INLINE void alpha_row(T* out, const T* prev, const T* skip, const T* emit, int64_t S) {
  for (int64_t s = 0; s < S; ++s)
    out[s] = log_sum_exp(prev[s + 2], prev[s + 1], skip[s] != 0 ? prev[s] : kNegInf<T>) + emit[s];
}

// One frame of the backward recursion: next holds the next frame's states followed by two -inf; skip[s + 2] says
// whether state s + 2 may be reached from s.
template <typename T>
KILN_ALWAYS_INLINE void beta_row(T* out, const T* next, const T* skip, const T* emit, int64_t S) {
  for (int64_t s = 0; s < S; ++s)
    out[s] = log_sum_exp(next[s], next[s + 1], skip[s + 2] != 0 ? next[s + 2] : kNegInf<T>) + emit[s];
}

// Each state's posterior probability at the frame: exp(alpha + beta - emission + nll), in [0, 1].
template <typename T>
KILN_ALWAYS_INLINE void posterior_row(T* out, const T* alpha, const T* beta, const T* emit, T nll, int64_t S) {
  for (int64_t s = 0; s < S; ++s) out[s] = vm::exp(alpha[s] + beta[s] - emit[s] + nll);
}

KILN_SIMD void alpha_row_f32(float* o, const float* p, const float* k, const float* e, int64_t S) {
  alpha_row(o, p, k, e, S);
}
KILN_SIMD void alpha_row_f64(double* o, const double* p, const double* k, const double* e, int64_t S) {
  alpha_row(o, p, k, e, S);
}
KILN_SIMD void beta_row_f32(float* o, const float* n, const float* k, const float* e, int64_t S) {
  beta_row(o, n, k, e, S);
}
KILN_SIMD void beta_row_f64(double* o, const double* n, const double* k, const double* e, int64_t S) {
  beta_row(o, n, k, e, S);
}
KILN_SIMD void posterior_row_f32(float* o, const float* a, const float* b, const float* e, float nll, int64_t S) {
  posterior_row(o, a, b, e, nll, S);
}
KILN_SIMD void posterior_row_f64(double* o, const double* a, const double* b, const double* e, double nll,
                                 int64_t S) {
  posterior_row(o, a, b, e, nll, S);
}

template <typename T>
void alpha_frame(T* o, const T* p, const T* k, const T* e, int64_t S) {
  if constexpr (std::is_same_v<T, float>) alpha_row_f32(o, p, k, e, S);
  else alpha_row_f64(o, p, k, e, S);
}
template <typename T>
void beta_frame(T* o, const T* n, const T* k, const T* e, int64_t S) {
  if constexpr (std::is_same_v<T, float>) beta_row_f32(o, n, k, e, S);
  else beta_row_f64(o, n, k, e, S);
}
template <typename T>
void posterior_frame(T* o, const T* a, const T* b, const T* e, T nll, int64_t S) {
  if constexpr (std::is_same_v<T, float>) posterior_row_f32(o, a, b, e, nll, S);
  else posterior_row_f64(o, a, b, e, nll, S);
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
  // Frame t's emissions of the S states.
  void emissions(int64_t t, T* emit) const {
    const T* row = lp + t * step;
    for (int64_t s = 0; s < states(); ++s) emit[s] = row[label(s)];
  }
  // skip[s] = 1 where a path may reach state s from s - 2 (skipping the blank between two different labels);
  // two 0 more at the end, for beta_row.
  std::vector<T> skips() const {
    std::vector<T> skip(static_cast<size_t>(states() + 2), T(0));
    for (int64_t s = 3; s < states(); s += 2) skip[s] = labels[s / 2] != labels[s / 2 - 1] ? T(1) : T(0);
    return skip;
  }
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
  const std::vector<T> skip = e.skips();
  std::vector<T> prev(static_cast<size_t>(S + 2), kNegInf<T>), emit(static_cast<size_t>(S));
  e.emissions(0, emit.data());
  for (int64_t s = 0; s < S; ++s) e.alpha[s] = s < 2 ? emit[s] : kNegInf<T>;  // a path starts blank or label 1
  for (int64_t t = 1; t < e.frames; ++t) {
    std::copy(e.alpha + (t - 1) * e.width, e.alpha + (t - 1) * e.width + S, prev.begin() + 2);
    e.emissions(t, emit.data());
    alpha_frame(e.alpha + t * e.width, prev.data(), skip.data(), emit.data(), S);
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
  const std::vector<T> skip = e.skips();
  std::vector<T> next(static_cast<size_t>(S + 2), kNegInf<T>), beta(static_cast<size_t>(S)),
      emit(static_cast<size_t>(S)), posterior(static_cast<size_t>(S)), occupancy(static_cast<size_t>(classes));
  for (int64_t t = e.frames - 1; t >= 0; --t) {
    e.emissions(t, emit.data());
    if (t == e.frames - 1) {
      for (int64_t s = 0; s < S; ++s) beta[s] = (s >= S - 2 ? T(0) : kNegInf<T>) + emit[s];  // paths end there
    } else {
      std::copy(beta.begin(), beta.end(), next.begin());
      beta_frame(beta.data(), next.data(), skip.data(), emit.data(), S);
    }
    posterior_frame(posterior.data(), e.alpha + t * e.width, beta.data(), emit.data(), nll, S);
    std::fill(occupancy.begin(), occupancy.end(), T(0));
    for (int64_t s = 0; s < S; ++s) occupancy[e.label(s)] += posterior[s];
    T* row = grad + t * e.step;
    for (int64_t c = 0; c < classes; ++c) row[c] = -g * occupancy[c];
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
