// An LSTM layer over the sequence, forward and backward through time. Each row of the batch is its own
// recurrence, so the batch runs in chunks of rows that the pool's threads claim, each chunk through every step
// with no synchronisation between steps. Per step and chunk, the hidden product is one GEMM into that step's
// gate pre-activations (gates_x copied in first, so beta = 1 adds it) followed by the fused cell; backward runs
// the steps in reverse, each cell's gradient feeding the previous step's hidden gradient through one GEMM with
// W_hh, and ends with W_hh's gradient as one product over all steps and rows (k = T x B rather than T products
// of k = B and their sum).
#include "cpu/lstm_layer.h"

#include <algorithm>
#include <vector>

#include "cpu/lstm_cell.h"
#include "cpu/recurrent_layer.h"
#include "kiln/error.h"

namespace kiln::cpu {
namespace {

using recurrent::ActiveRows;
using recurrent::StepOrder;
using recurrent::over_chunks;
using recurrent::product;

template <class T>
void forward(T* hs, T* cs, T* gates, const T* gx, const T* h0, const T* c0, const T* w, int64_t steps, int64_t B,
             int64_t H, bool reverse, const ActiveRows& active) {
  const int64_t bh = B * H, bg = B * 4 * H;
  std::copy(gx, gx + steps * bg, gates);
  const std::vector<T> wt = recurrent::transposed(w, 4 * H, H);
  const StepOrder order{steps, reverse};
  over_chunks(B, 4 * H, H, [&](int64_t r0, int64_t m, bool split) {
    for (int64_t s = 0; s < steps; ++s) {
      const int64_t t = order.at(s), rh = r0 * H, rg = r0 * 4 * H, a = active.at(t, r0, m);
      const T* h = s == 0 ? h0 + rh : hs + order.at(s - 1) * bh + rh;
      const T* c = s == 0 ? c0 + rh : cs + order.at(s - 1) * bh + rh;
      T* g = gates + t * bg + rg;
      if (a > 0) {
        product(split, a, 4 * H, H, h, H, wt.data(), 4 * H, T(1), g, 4 * H);
        lstm_cell_rows_saving(g, c, hs + t * bh + rh, cs + t * bh + rh, a, H);  // the activations replace the sums
      }
      std::copy(h + a * H, h + m * H, hs + t * bh + rh + a * H);  // rows past their sequence's end carry h and c
      std::copy(c + a * H, c + m * H, cs + t * bh + rh + a * H);
    }
  });
}

template <class T>
void backward(const LstmLayerGrads& out, const T* dhs, const T* dcs, const T* h0, const T* c0,
              const T* w, const T* hs, const T* cs, const T* gates, int64_t steps, int64_t B, int64_t H,
              bool reverse, const ActiveRows& active) {
  const int64_t bh = B * H, bg = B * 4 * H;
  T* dgx = out.gates_x.data<T>();
  T *dh0 = recurrent::data_or_null<T>(out.h0), *dc0 = recurrent::data_or_null<T>(out.c0), *dw = recurrent::data_or_null<T>(out.w_hh);
  const StepOrder order{steps, reverse};
  over_chunks(B, 4 * H, H, [&](int64_t r0, int64_t m, bool split) {
    const int64_t rh = r0 * H, rg = r0 * 4 * H, n = m * H;
    // dh, dc: the gradients reaching the current step's h and c (from the outputs and from the later steps)
    const int64_t last = order.at(steps - 1) * bh + rh;
    std::vector<T> dh(dhs + last, dhs + last + n), dc(dcs + last, dcs + last + n), dc_prev(n);
    for (int64_t s = steps - 1; s >= 0; --s) {
      const int64_t t = order.at(s), a = active.at(t, r0, m), na = a * H;
      const T* c = s == 0 ? c0 + rh : cs + order.at(s - 1) * bh + rh;
      T* dg = dgx + t * bg + rg;
      const bool want_dc = s > 0 || dc0 != nullptr;
      if (a > 0)
        lstm_cell_backward_rows(dh.data(), dc.data(), gates + t * bg + rg, c, cs + t * bh + rh, dg,
                                want_dc ? dc_prev.data() : nullptr, a, H, /*activated=*/true);
      // The rows that carried their state through this step: no gate gradient, dh and dc pass on unchanged.
      std::fill(dg + a * 4 * H, dg + m * 4 * H, T(0));
      std::copy(dc.begin() + na, dc.end(), dc_prev.begin() + na);
      if (s > 0) {
        const int64_t p = order.at(s - 1) * bh + rh;
        for (int64_t i = na; i < n; ++i) dh[i] += dhs[p + i];
        std::copy(dhs + p, dhs + p + na, dh.begin());
        if (a > 0) product(split, a, H, 4 * H, dg, 4 * H, w, H, T(1), dh.data(), H);
        for (int64_t i = 0; i < n; ++i) dc[i] = dcs[p + i] + dc_prev[i];
      } else {
        if (dh0) {
          if (a > 0) product(split, a, H, 4 * H, dg, 4 * H, w, H, T(0), dh0 + rh, H);
          std::copy(dh.begin() + na, dh.end(), dh0 + rh + na);
        }
        if (dc0) std::copy(dc_prev.begin(), dc_prev.end(), dc0 + rh);
      }
    }
  });
  if (dw) recurrent::hidden_weight_grad(dw, dgx, hs, h0, steps, B, 4 * H, H, reverse);
}

}  // namespace

void lstm_layer_kernel(const Tensor& hs, const Tensor& cs, const Tensor& gates, const Tensor& gates_x,
                       const Tensor& h0, const Tensor& c0, const Tensor& w_hh, bool reverse,
                       const std::vector<int64_t>& batch_sizes) {
  const int64_t steps = gates_x.size(0), B = gates_x.size(1), H = h0.size(1);
  if (steps == 0 || B == 0 || H == 0) return;
  const ActiveRows active{batch_sizes};
  if (gates_x.dtype() == DType::Float32)
    return forward(hs.data<float>(), cs.data<float>(), gates.data<float>(), gates_x.data<float>(), h0.data<float>(),
                   c0.data<float>(), w_hh.data<float>(), steps, B, H, reverse, active);
  KILN_CHECK(gates_x.dtype() == DType::Float64, Internal, "lstm_layer_kernel: float32 or float64 only");
  forward(hs.data<double>(), cs.data<double>(), gates.data<double>(), gates_x.data<double>(), h0.data<double>(),
          c0.data<double>(), w_hh.data<double>(), steps, B, H, reverse, active);
}

void lstm_layer_backward_kernel(const LstmLayerGrads& out, const Tensor& grad_hs, const Tensor& grad_cs,
                                const Tensor& h0, const Tensor& c0, const Tensor& w_hh,
                                const Tensor& hs, const Tensor& cs, const Tensor& gates, bool reverse,
                                const std::vector<int64_t>& batch_sizes) {
  const int64_t steps = gates.size(0), B = gates.size(1), H = h0.size(1);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    if (steps == 0 || B == 0 || H == 0) {  // nothing flows; what was asked for is zeros
      for (const Tensor* g : {&out.gates_x, &out.h0, &out.c0, &out.w_hh})
        if (g->defined()) std::fill(g->data<T>(), g->data<T>() + g->numel(), T(0));
      return;
    }
    backward(out, grad_hs.data<T>(), grad_cs.data<T>(), h0.data<T>(), c0.data<T>(),
             w_hh.data<T>(), hs.data<T>(), cs.data<T>(), gates.data<T>(), steps, B, H, reverse, ActiveRows{batch_sizes});
  };
  if (gates.dtype() == DType::Float32) return run(float());
  KILN_CHECK(gates.dtype() == DType::Float64, Internal, "lstm_layer_backward_kernel: float32 or float64 only");
  run(double());
}

}  // namespace kiln::cpu
