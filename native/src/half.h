// float16 and bfloat16: their storage types and the conversions to and from float, bit-exact with PyTorch's
// (c10::Half, c10::BFloat16): float -> 16 bits rounds to nearest even, overflows to infinity, keeps NaN a
// NaN (a quiet one) and makes float16 subnormals; 16 bits -> float is exact. Other types convert through
// float, as PyTorch does (a double rounds to float first). Branch-free, so conversion loops vectorize.
#pragma once
#include <cstdint>
#include <cstring>

#include "host_device.h"  // the conversions are also compiled into CUDA kernels: a GPU converts as the CPU

namespace kiln {

struct Half {
  uint16_t bits;
};
struct BFloat16 {
  uint16_t bits;
};

namespace half_detail {

KILN_HOST_DEVICE uint32_t bits_of(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
#endif
}
KILN_HOST_DEVICE float float_of(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
#endif
}

}  // namespace half_detail

// After F. Giesen's float_to_half_fast3_rtne: normal results round by adding a bias to the bits; subnormal
// ones by one float addition that aligns the 10 mantissa bits at the bottom (the FPU rounds to even).
KILN_HOST_DEVICE uint16_t float_to_half_bits(float f) {
  using namespace half_detail;
  const uint32_t u = bits_of(f);
  const uint32_t sign = u & 0x80000000u;
  const uint32_t a = u ^ sign;
  const uint32_t special = a > 0x7f800000u ? 0x7e00u : 0x7c00u;              // NaN -> quiet NaN, too big -> inf
  const uint32_t denorm_magic = ((127 - 15) + (23 - 10) + 1) << 23;          // 0.5
  const uint32_t sub = bits_of(float_of(a) + float_of(denorm_magic)) - denorm_magic;
  const uint32_t odd = (a >> 13) & 1u;
  const uint32_t normal = (a + (static_cast<uint32_t>(15 - 127) << 23) + 0xfffu + odd) >> 13;
  const uint32_t mag = a >= 0x47800000u ? special : (a < (113u << 23) ? sub : normal);
  return static_cast<uint16_t>(mag | (sign >> 16));
}

KILN_HOST_DEVICE float half_bits_to_float(uint16_t h) {
  using namespace half_detail;
  const uint32_t shifted_exp = 0x7c00u << 13;
  const uint32_t m = static_cast<uint32_t>(h & 0x7fffu) << 13;
  const uint32_t exp = m & shifted_exp;
  const uint32_t o = m + ((127 - 15) << 23);
  const uint32_t inf_nan = o + ((128 - 16) << 23);
  // Zero and subnormals: renormalise with one float subtraction (exact).
  const uint32_t sub = bits_of(float_of(o + (1u << 23)) - float_of(113u << 23));
  const uint32_t mag = exp == shifted_exp ? inf_nan : (exp == 0 ? sub : o);
  return float_of(mag | (static_cast<uint32_t>(h & 0x8000u) << 16));
}

// c10::BFloat16's round_to_nearest_even; NaN becomes the quiet NaN 0x7fc0.
KILN_HOST_DEVICE uint16_t float_to_bfloat16_bits(float f) {
  const uint32_t u = half_detail::bits_of(f);
  const uint32_t rounded = (u + (((u >> 16) & 1u) + 0x7fffu)) >> 16;
  return static_cast<uint16_t>(f != f ? 0x7fc0u : rounded);
}

KILN_HOST_DEVICE float bfloat16_bits_to_float(uint16_t b) {
  return half_detail::float_of(static_cast<uint32_t>(b) << 16);
}

KILN_HOST_DEVICE Half to_half(float f) { return Half{float_to_half_bits(f)}; }
KILN_HOST_DEVICE BFloat16 to_bfloat16(float f) { return BFloat16{float_to_bfloat16_bits(f)}; }
KILN_HOST_DEVICE float to_float(Half h) { return half_bits_to_float(h.bits); }
KILN_HOST_DEVICE float to_float(BFloat16 b) { return bfloat16_bits_to_float(b.bits); }

}  // namespace kiln
