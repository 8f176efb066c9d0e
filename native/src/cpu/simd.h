// Run-time ISA dispatch for hot loops: a KILN_SIMD function is compiled three times (AVX-512, AVX2,
// baseline x86-64) and the loader picks the best one the CPU supports. `flatten` inlines the templates
// it calls, so their loops are compiled for each ISA too. The library itself never uses -march=native.
//
// The loader's choice cannot be changed at run time, so a CPU runs only its best clone. To test the others
// on any machine, CMake's KILN_ISA builds the core with fewer of them (CI builds the tests once per level):
// KILN_ISA_X86_64_V3 keeps the AVX2 and baseline clones, KILN_ISA_X86_64 only the baseline; both also turn
// off the hand-written AVX-512 paths (avx512_supported()).
#pragma once

#include <atomic>
#include <type_traits>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#if defined(KILN_ISA_X86_64)
#define KILN_SIMD __attribute__((flatten))
#elif defined(KILN_ISA_X86_64_V3)
#define KILN_SIMD __attribute__((flatten, target_clones("arch=x86-64-v3", "default")))
#else
#define KILN_SIMD __attribute__((flatten, target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define KILN_ISA_AVX512 1  // hand-written AVX-512 paths may run (avx512_supported() decides)
#endif
#else
#define KILN_SIMD
#endif

#define KILN_ALWAYS_INLINE inline __attribute__((always_inline))
#define KILN_INLINE_LAMBDA __attribute__((always_inline))  // after a lambda's parameters

namespace kiln::cpu {

// Tests turn this off to run the portable paths on a CPU that has AVX-512 (the ISA clones of KILN_SIMD functions
// are chosen when the library loads and stay as they are).
inline std::atomic<bool>& avx512_allowed() {
  static std::atomic<bool> allowed{true};
  return allowed;
}

// The width in bytes of the vectors of the KILN_SIMD clone the loader picked: 64 (AVX-512), 32 (AVX2) or 16
// (SSE2, or another architecture). For loops whose register blocking depends on it: GCC's generic vectors wider
// than the CPU's are split into halves, and a block of them that fits AVX-512's 32 registers spills on AVX2.
inline int vector_bytes() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(KILN_ISA_X86_64)
#if defined(KILN_ISA_AVX512)
  static const int bytes = __builtin_cpu_supports("x86-64-v4") ? 64 : __builtin_cpu_supports("x86-64-v3") ? 32 : 16;
#else
  static const int bytes = __builtin_cpu_supports("x86-64-v3") ? 32 : 16;
#endif
  return bytes;
#else
  return 16;
#endif
}

// Calls fn(std::integral_constant<int, B>{}) with B = vector_bytes(), for kernels written once over vectors of
// B bytes (wide.h): each clone then runs the instance that matches its registers. fn must be a lambda marked
// KILN_INLINE_LAMBDA: one left out of line is compiled once, for the baseline ISA, whichever clone calls it.
template <class Fn>
KILN_ALWAYS_INLINE decltype(auto) with_vector_bytes(Fn&& fn) {
  switch (vector_bytes()) {
    case 64: return fn(std::integral_constant<int, 64>{});
    case 32: return fn(std::integral_constant<int, 32>{});
    default: return fn(std::integral_constant<int, 16>{});
  }
}

// Whether code written with AVX-512 intrinsics may run: the CPU has it, the build keeps it, no test turned it off.
inline bool avx512_supported() {
#if defined(KILN_ISA_AVX512)
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes && avx512_allowed().load(std::memory_order_relaxed);
#else
  return false;
#endif
}

}  // namespace kiln::cpu
