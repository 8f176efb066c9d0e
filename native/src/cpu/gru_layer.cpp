// A GRU layer over the sequence, forward and backward through time, in chunks of batch rows as the LSTM layer
// (recurrent_layer.h). Per step and chunk: the hidden product h W_hh^T + b_hh (one GEMM onto the bias), then the
// cell, which keeps r, z, n and the product's n block for backward. Backward runs the steps in reverse: the
// cell's gradient gives the input's and the hidden product's gate gradients, the latter feeding the previous
// step's h through one GEMM with W_hh; W_hh's and b_hh's gradients are one product and one sum over all steps.
#include "cpu/gru_layer.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "cpu/recurrent_layer.h"
#include "cpu/sigmoid_tanh.h"
#include "cpu/simd.h"
#include "cpu/vec_math.h"
#include "kiln/error.h"

namespace kiln::cpu {
namespace {

using recurrent::ActiveRows;
using recurrent::StepOrder;
using recurrent::over_chunks;
using recurrent::product;

// rows x H cells: gx, gh [rows, 3H], hp, h [rows, H], ws [rows, 4H]. The same operations in the same order as
// nn.GRU's composite step (add, sigmoid, mul, tanh, sub), without contraction: the same bits.
template <class T>
KILN_ALWAYS_INLINE void cell_rows(const T* __restrict gx, const T* __restrict gh, const T* __restrict hp,
                                  T* __restrict h, T* __restrict ws, int64_t rows, int64_t H) {
  for (int64_t b = 0; b < rows; ++b) {
    const T *x = gx + b * 3 * H, *k = gh + b * 3 * H, *p = hp + b * H;
    T *o = h + b * H, *w = ws + b * 4 * H;
    for (int64_t j = 0; j < H; ++j) {
      const T r = sigmoid_of(x[j] + k[j]), z = sigmoid_of(x[H + j] + k[H + j]);
      const T n = tanh_of(x[2 * H + j] + r * k[2 * H + j]);
      o[j] = n + z * (p[j] - n);
      w[j] = r;
      w[H + j] = z;
      w[2 * H + j] = n;
      w[3 * H + j] = k[2 * H + j];
    }
  }
}

// The cell's gradient from dh (what reaches h'): with dn_pre = dh (1 - z) (1 - n^2), dgx = [dn_pre h_n r (1 - r),
// dh (h - n) z (1 - z), dn_pre] and dgh = dgx with its n block times r; dhp = dh z (the direct path; the product's
// share is added by the caller).
template <class T>
KILN_ALWAYS_INLINE void cell_backward_rows(const T* __restrict dh, const T* __restrict ws, const T* __restrict hp,
                                           T* __restrict dgx, T* __restrict dgh, T* __restrict dhp, int64_t rows,
                                           int64_t H) {
  for (int64_t b = 0; b < rows; ++b) {
    const T *d = dh + b * H, *w = ws + b * 4 * H, *p = hp + b * H;
    T *gx = dgx + b * 3 * H, *gh = dgh + b * 3 * H, *q = dhp + b * H;
    for (int64_t j = 0; j < H; ++j) {
      const T r = w[j], z = w[H + j], n = w[2 * H + j], hn = w[3 * H + j];
      const T dn_pre = d[j] * (T(1) - z) * (T(1) - n * n);
      const T dr_pre = dn_pre * hn * (r * (T(1) - r));
      const T dz_pre = d[j] * (p[j] - n) * (z * (T(1) - z));
      gx[j] = gh[j] = dr_pre;
      gx[H + j] = gh[H + j] = dz_pre;
      gx[2 * H + j] = dn_pre;
      gh[2 * H + j] = dn_pre * r;
      q[j] = d[j] * z;
    }
  }
}

KILN_SIMD void cell_f32(const float* gx, const float* gh, const float* hp, float* h, float* ws, int64_t rows,
                        int64_t H) {
  cell_rows(gx, gh, hp, h, ws, rows, H);
}
KILN_SIMD void cell_f64(const double* gx, const double* gh, const double* hp, double* h, double* ws, int64_t rows,
                        int64_t H) {
  cell_rows(gx, gh, hp, h, ws, rows, H);
}
KILN_SIMD void cell_backward_f32(const float* dh, const float* ws, const float* hp, float* dgx, float* dgh, float* dhp,
                                 int64_t rows, int64_t H) {
  cell_backward_rows(dh, ws, hp, dgx, dgh, dhp, rows, H);
}
KILN_SIMD void cell_backward_f64(const double* dh, const double* ws, const double* hp, double* dgx, double* dgh,
                                 double* dhp, int64_t rows, int64_t H) {
  cell_backward_rows(dh, ws, hp, dgx, dgh, dhp, rows, H);
}

template <class T>
void cell(const T* gx, const T* gh, const T* hp, T* h, T* ws, int64_t rows, int64_t H) {
  if constexpr (std::is_same_v<T, float>) cell_f32(gx, gh, hp, h, ws, rows, H);
  else cell_f64(gx, gh, hp, h, ws, rows, H);
}

template <class T>
void cell_backward(const T* dh, const T* ws, const T* hp, T* dgx, T* dgh, T* dhp, int64_t rows, int64_t H) {
  if constexpr (std::is_same_v<T, float>) cell_backward_f32(dh, ws, hp, dgx, dgh, dhp, rows, H);
  else cell_backward_f64(dh, ws, hp, dgx, dgh, dhp, rows, H);
}

template <class T>
void forward(T* hs, T* ws, const T* gx, const T* h0, const T* w, const T* bias, int64_t steps, int64_t B, int64_t H,
             bool reverse, const ActiveRows& active) {
  const int64_t G = 3 * H, bh = B * H;
  const std::vector<T> wt = recurrent::transposed(w, G, H);
  const StepOrder order{steps, reverse};
  over_chunks(B, G, H, [&](int64_t r0, int64_t m, bool split) {
    std::vector<T> gh(m * G);
    for (int64_t s = 0; s < steps; ++s) {
      const int64_t t = order.at(s), rh = r0 * H, a = active.at(t, r0, m);
      const T* hp = s == 0 ? h0 + rh : hs + order.at(s - 1) * bh + rh;
      if (a > 0) {
        for (int64_t i = 0; i < a; ++i) std::copy(bias, bias + G, gh.begin() + i * G);
        product(split, a, G, H, hp, H, wt.data(), G, T(1), gh.data(), G);
        cell(gx + t * B * G + r0 * G, gh.data(), hp, hs + t * bh + rh, ws + t * B * 4 * H + r0 * 4 * H, a, H);
      }
      std::copy(hp + a * H, hp + m * H, hs + t * bh + rh + a * H);  // rows past their sequence's end carry h
    }
  });
}

template <class T>
void backward(const GruLayerGrads& out, const T* dhs, const T* h0, const T* w, const T* hs, const T* ws, int64_t steps,
              int64_t B, int64_t H, bool reverse, const ActiveRows& active) {
  const int64_t G = 3 * H, bh = B * H;
  T* dgx = out.gates_x.data<T>();
  T *dh0 = recurrent::data_or_null<T>(out.h0), *dw = recurrent::data_or_null<T>(out.w_hh), *db = recurrent::data_or_null<T>(out.b_hh);
  const bool keep_dgh = dw || db;  // every step's dgh, for the weight's and bias's gradients at the end
  std::vector<T> dgh_all(keep_dgh ? steps * B * G : 0);
  const StepOrder order{steps, reverse};
  over_chunks(B, G, H, [&](int64_t r0, int64_t m, bool split) {
    const int64_t rh = r0 * H, n = m * H, last = order.at(steps - 1) * bh + rh;
    std::vector<T> dh(dhs + last, dhs + last + n), dhp(n), dgh_step(keep_dgh ? 0 : m * G);
    for (int64_t s = steps - 1; s >= 0; --s) {
      const int64_t t = order.at(s), a = active.at(t, r0, m);
      const T* hp = s == 0 ? h0 + rh : hs + order.at(s - 1) * bh + rh;
      T* dgh = keep_dgh ? dgh_all.data() + t * B * G + r0 * G : dgh_step.data();
      T* dg = dgx + t * B * G + r0 * G;
      if (a > 0) cell_backward(dh.data(), ws + t * B * 4 * H + r0 * 4 * H, hp, dg, dgh, dhp.data(), a, H);
      // The rows that carried their state through this step: no gate gradient (dgh_all's rows stay the zeros it
      // starts as; dgh_step's past a are not read), dh passes on unchanged.
      std::fill(dg + a * G, dg + m * G, T(0));
      std::copy(dh.begin() + a * H, dh.end(), dhp.begin() + a * H);
      if (s > 0) {
        const T* later = dhs + order.at(s - 1) * bh + rh;  // the previous step's own output gradient
        for (int64_t i = 0; i < n; ++i) dh[i] = later[i] + dhp[i];
        if (a > 0) product(split, a, H, G, dgh, G, w, H, T(1), dh.data(), H);
      } else if (dh0) {
        std::copy(dhp.begin(), dhp.end(), dh0 + rh);
        if (a > 0) product(split, a, H, G, dgh, G, w, H, T(1), dh0 + rh, H);
      }
    }
  });
  if (dw) recurrent::hidden_weight_grad(dw, dgh_all.data(), hs, h0, steps, B, G, H, reverse);
  if (db) {
    std::fill(db, db + G, T(0));
    for (int64_t row = 0; row < steps * B; ++row)
      for (int64_t g = 0; g < G; ++g) db[g] += dgh_all[row * G + g];
  }
}

}  // namespace

void gru_layer_kernel(const Tensor& hs, const Tensor& ws, const Tensor& gates_x, const Tensor& h0, const Tensor& w_hh,
                      const Tensor& b_hh, bool reverse, const std::vector<int64_t>& batch_sizes) {
  const int64_t steps = gates_x.size(0), B = gates_x.size(1), H = h0.size(1);
  if (steps == 0 || B == 0 || H == 0) return;
  auto run = [&](auto tag) {
    using T = decltype(tag);
    forward(hs.data<T>(), ws.data<T>(), gates_x.data<T>(), h0.data<T>(), w_hh.data<T>(), b_hh.data<T>(), steps, B, H,
            reverse, ActiveRows{batch_sizes});
  };
  if (gates_x.dtype() == DType::Float32) return run(float());
  KILN_CHECK(gates_x.dtype() == DType::Float64, Internal, "gru_layer_kernel: float32 or float64 only");
  run(double());
}

void gru_layer_backward_kernel(const GruLayerGrads& out, const Tensor& grad_hs, const Tensor& h0, const Tensor& w_hh,
                               const Tensor& hs, const Tensor& ws, bool reverse,
                               const std::vector<int64_t>& batch_sizes) {
  const int64_t steps = ws.size(0), B = ws.size(1), H = h0.size(1);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    if (steps == 0 || B == 0 || H == 0) {  // nothing flows; what was asked for is zeros
      for (const Tensor* g : {&out.gates_x, &out.h0, &out.w_hh, &out.b_hh})
        if (g->defined()) std::fill(g->data<T>(), g->data<T>() + g->numel(), T(0));
      return;
    }
    backward(out, grad_hs.data<T>(), h0.data<T>(), w_hh.data<T>(), hs.data<T>(), ws.data<T>(), steps, B, H, reverse,
             ActiveRows{batch_sizes});
  };
  if (ws.dtype() == DType::Float32) return run(float());
  KILN_CHECK(ws.dtype() == DType::Float64, Internal, "gru_layer_backward_kernel: float32 or float64 only");
  run(double());
}

}  // namespace kiln::cpu
