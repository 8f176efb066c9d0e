// Float32 convolutions on AVX-512 by direct loops over the padded feed (padded_feed.h): forward at stride 1, and the
// input gradient (the transposed convolution) at any stride, phase by phase: stride 1 is the full correlation with
// the flipped kernel; with stride 2 the even and odd positions of large each read small through their own taps.
// im2col + GEMM wrote and read back a column matrix of kernel-volume times the input (28 MB a sample for conv3d of
// 16 channels of 16 x 32 x 32 under a 3x3x3 kernel), and OpenBLAS packed its slabs again on every call: conv3d's
// forward ran at ~140 GFLOP/s against PyTorch's ~210 (oneDNN's direct kernels). Strided forwards stay with GEMM:
// split into phases the same way they ran no faster (the rows' masked lanes and the strided copies ate the gain).
//
// Each tile keeps NR output channels by MV vectors of 16 positions of one output row in registers while the
// patch rows r go by: per r, MV loads from the feed (the row's positions are consecutive in it) and NR broadcasts
// of the weight, packed [r][NR] per block of channels. Rows whose width leaves lanes idle (28 of 32) take the
// transposed tile instead: vectors of 16 channels by a few positions, each feed value broadcast. Every output sums
// its products in patch-row order by fused multiply-adds, within one thread: results do not depend on the thread
// count.
#include <algorithm>
#include <cstring>
#include <vector>

#include "cpu/claim_loop.h"
#include "cpu/conv.h"
#include "cpu/padded_feed.h"
#include "cpu/simd.h"
#include "cpu/transpose16.h"
#include "thread_pool.h"

namespace kiln::cpu {

#ifdef KILN_HAS_AVX512
namespace {

// Channel rows per tile for MV vectors of positions: MV * NR accumulators, MV loads and a broadcast stay within
// the 32 registers.
template <int MV>
constexpr int kRows = MV == 4 ? 6 : MV == 3 ? 8 : MV == 2 ? 12 : 24;

// y[i][16 j + t] = init[i] + sum over r < rows of w[r * ldw + i] * feed[offsets[r] + 16 j + t], for i < NR and
// the positions that `masks` keep (y's rows ldy apart). The loads are whole vectors: lanes past the output row read
// the feed's next values (or its slack at the end) into sums that are never stored. Masked loads ran the tile at
// 40% of the speed on Zen 4.
template <int MV, int NR>
KILN_AVX512 void tile(const float* feed, const int64_t* offsets, int64_t rows, const float* w, int64_t ldw,
                      const float* init, const __mmask16* masks, float* y, int64_t ldy) {
  __m512 acc[NR][MV];
#pragma GCC unroll 24
  for (int i = 0; i < NR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < MV; ++j) acc[i][j] = _mm512_set1_ps(init[i]);
  for (int64_t r = 0; r < rows; ++r, w += ldw) {
    const float* f = feed + offsets[r];
    __m512 v[MV];
#pragma GCC unroll 4
    for (int j = 0; j < MV; ++j) v[j] = _mm512_loadu_ps(f + 16 * j);  // lanes past the row: discarded
#pragma GCC unroll 24
    for (int i = 0; i < NR; ++i) {
      const __m512 b = _mm512_set1_ps(w[i]);
#pragma GCC unroll 4
      for (int j = 0; j < MV; ++j) acc[i][j] = _mm512_fmadd_ps(v[j], b, acc[i][j]);
    }
  }
#pragma GCC unroll 24
  for (int i = 0; i < NR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < MV; ++j) _mm512_mask_storeu_ps(y + i * ldy + 16 * j, masks[j], acc[i][j]);
}

struct Tile {
  const float* feed;
  const int64_t* offsets;
  int64_t rows;
  const float* w;
  int64_t ldw;
  const float* init;
  const __mmask16* masks;
  float* y;
  int64_t ldy;
};

// A tile of `live` <= kRows<MV> channel rows.
template <int MV, int NR = kRows<MV>>
KILN_AVX512 void tile_of(int64_t live, const Tile& t) {
  if constexpr (NR >= 1) {
    if (live == NR) return tile<MV, NR>(t.feed, t.offsets, t.rows, t.w, t.ldw, t.init, t.masks, t.y, t.ldy);
    tile_of<MV, NR - 1>(live, t);
  }
}

KILN_AVX512 void tile_of(int mv, int64_t live, const Tile& t) {
  switch (mv) {
    case 4: return tile_of<4>(live, t);
    case 3: return tile_of<3>(live, t);
    case 2: return tile_of<2>(live, t);
    default: return tile_of<1>(live, t);
  }
}

struct Problem {
  const FeedPlan& p;
  bool by_channels;     // tiles of channel vectors by positions (rows_by_channels), else the other way round
  int mv, nr;           // vectors per tile (of positions, or of channels), channels per block (packed's row length)
  const float* packed;  // [group][channel block][row][nr]
  const float* bias;    // per output channel, or nullptr
  float* y;             // [batch][channels][positions], dense
};

// Positions per tile with MV vectors of 16 channels: MV * NP accumulators, MV loads and a broadcast within 32.
template <int MV>
constexpr int kPositions = MV == 4 ? 6 : MV == 3 ? 8 : MV == 2 ? 12 : 24;

// The transposed tile, for rows whose width leaves vector lanes idle (28 of 32, 7 of 16): y[m][p] = init[m] + sum
// over r of w[r * 16 MV + m] * feed[offsets[r] + p] for p < NP and m < live, each of MV vectors holding 16
// channels at one position, each feed value broadcast once for all of them. The sums go out through a buffer,
// channel by channel.
template <int MV, int NP>
KILN_AVX512 void channel_tile(const float* feed, const int64_t* offsets, int64_t rows, const float* w,
                              const float* init, int64_t live, float* y, int64_t ldy) {
  __m512 acc[NP][MV];
#pragma GCC unroll 24
  for (int p = 0; p < NP; ++p)
#pragma GCC unroll 4
    for (int j = 0; j < MV; ++j) acc[p][j] = _mm512_loadu_ps(init + 16 * j);
  for (int64_t r = 0; r < rows; ++r, w += 16 * MV) {
    const float* f = feed + offsets[r];
    __m512 wv[MV];
#pragma GCC unroll 4
    for (int j = 0; j < MV; ++j) wv[j] = _mm512_loadu_ps(w + 16 * j);
#pragma GCC unroll 24
    for (int p = 0; p < NP; ++p) {
      const __m512 b = _mm512_set1_ps(f[p]);
#pragma GCC unroll 4
      for (int j = 0; j < MV; ++j) acc[p][j] = _mm512_fmadd_ps(wv[j], b, acc[p][j]);
    }
  }
  alignas(64) float buffer[NP][16 * MV];
#pragma GCC unroll 24
  for (int p = 0; p < NP; ++p)
#pragma GCC unroll 4
    for (int j = 0; j < MV; ++j) _mm512_store_ps(buffer[p] + 16 * j, acc[p][j]);
  for (int64_t m = 0; m < live; ++m)
    for (int p = 0; p < NP; ++p) y[m * ldy + p] = buffer[p][m];
}

// A channel tile of `count` <= kPositions<MV> positions.
template <int MV, int NP = kPositions<MV>>
KILN_AVX512 void channel_tile_of(int64_t count, const float* feed, const int64_t* offsets, int64_t rows,
                                 const float* w, const float* init, int64_t live, float* y, int64_t ldy) {
  if constexpr (NP >= 1) {
    if (count == NP) return channel_tile<MV, NP>(feed, offsets, rows, w, init, live, y, ldy);
    channel_tile_of<MV, NP - 1>(count, feed, offsets, rows, w, init, live, y, ldy);
  }
}

// Output rows [s0, s1) of a sample's group grp by channel tiles: blocks of 16 mv channels by kPositions positions.
template <int MV>
KILN_AVX512 void rows_by_channels(const Problem& pr, int64_t grp, const float* feed, int64_t s0, int64_t s1,
                                  float* y) {
  constexpr int64_t kChannels = 16 * MV, kNP = kPositions<MV>;
  const FeedPlan& p = pr.p;
  const int64_t blocks = (p.kg + kChannels - 1) / kChannels;
  const float* base = feed + grp * p.cg * p.plane;
  alignas(64) float init[kChannels];
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t m0 = blk * kChannels, live = std::min<int64_t>(kChannels, p.kg - m0);
    for (int64_t i = 0; i < kChannels; ++i) init[i] = pr.bias && i < live ? pr.bias[grp * p.kg + m0 + i] : 0.0f;
    const float* w = pr.packed + (grp * blocks + blk) * p.rows * kChannels;
    float* yb = y + (grp * p.kg + m0) * p.L;
    for (int64_t s = s0; s < s1; ++s) {
      const Segment& seg = p.segments[s];
      for (int64_t q0 = 0; q0 < seg.width; q0 += kNP)
        channel_tile_of<MV>(std::min(kNP, seg.width - q0), base + seg.offset + q0, p.offsets.data(), p.rows, w,
                            init, live, yb + seg.first + q0, p.L);
    }
  }
}

// Output rows [s0, s1) of a sample's group grp, whose feed is `feed`: blocks of nr channels by chunks of mv vectors
// of positions, the last chunk of a row with only the vectors it needs (the last of them masked).
KILN_AVX512 void rows_of(const Problem& pr, int64_t grp, const float* feed, int64_t s0, int64_t s1, float* y) {
  if (pr.by_channels) {
    switch (pr.mv) {
      case 4: return rows_by_channels<4>(pr, grp, feed, s0, s1, y);
      case 3: return rows_by_channels<3>(pr, grp, feed, s0, s1, y);
      case 2: return rows_by_channels<2>(pr, grp, feed, s0, s1, y);
      default: return rows_by_channels<1>(pr, grp, feed, s0, s1, y);
    }
  }
  const FeedPlan& p = pr.p;
  const int64_t nr = pr.nr, blocks = (p.kg + nr - 1) / nr;
  const float* base = feed + grp * p.cg * p.plane;
  float init[kRows<1>];
  for (int64_t blk = 0; blk < blocks; ++blk) {
    const int64_t m0 = blk * nr, live = std::min<int64_t>(nr, p.kg - m0);
    for (int64_t i = 0; i < nr; ++i) init[i] = pr.bias && i < live ? pr.bias[grp * p.kg + m0 + i] : 0.0f;
    const float* w = pr.packed + (grp * blocks + blk) * p.rows * nr;
    float* yb = y + (grp * p.kg + m0) * p.L;
    for (int64_t s = s0; s < s1; ++s) {
      const Segment& seg = p.segments[s];
      for (int64_t q0 = 0; q0 < seg.width; q0 += 16 * pr.mv) {
        const int64_t rest = seg.width - q0;
        const int mv = static_cast<int>(std::min<int64_t>(pr.mv, (rest + 15) / 16));
        __mmask16 masks[4];
        for (int j = 0; j < mv; ++j)
          masks[j] = static_cast<__mmask16>((1u << std::clamp<int64_t>(rest - 16 * j, 0, 16)) - 1);
        tile_of(mv, live, {base + seg.offset + q0, p.offsets.data(), p.rows, w, nr, init, masks, yb + seg.first + q0, p.L});
      }
    }
  }
}

// Vectors of positions per tile: enough for an output row, at most 4.
int vectors_for(const FeedPlan& p) { return static_cast<int>(std::clamp<int64_t>((p.g.patch.out[2] + 15) / 16, 1, 4)); }

// packed[group][block][r][NR] = w(group, channel, r), 0 past the group's channels.
template <class W>
Tensor pack(const FeedPlan& p, int nr, W&& w) {
  const int64_t blocks = (p.kg + nr - 1) / nr;
  Tensor packed = Tensor::empty({p.g.groups * blocks * p.rows * nr}, DType::Float32);
  float* out = packed.data<float>();
  for (int64_t grp = 0; grp < p.g.groups; ++grp)
    for (int64_t blk = 0; blk < blocks; ++blk)
      for (int64_t r = 0; r < p.rows; ++r)
        for (int64_t i = 0; i < nr; ++i, ++out) {
          const int64_t m = blk * nr + i;
          *out = m < p.kg ? w(grp, m, r) : 0.0f;
        }
  return packed;
}

// Runs the problem over every sample: items are (sample, stretch of output rows), so that a small batch still
// spreads over the pool; a thread pads a sample into its own feed once for the items it takes of it.
void run(const Problem& pr, const float* x, const int64_t* xs) {
  const FeedPlan& p = pr.p;
  const int64_t segments = static_cast<int64_t>(p.segments.size()), batch = p.g.batch;
  const int64_t parts = std::clamp<int64_t>((2 * get_num_threads() + batch - 1) / batch, 1, segments);
  struct State {
    Tensor feed;
    int64_t sample = -1;
  };
  claim_loop(batch * parts, 1, [&] { return State{make_feed(p)}; }, [&](int64_t i0, int64_t i1, State& st) {
    for (int64_t item = i0; item < i1; ++item) {
      const int64_t n = item / parts, part = item % parts;
      float* feed = st.feed.data<float>();
      if (st.sample != n) {
        pad_sample(p, x + n * xs[0], xs + 1, feed);
        st.sample = n;
      }
      const int64_t s0 = segments * part / parts, s1 = segments * (part + 1) / parts;
      float* y = pr.y + n * p.g.small_channels * p.L;
      for (int64_t grp = 0; grp < p.g.groups; ++grp) rows_of(pr, grp, feed, s0, s1, y);
    }
  });
}

int rows_per_tile(int mv) { return mv == 4 ? kRows<4> : mv == 3 ? kRows<3> : mv == 2 ? kRows<2> : kRows<1>; }

struct Layout {
  bool by_channels;
  int mv, nr;
};

// Position vectors unless a row's width leaves more lanes idle than the channel count would (28-wide rows: 4 of
// 32; 64 channels: none). 5x5 over [32,32,28,28] -> 64: forward 13.2 -> 11.5 ms; 7x7 over [32,32,56,56] -> 32:
// 50.5 -> 46.5.
Layout layout_for(const FeedPlan& p) {
  const int64_t width = p.g.patch.out[2];
  const int64_t position_lanes = (width + 15) / 16 * 16, channel_lanes = (p.kg + 15) / 16 * 16;
  const double idle_positions = 1.0 - static_cast<double>(width) / static_cast<double>(position_lanes);
  const double idle_channels = 1.0 - static_cast<double>(p.kg) / static_cast<double>(channel_lanes);
  if (p.kg >= 16 && idle_positions > idle_channels + 0.05) {
    const int mv = static_cast<int>(std::min<int64_t>(4, channel_lanes / 16));
    return {true, mv, 16 * mv};
  }
  const int mv = vectors_for(p);
  return {false, mv, rows_per_tile(mv)};
}

// Whether a direct problem (stride 1 on its feed) is worth it: enough output channels per group and patch rows to
// fill a tile, and rows long enough for the vectors.
bool worth_it(const ConvGeometry& g) {
  const PatchGeometry& pg = g.patch;
  for (int i = 0; i < 3; ++i)
    if (pg.stride[i] != 1) return false;
  return g.small_channels_per_group() >= 8 && g.large_channels_per_group() * pg.kernel_volume() >= 16 &&
         pg.out[2] >= 8 && g.batch >= 1;
}

// One dim of a phase of a transposed convolution: the positions phase + stride * j (j < extent) of large. They read
// small only through the kernel's taps k with (phase + pad - k dilation) divisible by stride, at j + (phase + pad -
// k dilation) / stride: a stride-1 convolution of small whose taps are those k, largest first (tap t is k = first -
// t stride), padded by pad, at dilation `dilation`.
struct PhaseDim {
  int64_t extent = 0, taps = 0, first = 0, pad = 0, dilation = 1;
};

// False where the phase would need a negative padding, or where a stride and a dilation both above 1 would space
// its taps unevenly.
bool phase_dim(const PatchGeometry& pg, int i, int64_t phase, PhaseDim* d) {
  const int64_t s = pg.stride[i], dil = pg.dilation[i];
  if (s > 1 && dil != 1) return false;
  d->extent = std::max<int64_t>(0, (pg.in[i] - phase + s - 1) / s);
  d->dilation = s == 1 ? dil : 1;
  for (int64_t k = pg.kernel[i] - 1; k >= 0; --k)
    if (((phase + pg.pad[i] - k * dil) % s + s) % s == 0) {
      if (d->taps++ == 0) d->first = k;
    }
  if (d->taps == 0) return true;
  d->pad = -(phase + pg.pad[i] - d->first * dil) / s;
  return d->pad >= 0;
}

// The stride-1 problem of one phase: from small (channels swapped) to the phase's positions of large.
ConvGeometry phase_problem(const ConvGeometry& g, const PhaseDim* d) {
  ConvGeometry t = g;
  t.large_channels = g.small_channels;
  t.small_channels = g.large_channels;
  t.patch.channels = g.small_channels_per_group();
  for (int i = 0; i < 3; ++i) {
    t.patch.in[i] = g.patch.out[i];
    t.patch.out[i] = d[i].extent;
    t.patch.kernel[i] = d[i].taps;
    t.patch.pad[i] = d[i].pad;
    t.patch.dilation[i] = d[i].dilation;
    t.patch.stride[i] = 1;
  }
  return t;
}

constexpr int64_t kMaxInterleave = 8;  // strides of the last dim that run by phases

// dst[i] = src[i % 2][i / 2] for i < n.
KILN_SIMD void interleave2(float* __restrict dst, const float* __restrict a, const float* __restrict b, int64_t n) {
  int64_t j = 0;
  for (; 2 * j + 1 < n; ++j) {
    dst[2 * j] = a[j];
    dst[2 * j + 1] = b[j];
  }
  if (2 * j < n) dst[2 * j] = a[j];
}

// dst[i] = src[i % stride][i / stride] for i < n: a row of large from its phases' rows.
void interleave_row(float* dst, const float* const* src, int64_t stride, int64_t n) {
  if (stride == 2) return interleave2(dst, src[0], src[1], n);
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i % stride][i / stride];
}

// One phase's problem, ready to run (no plan where no tap reaches the phase: its positions take the bias alone).
struct Phase {
  const PhaseDim* d;
  FeedPlan plan;
  Tensor packed;
  Layout layout{};
  int64_t size = 0;  // of its output for one sample: channels x positions
};

// Runs the phases sample by sample, each thread with a feed per phase and the sample's phase outputs in a scratch
// block, which it then interleaves into large[n] while they are in cache: written once, row by row. (Scattering
// each phase's output over the whole of large cost four passes over it, 4.5 of 27 ms for [32,64,56,56].)
void run_phases(const ConvGeometry& g, const std::vector<Phase>& phases, const float* small, const int64_t* ys,
                const float* bias, float* large) {
  const PatchGeometry& pg = g.patch;
  const int64_t C = g.large_channels, V = pg.in_volume();
  std::vector<int64_t> at(phases.size() + 1, 0);  // each phase's place in the scratch block
  for (size_t f = 0; f < phases.size(); ++f) at[f + 1] = at[f] + phases[f].size;
  struct State {
    std::vector<Tensor> feeds;
    Tensor scratch;
  };
  claim_loop(g.batch, 1, [&] {
    State st;
    for (const Phase& ph : phases) st.feeds.push_back(ph.plan.rows > 0 ? make_feed(ph.plan) : Tensor());
    st.scratch = Tensor::empty({std::max<int64_t>(at.back(), 1)}, DType::Float32);
    return st;
  }, [&](int64_t n0, int64_t n1, State& st) {
    float* scratch = st.scratch.data<float>();
    for (int64_t n = n0; n < n1; ++n) {
      for (size_t f = 0; f < phases.size(); ++f) {
        const Phase& ph = phases[f];
        float* out = scratch + at[f];
        if (ph.size == 0) continue;
        if (ph.plan.rows == 0) {
          const int64_t L = ph.size / C;
          for (int64_t c = 0; c < C; ++c) std::fill(out + c * L, out + (c + 1) * L, bias ? bias[c] : 0.0f);
          continue;
        }
        float* feed = st.feeds[f].data<float>();
        pad_sample(ph.plan, small + n * ys[0], ys + 1, feed);
        const Problem pr{ph.plan, ph.layout.by_channels, ph.layout.mv, ph.layout.nr, ph.packed.data<float>(), bias, out};
        for (int64_t grp = 0; grp < g.groups; ++grp)
          rows_of(pr, grp, feed, 0, static_cast<int64_t>(ph.plan.segments.size()), out);
      }
      // large[n][c][i] = phase (i % stride)'s output at i / stride, dim by dim.
      float* x = large + n * C * V;
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i0 = 0; i0 < pg.in[0]; ++i0)
          for (int64_t i1 = 0; i1 < pg.in[1]; ++i1) {
            float* dst = x + (c * pg.in[0] + i0) * pg.in[1] * pg.in[2] + i1 * pg.in[2];
            const int64_t f01 = ((i0 % pg.stride[0]) * pg.stride[1] + i1 % pg.stride[1]) * pg.stride[2];
            const float* src[kMaxInterleave];
            for (int64_t f2 = 0; f2 < pg.stride[2]; ++f2) {
              const size_t f = static_cast<size_t>(f01 + f2);
              const PhaseDim* d = phases[f].d;
              src[f2] = scratch + at[f] +
                        ((c * d[0].extent + i0 / pg.stride[0]) * d[1].extent + i1 / pg.stride[1]) * d[2].extent;
            }
            interleave_row(dst, src, pg.stride[2], pg.in[2]);
          }
    }
  });
}

// x's strides of (n, channel, d, h, w), spatial dims padded in front to 3.
void sample_strides(const Tensor& x, int64_t* s) {
  const int64_t nd = x.dim() - 2;
  s[0] = x.strides()[0];
  s[1] = x.strides()[1];
  for (int64_t i = 0; i < 3; ++i) s[2 + i] = i < 3 - nd ? 0 : x.strides()[2 + i - (3 - nd)];
}

}  // namespace
#endif

bool conv_forward_direct_f32(const ConvGeometry& g, const Tensor& small, const Tensor& large, const Tensor& weight,
                             const float* bias) {
#ifdef KILN_HAS_AVX512
  // A 1x1 kernel at stride 1 stays a GEMM that reads its input in place (conv.cpp).
  if (!avx512_supported() || g.patch.kernel_volume() == 1 || !worth_it(g) || !weight.is_contiguous()) return false;
  const FeedPlan p = make_feed_plan(g);
  const Layout lay = layout_for(p);
  const float* w = weight.data<float>();
  const Tensor packed = pack(p, lay.nr, [&](int64_t grp, int64_t m, int64_t r) { return w[(grp * p.kg + m) * p.rows + r]; });
  int64_t xs[5];
  sample_strides(large, xs);
  run({p, lay.by_channels, lay.mv, lay.nr, packed.data<float>(), bias, small.data<float>()}, large.data<float>(), xs);
  return true;
#else
  (void)g, (void)small, (void)large, (void)weight, (void)bias;
  return false;
#endif
}

bool conv_transpose_direct_f32(const ConvGeometry& g, const Tensor& large, const Tensor& small, const Tensor& weight,
                               const float* bias) {
#ifdef KILN_HAS_AVX512
  // The input gradient of a convolution, phase by phase of the stride (one phase for stride 1: the full correlation
  // of small with the flipped kernel): each phase's positions of large are a stride-1 convolution of small with the
  // taps that reach them, flipped, and channel dims swapped. Every phase is checked before any is run.
  const PatchGeometry& pg = g.patch;
  if (!avx512_supported() || !weight.is_contiguous()) return false;
  const int64_t phases = pg.stride[0] * pg.stride[1] * pg.stride[2];
  if (pg.stride[2] > kMaxInterleave) return false;
  std::vector<PhaseDim> dims(static_cast<size_t>(3 * phases));
  for (int64_t f = 0; f < phases; ++f) {
    const int64_t phase[3] = {f / (pg.stride[1] * pg.stride[2]), f / pg.stride[2] % pg.stride[1], f % pg.stride[2]};
    PhaseDim* d = &dims[static_cast<size_t>(3 * f)];
    int64_t taps = 1;
    for (int i = 0; i < 3; ++i) {
      if (!phase_dim(pg, i, phase[i], &d[i])) return false;
      taps *= d[i].taps;
    }
    if (taps > 0 && d[0].extent * d[1].extent * d[2].extent > 0 && !worth_it(phase_problem(g, d))) return false;
  }
  const int64_t kv = pg.kernel_volume(), Kg = g.small_channels_per_group(), Cg = g.large_channels_per_group();
  const float* w = weight.data<float>();
  int64_t ys[5];
  sample_strides(small, ys);
  std::vector<Phase> work(static_cast<size_t>(phases));
  for (int64_t f = 0; f < phases; ++f) {
    Phase& ph = work[static_cast<size_t>(f)];
    ph.d = &dims[static_cast<size_t>(3 * f)];
    const PhaseDim* d = ph.d;
    const ConvGeometry t = phase_problem(g, d);
    ph.size = g.large_channels * t.patch.out_volume();
    if (ph.size == 0 || t.patch.kernel_volume() == 0) continue;
    ph.plan = make_feed_plan(t);
    ph.layout = layout_for(ph.plan);
    // Problem row r = (m, tap t0, t1, t2): weight[grp * Kg + m][c][first - t * stride in each dim].
    ph.packed = pack(ph.plan, ph.layout.nr, [&](int64_t grp, int64_t c, int64_t r) {
      const int64_t m = r / ph.plan.kv, o = r % ph.plan.kv;
      const int64_t k0 = d[0].first - o / (d[1].taps * d[2].taps) * pg.stride[0],
                    k1 = d[1].first - o / d[2].taps % d[1].taps * pg.stride[1],
                    k2 = d[2].first - o % d[2].taps * pg.stride[2];
      return w[((grp * Kg + m) * Cg + c) * kv + (k0 * pg.kernel[1] + k1) * pg.kernel[2] + k2];
    });
  }
  if (phases == 1) {  // stride 1: straight into large
    const Phase& ph = work[0];
    run({ph.plan, ph.layout.by_channels, ph.layout.mv, ph.layout.nr, ph.packed.data<float>(), bias,
         large.data<float>()}, small.data<float>(), ys);
  } else {
    run_phases(g, work, small.data<float>(), ys, bias, large.data<float>());
  }
  return true;
#else
  (void)g, (void)large, (void)small, (void)weight, (void)bias;
  return false;
#endif
}

}  // namespace kiln::cpu
