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

namespace kiln::cpu {

// Tests turn this off to run the portable paths on a CPU that has AVX-512 (the ISA clones of KILN_SIMD functions
// are chosen when the library loads and stay as they are).
inline std::atomic<bool>& avx512_allowed() {
  static std::atomic<bool> allowed{true};
  return allowed;
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
