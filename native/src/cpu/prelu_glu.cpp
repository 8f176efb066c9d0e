// Kernels of the two activations with a second operand: prelu (a learned slope per channel) and glu (one half
// of the input gates the other).
#include <vector>

#include "cpu/activation.h"
#include "cpu/activation_fns.h"
#include "cpu/dispatch.h"
#include "cpu/loop.h"
#include "cpu/simd.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

// A prelu run: x and out contiguous, the slope contiguous too or one value (the inner dims of a channel).
template <class T>
KILN_ALWAYS_INLINE void prelu_run_t(T* out, const T* x, const T* w, int64_t n, bool scalar_w) {
  if (scalar_w) {
    const T wv = *w;
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] > T(0) ? x[i] : wv * x[i];
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] > T(0) ? x[i] : w[i] * x[i];
  }
}

KILN_SIMD void prelu_run(DType t, void* out, const void* x, const void* w, int64_t n, bool scalar_w) {
  if (t == DType::Float32)
    return prelu_run_t(static_cast<float*>(out), static_cast<const float*>(x), static_cast<const float*>(w), n, scalar_w);
  prelu_run_t(static_cast<double*>(out), static_cast<const double*>(x), static_cast<const double*>(w), n, scalar_w);
}

// One block of a channel's elements: grad_x, and the block's part of grad_w in acc_t.
template <class T>
KILN_ALWAYS_INLINE double prelu_backward_block_t(T* gx, const T* g, const T* x, T w, int64_t n) {
  double acc = 0;
  for (int64_t i = 0; i < n; ++i) {
    const bool pos = x[i] > T(0);
    gx[i] = pos ? g[i] : w * g[i];
    acc += pos ? 0.0 : static_cast<double>(x[i] * g[i]);
  }
  return acc;
}

KILN_SIMD double prelu_backward_block(DType t, void* gx, const void* g, const void* x, const void* w, int64_t n) {
  if (t == DType::Float32)
    return prelu_backward_block_t(static_cast<float*>(gx), static_cast<const float*>(g), static_cast<const float*>(x),
                                  *static_cast<const float*>(w), n);
  return prelu_backward_block_t(static_cast<double*>(gx), static_cast<const double*>(g), static_cast<const double*>(x),
                                *static_cast<const double*>(w), n);
}

template <class T>
KILN_ALWAYS_INLINE void glu_run_t(T* out, const T* a, const T* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = a[i] * act::sigmoid_of(b[i]);
}

KILN_SIMD void glu_run(DType t, void* out, const void* a, const void* b, int64_t n) {
  if (t == DType::Float32)
    return glu_run_t(static_cast<float*>(out), static_cast<const float*>(a), static_cast<const float*>(b), n);
  glu_run_t(static_cast<double*>(out), static_cast<const double*>(a), static_cast<const double*>(b), n);
}

template <class T>
KILN_ALWAYS_INLINE void glu_backward_one(T* ga, T* gb, T g, T a, T b) {
  const T s = act::sigmoid_of(b);
  *ga = s * g;
  *gb = (T(1) - s) * s * a * g;
}

template <class T>
KILN_ALWAYS_INLINE void glu_backward_run_t(T* ga, T* gb, const T* g, const T* a, const T* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) glu_backward_one(ga + i, gb + i, g[i], a[i], b[i]);
}

KILN_SIMD void glu_backward_run(DType t, void* ga, void* gb, const void* g, const void* a, const void* b, int64_t n) {
  if (t == DType::Float32)
    return glu_backward_run_t(static_cast<float*>(ga), static_cast<float*>(gb), static_cast<const float*>(g),
                              static_cast<const float*>(a), static_cast<const float*>(b), n);
  glu_backward_run_t(static_cast<double*>(ga), static_cast<double*>(gb), static_cast<const double*>(g),
                     static_cast<const double*>(a), static_cast<const double*>(b), n);
}

}  // namespace

void prelu_kernel(const Tensor& out, const Tensor& x, const Tensor& w_expanded) {
  const DType t = out.dtype();
  StridedLoop<3> loop({&out, &x, &w_expanded});
  dispatch(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      loop.run(
          [&](char** p, const int64_t* s, int64_t n) {
            if (s[0] == sizeof(T) && s[1] == sizeof(T) && (s[2] == sizeof(T) || s[2] == 0))
              return prelu_run(t, p[0], p[1], p[2], n, s[2] == 0);
            for (int64_t i = 0; i < n; ++i) {
              const T xv = *reinterpret_cast<const T*>(p[1] + i * s[1]);
              *reinterpret_cast<T*>(p[0] + i * s[0]) = xv > T(0) ? xv : *reinterpret_cast<const T*>(p[2] + i * s[2]) * xv;
            }
          },
          kGrainCheap);
    } else {
      fail(ErrorKind::Internal, "prelu kernel: expected a floating dtype");
    }
  });
}

void prelu_backward_kernel(const Tensor& grad_x, const Tensor& grad_w, const Tensor& g, const Tensor& x,
                           const Tensor& w, int64_t channels, int64_t inner) {
  const DType t = x.dtype();
  const int64_t numel = x.numel();
  const int64_t rows = inner > 0 ? numel / inner : 0;  // (leading index, channel) pairs
  constexpr int64_t kBlock = 8192;                      // fixed blocks: the sums merge in one order
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
  std::vector<double> partial(static_cast<size_t>(rows * blocks), 0.0);
  const size_t size = dtype_size(t);
  char* gx = static_cast<char*>(grad_x.raw_data());
  const char* gp = static_cast<const char*>(g.raw_data());
  const char* xp = static_cast<const char*>(x.raw_data());
  const char* wp = static_cast<const char*>(w.raw_data());
  const int64_t grain = inner > 0 ? kGrainCostly / std::min(inner, kBlock) + 1 : 1;
  parallel_for(rows * blocks, grain, [&](int64_t b0, int64_t b1) {
    for (int64_t task = b0; task < b1; ++task) {
      const int64_t row = task / blocks, blk = task % blocks;
      const int64_t start = row * inner + blk * kBlock, n = std::min(kBlock, inner - blk * kBlock);
      const int64_t c = row % channels;
      const size_t off = static_cast<size_t>(start) * size;
      partial[static_cast<size_t>(task)] =
          prelu_backward_block(t, gx + off, gp + off, xp + off, wp + static_cast<size_t>(c) * size, n);
    }
  });
  std::vector<double> sums(static_cast<size_t>(channels), 0.0);
  for (int64_t task = 0; task < rows * blocks; ++task) sums[static_cast<size_t>((task / blocks) % channels)] += partial[task];
  dispatch(t, [&](auto tag) {
    using T = decltype(tag);
    T* out = grad_w.data<T>();
    for (int64_t c = 0; c < channels; ++c) out[c] = static_cast<T>(sums[static_cast<size_t>(c)]);
  });
}

void glu_kernel(const Tensor& out, const Tensor& a, const Tensor& b) {
  const DType t = out.dtype();
  StridedLoop<3> loop({&out, &a, &b});
  dispatch(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      loop.run(
          [&](char** p, const int64_t* s, int64_t n) {
            if (s[0] == sizeof(T) && s[1] == sizeof(T) && s[2] == sizeof(T)) return glu_run(t, p[0], p[1], p[2], n);
            for (int64_t i = 0; i < n; ++i)
              *reinterpret_cast<T*>(p[0] + i * s[0]) =
                  *reinterpret_cast<const T*>(p[1] + i * s[1]) * act::sigmoid_of(*reinterpret_cast<const T*>(p[2] + i * s[2]));
          },
          kGrainCostly);
    } else {
      fail(ErrorKind::Internal, "glu kernel: expected a floating dtype");
    }
  });
}

void glu_backward_kernel(const Tensor& grad_a, const Tensor& grad_b, const Tensor& g, const Tensor& a, const Tensor& b) {
  const DType t = g.dtype();
  StridedLoop<5> loop({&grad_a, &grad_b, &g, &a, &b});
  dispatch(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      loop.run(
          [&](char** p, const int64_t* s, int64_t n) {
            bool contiguous = true;
            for (int k = 0; k < 5; ++k) contiguous = contiguous && s[k] == sizeof(T);
            if (contiguous) return glu_backward_run(t, p[0], p[1], p[2], p[3], p[4], n);
            for (int64_t i = 0; i < n; ++i)
              glu_backward_one(reinterpret_cast<T*>(p[0] + i * s[0]), reinterpret_cast<T*>(p[1] + i * s[1]),
                               *reinterpret_cast<const T*>(p[2] + i * s[2]), *reinterpret_cast<const T*>(p[3] + i * s[3]),
                               *reinterpret_cast<const T*>(p[4] + i * s[4]));
          },
          kGrainCostly);
    } else {
      fail(ErrorKind::Internal, "glu backward kernel: expected a floating dtype");
    }
  });
}

}  // namespace kiln::cpu
