// Random integers, permutations, Bernoulli and multinomial draws, truncated normals. Element (or row) i reads
// the Philox blocks at fixed counters past the generator's reservation: results do not depend on threads.
#include "cpu/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "cpu/dispatch.h"
#include "cpu/loop.h"
#include "cpu/simd.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

// The 64 random bits of draw i within a reservation: two words of block i / 2.
struct Draws {
  Generator::Reservation r;
  uint64_t bits(uint64_t i) const {
    const PhiloxBlock b = philox(r.seed, r.counter + i / 2);
    const int w = static_cast<int>(i % 2) * 2;
    return (static_cast<uint64_t>(b.v[w]) << 32) | b.v[w + 1];
  }
  // Uniform on [0, 1) with 53 random bits.
  double u01(uint64_t i) const { return static_cast<double>(bits(i) >> 11) * (1.0 / 9007199254740992.0); }
  static double u01_of(uint64_t bits) { return static_cast<double>(bits >> 11) * (1.0 / 9007199254740992.0); }
  // fn(i, bits(i)) for i in [b, e), the Philox blocks made kBlocks at a time in vector lanes, each once for its
  // two draws (bits(i) makes one a draw, one at a time: the blocks were most of randperm's time).
  template <class Fn>
  void each(int64_t b, int64_t e, Fn&& fn) const {
    constexpr int64_t kBlocks = 64;
    PhiloxBlock blocks[kBlocks];
    for (int64_t first = b / 2; 2 * first < e; first += kBlocks) {
      const int64_t count = std::min(kBlocks, (e + 1) / 2 - first);
      philox_blocks(r.seed, r.counter + static_cast<uint64_t>(first), count, blocks);
      for (int64_t i = std::max(b, 2 * first); i < std::min(e, 2 * (first + count)); ++i) {
        const PhiloxBlock& blk = blocks[i / 2 - first];
        const int w = static_cast<int>(i % 2) * 2;
        fn(i, (static_cast<uint64_t>(blk.v[w]) << 32) | blk.v[w + 1]);
      }
    }
  }
};

Draws reserve(Generator& gen, uint64_t draws) { return {gen.reserve((draws + 1) / 2)}; }

// A uniform integer in [0, range) from 64 random bits (multiply-shift: bias below range / 2^64).
inline uint64_t below(uint64_t bits, uint64_t range) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(bits) * range) >> 64);
}

constexpr int64_t kGrainDraws = 4096;

// The standard normal CDF and its inverse (Acklam's rational approximation, 1.2e-9, then one Halley step
// against erfc: double precision).
double normal_cdf(double x) { return 0.5 * std::erfc(-x * M_SQRT1_2); }

double normal_quantile(double p) {
  if (p <= 0) return -INFINITY;
  if (p >= 1) return INFINITY;
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  double x;
  if (p < 0.02425 || p > 1 - 0.02425) {
    const double q = std::sqrt(-2 * std::log(p < 0.5 ? p : 1 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    if (p > 0.5) x = -x;
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const double e = normal_cdf(x) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

// multinomial's blocks of weights, and their sums in kLanes independent chains.
constexpr int64_t kBlock = 64, kLanes = 8;

double lane_sum(const double* x, int64_t n) {
  double lanes[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) lanes[l] += x[j + l];
  double sum = 0;
  for (int64_t l = 0; l < kLanes; ++l) sum += lanes[l];
  for (; j < n; ++j) sum += x[j];
  return sum;
}

}  // namespace

// Philox-4x32-10 as philox() computes it, 8 blocks at a time in 64-bit vector lanes (each holding a 32-bit word,
// so that a product keeps its high half): ~3x one block at a time. Written as a loop over arrays, GCC unrolled the
// lanes into scalar code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"  // the vectors never cross a call
KILN_SIMD void philox_blocks(uint64_t seed, uint64_t counter, int64_t n, PhiloxBlock* out) {
  using Lanes = uint64_t __attribute__((vector_size(64)));
  constexpr uint64_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u, kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u, kLow = 0xFFFFFFFFu;
  for (int64_t k0 = 0; k0 < n; k0 += 8) {
    Lanes c0, c1, c2 = {}, c3 = {};
    for (int l = 0; l < 8; ++l) {
      const uint64_t c = counter + static_cast<uint64_t>(k0 + l);
      c0[l] = c & kLow;
      c1[l] = c >> 32;
    }
    uint64_t key0 = seed & kLow, key1 = seed >> 32;
    for (int round = 0; round < 10; ++round) {
      const Lanes p0 = c0 * kM0, p1 = c2 * kM1;
      c0 = (p1 >> 32) ^ c1 ^ key0;
      c2 = (p0 >> 32) ^ c3 ^ key1;
      c1 = p1 & kLow;
      c3 = p0 & kLow;
      key0 = (key0 + kW0) & kLow;
      key1 = (key1 + kW1) & kLow;
    }
    for (int64_t l = 0; l < 8 && k0 + l < n; ++l)
      out[k0 + l] = {{static_cast<uint32_t>(c0[l]), static_cast<uint32_t>(c1[l]), static_cast<uint32_t>(c2[l]),
                      static_cast<uint32_t>(c3[l])}};
  }
}
#pragma GCC diagnostic pop

void randint_kernel(const Tensor& out, Generator& gen, int64_t low, int64_t high) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  const Draws draws = reserve(gen, static_cast<uint64_t>(n));
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* data = out.data<T>();
    parallel_for(n, kGrainDraws, [&](int64_t b, int64_t e) {
      draws.each(b, e, [&](int64_t i, uint64_t bits) {
        data[i] = static_cast<T>(static_cast<int64_t>(static_cast<uint64_t>(low) + below(bits, range)));
      });
    });
  });
}

namespace {

// Fisher-Yates: swap i with a uniform j in [0, i], for i from n - 1 down. The draws (a Philox block per two) are
// made first, over the pool, and each swap's far element is prefetched kSwapsAhead swaps before: one thread
// drawing as it went (a Philox block a draw), waiting on a cache miss a swap, took 23 ms for 2^20 (PyTorch 1.13:
// 6.5).
template <class I>
void shuffle(I* perm, int64_t n, const Draws& draws) {
  constexpr int64_t kSwapsAhead = 16;
  const Tensor far_buffer = Tensor::empty({n}, sizeof(I) == 4 ? DType::Int32 : DType::Int64);  // cached, no faults
  I* far = far_buffer.data<I>();
  parallel_for(n, kGrainDraws, [&](int64_t b, int64_t e) {
    draws.each(b, e, [&](int64_t i, uint64_t bits) { far[i] = static_cast<I>(below(bits, static_cast<uint64_t>(i) + 1)); });
  });
  for (int64_t i = n - 1; i > 0; --i) {
    if (i > kSwapsAhead) __builtin_prefetch(perm + far[i - kSwapsAhead], 1);
    std::swap(perm[i], perm[far[i]]);
  }
}

}  // namespace

void randperm_kernel(const Tensor& out, Generator& gen) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const Draws draws = reserve(gen, static_cast<uint64_t>(n));
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* data = out.data<T>();
    // The permutation in 32-bit entries where they hold n (half the cache misses), else 64-bit.
    auto fill = [&](auto* perm) {
      std::iota(perm, perm + n, 0);
      shuffle(perm, n, draws);
      for (int64_t i = 0; i < n; ++i) data[i] = static_cast<T>(perm[i]);
    };
    if (n <= INT32_MAX) fill(Tensor::empty({n}, DType::Int32).data<int32_t>());
    else fill(Tensor::empty({n}, DType::Int64).data<int64_t>());
  });
}

void bernoulli_kernel(const Tensor& out, const Tensor& p, double p_scalar, Generator& gen) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const double* probs = p.defined() ? p.data<double>() : nullptr;
  const Draws draws = reserve(gen, static_cast<uint64_t>(n));
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* data = out.data<T>();
    parallel_for(n, kGrainDraws, [&](int64_t b, int64_t e) {
      draws.each(b, e, [&](int64_t i, uint64_t bits) {
        data[i] = static_cast<T>(Draws::u01_of(bits) < (probs ? probs[i] : p_scalar) ? 1 : 0);
      });
    });
  });
}

KILN_SIMD int weight_flags(const double* row, int64_t n) {
  int bad = 0, positive = 0;
  for (int64_t j = 0; j < n; ++j) {
    bad |= !(row[j] >= 0 && row[j] < INFINITY);
    positive |= row[j] > 0;
  }
  return bad | positive << 1;
}

void multinomial_kernel(const Tensor& out, const Tensor& probs, int64_t k, bool replacement, Generator& gen) {
  const int64_t rows = probs.shape()[0], n = probs.shape()[1];
  if (rows == 0 || k == 0) return;
  const int64_t per_row = replacement ? k : n;  // draws per row
  const uint64_t row_draws = static_cast<uint64_t>(per_row + per_row % 2);  // whole blocks per row
  const Draws draws = reserve(gen, static_cast<uint64_t>(rows) * row_draws);
  const double* p = probs.data<double>();
  int64_t* result = out.data<int64_t>();
  parallel_for(rows, std::max<int64_t>(1, kGrainDraws / std::max<int64_t>(per_row, 1)), [&](int64_t r0, int64_t r1) {
    std::vector<double> acc(static_cast<size_t>(replacement ? (n + kBlock - 1) / kBlock : 0));
    std::vector<double> keys(static_cast<size_t>(replacement ? 0 : n));
    std::vector<int64_t> order(static_cast<size_t>(replacement ? 0 : n));
    for (int64_t r = r0; r < r1; ++r) {
      const double* row = p + r * n;
      int64_t* dst = result + r * k;
      const uint64_t base = static_cast<uint64_t>(r) * row_draws;
      if (replacement) {  // inverse CDF: the first category whose running sum exceeds u * total
        // Running sums by blocks of kBlock weights (each summed in independent lanes), then within the block a
        // draw falls in: a running sum over the whole row waited on each add (1024 rows of 1000, one draw each:
        // 4.7 ms, PyTorch 1.0). A walk starts from the sum before its block, which is at most v, so a weight of
        // 0 is never picked; one that runs past the row's end by rounding takes the last positive weight.
        const int64_t blocks = (n + kBlock - 1) / kBlock;
        double total = 0;
        for (int64_t b = 0; b < blocks; ++b) {
          total += lane_sum(row + b * kBlock, std::min(kBlock, n - b * kBlock));
          acc[static_cast<size_t>(b)] = total;
        }
        int64_t last = n - 1;
        while (last > 0 && !(row[last] > 0)) --last;
        for (int64_t s = 0; s < k; ++s) {
          const double v = draws.u01(base + s) * total;
          const int64_t b = std::upper_bound(acc.begin(), acc.begin() + blocks, v) - acc.begin();
          int64_t j = b < blocks ? b * kBlock : n;
          for (double sum = b > 0 ? acc[static_cast<size_t>(b - 1)] : 0.0; j < n; ++j)
            if ((sum += row[j]) > v) break;
          dst[s] = j < n ? j : last;
        }
      } else {  // Efraimidis-Spirakis: the k largest log(u) / p, ties (zero weights) by index
        for (int64_t j = 0; j < n; ++j) {
          const double u = 1.0 - draws.u01(base + j);  // (0, 1]
          keys[j] = row[j] > 0 ? std::log(u) / row[j] : -INFINITY;
          order[j] = j;
        }
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t x, int64_t y) {
          return keys[x] > keys[y] || (keys[x] == keys[y] && x < y);
        });
        std::copy(order.begin(), order.begin() + k, dst);
      }
    }
  });
}

void trunc_normal_kernel(const Tensor& out, Generator& gen, double mean, double std, double a, double b) {
  const int64_t n = out.numel();
  if (n == 0) return;
  // Sample the standardized bounds' lower-tail side (mirrored when the interval lies mostly above the mean),
  // where the CDF is accurate.
  double lo = (a - mean) / std, hi = (b - mean) / std;
  const bool mirror = lo + hi > 0;
  if (mirror) {
    const double mlo = -hi, mhi = -lo;
    lo = mlo;
    hi = mhi;
  }
  const double cl = normal_cdf(lo), ch = normal_cdf(hi);
  const Draws draws = reserve(gen, static_cast<uint64_t>(n));
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      T* data = out.data<T>();
      parallel_for(n, kGrainDraws / 8, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) {
          double z = std == 0 ? 0.0 : normal_quantile(cl + (ch - cl) * draws.u01(i));
          z = std::min(std::max(z, lo), hi);
          const double x = mean + std * (mirror ? -z : z);
          data[i] = static_cast<T>(std::min(std::max(x, a), b));
        }
      });
    } else {
      fail(ErrorKind::Internal, "trunc_normal kernel: expected a floating dtype");
    }
  });
}

}  // namespace kiln::cpu
