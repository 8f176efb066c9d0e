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
#include <vector>

#include "cpu/claim_loop.h"
#include "cpu/gemm.h"
#include "cpu/simd.h"
#include "cpu/transpose16.h"
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
#ifdef KILN_HAS_AVX512
  if (avx512_supported() && js == 1) return transpose_plane(src, cs, channels, ld, n, dst, ld);
#endif
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t j = 0; j < n; ++j) dst[j * ld + c] = src[c * cs + j * js];
}

// dst[c * cs + j] = src[j * ld + c] for c < channels, j < n: channels last to channels first.
void to_channels_first(const float* src, int64_t ld, int64_t channels, int64_t n, float* dst, int64_t cs) {
#ifdef KILN_HAS_AVX512
  if (avx512_supported()) return transpose_plane(src, ld, n, n, channels, dst, cs);
#endif
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t j = 0; j < n; ++j) dst[c * cs + j] = src[j * ld + c];
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
  if (w.cp % 16 == 0) input_tiles<16>(win, w, rows, tw, v, stride, p0);
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
  if (kp % 16 == 0) output_tiles<16>(m, stride, p0, rows, tw, kp, bias, out);
  else output_tiles<8>(m, stride, p0, rows, tw, kp, bias, out);
}
#pragma GCC diagnostic pop

struct Buffers {
  std::vector<float> win, v, m, out;
};

}  // namespace

bool winograd_applies(int64_t in_channels, int64_t out_channels, int64_t out_h, int64_t out_w) {
  return in_channels >= 8 && out_channels >= 8 && out_h >= 2 && out_w >= 2;
}

void winograd_conv3x3(const WinogradConv& g, const float* x, const int64_t* xs, const float* w, bool transposed,
                      const float* bias, float* y) {
  const int64_t C = g.in_channels, K = g.out_channels, cp = padded(C), kp = padded(K);
  const int64_t th = (g.out_h + 1) / 2, tw = (g.out_w + 1) / 2, tiles = th * tw, plane = g.out_h * g.out_w;
  // A chunk: whole samples when a sample has few tiles, else a band of tile rows of one sample, so that the
  // transformed input and the products of a chunk stay in the core's L2 (a whole 56x56 sample spilled them).
  const int64_t band = std::clamp<int64_t>(kTilesPerChunk / tw, 1, th), bands = (th + band - 1) / band;
  const int64_t per_chunk = bands > 1 ? 1 : std::max<int64_t>(1, kTilesPerChunk / tiles);
  const int64_t chunks = bands > 1 ? g.batch * bands : (g.batch + per_chunk - 1) / per_chunk;
  const std::vector<float> u = transform_filters(w, transposed, K, C);
  std::vector<float> b(static_cast<size_t>(kp), 0.0f);
  if (bias) std::copy(bias, bias + K, b.begin());
  SingleThreadedBlas single;
  claim_loop(chunks, 1, [] { return Buffers(); }, [&](int64_t chunk, int64_t, Buffers& buf) {
    // Samples [n0, n1), tile rows [ty0, ty1) of each.
    const int64_t n0 = bands > 1 ? chunk / bands : chunk * per_chunk;
    const int64_t n1 = bands > 1 ? n0 + 1 : std::min(g.batch, n0 + per_chunk);
    const int64_t ty0 = bands > 1 ? chunk % bands * band : 0, ty1 = std::min(th, ty0 + band), rows = ty1 - ty0;
    const int64_t P = (n1 - n0) * rows * tw;  // tiles in this chunk, the GEMMs' rows
    const Window win{2 * rows + 2, 2 * tw + 2, cp};
    buf.win.resize(static_cast<size_t>(win.rows * win.cols * cp));
    const int64_t vs = plane_stride(P * cp), ms = plane_stride(P * kp);
    buf.v.resize(static_cast<size_t>(16 * vs));
    buf.m.resize(static_cast<size_t>(16 * ms));
    buf.out.resize(static_cast<size_t>(2 * rows * 2 * tw * kp));
    for (int64_t n = n0; n < n1; ++n) {
      load_window(x + n * xs[0], xs, g, ty0, win, buf.win.data());
      transform_input(buf.win.data(), win, rows, tw, buf.v.data(), vs, (n - n0) * rows * tw);
    }
    for (int64_t xi = 0; xi < 16; ++xi)
      gemm(false, false, P, K, C, 1.0f, buf.v.data() + xi * vs, cp, u.data() + xi * C * K, K, 0.0f,
           buf.m.data() + xi * ms, kp);
    const int64_t out_rows = std::min(2 * rows, g.out_h - 2 * ty0);
    for (int64_t n = n0; n < n1; ++n) {
      transform_output(buf.m.data(), ms, (n - n0) * rows * tw, rows, tw, kp, b.data(), buf.out.data());
      for (int64_t r = 0; r < out_rows; ++r)
        to_channels_first(buf.out.data() + r * 2 * tw * kp, kp, K, g.out_w, y + n * K * plane + (2 * ty0 + r) * g.out_w,
                          plane);
    }
  });
}

}  // namespace kiln::cpu
