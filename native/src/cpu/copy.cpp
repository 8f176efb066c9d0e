// Copies with dtype conversion, fills, and where(cond, a, b): the kernels that handle every storage dtype.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>
#include <limits>
#include <type_traits>

#include "cpu/convert.h"
#include "cpu/dispatch.h"
#include "cpu/float32_chunks.h"
#include "cpu/half_avx512.h"
#include "cpu/kernels.h"
#include "cpu/loop.h"
#include "cpu/simd.h"
#include "cpu/transpose.h"

namespace kiln::cpu {
namespace {

template <class To, class From>
KILN_ALWAYS_INLINE void convert_contiguous_t(void* dst, const void* src, int64_t n) {
  To* d = static_cast<To*>(dst);
  const From* s = static_cast<const From*>(src);
  for (int64_t i = 0; i < n; ++i) d[i] = convert<To>(s[i]);
}

// Same-dtype contiguous runs. StridedLoop::run hands a large copy over in prefetched blocks of 1 KB (loop.h), and
// glibc's memcpy on blocks that small (its backward loop, and the call) ran at 40% of this loop's speed: clone of
// a 25.7 MB tensor 2.5 -> 1.0 ms on a Zen 4, as fast as neg. GCC turns a plain copy loop back into a call to
// memcpy (loop distribution), hence the attribute. The words may lie at any byte (a narrowed float16 tensor) and
// are float, int, ... storage: aligned(1) and may_alias.
typedef uint64_t AliasedWord __attribute__((may_alias, aligned(1)));

__attribute__((optimize("no-tree-loop-distribute-patterns"))) KILN_SIMD void copy_bytes(char* dst, const char* src,
                                                                                       int64_t bytes) {
  const int64_t words = bytes / 8;
  AliasedWord* d = reinterpret_cast<AliasedWord*>(dst);
  const AliasedWord* s = reinterpret_cast<const AliasedWord*>(src);
  for (int64_t i = 0; i < words; ++i) d[i] = s[i];
  for (int64_t i = words * 8; i < bytes; ++i) dst[i] = src[i];
}

// Same-dtype runs read backwards (flip along the inner dim): element i of dst from element -i of src, as words of
// the element's width, which GCC reverses with vector permutes; the strided conversion took them one at a time.
typedef uint32_t AliasedWord32 __attribute__((may_alias, aligned(1)));
typedef uint16_t AliasedWord16 __attribute__((may_alias, aligned(1)));

template <class Word>
KILN_ALWAYS_INLINE void copy_reversed_t(char* dst, const char* src, int64_t n) {
  Word* d = reinterpret_cast<Word*>(dst);
  const Word* s = reinterpret_cast<const Word*>(src);
  for (int64_t i = 0; i < n; ++i) d[i] = s[-i];
}

KILN_SIMD void copy_reversed(char* dst, const char* src, int64_t n, int64_t size) {
  switch (size) {
    case 1: return copy_reversed_t<char>(dst, src, n);
    case 2: return copy_reversed_t<AliasedWord16>(dst, src, n);
    case 4: return copy_reversed_t<AliasedWord32>(dst, src, n);
    default: return copy_reversed_t<AliasedWord>(dst, src, n);
  }
}

KILN_SIMD void convert_contiguous(DType to, DType from, void* dst, const void* src, int64_t n) {
  dispatch_all(to, [&](auto to_tag) {
    using To = decltype(to_tag);
    dispatch_all(from, [&](auto from_tag) { convert_contiguous_t<To, decltype(from_tag)>(dst, src, n); });
  });
}

// Contiguous runs of where, as bits of the element's width; either value operand may be one element broadcast over
// the run (a scalar zero, as in relu's backward and masked_fill). A mask of the condition blends the two: GCC turns
// `c ? x[i] : y[i]` back into a load through a selected pointer, which it does not vectorise.
template <class T, bool kScalarA, bool kScalarB>
KILN_ALWAYS_INLINE void where_contiguous_t(void* out, const bool* c, const void* a, const void* b, int64_t n) {
  using U = std::conditional_t<sizeof(T) == 1, uint8_t,
                               std::conditional_t<sizeof(T) == 2, uint16_t,
                                                  std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
  static_assert(sizeof(U) == sizeof(T));
  U* o = static_cast<U*>(out);  // may be b itself (masked_fill_): no __restrict
  const U* x = static_cast<const U*>(a);
  const U* y = static_cast<const U*>(b);
  // A broadcast value is read once, before the loop, and ivdep says o overlaps no other element: without both,
  // GCC kept the loop scalar when one side was broadcast, 7x slower (relu's backward: where(out <= 0, 0, grad)).
  const uint8_t* m = reinterpret_cast<const uint8_t*>(c);  // GCC does not vectorise a bool widened to U
  const U xs = kScalarA ? x[0] : U(0), ys = kScalarB ? y[0] : U(0);
  // o is either b itself or apart from every operand: element i reads and writes nothing another i touches.
#pragma GCC ivdep
  for (int64_t i = 0; i < n; ++i) {
    const U mask = U(U(0) - U(m[i]));  // all ones where c[i]
    o[i] = U(((kScalarA ? xs : x[i]) & mask) | ((kScalarB ? ys : y[i]) & U(~mask)));
  }
}

KILN_SIMD void where_contiguous(DType t, void* out, const bool* c, const void* a, bool a_scalar, const void* b,
                                bool b_scalar, int64_t n) {
  dispatch_all(t, [&](auto tag) {
    using T = decltype(tag);
    if (a_scalar && b_scalar) where_contiguous_t<T, true, true>(out, c, a, b, n);
    else if (a_scalar) where_contiguous_t<T, true, false>(out, c, a, b, n);
    else if (b_scalar) where_contiguous_t<T, false, true>(out, c, a, b, n);
    else where_contiguous_t<T, false, false>(out, c, a, b, n);
  });
}

// dst[i + j * dst_ld] = src[i * src_ld + j] for i < na, j < nb, in square tiles: both sides of a tile stay in L1,
// where element by element the strided side touched a new line (and often a new page) for every element.
template <class U>
void transpose_tiles(U* dst, int64_t dst_ld, const U* src, int64_t src_ld, int64_t i0, int64_t i1, int64_t nb) {
  constexpr int64_t kTile = 32;
  for (int64_t j0 = 0; j0 < nb; j0 += kTile)
    for (int64_t j = j0; j < std::min(nb, j0 + kTile); ++j)
      for (int64_t i = i0; i < i1; ++i) dst[i + j * dst_ld] = src[i * src_ld + j];
}

// A same-dtype copy whose two sides are contiguous along different dims (t(x).contiguous(), permutes between
// NCHW and NHWC): every 2-D slice over those dims is copied in tiles. Returns false for any other layout.
// 4096 x 4096 float32 transposed: 93 -> 16.7 ms on one thread, 47 -> 8.6 ms on two (PyTorch 1.13: 25 ms on two);
// 4-byte elements then went through vector registers (transpose.h): NCHW -> NHWC of 32 x 64 x 56 x 56, forward
// and backward, 2.2 -> 1.17 ms (PyTorch 1.33).
bool transpose_copy(const Tensor& dst, const Tensor& src) {
  const int64_t nd = dst.dim();
  if (nd < 2 || src.dim() != nd || src.shape() != dst.shape() || dst.may_overlap(src)) return false;
  // Dims that are one run in both tensors merge (H and W of NCHW -> NHWC), so that the tiles run along the whole
  // plane: with W alone as the unit-stride dim, every band read 64 channel rows a few lines at a time, more streams
  // than the prefetchers follow.
  std::vector<int64_t> shape, dst_st, src_st;  // innermost first
  for (int64_t d = nd - 1; d >= 0; --d) {
    const int64_t n = dst.shape()[d];
    if (n == 1) continue;
    if (!shape.empty() && dst.strides()[d] == dst_st.back() * shape.back() &&
        src.strides()[d] == src_st.back() * shape.back()) {
      shape.back() *= n;
      continue;
    }
    shape.push_back(n);
    dst_st.push_back(dst.strides()[d]);
    src_st.push_back(src.strides()[d]);
  }
  const int64_t m = static_cast<int64_t>(shape.size());
  int64_t a = -1, b = -1;  // dst's and src's unit-stride dims
  for (int64_t d = 0; d < m; ++d) {
    if (shape[d] < 16) continue;
    if (dst_st[d] == 1) a = d;
    if (src_st[d] == 1) b = d;
  }
  if (a < 0 || b < 0 || a == b) return false;
  std::vector<int64_t> sizes, dst_outer, src_outer;  // the other dims, outermost first
  for (int64_t d = m - 1; d >= 0; --d)
    if (d != a && d != b) {
      sizes.push_back(shape[d]);
      dst_outer.push_back(dst_st[d]);
      src_outer.push_back(src_st[d]);
    }
  int64_t outer = 1;
  for (int64_t s : sizes) outer *= s;
  // Each item copies a band of rows (src's lines along a) into dst. Long rows go by bands of 32 rows, walked
  // row block by row block: 32 read streams, one strided write stream. Short rows (nb < 128: NHWC -> NCHW, whose
  // rows are the channels of one pixel) go by bands of 1024 rows walked 16 columns at a time, so that the writes
  // run down 16 lines of dst (not one line in each of nb) and the band's rows (at most 512 KB) stay in L2 between
  // strips. NHWC -> NCHW of 32 x 64 x 56 x 56: 1.9 -> 1.45 ms.
  const int64_t na = shape[a], nb = shape[b];
  const bool strips = nb < 128;
  const int64_t band = strips ? 1024 : 32, bands = (na + band - 1) / band, strip = strips ? 16 : nb;
  const int64_t dst_ld = dst_st[b], src_ld = src_st[a];
  const int64_t esize = static_cast<int64_t>(dst.element_size());
  char* const dbase = static_cast<char*>(dst.raw_data());
  const char* const sbase = static_cast<const char*>(src.raw_data());
  const bool stream = esize == 4 && stream_output(dst.numel() * esize);
  parallel_for(outer * bands, std::max<int64_t>(1, kGrainCheap / (band * nb)), [&](int64_t begin, int64_t end) {
    for (int64_t item = begin; item < end; ++item) {
      int64_t rest = item / bands, doff = 0, soff = 0;
      for (int64_t k = static_cast<int64_t>(sizes.size()) - 1; k >= 0; --k) {
        doff += rest % sizes[k] * dst_outer[k];
        soff += rest % sizes[k] * src_outer[k];
        rest /= sizes[k];
      }
      const int64_t i0 = item % bands * band, i1 = std::min(na, i0 + band);
      char* d = dbase + doff * esize;
      const char* s = sbase + soff * esize;
      switch (esize) {
        case 1: transpose_tiles(reinterpret_cast<uint8_t*>(d), dst_ld, reinterpret_cast<const uint8_t*>(s), src_ld, i0, i1, nb); break;
        case 2: transpose_tiles(reinterpret_cast<uint16_t*>(d), dst_ld, reinterpret_cast<const uint16_t*>(s), src_ld, i0, i1, nb); break;
        case 4:  // in vector registers (shuffles move bits: any 4-byte dtype, NaN payloads kept)
          for (int64_t j0 = 0; j0 < nb; j0 += strip)
            transpose_block(reinterpret_cast<const float*>(s) + i0 * src_ld + j0, src_ld, i1 - i0, i1 - i0,
                            std::min(strip, nb - j0), reinterpret_cast<float*>(d) + j0 * dst_ld + i0, dst_ld, stream);
          break;
        default: transpose_tiles(reinterpret_cast<uint64_t*>(d), dst_ld, reinterpret_cast<const uint64_t*>(s), src_ld, i0, i1, nb); break;
      }
    }
    if (stream) stream_fence();
  });
  return true;
}

}  // namespace

void convert_run(DType to, DType from, char* dst, int64_t dst_stride, const char* src, int64_t src_stride, int64_t n) {
  if (dst_stride == static_cast<int64_t>(dtype_size(to)) && src_stride == static_cast<int64_t>(dtype_size(from))) {
    if (to == DType::Float32 && from == DType::Float16 &&
        half_to_float_avx512(reinterpret_cast<float*>(dst), reinterpret_cast<const uint16_t*>(src), n))
      return;
    if (to == DType::Float16 && from == DType::Float32 &&
        float_to_half_avx512(reinterpret_cast<uint16_t*>(dst), reinterpret_cast<const float*>(src), n))
      return;
    return convert_contiguous(to, from, dst, src, n);
  }
  dispatch_all(to, [&](auto to_tag) {
    using To = decltype(to_tag);
    dispatch_all(from, [&](auto from_tag) {
      using From = decltype(from_tag);
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<To*>(dst + i * dst_stride) = convert<To>(*reinterpret_cast<const From*>(src + i * src_stride));
    });
  });
}

void copy_kernel(const Tensor& dst, const Tensor& src) {
  if (dst.dtype() == src.dtype() && dst.element_size() <= 8 && transpose_copy(dst, src)) return;
  StridedLoop<2> loop({&dst, &src});
  const DType to = dst.dtype(), from = src.dtype();
  const int64_t ds = static_cast<int64_t>(dst.element_size()), ss = static_cast<int64_t>(src.element_size());
  loop.run(
      [&](char** p, const int64_t* s, int64_t n) {
        if (to == from && s[0] == ds && s[1] == ss) return copy_bytes(p[0], p[1], n * ds);
        if (to == from && s[0] == ds && s[1] == -ss && ds <= 8) return copy_reversed(p[0], p[1], n, ds);
        convert_run(to, from, p[0], s[0], p[1], s[1], n);
      },
      kGrainCheap);
}

void fill_kernel(const Tensor& dst, Scalar value) {
  StridedLoop<1> loop({&dst});
  dispatch_all(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = scalar_as<T>(value);
    loop.run_write_only(
        [&](char** p, const int64_t* s, int64_t n) {
          if (s[0] == sizeof(T)) {
            T* d = reinterpret_cast<T*>(p[0]);
            std::fill(d, d + n, v);
          } else {
            for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
          }
        },
        kGrainCheap);
  });
}

void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  StridedLoop<4> loop({&out, &cond, &a, &b});
  const DType t = out.dtype();
  dispatch_all(t, [&](auto tag) {
    using T = decltype(tag);
    loop.run_write_only(
        [&](char** p, const int64_t* s, int64_t n) {
          const bool dense_or_scalar = (s[2] == sizeof(T) || s[2] == 0) && (s[3] == sizeof(T) || s[3] == 0);
          if (s[0] == sizeof(T) && s[1] == 1 && dense_or_scalar)
            return where_contiguous(t, p[0], reinterpret_cast<const bool*>(p[1]), p[2], s[2] == 0, p[3], s[3] == 0, n);
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const bool*>(p[1] + i * s[1])
                                                         ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                         : *reinterpret_cast<const T*>(p[3] + i * s[3]);
        },
        kGrainCheap);
  });
}

Tensor dense_input(const Tensor& in, const Tensor& out) {
  constexpr int64_t kFromElements = int64_t(1) << 16;
  if (!out.is_contiguous() || in.numel() < kFromElements || in.is_contiguous()) return in;
  int64_t inner = -1;
  for (int64_t d = in.dim() - 1; d >= 0; --d) {
    if (in.shape()[d] == 1) continue;
    if (in.strides()[d] == 0) return in;  // broadcast: read again from cache
    if (inner < 0) inner = d;
  }
  if (inner < 0 || in.strides()[inner] == 1) return in;  // runs along the inner dim already
  Tensor dense = Tensor::empty(in.shape(), in.dtype(), in.device());
  copy_kernel(dense, in);
  return dense;
}

}  // namespace kiln::cpu
