// The float32 convolution weight gradient on AVX-512, without BLAS: for each sample, dW^T[r, m] += sum over output
// positions q of patch_r[q] * dY^T[q, m] (r: an input channel and kernel offset; m: an output channel). Each
// tile keeps 6 to 12 rows r by 16 to 64 columns m in registers while q runs: dY^T's row for q is loaded once for
// all the tile's rows, each patch value broadcast once for all its columns. OpenBLAS ran these shapes (a few dozen
// output channels against hundreds of patch rows) at ~150 GFLOP/s per core, packing both operands for every
// sample; this loop packs only dY (the smaller one, by 16 x 16 in-register transposes).
//
// With stride 1 the patch rows are windows of one zero-padded copy of the sample, so no im2col is written: within
// an output row, row r's values are the copy's from a fixed offset on (a segment); otherwise they are im2col's
// columns, one segment. Each element sums its products in position order by fused multiply-adds. Samples are
// taken in fixed blocks whose partial sums are merged in order, as in conv.cpp: results do not depend on the
// thread count.
#include <algorithm>
#include <cstring>
#include <vector>

#include "cpu/claim_loop.h"
#include "cpu/conv.h"
#include "cpu/padded_feed.h"
#include "cpu/simd.h"
#include "cpu/transpose16.h"

namespace kiln::cpu {

#ifdef KILN_HAS_AVX512
// GCC 12's shuffle intrinsics start from a self-initialised "undefined" vector, which -Wmaybe-uninitialized flags.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
namespace {

constexpr int64_t kBlock = 4;  // samples per partial sum, as conv.cpp's kWeightBlock

// c[r][16 * j + i] += sum over the segments' positions q of rows[r][q] * g[q][16 * j + i] for r < NR, j < MV (c's
// rows ldc apart, g's rows ldg apart).
template <int MV, int NR>
KILN_AVX512 void tile(const float* base, const int64_t* offsets, const Segment* segments, int64_t count,
                      const float* g, int64_t ldg, float* c, int64_t ldc) {
  __m512 acc[NR][MV];
#pragma GCC unroll 16
  for (int r = 0; r < NR; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < MV; ++j) acc[r][j] = _mm512_loadu_ps(c + r * ldc + 16 * j);
  for (const Segment* s = segments; s < segments + count; ++s) {
    const float* b[NR];
#pragma GCC unroll 16
    for (int r = 0; r < NR; ++r) b[r] = base + offsets[r] + s->offset;
    const float* gq = g + s->first * ldg;
    for (int64_t q = 0; q < s->width; ++q, gq += ldg) {
      __m512 a[MV];
#pragma GCC unroll 4
      for (int j = 0; j < MV; ++j) a[j] = _mm512_loadu_ps(gq + 16 * j);
#pragma GCC unroll 16
      for (int r = 0; r < NR; ++r) {
        const __m512 x = _mm512_set1_ps(b[r][q]);
#pragma GCC unroll 4
        for (int j = 0; j < MV; ++j) acc[r][j] = _mm512_fmadd_ps(x, a[j], acc[r][j]);
      }
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < NR; ++r)
#pragma GCC unroll 4
    for (int j = 0; j < MV; ++j) _mm512_storeu_ps(c + r * ldc + 16 * j, acc[r][j]);
}

// Rows of registers per tile for MV vectors of columns: MV * NR accumulators, MV loads and a broadcast stay
// within the 32 registers.
template <int MV>
constexpr int kRows = MV == 4 ? 6 : MV == 3 ? 8 : 12;

struct Product {
  const float* base;        // the feed
  const int64_t* offsets;   // of each patch row in it
  const Segment* segments;  // the output positions
  int64_t count;            // of segments
  const float* g;           // dY^T, [positions][mp]
  int64_t mp;               // g's and c's row length, a multiple of 16
};

// The last rows < kRows<MV> of a column block: one tile of exactly that many.
template <int MV, int NR = kRows<MV> - 1>
KILN_AVX512 void tail_tile(const Product& p, int64_t rows, int64_t r, int64_t m0, float* c) {
  if constexpr (NR >= 1) {
    if (rows == NR) return tile<MV, NR>(p.base, p.offsets + r, p.segments, p.count, p.g + m0, p.mp, c, p.mp);
    tail_tile<MV, NR - 1>(p, rows, r, m0, c);
  }
}

template <int MV>
KILN_AVX512 void column_block(const Product& p, int64_t rows, int64_t m0, float* c) {
  constexpr int NR = kRows<MV>;
  int64_t r = 0;
  for (; r + NR <= rows; r += NR)
    tile<MV, NR>(p.base, p.offsets + r, p.segments, p.count, p.g + m0, p.mp, c + r * p.mp + m0, p.mp);
  tail_tile<MV>(p, rows - r, r, m0, c + r * p.mp + m0);
}

// c[r][m] += sum over the positions q of feed row r at q times g[q][m], for r < rows and m < p.mp, in column
// blocks of 64.
KILN_AVX512 void accumulate(const Product& p, int64_t rows, float* c) {
  for (int64_t m0 = 0; m0 < p.mp; m0 += 64) {
    switch (std::min<int64_t>(4, (p.mp - m0) / 16)) {
      case 4: column_block<4>(p, rows, m0, c); break;
      case 3: column_block<3>(p, rows, m0, c); break;
      case 2: column_block<2>(p, rows, m0, c); break;
      default: column_block<1>(p, rows, m0, c); break;
    }
  }
}

// Per-thread buffers: the feed and dY^T.
struct Buffers {
  Tensor feed, gt;
};

Buffers make_buffers(const FeedPlan& p, int64_t mp) { return {make_feed(p), Tensor::empty({p.L * mp}, DType::Float32)}; }

// Adds sample n's products to the partial sums part[group][row][mp].
void add_sample(const FeedPlan& p, int64_t mp, int64_t n, const Tensor& large, const int64_t* s, const Tensor& small, Buffers& b,
                float* part) {
  const ConvGeometry& g = p.g;
  const float* x = large.data<float>() + n * large.strides()[0];
  const float* y = small.data<float>() + n * small.strides()[0];
  const int64_t ldy = g.small_channels <= 1 ? p.L : small.strides()[1];
  float* feed = b.feed.data<float>();
  if (p.padded) {
    pad_sample(p, x, s, feed);
  } else {
    PatchGeometry all = g.patch;
    all.channels = g.large_channels;
    im2col(all, x, s, feed);
  }
  for (int64_t grp = 0; grp < g.groups; ++grp) {
    transpose_plane(y + grp * p.kg * ldy, ldy, p.kg, mp, p.L, b.gt.data<float>(), mp);  // dY^T
    const Product product{feed + grp * p.cg * (p.padded ? p.plane : p.kv * p.L), p.offsets.data(),
                          p.segments.data(), static_cast<int64_t>(p.segments.size()), b.gt.data<float>(), mp};
    accumulate(product, p.rows, part + grp * p.rows * mp);
  }
}

}  // namespace
#pragma GCC diagnostic pop
#endif

bool conv_weight_grad_f32(const ConvGeometry& g, const Tensor& grad_weight, const Tensor& large, const int64_t* s,
                          const Tensor& small) {
#ifdef KILN_HAS_AVX512
  const int64_t kg = g.small_channels_per_group(), rows = g.large_channels_per_group() * g.patch.kernel_volume();
  // Few output channels waste most of each 16-wide vector; few rows leave no tile to fill (the Fashion-MNIST
  // CNN's first layer, 9 rows, stays with conv.cpp's path).
  if (!avx512_supported() || kg < 16 || rows < 16 || g.batch < 1) return false;
  const FeedPlan p = make_feed_plan(g);
  const int64_t mp = (kg + 15) / 16 * 16;  // dY^T's row length
  const int64_t psize = g.groups * p.rows * mp, blocks = (g.batch + kBlock - 1) / kBlock;
  Tensor partials = Tensor::empty({blocks * psize}, DType::Float32);
  claim_loop(blocks, 1, [&] { return make_buffers(p, mp); },
             [&](int64_t b0, int64_t b1, Buffers& buffers) {
               for (int64_t blk = b0; blk < b1; ++blk) {
                 float* part = partials.data<float>() + blk * psize;
                 std::memset(part, 0, static_cast<size_t>(psize) * sizeof(float));
                 for (int64_t n = blk * kBlock; n < std::min(g.batch, (blk + 1) * kBlock); ++n)
                   add_sample(p, mp, n, large, s, small, buffers, part);
               }
             });
  float* sum = partials.data<float>();
  for (int64_t blk = 1; blk < blocks; ++blk)
    for (int64_t i = 0; i < psize; ++i) sum[i] += sum[blk * psize + i];
  float* out = grad_weight.data<float>();
  for (int64_t grp = 0; grp < g.groups; ++grp)
    for (int64_t m = 0; m < p.kg; ++m)
      for (int64_t r = 0; r < p.rows; ++r) out[(grp * p.kg + m) * p.rows + r] = sum[(grp * p.rows + r) * mp + m];
  return true;
#else
  (void)g, (void)grad_weight, (void)large, (void)s, (void)small;
  return false;
#endif
}

}  // namespace kiln::cpu
