// Random fills and arange. Element i of a fill always comes from the same Philox block, so the numbers
// are the same whatever the number of threads.
#include <algorithm>
#include <cmath>

#include "cpu/dispatch.h"
#include "cpu/kernels.h"
#include "cpu/loop.h"
#include "cpu/simd.h"
#include "cpu/vec_trig.h"

namespace kiln::cpu {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

inline float u01_float(uint32_t x) { return static_cast<float>(x >> 8) * (1.0f / 16777216.0f); }
inline double u01_double(uint32_t hi, uint32_t lo) {
  return static_cast<double>(((static_cast<uint64_t>(hi) << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
}

// Box-Muller on (0, 1] x [0, 1).
inline void box_muller(double u1, double u2, double* z0, double* z1) {
  const double r = std::sqrt(-2.0 * std::log(u1));
  *z0 = r * std::cos(kTwoPi * u2);
  *z1 = r * std::sin(kTwoPi * u2);
}

// Writes the values of one Philox block; returns how many it makes. (float32 normals: normal_f32 below.)
template <class T>
int block_values(RandomOp op, const PhiloxBlock& blk, double a, double b, T* v) {
  if constexpr (std::is_same_v<T, float>) {
    for (int i = 0; i < 4; ++i) {
      float r = static_cast<float>(a + (b - a) * u01_float(blk.v[i]));
      v[i] = r < static_cast<float>(b) ? r : static_cast<float>(a);  // rounding must not reach b
    }
    return 4;
  } else {
    const double u0 = u01_double(blk.v[0], blk.v[1]), u1 = u01_double(blk.v[2], blk.v[3]);
    if (op == RandomOp::Uniform) {
      for (int i = 0; i < 2; ++i) {
        double r = a + (b - a) * (i == 0 ? u0 : u1);
        v[i] = r < b ? r : a;
      }
    } else {
      double z0, z1;
      box_muller(1.0 - u0, u1, &z0, &z1);
      v[0] = a + b * z0;
      v[1] = a + b * z1;
    }
    return 2;
  }
}

// float32 normals by Box-Muller from the words of pairs (first[k], second[k]) -> (z0[k], z1[k]), as
// block_values pairs words (0, 1) and (2, 3) of a block, but in float through the vectorizable log, cos and sin
// of vec_math.h and vec_trig.h (about 1 ulp), compiled per ISA: through libm in double, randn of 16M float32
// took 127 ms on two threads (PyTorch 1.13: 56).
KILN_SIMD void normal_f32(const uint32_t* first, const uint32_t* second, int64_t pairs, float mean, float std,
                          float* z0, float* z1) {
  constexpr float kTwoPiF = static_cast<float>(kTwoPi);
  for (int64_t k = 0; k < pairs; ++k) {
    const float u1 = 1.0f - u01_float(first[k]), u2 = u01_float(second[k]);  // (0, 1] x [0, 1)
    const float r = std::sqrt(-2.0f * vm::log(u1)), t = kTwoPiF * u2;
    z0[k] = mean + std * (r * vm::cos(t));
    z1[k] = mean + std * (r * vm::sin(t));
  }
}

// data[0, n) of a float32 normal fill, element i from block i / 4 past the reservation's counter (words 2j and
// 2j + 1 give elements 2j and 2j + 1), in runs of kRun blocks.
void normal_fill_f32(float* data, int64_t n, const Generator::Reservation& r, float mean, float std) {
  constexpr int64_t kRun = 64;
  const int64_t blocks = (n + 3) / 4;
  parallel_for((blocks + kRun - 1) / kRun, std::max<int64_t>(1, kGrainCostly / (4 * kRun)), [&](int64_t c0, int64_t c1) {
    uint32_t first[2 * kRun], second[2 * kRun];
    float z0[2 * kRun], z1[2 * kRun];
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t b0 = c * kRun, nb = std::min(kRun, blocks - b0);
      for (int64_t j = 0; j < nb; ++j) {
        const PhiloxBlock blk = philox(r.seed, r.counter + static_cast<uint64_t>(b0 + j));
        first[2 * j] = blk.v[0];
        second[2 * j] = blk.v[1];
        first[2 * j + 1] = blk.v[2];
        second[2 * j + 1] = blk.v[3];
      }
      normal_f32(first, second, 2 * nb, mean, std, z0, z1);
      float* out = data + 4 * b0;
      const int64_t m = std::min(4 * nb, n - 4 * b0);
      for (int64_t i = 0; i < m; ++i) out[i] = i % 2 == 0 ? z0[i / 2] : z1[i / 2];
    }
  });
}

}  // namespace

void random_kernel(RandomOp op, const Tensor& out, Generator& gen, double a, double b) {
  const int64_t n = out.numel();
  if (n == 0) return;
  auto fill = [&](auto* data, int per_block) {
    using T = std::remove_pointer_t<decltype(data)>;
    const int64_t blocks = (n + per_block - 1) / per_block;
    const Generator::Reservation r = gen.reserve(static_cast<uint64_t>(blocks));
    parallel_for(blocks, kGrainCostly / per_block, [&](int64_t b0, int64_t b1) {
      T vals[4];
      for (int64_t blk = b0; blk < b1; ++blk) {
        int made = block_values<T>(op, philox(r.seed, r.counter + static_cast<uint64_t>(blk)), a, b, vals);
        for (int i = 0; i < made && blk * per_block + i < n; ++i) data[blk * per_block + i] = vals[i];
      }
    });
  };
  switch (out.dtype()) {
    case DType::Float32:
      if (op == RandomOp::Normal) {
        const Generator::Reservation r = gen.reserve(static_cast<uint64_t>((n + 3) / 4));
        return normal_fill_f32(out.data<float>(), n, r, static_cast<float>(a), static_cast<float>(b));
      }
      return fill(out.data<float>(), 4);
    case DType::Float64: return fill(out.data<double>(), 2);
    default: fail(ErrorKind::DType, "random: expected a floating dtype, got ", dtype_name(out.dtype()));
  }
}

void arange_kernel(const Tensor& out, double start, double step) {
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* d = out.data<T>();
    const int64_t n = out.numel();
    if constexpr (std::is_same_v<T, int64_t>) {
      const int64_t s0 = static_cast<int64_t>(start), st = static_cast<int64_t>(step);
      for (int64_t i = 0; i < n; ++i) d[i] = s0 + i * st;
    } else {
      for (int64_t i = 0; i < n; ++i) d[i] = static_cast<T>(start + static_cast<double>(i) * step);
    }
  });
}

}  // namespace kiln::cpu
