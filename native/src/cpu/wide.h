// 64 bytes of lanes (16 floats, 8 doubles) held as vectors of the running ISA clone's width: one AVX-512 vector,
// two AVX2 ones or four SSE2 ones. Kernels that keep 64-byte lanes so that every clone computes the same bits
// (norm_rows.h) use this in place of a 64-byte GCC vector: GCC 12 lowers one of those on AVX2 into halves it
// keeps on the stack, and each add then waits for the stores before it (layer norm ran 4-5x slower than on
// AVX-512 instead of 2x). Kernels pick B with with_vector_bytes() (simd.h).
#pragma once
#include <cstdint>

#include "cpu/simd.h"

// The helpers pass these by value; they are always inlined, so the ABI note GCC gives for that does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace kiln::cpu {

template <class T, int B>
struct Wide {
  typedef T part __attribute__((vector_size(B)));
  typedef T part_at __attribute__((vector_size(B), aligned(sizeof(T)), may_alias));  // at any element's address
  static constexpr int kParts = 64 / B;
  static constexpr int64_t kLanes = 64 / sizeof(T), kPartLanes = B / sizeof(T);
  part p[kParts];

  KILN_ALWAYS_INLINE static Wide load(const T* x) {
    Wide w;
    for (int i = 0; i < kParts; ++i) w.p[i] = *reinterpret_cast<const part_at*>(x + i * kPartLanes);
    return w;
  }
  KILN_ALWAYS_INLINE void store(T* x) const {
    for (int i = 0; i < kParts; ++i) *reinterpret_cast<part_at*>(x + i * kPartLanes) = p[i];
  }
  KILN_ALWAYS_INLINE static Wide splat(T v) {
    Wide w;
    for (int i = 0; i < kParts; ++i) w.p[i] = part{} + v;
    return w;
  }
  KILN_ALWAYS_INLINE T lane(int64_t j) const { return p[j / kPartLanes][j % kPartLanes]; }

  KILN_ALWAYS_INLINE Wide& operator+=(const Wide& o) {
    for (int i = 0; i < kParts; ++i) p[i] += o.p[i];
    return *this;
  }
  KILN_ALWAYS_INLINE friend Wide operator+(Wide a, const Wide& b) { return a += b; }
  KILN_ALWAYS_INLINE friend Wide operator-(Wide a, const Wide& b) {
    for (int i = 0; i < kParts; ++i) a.p[i] -= b.p[i];
    return a;
  }
  KILN_ALWAYS_INLINE friend Wide operator*(Wide a, const Wide& b) {
    for (int i = 0; i < kParts; ++i) a.p[i] *= b.p[i];
    return a;
  }
};

}  // namespace kiln::cpu
