// Dropout: Philox-4x32-10 blocks computed kBatch at a time with the rounds vectorized across counters (the same
// words kiln::philox gives one block at a time), each 32-bit word deciding one unit: kept when its top 24 bits,
// read as a fraction, are at least p.
#include "cpu/dropout.h"

#include <algorithm>
#include <cmath>

#include "cpu/dispatch.h"
#include "cpu/loop.h"
#include "cpu/simd.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

constexpr int64_t kBatch = 16;  // Philox blocks per batch: 64 units

template <int64_t N>
KILN_ALWAYS_INLINE void philox_batch(uint64_t seed, uint64_t counter, uint32_t* out) {
  constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u, kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  uint32_t c0[N], c1[N], c2[N] = {}, c3[N] = {};
  for (int64_t j = 0; j < N; ++j) {
    const uint64_t c = counter + static_cast<uint64_t>(j);
    c0[j] = static_cast<uint32_t>(c);
    c1[j] = static_cast<uint32_t>(c >> 32);
  }
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    for (int64_t j = 0; j < N; ++j) {
      const uint64_t p0 = static_cast<uint64_t>(kM0) * c0[j], p1 = static_cast<uint64_t>(kM1) * c2[j];
      const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1[j] ^ k0;
      const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3[j] ^ k1;
      c1[j] = static_cast<uint32_t>(p1);
      c3[j] = static_cast<uint32_t>(p0);
      c0[j] = n0;
      c2[j] = n2;
    }
    k0 += kW0;
    k1 += kW1;
  }
  for (int64_t j = 0; j < N; ++j) {
    out[4 * j] = c0[j];
    out[4 * j + 1] = c1[j];
    out[4 * j + 2] = c2[j];
    out[4 * j + 3] = c3[j];
  }
}

KILN_SIMD void philox_run(uint64_t seed, uint64_t counter, uint32_t* out) { philox_batch<kBatch>(seed, counter, out); }

// Units [u0, u1) of one batch: their mask bytes and their elements.
template <class T>
KILN_ALWAYS_INLINE void apply_units(T* out, bool* mask, const T* x, const uint32_t* words, int64_t u0, int64_t u1,
                                    int64_t inner, uint32_t threshold, T scale, T shift, T dropped) {
  for (int64_t u = u0; u < u1; ++u) {
    const bool keep = (words[u - u0] >> 8) >= threshold;
    mask[u] = keep;
    T* o = out + u * inner;
    const T* xi = x + u * inner;
    if (keep) {
      for (int64_t i = 0; i < inner; ++i) o[i] = xi[i] * scale + shift;
    } else {
      for (int64_t i = 0; i < inner; ++i) o[i] = dropped;
    }
  }
}

// One element per unit: the same, as a loop the compiler vectorizes with selects.
template <class T>
KILN_ALWAYS_INLINE void apply_elements(T* out, bool* mask, const T* x, const uint32_t* words, int64_t n,
                                       uint32_t threshold, T scale, T shift, T dropped) {
  for (int64_t i = 0; i < n; ++i) {
    const bool keep = (words[i] >> 8) >= threshold;
    mask[i] = keep;
    out[i] = keep ? x[i] * scale + shift : dropped;
  }
}

template <class T>
KILN_ALWAYS_INLINE void dropout_range_t(T* out, bool* mask, const T* x, int64_t u0, int64_t u1, int64_t inner,
                                        uint64_t seed, uint64_t counter, uint32_t threshold, T scale, T shift,
                                        T dropped) {
  constexpr int64_t kUnits = 4 * kBatch;
  uint32_t words[kUnits];
  for (int64_t b = u0; b < u1; b += kUnits) {  // u0 is a multiple of kUnits
    philox_batch<kBatch>(seed, counter + static_cast<uint64_t>(b / 4), words);
    const int64_t e = std::min(u1, b + kUnits);
    if (inner == 1) apply_elements(out + b, mask + b, x + b, words, e - b, threshold, scale, shift, dropped);
    else apply_units(out, mask, x, words, b, e, inner, threshold, scale, shift, dropped);
  }
}

KILN_SIMD void dropout_range(DType t, void* out, bool* mask, const void* x, int64_t u0, int64_t u1, int64_t inner,
                             uint64_t seed, uint64_t counter, uint32_t threshold, const DropoutAffine& a) {
  if (t == DType::Float32)
    return dropout_range_t(static_cast<float*>(out), mask, static_cast<const float*>(x), u0, u1, inner, seed, counter,
                           threshold, static_cast<float>(a.scale), static_cast<float>(a.kept_shift),
                           static_cast<float>(a.dropped_value));
  dropout_range_t(static_cast<double*>(out), mask, static_cast<const double*>(x), u0, u1, inner, seed, counter,
                  threshold, a.scale, a.kept_shift, a.dropped_value);
}

}  // namespace

void philox_words(uint64_t seed, uint64_t counter, int64_t count, uint32_t* words) {
  uint32_t batch[4 * kBatch];
  for (int64_t b = 0; b < count; b += kBatch) {
    philox_run(seed, counter + static_cast<uint64_t>(b), batch);
    std::copy(batch, batch + 4 * std::min(kBatch, count - b), words + 4 * b);
  }
}

void dropout_kernel(const Tensor& out, const Tensor& mask, const Tensor& x, int64_t inner, double p,
                    const DropoutAffine& affine, Generator& gen) {
  const int64_t units = mask.numel();
  if (units == 0) return;
  KILN_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, Internal, "dropout kernel: got ",
             dtype_name(x.dtype()));
  constexpr int64_t kUnits = 4 * kBatch;
  const Generator::Reservation r = gen.reserve(static_cast<uint64_t>((units + 3) / 4));
  // Kept when the word's top 24 bits, a fraction in [0, 1), are >= p: probability 1 - p (to 2^-24).
  const uint32_t threshold = static_cast<uint32_t>(std::min(16777216.0, std::ceil(p * 16777216.0)));
  const int64_t batches = (units + kUnits - 1) / kUnits;
  const int64_t grain = std::max<int64_t>(1, kGrainCostly / (kUnits * std::max<int64_t>(inner, 1)));
  char* po = static_cast<char*>(out.raw_data());
  const char* px = static_cast<const char*>(x.raw_data());
  bool* pm = mask.data<bool>();
  parallel_for(batches, grain, [&](int64_t b0, int64_t b1) {
    dropout_range(x.dtype(), po, pm, px, b0 * kUnits, std::min(units, b1 * kUnits), inner, r.seed, r.counter,
                  threshold, affine);
  });
}

}  // namespace kiln::cpu
