// cross_entropy over rows of classes (a warp per row: max, sum of exponentials and the target terms by shuffles)
// and nll_loss's gather and scatter (a thread per position), with the CPU kernels' formulas (cpu/cross_entropy.cpp,
// cpu/nll_loss.cpp) term for term. Targets were checked by the op layer.
#include <cmath>

#include "cuda/kernels.h"
#include "cuda/rows.cuh"

namespace kiln::cuda {
namespace {

template <class T>
struct Rows {
  const T* x;
  int64_t rows, classes;
  const int64_t* index;  // class-index targets, or null
  const T* probs;        // probability targets [rows, classes], or null
  const T* weight;       // [classes], or null
  int64_t ignore_index;
  T keep, spread;  // 1 - label_smoothing; label_smoothing / classes
  bool smoothing;
};

template <class T>
Rows<T> rows_of(const Tensor& x, const Tensor& target, const Tensor& weight, const CrossEntropyPlan& plan) {
  Rows<T> r{};
  r.x = x.data<T>();
  r.rows = x.size(0);
  r.classes = x.size(1);
  r.index = plan.probabilities ? nullptr : target.data<int64_t>();
  r.probs = plan.probabilities ? target.data<T>() : nullptr;
  r.weight = weight.defined() ? weight.data<T>() : nullptr;
  r.ignore_index = plan.ignore_index;
  r.smoothing = plan.label_smoothing != 0;
  r.keep = static_cast<T>(1 - plan.label_smoothing);
  r.spread = r.classes == 0 ? T(0) : static_cast<T>(plan.label_smoothing / static_cast<double>(r.classes));
  return r;
}

// The row's max and sum(exp(x - max)), reduced over the warp.
template <class T>
__device__ void max_and_sum(const T* x, int64_t n, int lane, T& m, T& s) {
  m = neg_inf<T>();
  for (int64_t i = lane; i < n; i += kWarp) m = (x[i] > m || x[i] != x[i]) ? x[i] : m;
  m = warp_max(m);
  s = 0;
  for (int64_t i = lane; i < n; i += kWarp) s += exp(x[i] - m);
  s = warp_sum(s);
}

template <class T>
__device__ T weight_sum(const Rows<T>& r, int lane) {
  if (!r.weight) return static_cast<T>(r.classes);
  T w = 0;
  for (int64_t i = lane; i < r.classes; i += kWarp) w += r.weight[i];
  return warp_sum(w);
}

// The smoothed, weighted probability target of class i.
template <class T>
__device__ __forceinline__ T soft_target(const Rows<T>& r, const T* p, int64_t i) {
  const T t = r.keep * p[i] + r.spread;
  return r.weight ? r.weight[i] * t : t;
}

template <class T>
__global__ void cross_entropy_rows(Rows<T> r, T* loss) {
  const int lane = threadIdx.x % kWarp;
  const int64_t n = r.classes;
  for (int64_t row = blockIdx.x * static_cast<int64_t>(kRowsPerBlock) + threadIdx.x / kWarp; row < r.rows;
       row += static_cast<int64_t>(gridDim.x) * kRowsPerBlock) {
    if (r.index && r.index[row] == r.ignore_index) {
      if (lane == 0) loss[row] = 0;
      continue;
    }
    const T* x = r.x + row * n;
    T m, s;
    max_and_sum(x, n, lane, m, s);
    const T ls = log(s);
    T l;
    if (r.index) {
      const int64_t t = r.index[row];
      const T wt = r.weight ? r.weight[t] : T(1);
      l = r.keep * (wt * (ls - (x[t] - m)));
      if (r.smoothing) {
        T shifted = 0;
        for (int64_t i = lane; i < n; i += kWarp) shifted += (r.weight ? r.weight[i] : T(1)) * (x[i] - m);
        shifted = warp_sum(shifted);
        l += r.spread * (weight_sum(r, lane) * ls - shifted);
      }
    } else {
      const T* p = r.probs + row * n;
      T q = 0, shifted = 0;
      for (int64_t i = lane; i < n; i += kWarp) {
        const T qi = soft_target(r, p, i);
        q += qi;
        shifted += qi * (x[i] - m);
      }
      q = warp_sum(q);
      shifted = warp_sum(shifted);
      l = n == 0 ? T(0) : q * ls - shifted;
    }
    if (lane == 0) loss[row] = l;
  }
}

template <class T>
__global__ void cross_entropy_backward_rows(Rows<T> r, T* gx, T* gt, const T* scale, int64_t scale_stride) {
  const int lane = threadIdx.x % kWarp;
  const int64_t n = r.classes;
  for (int64_t row = blockIdx.x * static_cast<int64_t>(kRowsPerBlock) + threadIdx.x / kWarp; row < r.rows;
       row += static_cast<int64_t>(gridDim.x) * kRowsPerBlock) {
    T* g = gx + row * n;
    if (r.index && r.index[row] == r.ignore_index) {
      for (int64_t i = lane; i < n; i += kWarp) g[i] = 0;
      continue;
    }
    const T* x = r.x + row * n;
    const T k = scale[row * scale_stride];
    T m, s;
    max_and_sum(x, n, lane, m, s);
    if (r.index) {
      const int64_t t = r.index[row];
      const T wt = r.weight ? r.weight[t] : T(1);
      const T ws = weight_sum(r, lane);
      const T a = k * (r.keep * wt + r.spread * ws) / s, b = k * r.spread, target = k * r.keep * wt;
      for (int64_t i = lane; i < n; i += kWarp) {
        T v = exp(x[i] - m) * a;
        if (r.smoothing) v = v - (r.weight ? b * r.weight[i] : b);
        g[i] = i == t ? v - target : v;
      }
      continue;
    }
    const T* p = r.probs + row * n;
    T q = 0;
    for (int64_t i = lane; i < n; i += kWarp) q += soft_target(r, p, i);
    const T a = k * warp_sum(q) / s;
    for (int64_t i = lane; i < n; i += kWarp) g[i] = exp(x[i] - m) * a - k * soft_target(r, p, i);
    if (gt) {
      const T ls = log(s), c = -k * r.keep;
      T* o = gt + row * n;
      for (int64_t i = lane; i < n; i += kWarp) o[i] = r.weight ? c * r.weight[i] * ((x[i] - m) - ls) : c * ((x[i] - m) - ls);
    }
  }
}

// x [n, C, d], positions p = (sample, d).
template <class T>
__global__ void nll_forward(const T* x, const int64_t* target, const T* weight, T* loss, int64_t positions,
                            int64_t classes, int64_t d, int64_t ignore_index) {
  for (int64_t p = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; p < positions;
       p += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t k = target[p];
    loss[p] = k == ignore_index ? T(0) : -(weight ? weight[k] : T(1)) * x[(p / d) * classes * d + k * d + p % d];
  }
}

template <class T>
__global__ void nll_backward(T* gx, const int64_t* target, const T* weight, const T* scale, int64_t scale_stride,
                             int64_t positions, int64_t classes, int64_t d, int64_t ignore_index) {
  for (int64_t p = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; p < positions;
       p += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t k = target[p];
    if (k != ignore_index) gx[(p / d) * classes * d + k * d + p % d] = -(weight ? weight[k] : T(1)) * scale[p * scale_stride];
  }
}

int64_t stride_of(const Tensor& scale) { return scale.dim() == 0 ? 0 : scale.strides()[0]; }

}  // namespace

void cross_entropy(const Tensor& loss, const Tensor& x, const Tensor& target, const Tensor& weight,
                   const CrossEntropyPlan& plan) {
  if (x.size(0) == 0) return;
  floating(x.dtype(), "cross_entropy", [&](auto tag) {
    using T = decltype(tag);
    const Rows<T> r = rows_of<T>(x, target, weight, plan);
    cross_entropy_rows<T><<<blocks_for_rows(r.rows), kThreads, 0, stream(x.device().index)>>>(r, loss.data<T>());
  });
  KILN_CUDA_CHECK_LAUNCH("cross_entropy");
}

void cross_entropy_backward(const Tensor& grad_x, const Tensor& grad_target, const Tensor& scale, const Tensor& x,
                            const Tensor& target, const Tensor& weight, const CrossEntropyPlan& plan) {
  if (x.size(0) == 0) return;
  floating(x.dtype(), "cross_entropy_backward", [&](auto tag) {
    using T = decltype(tag);
    const Rows<T> r = rows_of<T>(x, target, weight, plan);
    T* gt = grad_target.defined() ? grad_target.data<T>() : nullptr;
    cross_entropy_backward_rows<T><<<blocks_for_rows(r.rows), kThreads, 0, stream(x.device().index)>>>(
        r, grad_x.data<T>(), gt, scale.data<T>(), stride_of(scale));
  });
  KILN_CUDA_CHECK_LAUNCH("cross_entropy_backward");
}

void nll_loss(const Tensor& loss, const Tensor& x, const Tensor& target, const Tensor& weight, int64_t ignore_index) {
  const int64_t n = x.size(0), classes = x.size(1), positions = target.numel();
  if (positions == 0) return;
  const int64_t d = n == 0 ? 1 : positions / n;
  floating(x.dtype(), "nll_loss", [&](auto tag) {
    using T = decltype(tag);
    nll_forward<T><<<blocks_for(positions), kThreads, 0, stream(x.device().index)>>>(
        x.data<T>(), target.data<int64_t>(), weight.defined() ? weight.data<T>() : nullptr, loss.data<T>(), positions,
        classes, d, ignore_index);
  });
  KILN_CUDA_CHECK_LAUNCH("nll_loss");
}

void nll_loss_backward(const Tensor& grad_x, const Tensor& scale, const Tensor& target, const Tensor& weight,
                       int64_t ignore_index) {
  fill(grad_x, Scalar(int64_t(0)));
  const int64_t n = grad_x.size(0), classes = grad_x.size(1), positions = target.numel();
  if (positions == 0) return;
  const int64_t d = n == 0 ? 1 : positions / n;
  floating(grad_x.dtype(), "nll_loss_backward", [&](auto tag) {
    using T = decltype(tag);
    nll_backward<T><<<blocks_for(positions), kThreads, 0, stream(grad_x.device().index)>>>(
        grad_x.data<T>(), target.data<int64_t>(), weight.defined() ? weight.data<T>() : nullptr, scale.data<T>(),
        stride_of(scale), positions, classes, d, ignore_index);
  });
  KILN_CUDA_CHECK_LAUNCH("nll_loss_backward");
}

}  // namespace kiln::cuda
