// Run-time ISA dispatch for hot loops: a KILN_SIMD function is compiled three times (AVX-512, AVX2,
// baseline x86-64) and the loader picks the best one the CPU supports. `flatten` inlines the templates
// it calls, so their loops are compiled for each ISA too. The library itself never uses -march=native.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KILN_SIMD __attribute__((flatten, target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define KILN_SIMD
#endif

#define KILN_ALWAYS_INLINE inline __attribute__((always_inline))
