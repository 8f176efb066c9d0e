// The LSTM cell, forward and backward, one pass each over the rows of the batch. float32 uses the same
// vectorizable sigmoid and tanh as the elementwise ops (vec_math.h) and, like them, no fused multiply-add, so
// the forward gives bitwise the results of the composite form (sigmoid, tanh, mul, add).
#include "cpu/lstm_cell.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "cpu/sigmoid_tanh.h"
#include "cpu/simd.h"
#include "cpu/vec_math.h"
#include "kiln/error.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

constexpr int64_t kGrain = 16384;  // elements per thread: a smaller cell runs inline (an LSTM step is ~4K)

// Save: gates is overwritten with the four activations (each slot after it was read; one pointer, so the loop
// still vectorizes).
template <bool Save, class T>
KILN_ALWAYS_INLINE void forward_rows(std::conditional_t<Save, T*, const T*> __restrict gates, const T* __restrict cx,
                                     T* __restrict hy, T* __restrict cy, int64_t rows, int64_t H) {
  for (int64_t b = 0; b < rows; ++b) {
    auto a = gates + b * 4 * H;
    const T* c0 = cx + b * H;
    T *h = hy + b * H, *c = cy + b * H;
    for (int64_t j = 0; j < H; ++j) {
      const T i = sigmoid_of(a[j]), f = sigmoid_of(a[H + j]), g = tanh_of(a[2 * H + j]), o = sigmoid_of(a[3 * H + j]);
      const T cell = f * c0[j] + i * g;
      c[j] = cell;
      h[j] = o * tanh_of(cell);
      if constexpr (Save) {
        a[j] = i;
        a[H + j] = f;
        a[2 * H + j] = g;
        a[3 * H + j] = o;
      }
    }
  }
}

// With tc = tanh(cy) and dc = dcy + dhy o (1 - tc^2), the cell's total gradient:
// di = dc g i (1 - i), df = dc cx f (1 - f), dg = dc i (1 - g^2), do = dhy tc o (1 - o), dcx = dc f.
// Activated: a holds the activations i, f, g, o themselves (as forward_rows saved them), not pre-activations.
template <bool WithCx, bool Activated, class T>
KILN_ALWAYS_INLINE void backward_row(const T* __restrict gh, const T* __restrict gc, const T* __restrict a,
                                     const T* __restrict c0, const T* __restrict c1, T* __restrict d,
                                     T* __restrict dcx, int64_t H) {
  for (int64_t j = 0; j < H; ++j) {
    T i = a[j], f = a[H + j], g = a[2 * H + j], o = a[3 * H + j];
    if constexpr (!Activated) i = sigmoid_of(i), f = sigmoid_of(f), g = tanh_of(g), o = sigmoid_of(o);
    const T tc = tanh_of(c1[j]);
    const T dc = gc[j] + gh[j] * o * (T(1) - tc * tc);
    d[j] = dc * g * (i * (T(1) - i));
    d[H + j] = dc * c0[j] * (f * (T(1) - f));
    d[2 * H + j] = dc * i * (T(1) - g * g);
    d[3 * H + j] = gh[j] * tc * (o * (T(1) - o));
    if constexpr (WithCx) dcx[j] = dc * f;
  }
}

template <bool Activated, class T>
KILN_ALWAYS_INLINE void backward_rows(const T* dhy, const T* dcy, const T* gates, const T* cx, const T* cy, T* dgates,
                                      T* dcx, int64_t rows, int64_t H) {
  for (int64_t b = 0; b < rows; ++b) {
    const int64_t r = b * H, r4 = b * 4 * H;
    if (dcx) backward_row<true, Activated>(dhy + r, dcy + r, gates + r4, cx + r, cy + r, dgates + r4, dcx + r, H);
    else backward_row<false, Activated>(dhy + r, dcy + r, gates + r4, cx + r, cy + r, dgates + r4, dcx, H);
  }
}

template <class T>
KILN_ALWAYS_INLINE void forward_any(T* gates, const T* cx, T* hy, T* cy, bool save, int64_t rows, int64_t H) {
  if (save) forward_rows<true, T>(gates, cx, hy, cy, rows, H);
  else forward_rows<false, T>(gates, cx, hy, cy, rows, H);
}

template <class T>
KILN_ALWAYS_INLINE void backward_any(const T* dhy, const T* dcy, const T* gates, const T* cx, const T* cy, T* dgates,
                                     T* dcx, int64_t rows, int64_t H, bool activated) {
  if (activated) backward_rows<true>(dhy, dcy, gates, cx, cy, dgates, dcx, rows, H);
  else backward_rows<false>(dhy, dcy, gates, cx, cy, dgates, dcx, rows, H);
}

// gates is written only when save is true.
KILN_SIMD void forward_f32(float* gates, const float* cx, float* hy, float* cy, bool save, int64_t rows, int64_t H) {
  forward_any(gates, cx, hy, cy, save, rows, H);
}
KILN_SIMD void forward_f64(double* gates, const double* cx, double* hy, double* cy, bool save, int64_t rows,
                           int64_t H) {
  forward_any(gates, cx, hy, cy, save, rows, H);
}
KILN_SIMD void backward_f32(const float* dhy, const float* dcy, const float* gates, const float* cx, const float* cy,
                            float* dgates, float* dcx, int64_t rows, int64_t H, bool activated) {
  backward_any(dhy, dcy, gates, cx, cy, dgates, dcx, rows, H, activated);
}
KILN_SIMD void backward_f64(const double* dhy, const double* dcy, const double* gates, const double* cx,
                            const double* cy, double* dgates, double* dcx, int64_t rows, int64_t H, bool activated) {
  backward_any(dhy, dcy, gates, cx, cy, dgates, dcx, rows, H, activated);
}

// Runs fn(first row, row count) over the B rows, split across the pool when the cell is large.
template <class Fn>
void over_rows(int64_t B, int64_t H, Fn&& fn) {
  const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(H, 1));
  parallel_for(B, grain, [&](int64_t b0, int64_t b1) { fn(b0, b1 - b0); });
}

}  // namespace

namespace {

template <class T>
void rows_forward(const T* gates, const T* cx, T* hy, T* cy, int64_t B, int64_t H, bool save) {
  T* g = const_cast<T*>(gates);  // written only when save (the callers that save pass a mutable buffer)
  over_rows(B, H, [&](int64_t b, int64_t n) {
    if constexpr (std::is_same_v<T, float>) forward_f32(g + b * 4 * H, cx + b * H, hy + b * H, cy + b * H, save, n, H);
    else forward_f64(g + b * 4 * H, cx + b * H, hy + b * H, cy + b * H, save, n, H);
  });
}

}  // namespace

void lstm_cell_rows(const float* gates, const float* cx, float* hy, float* cy, int64_t B, int64_t H) {
  rows_forward(gates, cx, hy, cy, B, H, false);
}
void lstm_cell_rows(const double* gates, const double* cx, double* hy, double* cy, int64_t B, int64_t H) {
  rows_forward(gates, cx, hy, cy, B, H, false);
}
void lstm_cell_rows_saving(float* gates, const float* cx, float* hy, float* cy, int64_t B, int64_t H) {
  rows_forward<float>(gates, cx, hy, cy, B, H, true);
}
void lstm_cell_rows_saving(double* gates, const double* cx, double* hy, double* cy, int64_t B, int64_t H) {
  rows_forward<double>(gates, cx, hy, cy, B, H, true);
}

void lstm_cell_backward_rows(const float* dhy, const float* dcy, const float* gates, const float* cx, const float* cy,
                             float* dgates, float* dcx, int64_t B, int64_t H, bool activated) {
  over_rows(B, H, [&](int64_t b, int64_t n) {
    backward_f32(dhy + b * H, dcy + b * H, gates + b * 4 * H, cx + b * H, cy + b * H, dgates + b * 4 * H,
                 dcx ? dcx + b * H : nullptr, n, H, activated);
  });
}
void lstm_cell_backward_rows(const double* dhy, const double* dcy, const double* gates, const double* cx,
                             const double* cy, double* dgates, double* dcx, int64_t B, int64_t H, bool activated) {
  over_rows(B, H, [&](int64_t b, int64_t n) {
    backward_f64(dhy + b * H, dcy + b * H, gates + b * 4 * H, cx + b * H, cy + b * H, dgates + b * 4 * H,
                 dcx ? dcx + b * H : nullptr, n, H, activated);
  });
}

namespace {

template <class T>
void forward_tensors(const Tensor& hy, const Tensor& cy, const Tensor& gates, const Tensor& cx, int64_t B, int64_t H) {
  lstm_cell_rows(gates.data<T>(), cx.data<T>(), hy.data<T>(), cy.data<T>(), B, H);
}

template <class T>
void backward_tensors(const Tensor& grad_gates, const Tensor& grad_cx, const Tensor& grad_hy, const Tensor& grad_cy,
                      const Tensor& gates, const Tensor& cx, const Tensor& cy, int64_t B, int64_t H) {
  lstm_cell_backward_rows(grad_hy.data<T>(), grad_cy.data<T>(), gates.data<T>(), cx.data<T>(), cy.data<T>(),
                          grad_gates.data<T>(), grad_cx.defined() ? grad_cx.data<T>() : nullptr, B, H);
}

}  // namespace

void lstm_cell_kernel(const Tensor& hy, const Tensor& cy, const Tensor& gates, const Tensor& cx) {
  const int64_t H = cx.numel() == 0 ? 0 : cx.size(-1), B = H == 0 ? 0 : cx.numel() / H;
  if (B == 0 || H == 0) return;
  if (gates.dtype() == DType::Float32) return forward_tensors<float>(hy, cy, gates, cx, B, H);
  KILN_CHECK(gates.dtype() == DType::Float64, Internal, "lstm_cell_kernel: float32 or float64 only");
  forward_tensors<double>(hy, cy, gates, cx, B, H);
}

void lstm_cell_backward_kernel(const Tensor& grad_gates, const Tensor& grad_cx, const Tensor& grad_hy,
                               const Tensor& grad_cy, const Tensor& gates, const Tensor& cx, const Tensor& cy) {
  const int64_t H = cx.numel() == 0 ? 0 : cx.size(-1), B = H == 0 ? 0 : cx.numel() / H;
  if (B == 0 || H == 0) return;
  if (gates.dtype() == DType::Float32) return backward_tensors<float>(grad_gates, grad_cx, grad_hy, grad_cy, gates, cx, cy, B, H);
  KILN_CHECK(gates.dtype() == DType::Float64, Internal, "lstm_cell_backward_kernel: float32 or float64 only");
  backward_tensors<double>(grad_gates, grad_cx, grad_hy, grad_cy, gates, cx, cy, B, H);
}

}  // namespace kiln::cpu
