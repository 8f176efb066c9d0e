// What the fused recurrent layers (lstm_layer.cpp, gru_layer.cpp) share: the batch in chunks of rows, each its
// own recurrence through every step; each step's hidden product as a plain row-major GEMM; W_hh's gradient as one
// product over all steps at the end.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "cpu/claim_loop.h"
#include "cpu/gemm.h"
#include "kiln/tensor.h"

namespace kiln::cpu::recurrent {

// A gradient's data, or null where it is not wanted (undefined).
template <class T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

// The time index of the s-th step run.
struct StepOrder {
  int64_t steps;
  bool reverse;
  int64_t at(int64_t s) const { return reverse ? steps - 1 - s : s; }
};

// Packed sequences (nn.utils.rnn): step t runs only the first batch_sizes[t] rows of the batch (the sequences,
// sorted longest first, that reach step t); the other rows carry their state through the step unchanged, so the
// forward direction ends each row at its own last step and the reverse direction starts each row there. Empty:
// every row runs every step.
struct ActiveRows {
  const std::vector<int64_t>& batch_sizes;
  // How many of a chunk's rows [r0, r0 + m) step t runs: always a prefix of them.
  int64_t at(int64_t t, int64_t r0, int64_t m) const {
    return batch_sizes.empty() ? m : std::clamp<int64_t>(batch_sizes[t] - r0, 0, m);
  }
};

// Rows per chunk for gates of width G over a hidden size H: where OpenBLAS runs a chunk's [rows x H] x [H x G]
// products unpacked, chunks of 8 rows (an LSTM at H = 128: each step's two products 5.5 us on one core, against
// 34 us for all 32 rows of the batch in one packed product); otherwise the whole batch is one chunk and its
// products split across the pool (gemm_parallel). The chunks depend on the sizes only, so results do not depend
// on the thread count.
inline int64_t chunk_rows(int64_t B, int64_t G, int64_t H) {
  return unpacked_gemm_rows(G, H) >= 8 ? std::min<int64_t>(8, B) : B;
}

// Runs fn(first row, row count, split) over the batch's chunks; split: the chunk is the whole batch, and its
// products should spread over the pool.
template <class Fn>
void over_chunks(int64_t B, int64_t G, int64_t H, Fn&& fn) {
  const int64_t rows = chunk_rows(B, G, H);
  if (rows >= B) return fn(int64_t(0), B, true);
  SingleThreadedBlas single;
  claim_loop(B, rows, [] { return 0; }, [&](int64_t r0, int64_t r1, int) { fn(r0, r1 - r0, false); });
}

// C = A B + beta C, row-major, no transposes.
template <class T>
void product(bool split, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T beta,
             T* c, int64_t ldc) {
  if (split) gemm_parallel(false, false, m, n, k, T(1), a, lda, b, ldb, beta, c, ldc);
  else gemm(false, false, m, n, k, T(1), a, lda, b, ldb, beta, c, ldc);
}

// W_hh^T [H, G] from W_hh [G, H], so that the forward products are plain A B (OpenBLAS's unpacked kernel for
// A B^T ran 50 against 190 GFLOP/s for A B at 8 x 512 x 128), in 16 x 16 tiles so that neither side strides
// through a whole row per element.
template <class T>
std::vector<T> transposed(const T* w, int64_t G, int64_t H) {
  std::vector<T> wt(G * H);
  constexpr int64_t kTile = 16;
  for (int64_t g0 = 0; g0 < G; g0 += kTile)
    for (int64_t j0 = 0; j0 < H; j0 += kTile)
      for (int64_t g = g0; g < std::min(g0 + kTile, G); ++g)
        for (int64_t j = j0; j < std::min(j0 + kTile, H); ++j) wt[j * G + g] = w[g * H + j];
  return wt;
}

// dw [G, H] = sum over steps of dgh[t]^T h_prev(t), dgh [T, B, G] the gradients of each step's hidden product:
// the s-th step run (s >= 1) read the state of step s - 1 (forward, dgh[1 ..] against hs[.. T - 2]; in reverse,
// dgh[.. T - 2] against hs[1 ..]), the first one h0.
template <class T>
void hidden_weight_grad(T* dw, const T* dgh, const T* hs, const T* h0, int64_t steps, int64_t B, int64_t G, int64_t H,
                        bool reverse) {
  const int64_t later = (steps - 1) * B, first = StepOrder{steps, reverse}.at(0);
  if (later > 0)
    gemm_parallel(true, false, G, H, later, T(1), reverse ? dgh : dgh + B * G, G, reverse ? hs + B * H : hs, H, T(0),
                  dw, H);
  gemm_parallel(true, false, G, H, B, T(1), dgh + first * B * G, G, h0, H, T(later > 0 ? 1 : 0), dw, H);
}

}  // namespace kiln::cpu::recurrent
