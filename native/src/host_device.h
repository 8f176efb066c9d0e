// KILN_HOST_DEVICE marks small functions that both the CPU kernels and the CUDA kernels (src/cuda/) compile, so
// the two devices compute the same formulas in the same order and give the same bits.
#pragma once

#if defined(__CUDACC__)
#define KILN_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define KILN_HOST_DEVICE inline __attribute__((always_inline))
#endif
