// Elementwise kernels over float16 and bfloat16 storage, computed in float32 a chunk at a time. PyTorch computes
// these dtypes in float32 and rounds each result once; so did the op layer, by converting whole tensors to
// float32 and the result back: float16 a + b on 16M elements moved ~480 MB for the 96 MB it reads and writes
// (14 ms on a Zen 4). Here each run of a StridedLoop is cut into chunks that stay in L1: the 16-bit inputs are
// widened into float32 buffers, the float32 kernel runs on those, and its results are rounded into the output,
// with the same bits as before (3.3 ms, with the AVX-512 conversions of half_avx512.h).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "cpu/loop.h"
#include "kiln/dtype.h"

namespace kiln::cpu {

// dst[i * dst_stride] = src[i * src_stride] converted, for i < n (byte strides, any storage dtypes; copy.cpp).
void convert_run(DType to, DType from, char* dst, int64_t dst_stride, const char* src, int64_t src_stride, int64_t n);

inline bool is_16bit_float(DType t) { return t == DType::Float16 || t == DType::BFloat16; }

// Elements per chunk: three float32 buffers of 2 KB.
constexpr int64_t kFloat32Chunk = 512;

// Runs kernel(out, in, scalar, m) over a run of N operands (p, s: StridedLoop's pointers and byte strides;
// operand 0 the output), one chunk of m <= kFloat32Chunk elements at a time. dtypes[k] is operand k's storage
// dtype; the inputs reach the kernel as float32 (in[k - 1]: m values, or one when scalar[k - 1], a broadcast
// operand, widened once), and the kernel writes m values of out_dtype (float32, or bool for comparisons) to out,
// which are then converted into operand 0, or written there in place when it has that dtype and is dense. Where
// every input is broadcast along the run, the kernel computes one value (m = 1), copied over the chunk.
template <int N, class Kernel>
void in_float32_chunks(const DType* dtypes, DType out_dtype, char* const* p, const int64_t* s, int64_t n,
                       Kernel&& kernel) {
  alignas(64) float widened[N - 1][kFloat32Chunk];
  alignas(64) float result[kFloat32Chunk];
  const int64_t out_size = static_cast<int64_t>(dtype_size(out_dtype));
  for (int64_t i = 0; i < n; i += kFloat32Chunk) {
    const int64_t m = std::min(kFloat32Chunk, n - i);
    const float* in[N - 1];
    bool scalar[N - 1];
    for (int k = 1; k < N; ++k) {
      scalar[k - 1] = s[k] == 0;
      const char* src = p[k] + i * s[k];
      if (dtypes[k] == DType::Float32 && (s[k] == 0 || s[k] == 4)) {
        in[k - 1] = reinterpret_cast<const float*>(src);
      } else {
        convert_run(DType::Float32, dtypes[k], reinterpret_cast<char*>(widened[k - 1]), 4, src, s[k],
                    scalar[k - 1] ? 1 : m);
        in[k - 1] = widened[k - 1];
      }
    }
    char* const dst = p[0] + i * s[0];
    const bool direct = dtypes[0] == out_dtype && s[0] == out_size;
    char* const out = direct ? dst : reinterpret_cast<char*>(result);
    if (std::all_of(scalar, scalar + N - 1, [](bool b) { return b; })) {  // one value along the run
      kernel(out, in, scalar, 1);
      for (int64_t j = 1; j < m; ++j) std::memcpy(out + j * out_size, out, out_size);
    } else {
      kernel(out, in, scalar, m);
    }
    if (!direct) convert_run(dtypes[0], out_dtype, dst, s[0], reinterpret_cast<const char*>(result), out_size, m);
  }
}

// out = f(in) where out is float16 or bfloat16 (in: the same dtype, or float32): contiguous(float* out,
// const float* in, m) computes f over a chunk in float32. A broadcast input computes one value per chunk.
template <class Contiguous>
void unary_in_float32(const Tensor& out, const Tensor& in, int64_t grain, Contiguous&& contiguous) {
  StridedLoop<2> loop({&out, &in});
  const DType dtypes[2] = {out.dtype(), in.dtype()};
  loop.run_write_only(
      [&](char** p, const int64_t* s, int64_t n) {
        in_float32_chunks<2>(dtypes, DType::Float32, p, s, n, [&](void* o, const float* const* x, const bool*, int64_t m) {
          contiguous(static_cast<float*>(o), x[0], m);
        });
      },
      grain);
}

// out = f(a, b) where an operand is float16 or bfloat16 (others float32): run(out, a, b, a_scalar, b_scalar, m)
// computes f over a chunk in float32 into out_dtype (float32, or bool for comparisons), at most one of a and b
// broadcast (one value).
template <class Run>
void binary_in_float32(const Tensor& out, const Tensor& a, const Tensor& b, DType out_dtype, int64_t grain, Run&& run) {
  StridedLoop<3> loop({&out, &a, &b});
  const DType dtypes[3] = {out.dtype(), a.dtype(), b.dtype()};
  loop.run_write_only(
      [&](char** p, const int64_t* s, int64_t n) {
        in_float32_chunks<3>(dtypes, out_dtype, p, s, n, [&](void* o, const float* const* x, const bool* scalar, int64_t m) {
          run(o, x[0], x[1], scalar[0], scalar[1], m);
        });
      },
      grain);
}

}  // namespace kiln::cpu
