// Winograd F(2x2, 3x3) (Lavin and Gray, 2016): with B, G and A below, a 2x2 block of outputs is
// Y = A^T [sum over input channels of (G g G^T) .* (B^T d B)] A for each 4x4 input tile d and 3x3 kernel g. The
// channel sums for each of the 16 positions of the 4x4 products form one GEMM, [tiles, in] x [in, out]. Tiles are
// processed in chunks fixed by the shapes, which the pool's threads claim (each with its own buffers and
// single-threaded GEMMs), so results do not depend on the thread count.
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1], A^T = [1 1 1 0; 0 1 -1 -1]
//
// The transforms work channels last: a chunk's input window is transposed once into [row][column][channel], so
// both transforms run 16 channels to a vector with every tile's values at fixed offsets, and the outputs are
// transposed back at the end. Channels first, the transforms ran along the 49 tiles of a 14 x 14 plane, and
// gathering each plane's four column phases took longer than the GEMMs (benchmarks/NOTES.md, session 11).
#include "cpu/winograd.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "cpu/claim_loop.h"
#include "cpu/gemm.h"
#include "cpu/simd.h"
#include "cpu/transpose.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

constexpr int64_t kTilesPerChunk = 128;  // 64 channels: 0.5 MB of transformed input, as much of products
constexpr int64_t kLanes = 16;           // floats in a vector of the transforms (and in a cache line)

// Channel counts are padded to a whole number of vectors: 8 for 8 channels or fewer (padded to 16, 8 channels
// doubled the transforms' work: 0.88-0.90x the channels-first path at 28 x 28), else 16.
int64_t padded(int64_t channels) { return channels <= 8 ? 8 : (channels + kLanes - 1) / kLanes * kLanes; }

// The distance between the 16 planes of transformed inputs or products, in floats: one cache line more when a
// plane is a multiple of 4 KB, where the transforms' 16 streams would fall into one set of the L1 (112 tiles of
// 64 channels, the ResNet block's bands: 11.95-12.25 -> 10.5 ms forward, alternating in one process).
int64_t plane_stride(int64_t floats) { return floats % 1024 == 0 ? floats + kLanes : floats; }

// U[xi][i][o] = (G g G^T)[xi] for the kernel g of output channel o and input channel i, in double; input
// channels are shared among the threads (256 x 256 filters took a fifth of a 14 x 14 convolution on one).
std::vector<float> transform_filters(const float* w, bool transposed, int64_t out_channels, int64_t in_channels) {
  std::vector<float> u(static_cast<size_t>(16 * out_channels * in_channels));
  parallel_for(in_channels, std::max<int64_t>(1, 4096 / out_channels), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i)
      for (int64_t o = 0; o < out_channels; ++o) {
        double g[3][3];
        for (int a = 0; a < 3; ++a)
          for (int b = 0; b < 3; ++b)
            g[a][b] = transposed ? w[((i * out_channels + o) * 3 + (2 - a)) * 3 + (2 - b)]  // flipped, [in, out]
                                 : w[((o * in_channels + i) * 3 + a) * 3 + b];
        double t[4][3];  // G g
        for (int b = 0; b < 3; ++b) {
          t[0][b] = g[0][b];
          t[1][b] = 0.5 * (g[0][b] + g[1][b] + g[2][b]);
          t[2][b] = 0.5 * (g[0][b] - g[1][b] + g[2][b]);
          t[3][b] = g[2][b];
        }
        for (int a = 0; a < 4; ++a) {  // (G g) G^T
          const double r[4] = {t[a][0], 0.5 * (t[a][0] + t[a][1] + t[a][2]), 0.5 * (t[a][0] - t[a][1] + t[a][2]),
                               t[a][2]};
          for (int b = 0; b < 4; ++b) u[((a * 4 + b) * in_channels + i) * out_channels + o] = static_cast<float>(r[b]);
        }
      }
  });
  return u;
}

// dst[j * ld + c] = src[c * cs + j * js] for c < channels, j < n: channels first to channels last.
void to_channels_last(const float* src, int64_t cs, int64_t js, int64_t channels, int64_t n, float* dst, int64_t ld) {
  if (js == 1) return transpose_block(src, cs, channels, ld, n, dst, ld);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t j = 0; j < n; ++j) dst[j * ld + c] = src[c * cs + j * js];
}

// dst[c * cs + j] = src[j * ld + c] for c < channels, j < n: channels last to channels first.
void to_channels_first(const float* src, int64_t ld, int64_t channels, int64_t n, float* dst, int64_t cs) {
  transpose_block(src, ld, n, n, channels, dst, cs);
}

// The input a band of tile rows reads, channels last: win[r][col][c] = x[c][2 ty0 - pad_h + r][col - pad_w] for
// r < 2 rows + 2, col < 2 tw + 2 and c < C; zeros outside the input and in the padding channels up to cp.
struct Window {
  int64_t rows, cols, cp;
};

void load_window(const float* x, const int64_t* xs, const WinogradConv& g, int64_t ty0, const Window& w,
                 float* win) {
  std::fill(win, win + w.rows * w.cols * w.cp, 0.0f);
  const int64_t col0 = std::min(g.pad_w, w.cols), col1 = std::min(w.cols, g.pad_w + g.in_w);
  if (col1 <= col0) return;
  for (int64_t r = 0; r < w.rows; ++r) {
    const int64_t in_row = 2 * ty0 - g.pad_h + r;
    if (in_row < 0 || in_row >= g.in_h) continue;
    to_channels_last(x + in_row * xs[2] + (col0 - g.pad_w) * xs[3], xs[1], xs[3], g.in_channels, col1 - col0,
                     win + (r * w.cols + col0) * w.cp, w.cp);
  }
}

// L channels of a tile's values in one vector (L = 16, or 8 for few channels): GCC's vector extension, which each
// ISA clone of the transforms compiles to its own registers (one zmm, two ymm or four xmm for 16). Written as loops
// over 16 floats, the transforms came out as scalar shuffles.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"  // vectors are never passed between functions that are not inlined
template <int L>
struct Vec;
template <>
struct Vec<8> {
  using type = float __attribute__((vector_size(8 * sizeof(float))));
};
template <>
struct Vec<16> {
  using type = float __attribute__((vector_size(16 * sizeof(float))));
};

// Whether 16 lanes are one register: elsewhere a 16-float vector comes out as halves that GCC keeps on the stack
// (simd.h's vector_bytes), so the transforms take 8 lanes at a time. Lanes are channels, so the bits are the same.
inline bool wide_lanes() { return vector_bytes() == 64; }

template <int L>
KILN_ALWAYS_INLINE typename Vec<L>::type load(const float* p) {
  typename Vec<L>::type v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

template <int L>
KILN_ALWAYS_INLINE void store(float* p, const typename Vec<L>::type& v) {
  __builtin_memcpy(p, &v, sizeof v);
}

template <int L>
KILN_ALWAYS_INLINE void input_tiles(const float* win, const Window& w, int64_t rows, int64_t tw, float* v,
                                    int64_t stride, int64_t p0) {
  using Lanes = typename Vec<L>::type;
  const int64_t rs = w.cols * w.cp;
  for (int64_t ty = 0; ty < rows; ++ty)
    for (int64_t tx = 0; tx < tw; ++tx) {
      const float* d = win + (2 * ty * w.cols + 2 * tx) * w.cp;
      float* out = v + (p0 + ty * tw + tx) * w.cp;
      for (int64_t c0 = 0; c0 < w.cp; c0 += L) {
        Lanes t[4][4];  // B^T d, column by column; B^T's rows: d0 - d2, d1 + d2, d2 - d1, d1 - d3
        for (int col = 0; col < 4; ++col) {
          const float* d0 = d + col * w.cp + c0;
          const Lanes a = load<L>(d0), b = load<L>(d0 + rs), c = load<L>(d0 + 2 * rs), e = load<L>(d0 + 3 * rs);
          t[0][col] = a - c;
          t[1][col] = b + c;
          t[2][col] = c - b;
          t[3][col] = b - e;
        }
        for (int i = 0; i < 4; ++i) {  // (B^T d) B along each row
          float* o = out + 4 * i * stride + c0;
          store<L>(o, t[i][0] - t[i][2]);
          store<L>(o + stride, t[i][1] + t[i][2]);
          store<L>(o + 2 * stride, t[i][2] - t[i][1]);
          store<L>(o + 3 * stride, t[i][1] - t[i][3]);
        }
      }
    }
}

// v[xi][p][c] = (B^T d B)[xi] for the tiles p = p0 + ty * tw + tx of a band, d the 4 x 4 window at (2 ty, 2 tx),
// with xi's planes `stride` apart.
KILN_SIMD void transform_input(const float* win, const Window& w, int64_t rows, int64_t tw, float* v,
                               int64_t stride, int64_t p0) {
  if (w.cp % 16 == 0 && wide_lanes()) input_tiles<16>(win, w, rows, tw, v, stride, p0);
  else input_tiles<8>(win, w, rows, tw, v, stride, p0);
}

template <int L>
KILN_ALWAYS_INLINE void output_tiles(const float* m, int64_t stride, int64_t p0, int64_t rows, int64_t tw,
                                     int64_t kp, const float* bias, float* out) {
  using Lanes = typename Vec<L>::type;
  const int64_t rs = 2 * tw * kp;
  for (int64_t ty = 0; ty < rows; ++ty)
    for (int64_t tx = 0; tx < tw; ++tx) {
      const float* mp = m + (p0 + ty * tw + tx) * kp;
      float* o = out + (2 * ty * 2 * tw + 2 * tx) * kp;
      for (int64_t k0 = 0; k0 < kp; k0 += L) {
        Lanes top[4], bottom[4];  // A^T m, down each column c
        for (int c = 0; c < 4; ++c) {
          const float* m0 = mp + c * stride + k0;
          const Lanes a = load<L>(m0), b = load<L>(m0 + 4 * stride), e = load<L>(m0 + 8 * stride),
                      f = load<L>(m0 + 12 * stride);
          top[c] = a + b + e;
          bottom[c] = b - e - f;
        }
        const Lanes bias_k = load<L>(bias + k0);
        store<L>(o + k0, top[0] + top[1] + top[2] + bias_k);  // (A^T m) A along each row
        store<L>(o + k0 + kp, top[1] - top[2] - top[3] + bias_k);
        store<L>(o + k0 + rs, bottom[0] + bottom[1] + bottom[2] + bias_k);
        store<L>(o + k0 + rs + kp, bottom[1] - bottom[2] - bottom[3] + bias_k);
      }
    }
}

// The 2 x 2 outputs A^T m A + bias of the tiles p0 + ty * tw + tx of a band, channels last:
// out[2 ty + i][2 tx + j][k] (rows 2 tw wide), from m[xi][p][k] with xi's planes `stride` apart.
KILN_SIMD void transform_output(const float* m, int64_t stride, int64_t p0, int64_t rows, int64_t tw, int64_t kp,
                                const float* bias, float* out) {
  if (kp % 16 == 0 && wide_lanes()) output_tiles<16>(m, stride, p0, rows, tw, kp, bias, out);
  else output_tiles<8>(m, stride, p0, rows, tw, kp, bias, out);
}
template <int L>
KILN_ALWAYS_INLINE void gradient_tiles(const float* gy, int64_t rows, int64_t tw, int64_t kp, float* m,
                                       int64_t stride, int64_t p0) {
  using Lanes = typename Vec<L>::type;
  const int64_t rs = 2 * tw * kp;
  for (int64_t ty = 0; ty < rows; ++ty)
    for (int64_t tx = 0; tx < tw; ++tx) {
      const float* d = gy + (2 * ty * 2 * tw + 2 * tx) * kp;
      float* o = m + (p0 + ty * tw + tx) * kp;
      for (int64_t k0 = 0; k0 < kp; k0 += L) {
        const Lanes d00 = load<L>(d + k0), d01 = load<L>(d + k0 + kp), d10 = load<L>(d + k0 + rs),
                    d11 = load<L>(d + k0 + rs + kp);
        // A dY: rows (d0), (d0 + d1), (d0 - d1), (-d1) of the block's two rows; then each row (a, b) times A^T:
        // (a, a + b, a - b, -b)
        const Lanes r[4][2] = {{d00, d01}, {d00 + d10, d01 + d11}, {d00 - d10, d01 - d11}, {-d10, -d11}};
        for (int i = 0; i < 4; ++i) {
          float* oi = o + 4 * i * stride + k0;
          store<L>(oi, r[i][0]);
          store<L>(oi + stride, r[i][0] + r[i][1]);
          store<L>(oi + 2 * stride, r[i][0] - r[i][1]);
          store<L>(oi + 3 * stride, -r[i][1]);
        }
      }
    }
}

// m[xi][p][k] = (A dY A^T)[xi], the gradient of the products, for the tiles p = p0 + ty * tw + tx of a band from
// its output gradient dY channels last, gy[2 ty + i][2 tx + j][k] (rows 2 tw wide).
KILN_SIMD void transform_gradient(const float* gy, int64_t rows, int64_t tw, int64_t kp, float* m, int64_t stride,
                                  int64_t p0) {
  if (kp % 16 == 0 && wide_lanes()) gradient_tiles<16>(gy, rows, tw, kp, m, stride, p0);
  else gradient_tiles<8>(gy, rows, tw, kp, m, stride, p0);
}
#pragma GCC diagnostic pop

// dw[k][c] = G^T dU[.][c][k] G, the 3 x 3 kernel gradients from the products' gradient summed over the tiles
// (dU[xi][c][k]), in double.
void gradient_to_filters(const float* du, int64_t out_channels, int64_t in_channels, float* dw) {
  for (int64_t k = 0; k < out_channels; ++k)
    for (int64_t c = 0; c < in_channels; ++c) {
      double d[4][4];
      for (int xi = 0; xi < 16; ++xi) d[xi / 4][xi % 4] = du[(xi * in_channels + c) * out_channels + k];
      double t[3][4];  // G^T d; G^T's rows: (1, .5, .5, 0), (0, .5, -.5, 0), (0, .5, .5, 1)
      for (int b = 0; b < 4; ++b) {
        t[0][b] = d[0][b] + 0.5 * (d[1][b] + d[2][b]);
        t[1][b] = 0.5 * (d[1][b] - d[2][b]);
        t[2][b] = 0.5 * (d[1][b] + d[2][b]) + d[3][b];
      }
      float* out = dw + (k * in_channels + c) * 9;
      for (int a = 0; a < 3; ++a) {  // (G^T d) G
        out[a * 3] = static_cast<float>(t[a][0] + 0.5 * (t[a][1] + t[a][2]));
        out[a * 3 + 1] = static_cast<float>(0.5 * (t[a][1] - t[a][2]));
        out[a * 3 + 2] = static_cast<float>(0.5 * (t[a][1] + t[a][2]) + t[a][3]);
      }
    }
}

// Whether x[0..n) holds no infinity or NaN. The transforms mix every value of a tile into every product, so one
// infinity would turn outputs (or weight gradients) that never touch it into NaN where a direct convolution keeps
// them finite: such inputs take the direct path.
KILN_SIMD bool all_finite(const float* x, int64_t n) {
  int bad = 0;
  for (int64_t i = 0; i < n; ++i) bad |= !(x[i] - x[i] == 0.0f);
  return bad == 0;
}

struct Buffers {
  std::vector<float> win, v, m, out;
};

// Samples [n0, n1) and tile rows [ty0, ty0 + rows) of each: one chunk, `tiles` tiles in all (the GEMMs' extent).
struct Chunk {
  int64_t n0, n1, ty0, rows, tiles;
};

// A chunk: whole samples when a sample has few tiles, else a band of tile rows of one sample, so that the
// transformed input and the products of a chunk stay in the core's L2 (a whole 56x56 sample spilled them).
struct Plan {
  int64_t batch, th, tw, band, bands, per_chunk, chunks;

  explicit Plan(const WinogradConv& g) {
    batch = g.batch;
    th = (g.out_h + 1) / 2;
    tw = (g.out_w + 1) / 2;
    band = std::clamp<int64_t>(kTilesPerChunk / tw, 1, th);
    bands = (th + band - 1) / band;
    per_chunk = bands > 1 ? 1 : std::max<int64_t>(1, kTilesPerChunk / (th * tw));
    chunks = bands > 1 ? g.batch * bands : (g.batch + per_chunk - 1) / per_chunk;
  }

  Chunk chunk(int64_t i) const {
    const int64_t n0 = bands > 1 ? i / bands : i * per_chunk;
    const int64_t n1 = bands > 1 ? n0 + 1 : std::min(batch, n0 + per_chunk);
    const int64_t ty0 = bands > 1 ? i % bands * band : 0, rows = std::min(th, ty0 + band) - ty0;
    return {n0, n1, ty0, rows, (n1 - n0) * rows * tw};
  }
};

// Transforms a chunk's input tiles into buf.v (v[xi][p][c], planes the returned stride apart); sets `nonfinite`
// if an input window holds an infinity or a NaN.
int64_t input_tiles_of(const WinogradConv& g, const Plan& plan, const Chunk& ch, const float* x, const int64_t* xs,
                       Buffers& buf, std::atomic<bool>& nonfinite) {
  const int64_t cp = padded(g.in_channels), vs = plane_stride(ch.tiles * cp);
  const Window win{2 * ch.rows + 2, 2 * plan.tw + 2, cp};
  buf.win.resize(static_cast<size_t>(win.rows * win.cols * cp));
  buf.v.resize(static_cast<size_t>(16 * vs));
  for (int64_t n = ch.n0; n < ch.n1; ++n) {
    load_window(x + n * xs[0], xs, g, ch.ty0, win, buf.win.data());
    if (!all_finite(buf.win.data(), static_cast<int64_t>(buf.win.size()))) nonfinite = true;
    transform_input(buf.win.data(), win, ch.rows, plan.tw, buf.v.data(), vs, (n - ch.n0) * ch.rows * plan.tw);
  }
  return vs;
}

}  // namespace

bool winograd_applies(int64_t in_channels, int64_t out_channels, int64_t out_h, int64_t out_w) {
  return in_channels >= 8 && out_channels >= 8 && out_h >= 2 && out_w >= 2;
}

bool winograd_conv3x3(const WinogradConv& g, const float* x, const int64_t* xs, const float* w, bool transposed,
                      const float* bias, float* y) {
  const Plan plan(g);
  const int64_t C = g.in_channels, K = g.out_channels, cp = padded(C), kp = padded(K), plane = g.out_h * g.out_w;
  if (!all_finite(w, K * C * 9)) return false;
  std::atomic<bool> nonfinite{false};
  const std::vector<float> u = transform_filters(w, transposed, K, C);
  std::vector<float> b(static_cast<size_t>(kp), 0.0f);
  if (bias) std::copy(bias, bias + K, b.begin());
  SingleThreadedBlas single;
  claim_loop(plan.chunks, 1, [] { return Buffers(); }, [&](int64_t chunk, int64_t, Buffers& buf) {
    const Chunk ch = plan.chunk(chunk);
    const int64_t vs = input_tiles_of(g, plan, ch, x, xs, buf, nonfinite), ms = plane_stride(ch.tiles * kp);
    if (nonfinite) return;
    buf.m.resize(static_cast<size_t>(16 * ms));
    for (int64_t xi = 0; xi < 16; ++xi)
      gemm(false, false, ch.tiles, K, C, 1.0f, buf.v.data() + xi * vs, cp, u.data() + xi * C * K, K, 0.0f,
           buf.m.data() + xi * ms, kp);
    const int64_t out_rows = std::min(2 * ch.rows, g.out_h - 2 * ch.ty0), ow = 2 * plan.tw;
    buf.out.resize(static_cast<size_t>(2 * ch.rows * ow * kp));
    for (int64_t n = ch.n0; n < ch.n1; ++n) {
      transform_output(buf.m.data(), ms, (n - ch.n0) * ch.rows * plan.tw, ch.rows, plan.tw, kp, b.data(),
                       buf.out.data());
      for (int64_t r = 0; r < out_rows; ++r)
        to_channels_first(buf.out.data() + r * ow * kp, kp, K, g.out_w, y + n * K * plane + (2 * ch.ty0 + r) * g.out_w,
                          plane);
    }
  });
  return !nonfinite;
}

bool winograd_weight_grad3x3(const WinogradConv& g, const float* x, const int64_t* xs, const float* dy,
                             const int64_t* ys, float* dw) {
  const Plan plan(g);
  std::atomic<bool> nonfinite{false};
  const int64_t C = g.in_channels, K = g.out_channels, cp = padded(C), kp = padded(K), usize = 16 * C * K;
  // Chunks go in fixed blocks of about kBlockSamples samples whose partial sums merge in order, so that results
  // do not depend on the thread count.
  constexpr int64_t kBlockSamples = 4;
  const int64_t per_block = plan.bands > 1 ? kBlockSamples * plan.bands
                                           : std::max<int64_t>(1, kBlockSamples / plan.per_chunk);
  const int64_t blocks = (plan.chunks + per_block - 1) / per_block;
  std::vector<float> partials(static_cast<size_t>(std::max<int64_t>(blocks, 1) * usize), 0.0f);
  SingleThreadedBlas single;
  claim_loop(blocks, 1, [] { return Buffers(); }, [&](int64_t blk, int64_t, Buffers& buf) {
    float* du = partials.data() + blk * usize;  // dU[xi][c][k], the sum over the block's tiles
    for (int64_t chunk = blk * per_block; chunk < std::min(plan.chunks, (blk + 1) * per_block); ++chunk) {
      const Chunk ch = plan.chunk(chunk);
      const int64_t vs = input_tiles_of(g, plan, ch, x, xs, buf, nonfinite), ms = plane_stride(ch.tiles * kp);
      const int64_t ow = 2 * plan.tw;
      buf.m.resize(static_cast<size_t>(16 * ms));
      buf.out.resize(static_cast<size_t>(2 * ch.rows * ow * kp));
      for (int64_t n = ch.n0; n < ch.n1; ++n) {  // dY's 2 x 2 blocks, channels last (zeros past the edges)
        std::fill(buf.out.begin(), buf.out.end(), 0.0f);
        for (int64_t r = 0; r < std::min(2 * ch.rows, g.out_h - 2 * ch.ty0); ++r)
          to_channels_last(dy + n * ys[0] + (2 * ch.ty0 + r) * ys[2], ys[1], ys[3], K, g.out_w,
                           buf.out.data() + r * ow * kp, kp);
        if (!all_finite(buf.out.data(), static_cast<int64_t>(buf.out.size()))) nonfinite = true;
        transform_gradient(buf.out.data(), ch.rows, plan.tw, kp, buf.m.data(), ms, (n - ch.n0) * ch.rows * plan.tw);
      }
      if (nonfinite) return;
      for (int64_t xi = 0; xi < 16; ++xi)
        gemm(true, false, C, K, ch.tiles, 1.0f, buf.v.data() + xi * vs, cp, buf.m.data() + xi * ms, kp, 1.0f,
             du + xi * C * K, K);
    }
  });
  if (nonfinite) return false;
  for (int64_t blk = 1; blk < blocks; ++blk)
    for (int64_t i = 0; i < usize; ++i) partials[i] += partials[blk * usize + i];
  gradient_to_filters(partials.data(), K, C, dw);
  return true;
}

}  // namespace kiln::cpu
