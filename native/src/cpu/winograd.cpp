// Winograd's minimal filtering (Lavin and Gray, 2016) for 3x3 and 5x5 kernels: an m x m block of outputs is
// Y = A^T [sum over input channels of (G g G^T) .* (B^T d B)] A for each a x a input tile d (a = m + r - 1 for an
// r x r kernel g): F(2x2, 3x3) (a = 4) and F(4x4, 3x3) for 3x3 kernels, F(2x2, 5x5) (a = 6) for 5x5. The channel
// sums for each of the a^2 positions of the products form one GEMM, [tiles, in] x [in, out]. Tiles are processed in
// chunks fixed by the shapes, which the pool's threads claim (each with its own buffers and single-threaded
// GEMMs), so results do not depend on the thread count.
//
// The transforms work channels last: a chunk's input window is transposed once into [row][column][channel], so
// all transforms run 16 channels to a vector with every tile's values at fixed offsets, and the outputs are
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
#include "kiln/tensor.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

constexpr int64_t kLanes = 16;  // floats in a vector of the transforms (and in a cache line)

// Each kernel size's matrices: an m x m block of outputs from an a x a tile (a = m + r - 1), as the 1-D transforms
// B^T (input), A^T (output) and A (the output's gradient) over vectors, and G's interpolation points and scales.

// F(2x2, 3x3): interpolation points 0, 1, -1 and infinity.
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1], A^T = [1 1 1 0; 0 1 -1 -1]
struct F2x3 {
  static constexpr int r = 3, m = 2, a = 4;
  static constexpr double points[3] = {0, 1, -1}, scales[3] = {1, 0.5, 0.5};  // G's rows: scale * point^k

  template <class V>  // B^T d
  KILN_ALWAYS_INLINE static void input(const V* d, V* o) {
    o[0] = d[0] - d[2];
    o[1] = d[1] + d[2];
    o[2] = d[2] - d[1];
    o[3] = d[1] - d[3];
  }
  template <class V>  // A^T p
  KILN_ALWAYS_INLINE static void output(const V* p, V* y) {
    y[0] = p[0] + p[1] + p[2];
    y[1] = p[1] - p[2] - p[3];
  }
  template <class V>  // A y
  KILN_ALWAYS_INLINE static void gradient(const V* y, V* p) {
    p[0] = y[0];
    p[1] = y[0] + y[1];
    p[2] = y[0] - y[1];
    p[3] = -y[1];
  }
};

// Points 0, 1, -1, 2, -2 and infinity, with B^T scaled to small integers (B^T depends only on the points):
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G's rows: g(0) / 4, -g(1) / 6, -g(-1) / 6, g(2) / 24, g(-2) / 24 and the kernel's last value, g(t) = sum g_k t^k
// In float32, F(2x2, 5x5) and F(4x4, 3x3) round to about 15 times a direct sum's error (2e-6 of the output's scale
// over 32 channels, against float64).
struct Points6 {
  static constexpr int a = 6;
  static constexpr double points[5] = {0, 1, -1, 2, -2}, scales[5] = {0.25, -1.0 / 6, -1.0 / 6, 1.0 / 24, 1.0 / 24};

  template <class V>
  KILN_ALWAYS_INLINE static void input(const V* d, V* o) {
    const V p = d[4] - 4 * d[2], q = d[3] - 4 * d[1], s = d[4] - d[2], u = 2 * (d[3] - d[1]);
    o[0] = 4 * d[0] - 5 * d[2] + d[4];
    o[1] = p + q;
    o[2] = p - q;
    o[3] = s + u;
    o[4] = s - u;
    o[5] = 4 * d[1] - 5 * d[3] + d[5];
  }
};

// F(2x2, 5x5): A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 1]
struct F2x5 : Points6 {
  static constexpr int r = 5, m = 2;

  template <class V>
  KILN_ALWAYS_INLINE static void output(const V* p, V* y) {
    y[0] = p[0] + p[1] + p[2] + p[3] + p[4];
    y[1] = p[1] - p[2] + 2 * (p[3] - p[4]) + p[5];
  }
  template <class V>
  KILN_ALWAYS_INLINE static void gradient(const V* y, V* p) {
    const V twice = 2 * y[1];
    p[0] = y[0];
    p[1] = y[0] + y[1];
    p[2] = y[0] - y[1];
    p[3] = y[0] + twice;
    p[4] = y[0] - twice;
    p[5] = y[1];
  }
};

// F(4x4, 3x3): A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
struct F4x3 : Points6 {
  static constexpr int r = 3, m = 4;

  template <class V>
  KILN_ALWAYS_INLINE static void output(const V* p, V* y) {
    const V s1 = p[1] + p[2], d1 = p[1] - p[2], s2 = p[3] + p[4], d2 = p[3] - p[4];
    y[0] = p[0] + s1 + s2;
    y[1] = d1 + 2 * d2;
    y[2] = s1 + 4 * s2;
    y[3] = d1 + 8 * d2 + p[5];
  }
  template <class V>
  KILN_ALWAYS_INLINE static void gradient(const V* y, V* p) {
    const V e1 = y[0] + y[2], o1 = y[1] + y[3], e2 = y[0] + 4 * y[2], o2 = 2 * y[1] + 8 * y[3];
    p[0] = y[0];
    p[1] = e1 + o1;
    p[2] = e1 - o1;
    p[3] = e2 + o2;
    p[4] = e2 - o2;
    p[5] = y[3];
  }
};

// A dimension the kernel does not extend in (1-D convolutions, and 1 x k kernels): one value a tile.
struct F1x1 {
  static constexpr int r = 1, m = 1, a = 1;
  static constexpr double points[1] = {0}, scales[1] = {1};  // unused: G is the last row alone, [1]

  template <class V>
  KILN_ALWAYS_INLINE static void input(const V* d, V* o) { o[0] = d[0]; }
  template <class V>
  KILN_ALWAYS_INLINE static void output(const V* p, V* y) { y[0] = p[0]; }
  template <class V>
  KILN_ALWAYS_INLINE static void gradient(const V* y, V* p) { p[0] = y[0]; }
};

// A 2-D tile: H down the rows, W along them.
template <class H, class W>
struct Tile {
  using FH = H;
  using FW = W;
  static constexpr int planes = H::a * W::a;
};

// G (a x r) and its transpose: row j of G is scales[j] * points[j]^k, the last row picks a kernel's last value.
template <class F>
struct FilterMatrix {
  double g[F::a][F::r] = {}, gt[F::r][F::a] = {};
  constexpr FilterMatrix() {
    for (int j = 0; j + 1 < F::a; ++j) {
      double power = F::scales[j];
      for (int k = 0; k < F::r; ++k, power *= F::points[j]) g[j][k] = gt[k][j] = power;
    }
    g[F::a - 1][F::r - 1] = gt[F::r - 1][F::a - 1] = 1;
  }
};

constexpr int kFilterLanes = 8;  // filters transformed at a time: a vector of doubles

// out[i][j][l] = sum over k < n of m[i][k] * in[k][j][l] for l < kFilterLanes: a product of a constant matrix
// with kFilterLanes matrices at once, lanes innermost so that they vectorize, zeros of m skipped.
template <int I, int N, int J>
KILN_ALWAYS_INLINE void times(const double (&m)[I][N], const double (&in)[N][J][kFilterLanes],
                              double (&out)[I][J][kFilterLanes]) {
  for (int i = 0; i < I; ++i)
    for (int j = 0; j < J; ++j) {
      double acc[kFilterLanes] = {};
      for (int k = 0; k < N; ++k) {
        const double c = m[i][k];
        if (c == 0) continue;
        for (int l = 0; l < kFilterLanes; ++l) acc[l] += c * in[k][j][l];
      }
      for (int l = 0; l < kFilterLanes; ++l) out[i][j][l] = acc[l];
    }
}

// m^T for an a x b array of kFilterLanes lanes.
template <int A, int B>
KILN_ALWAYS_INLINE void transpose_lanes(const double (&m)[A][B][kFilterLanes], double (&t)[B][A][kFilterLanes]) {
  for (int i = 0; i < A; ++i)
    for (int j = 0; j < B; ++j)
      for (int l = 0; l < kFilterLanes; ++l) t[j][i][l] = m[i][j][l];
}

// U[xi][i][o] = (G_H g G_W^T)[xi] for the kernels g of output channels o and GEMM rows i in [i0, i1), in double,
// kFilterLanes output channels at a time (w as transform_filters takes it). Row i = kd C + c is input channel c at
// the kernel's depth kd (a 3-D kernel is kernel_d 2-D ones, each a block of the GEMMs' depth).
template <class T>
KILN_SIMD void filters_of(const float* w, bool transposed, int64_t out_channels, int64_t channels, int64_t kernel_d,
                          int64_t i0, int64_t i1, float* u) {
  constexpr int rh = T::FH::r, rw = T::FW::r, ah = T::FH::a, aw = T::FW::a;
  static constexpr FilterMatrix<typename T::FH> GH;
  static constexpr FilterMatrix<typename T::FW> GW;
  const int64_t rows = kernel_d * channels;
  for (int64_t i = i0; i < i1; ++i)
    for (int64_t o0 = 0; o0 < out_channels; o0 += kFilterLanes) {
      const int64_t n = std::min<int64_t>(kFilterLanes, out_channels - o0), kd = i / channels, c = i % channels;
      double g[rh][rw][kFilterLanes] = {}, t[ah][rw][kFilterLanes], tt[rw][ah][kFilterLanes], ut[aw][ah][kFilterLanes];
      for (int64_t l = 0; l < n; ++l) {
        const float* k = transposed ? w + ((c * out_channels + o0 + l) * kernel_d + (kernel_d - 1 - kd)) * rh * rw
                                    : w + (((o0 + l) * channels + c) * kernel_d + kd) * rh * rw;
        for (int y = 0; y < rh; ++y)
          for (int x = 0; x < rw; ++x)
            g[y][x][l] = transposed ? k[(rh - 1 - y) * rw + (rw - 1 - x)] : k[y * rw + x];  // flipped: [in, out]
      }
      times(GH.g, g, t);  // G_H g
      transpose_lanes(t, tt);
      times(GW.g, tt, ut);  // G_W (G_H g)^T = (G_H g G_W^T)^T
      for (int y = 0; y < ah; ++y)
        for (int x = 0; x < aw; ++x)
          for (int64_t l = 0; l < n; ++l)
            u[((y * aw + x) * rows + i) * out_channels + o0 + l] = static_cast<float>(ut[x][y][l]);
    }
}

// dw[k][c][kd] = G_H^T dU[.][i][k] G_W (i = kd C + c) for output channels [k0, k1) and every GEMM row i: the
// kernel gradients from the products' gradient summed over the tiles (dU[xi][i][k]), in double, kFilterLanes
// output channels at a time.
template <class T>
KILN_SIMD void filter_gradients_of(const float* du, int64_t out_channels, int64_t channels, int64_t kernel_d,
                                   int64_t k0, int64_t k1, float* dw) {
  constexpr int rh = T::FH::r, rw = T::FW::r, ah = T::FH::a, aw = T::FW::a;
  static constexpr FilterMatrix<typename T::FH> GH;
  static constexpr FilterMatrix<typename T::FW> GW;
  const int64_t rows = kernel_d * channels;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t o0 = k0; o0 < k1; o0 += kFilterLanes) {
      const int64_t n = std::min<int64_t>(kFilterLanes, k1 - o0);
      double d[ah][aw][kFilterLanes] = {}, t[rh][aw][kFilterLanes], tt[aw][rh][kFilterLanes], gt[rw][rh][kFilterLanes];
      for (int y = 0; y < ah; ++y)
        for (int x = 0; x < aw; ++x)
          for (int64_t l = 0; l < n; ++l) d[y][x][l] = du[((y * aw + x) * rows + i) * out_channels + o0 + l];
      times(GH.gt, d, t);  // G_H^T d
      transpose_lanes(t, tt);
      times(GW.gt, tt, gt);  // G_W^T (G_H^T d)^T = (G_H^T d G_W)^T
      for (int64_t l = 0; l < n; ++l)
        for (int y = 0; y < rh; ++y)
          for (int x = 0; x < rw; ++x)
            dw[((((o0 + l) * channels + i % channels) * kernel_d + i / channels) * rh + y) * rw + x] =
                static_cast<float>(gt[x][y][l]);
    }
}

// U[xi][i][o] = (G_H g G_W^T)[xi] for the kernel g of output channel o and input channel i; input channels are shared
// among the threads.
template <class T>
Tensor transform_filters(const float* w, bool transposed, int64_t out_channels, int64_t channels, int64_t kernel_d) {
  Tensor u = Tensor::empty({T::planes * out_channels * channels * kernel_d}, DType::Float32);
  parallel_for(kernel_d * channels, std::max<int64_t>(1, 1024 / out_channels), [&](int64_t i0, int64_t i1) {
    filters_of<T>(w, transposed, out_channels, channels, kernel_d, i0, i1, u.data<float>());
  });
  return u;
}

// dw[k][c] = G_H^T dU[.][c][k] G_W, output channels shared among the threads.
template <class T>
void gradient_to_filters(const float* du, int64_t out_channels, int64_t channels, int64_t kernel_d, float* dw) {
  const int64_t blocks = (out_channels + kFilterLanes - 1) / kFilterLanes;
  parallel_for(blocks, std::max<int64_t>(1, 128 / (kernel_d * channels)), [&](int64_t b0, int64_t b1) {
    filter_gradients_of<T>(du, out_channels, channels, kernel_d, b0 * kFilterLanes,
                           std::min(out_channels, b1 * kFilterLanes), dw);
  });
}

// Tiles in a chunk: 128 at 4 x 4 tiles and 64 channels is 0.5 MB of transformed input and as much of products,
// which stay in a core's L2. At 6 x 6 the same count (1.2 MB each) ran 4-10% faster than 56 or 64 tiles (the GEMMs'
// rows; [32, 32, 28, 28] -> 64 forward + backward) and as fast as 98.
constexpr int64_t kTilesPerChunk = 128;

// Channel counts are padded to a whole number of vectors: 8 for 8 channels or fewer (padded to 16, 8 channels
// doubled the transforms' work: 0.88-0.90x the channels-first path at 28 x 28), else 16.
int64_t padded(int64_t channels) { return channels <= 8 ? 8 : (channels + kLanes - 1) / kLanes * kLanes; }

// The distance between the planes of transformed inputs or products, in floats: one cache line more when a
// plane is a multiple of 4 KB, where the transforms' streams would fall into one set of the L1 (112 tiles of
// 64 channels, the ResNet block's bands: 11.95-12.25 -> 10.5 ms forward, alternating in one process).
int64_t plane_stride(int64_t floats) { return floats % 1024 == 0 ? floats + kLanes : floats; }

// dst[j * ld + c] = src[c * cs + j * js] for c < channels, j < n: channels first to channels last, the rest of
// each of dst's rows left as it is (a 3-D kernel's depth slices fill blocks of one row in turn).
void to_channels_last(const float* src, int64_t cs, int64_t js, int64_t channels, int64_t n, float* dst, int64_t ld) {
  if (js == 1) return transpose_block(src, cs, channels, channels, n, dst, ld);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t j = 0; j < n; ++j) dst[j * ld + c] = src[c * cs + j * js];
}

// dst[c * cs + j] = src[j * ld + c] for c < channels, j < n: channels last to channels first.
void to_channels_first(const float* src, int64_t ld, int64_t channels, int64_t n, float* dst, int64_t cs) {
  transpose_block(src, ld, n, n, channels, dst, cs);
}

// The planes the transforms run over: a 3-D convolution's output depth slices are samples of their own, and its
// kernel's kernel_d depth slices blocks of the GEMMs' rows (i = kd C + c reads input channel c at depth
// od - pad_d + kd), so that 2-D tiles serve it. A 2-D convolution is the case of depth 1.
int64_t samples(const WinogradConv& g) { return g.batch * g.out_d; }
int64_t gemm_rows(const WinogradConv& g) { return g.kernel_d * g.in_channels; }

// The input a band of tile rows of sample s reads, channels last: win[y][col][i] = x[c][d][row0 - pad_h + y]
// [col - pad_w] for y < m_H rows + r_H - 1, col < m_W tw + r_W - 1 and GEMM rows i = kd C + c (depth
// d = od - pad_d + kd); zeros outside the input and in the padding rows up to cp.
struct Window {
  int64_t rows, cols, cp;
};

void load_window(const float* x, const int64_t* xs, const WinogradConv& g, int64_t s, int64_t row0,
                 const Window& w, float* win) {
  std::fill(win, win + w.rows * w.cols * w.cp, 0.0f);
  const int64_t col0 = std::min(g.pad_w, w.cols), col1 = std::min(w.cols, g.pad_w + g.in_w);
  if (col1 <= col0) return;
  const int64_t n = s / g.out_d, od = s % g.out_d;
  for (int64_t kd = 0; kd < g.kernel_d; ++kd) {
    const int64_t d = od - g.pad_d + kd;
    if (d < 0 || d >= g.in_d) continue;
    const float* plane = x + n * xs[0] + d * xs[2];
    for (int64_t y = 0; y < w.rows; ++y) {
      const int64_t in_row = row0 - g.pad_h + y;
      if (in_row < 0 || in_row >= g.in_h) continue;
      to_channels_last(plane + in_row * xs[3] + (col0 - g.pad_w) * xs[4], xs[1], xs[4], g.in_channels, col1 - col0,
                       win + (y * w.cols + col0) * w.cp + kd * g.in_channels, w.cp);
    }
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

template <class T, int L>
KILN_ALWAYS_INLINE void input_tiles(const float* win, const Window& w, int64_t rows, int64_t tw, float* v,
                                    int64_t stride, int64_t p0) {
  using Lanes = typename Vec<L>::type;
  using H = typename T::FH;
  using W = typename T::FW;
  const int64_t rs = w.cols * w.cp;
  for (int64_t ty = 0; ty < rows; ++ty)
    for (int64_t tx = 0; tx < tw; ++tx) {
      const float* d = win + (H::m * ty * w.cols + W::m * tx) * w.cp;
      float* out = v + (p0 + ty * tw + tx) * w.cp;
      for (int64_t c0 = 0; c0 < w.cp; c0 += L) {
        Lanes t[H::a][W::a];  // B_H^T d, column by column
        for (int x = 0; x < W::a; ++x) {
          Lanes column[H::a], product[H::a];
          for (int y = 0; y < H::a; ++y) column[y] = load<L>(d + y * rs + x * w.cp + c0);
          H::input(column, product);
          for (int y = 0; y < H::a; ++y) t[y][x] = product[y];
        }
        for (int y = 0; y < H::a; ++y) {  // (B_H^T d) B_W along each row
          Lanes row[W::a];
          W::input(t[y], row);
          for (int x = 0; x < W::a; ++x) store<L>(out + (y * W::a + x) * stride + c0, row[x]);
        }
      }
    }
}

// v[xi][p][c] = (B_H^T d B_W)[xi] for the tiles p = p0 + ty * tw + tx of a band, d the window at (m_H ty, m_W tx),
// with xi's planes `stride` apart.
template <class T>
KILN_SIMD void transform_input(const float* win, const Window& w, int64_t rows, int64_t tw, float* v,
                               int64_t stride, int64_t p0) {
  if (w.cp % 16 == 0 && wide_lanes()) input_tiles<T, 16>(win, w, rows, tw, v, stride, p0);
  else input_tiles<T, 8>(win, w, rows, tw, v, stride, p0);
}

template <class T, int L>
KILN_ALWAYS_INLINE void output_tiles(const float* m, int64_t stride, int64_t p0, int64_t rows, int64_t tw,
                                     int64_t kp, const float* bias, float* out) {
  using Lanes = typename Vec<L>::type;
  using H = typename T::FH;
  using W = typename T::FW;
  const int64_t rs = W::m * tw * kp;
  for (int64_t ty = 0; ty < rows; ++ty)
    for (int64_t tx = 0; tx < tw; ++tx) {
      const float* mp = m + (p0 + ty * tw + tx) * kp;
      float* o = out + (H::m * ty * W::m * tw + W::m * tx) * kp;
      for (int64_t k0 = 0; k0 < kp; k0 += L) {
        Lanes t[H::m][W::a];  // A_H^T m, down each column
        for (int x = 0; x < W::a; ++x) {
          Lanes column[H::a], y[H::m];
          for (int i = 0; i < H::a; ++i) column[i] = load<L>(mp + (i * W::a + x) * stride + k0);
          H::output(column, y);
          for (int i = 0; i < H::m; ++i) t[i][x] = y[i];
        }
        const Lanes bias_k = load<L>(bias + k0);
        for (int i = 0; i < H::m; ++i) {  // (A_H^T m) A_W along each row
          Lanes y[W::m];
          W::output(t[i], y);
          for (int j = 0; j < W::m; ++j) store<L>(o + i * rs + j * kp + k0, y[j] + bias_k);
        }
      }
    }
}

// The m_H x m_W outputs A_H^T m A_W + bias of the tiles p0 + ty * tw + tx of a band, channels last:
// out[m_H ty + i][m_W tx + j][k] (rows m_W tw wide), from m[xi][p][k] with xi's planes `stride` apart.
template <class T>
KILN_SIMD void transform_output(const float* m, int64_t stride, int64_t p0, int64_t rows, int64_t tw, int64_t kp,
                                const float* bias, float* out) {
  if (kp % 16 == 0 && wide_lanes()) output_tiles<T, 16>(m, stride, p0, rows, tw, kp, bias, out);
  else output_tiles<T, 8>(m, stride, p0, rows, tw, kp, bias, out);
}

template <class T, int L>
KILN_ALWAYS_INLINE void gradient_tiles(const float* gy, int64_t rows, int64_t tw, int64_t kp, float* m,
                                       int64_t stride, int64_t p0) {
  using Lanes = typename Vec<L>::type;
  using H = typename T::FH;
  using W = typename T::FW;
  const int64_t rs = W::m * tw * kp;
  for (int64_t ty = 0; ty < rows; ++ty)
    for (int64_t tx = 0; tx < tw; ++tx) {
      const float* d = gy + (H::m * ty * W::m * tw + W::m * tx) * kp;
      float* o = m + (p0 + ty * tw + tx) * kp;
      for (int64_t k0 = 0; k0 < kp; k0 += L) {
        Lanes t[W::m][H::a];  // A_H dY, down each of the block's columns
        for (int j = 0; j < W::m; ++j) {
          Lanes column[H::m];
          for (int i = 0; i < H::m; ++i) column[i] = load<L>(d + i * rs + j * kp + k0);
          H::gradient(column, t[j]);
        }
        for (int y = 0; y < H::a; ++y) {  // (A_H dY) A_W^T along each row
          Lanes block_row[W::m], row[W::a];
          for (int j = 0; j < W::m; ++j) block_row[j] = t[j][y];
          W::gradient(block_row, row);
          for (int x = 0; x < W::a; ++x) store<L>(o + (y * W::a + x) * stride + k0, row[x]);
        }
      }
    }
}

// m[xi][p][k] = (A_H dY A_W^T)[xi], the gradient of the products, for the tiles p = p0 + ty * tw + tx of a band
// from its output gradient dY channels last, gy[m_H ty + i][m_W tx + j][k] (rows m_W tw wide).
template <class T>
KILN_SIMD void transform_gradient(const float* gy, int64_t rows, int64_t tw, int64_t kp, float* m, int64_t stride,
                                  int64_t p0) {
  if (kp % 16 == 0 && wide_lanes()) gradient_tiles<T, 16>(gy, rows, tw, kp, m, stride, p0);
  else gradient_tiles<T, 8>(gy, rows, tw, kp, m, stride, p0);
}
#pragma GCC diagnostic pop

// Whether x[0..n) holds no infinity or NaN. The transforms mix every value of a tile into every product, so one
// infinity would turn outputs (or weight gradients) that never touch it into NaN where a direct convolution keeps
// them finite: such inputs take the direct path.
KILN_SIMD bool all_finite(const float* x, int64_t n) {
  int bad = 0;
  for (int64_t i = 0; i < n; ++i) bad |= !(x[i] - x[i] == 0.0f);
  return bad == 0;
}

// A thread's working buffer, from the core's caching allocator: fresh vectors of a few MB came from mmap on every
// call, and first touching their pages took 10-20% of a small convolution.
struct Scratch {
  Tensor block;
  float* take(int64_t n) {
    if (!block.defined() || block.numel() < n) block = Tensor::empty({n}, DType::Float32);
    return block.data<float>();
  }
};

struct Buffers {
  Scratch win, v, m, out;
};

// Samples [n0, n1) and tile rows [ty0, ty0 + rows) of each: one chunk, `tiles` tiles in all (the GEMMs' extent).
struct Chunk {
  int64_t n0, n1, ty0, rows, tiles;
};

// A chunk: whole samples when a sample has few tiles, else a band of tile rows of one sample, so that the
// transformed input and the products of a chunk stay in the core's L2 (a whole 56x56 sample spilled them).
struct Plan {
  int64_t batch, th, tw, band, bands, per_chunk, chunks;

  Plan(const WinogradConv& g, int64_t mh, int64_t mw) {
    batch = samples(g);
    th = (g.out_h + mh - 1) / mh;
    tw = (g.out_w + mw - 1) / mw;
    band = std::clamp<int64_t>(kTilesPerChunk / tw, 1, th);
    bands = (th + band - 1) / band;
    per_chunk = bands > 1 ? 1 : std::max<int64_t>(1, kTilesPerChunk / (th * tw));
    chunks = bands > 1 ? batch * bands : (batch + per_chunk - 1) / per_chunk;
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
template <class T>
int64_t input_tiles_of(const WinogradConv& g, const Plan& plan, const Chunk& ch, const float* x, const int64_t* xs,
                       Buffers& buf, std::atomic<bool>& nonfinite) {
  const int64_t cp = padded(gemm_rows(g)), vs = plane_stride(ch.tiles * cp);
  const Window win{T::FH::m * ch.rows + T::FH::r - 1, T::FW::m * plan.tw + T::FW::r - 1, cp};
  const int64_t window_size = win.rows * win.cols * cp;
  float* const window = buf.win.take(window_size);
  float* const v = buf.v.take(T::planes * vs);
  for (int64_t n = ch.n0; n < ch.n1; ++n) {
    load_window(x, xs, g, n, T::FH::m * ch.ty0, win, window);
    if (!all_finite(window, window_size)) nonfinite = true;
    transform_input<T>(window, win, ch.rows, plan.tw, v, vs, (n - ch.n0) * ch.rows * plan.tw);
  }
  return vs;
}

template <class T>
bool conv(const WinogradConv& g, const float* x, const int64_t* xs, const float* w, bool transposed,
          const float* bias, float* y) {
  constexpr int64_t planes = T::planes, mh = T::FH::m, mw = T::FW::m;
  const Plan plan(g, mh, mw);
  const int64_t C = gemm_rows(g), K = g.out_channels, cp = padded(C), kp = padded(K), plane = g.out_h * g.out_w;
  if (!all_finite(w, K * C * T::FH::r * T::FW::r)) return false;
  std::atomic<bool> nonfinite{false};
  const Tensor u = transform_filters<T>(w, transposed, K, g.in_channels, g.kernel_d);
  std::vector<float> b(static_cast<size_t>(kp), 0.0f);
  if (bias) std::copy(bias, bias + K, b.begin());
  SingleThreadedBlas single;
  claim_loop(plan.chunks, 1, [] { return Buffers(); }, [&](int64_t chunk, int64_t, Buffers& buf) {
    const Chunk ch = plan.chunk(chunk);
    const int64_t vs = input_tiles_of<T>(g, plan, ch, x, xs, buf, nonfinite), ms = plane_stride(ch.tiles * kp);
    if (nonfinite) return;
    const float* const v = buf.v.block.data<float>();
    float* const m = buf.m.take(planes * ms);
    for (int64_t xi = 0; xi < planes; ++xi)
      gemm(false, false, ch.tiles, K, C, 1.0f, v + xi * vs, cp, u.data<float>() + xi * C * K, K, 0.0f, m + xi * ms,
           kp);
    const int64_t out_rows = std::min(mh * ch.rows, g.out_h - mh * ch.ty0), ow = mw * plan.tw;
    float* const out = buf.out.take(mh * ch.rows * ow * kp);
    for (int64_t n = ch.n0; n < ch.n1; ++n) {
      transform_output<T>(m, ms, (n - ch.n0) * ch.rows * plan.tw, ch.rows, plan.tw, kp, b.data(), out);
      for (int64_t r = 0; r < out_rows; ++r)
        to_channels_first(out + r * ow * kp, kp, K, g.out_w, y + (n / g.out_d * K * g.out_d + n % g.out_d) * plane +
                          (mh * ch.ty0 + r) * g.out_w, g.out_d * plane);
    }
  });
  return !nonfinite;
}

template <class T>
bool weight_grad(const WinogradConv& g, const float* x, const int64_t* xs, const float* dy, const int64_t* ys,
                 float* dw) {
  constexpr int64_t planes = T::planes, mh = T::FH::m, mw = T::FW::m;
  const Plan plan(g, mh, mw);
  std::atomic<bool> nonfinite{false};
  const int64_t C = gemm_rows(g), K = g.out_channels, cp = padded(C), kp = padded(K), usize = planes * C * K;
  // Chunks go in fixed blocks of about kBlockSamples samples whose partial sums merge in order, so that results
  // do not depend on the thread count.
  constexpr int64_t kBlockSamples = 4;
  const int64_t per_block = plan.bands > 1 ? kBlockSamples * plan.bands
                                           : std::max<int64_t>(1, kBlockSamples / plan.per_chunk);
  const int64_t blocks = (plan.chunks + per_block - 1) / per_block;
  Tensor partials = Tensor::empty({std::max<int64_t>(blocks, 1) * usize}, DType::Float32);
  std::fill(partials.data<float>(), partials.data<float>() + partials.numel(), 0.0f);
  SingleThreadedBlas single;
  claim_loop(blocks, 1, [] { return Buffers(); }, [&](int64_t blk, int64_t, Buffers& buf) {
    float* du = partials.data<float>() + blk * usize;  // dU[xi][c][k], the sum over the block's tiles
    for (int64_t chunk = blk * per_block; chunk < std::min(plan.chunks, (blk + 1) * per_block); ++chunk) {
      const Chunk ch = plan.chunk(chunk);
      const int64_t vs = input_tiles_of<T>(g, plan, ch, x, xs, buf, nonfinite), ms = plane_stride(ch.tiles * kp);
      const int64_t ow = mw * plan.tw, out_size = mh * ch.rows * ow * kp;
      float* const m = buf.m.take(planes * ms);
      float* const out = buf.out.take(out_size);
      for (int64_t n = ch.n0; n < ch.n1; ++n) {  // dY's m_H x m_W blocks, channels last (zeros past the edges)
        std::fill(out, out + out_size, 0.0f);
        for (int64_t r = 0; r < std::min(mh * ch.rows, g.out_h - mh * ch.ty0); ++r)
          to_channels_last(dy + n / g.out_d * ys[0] + n % g.out_d * ys[2] + (mh * ch.ty0 + r) * ys[3], ys[1], ys[4], K,
                           g.out_w, out + r * ow * kp, kp);
        if (!all_finite(out, out_size)) nonfinite = true;
        transform_gradient<T>(out, ch.rows, plan.tw, kp, m, ms, (n - ch.n0) * ch.rows * plan.tw);
      }
      if (nonfinite) return;
      const float* const v = buf.v.block.data<float>();
      for (int64_t xi = 0; xi < planes; ++xi)
        gemm(true, false, C, K, ch.tiles, 1.0f, v + xi * vs, cp, m + xi * ms, kp, 1.0f, du + xi * C * K, K);
    }
  });
  if (nonfinite) return false;
  float* const sum = partials.data<float>();
  for (int64_t blk = 1; blk < blocks; ++blk)
    for (int64_t i = 0; i < usize; ++i) sum[i] += sum[blk * usize + i];
  gradient_to_filters<T>(sum, K, g.in_channels, g.kernel_d, dw);
  return true;
}

// Whether a 3 (or 5) x 3 convolution takes 4 outputs a tile along each dim of 3: F(4, 3) (2.25 multiplies an output
// in 2-D, ~15x the rounding of a direct sum) rather than F(2, 3) (4, ~2x). Measured in 2-D, where it ran 10-45%
// faster in C++ on planes of 14 x 14 and up ([32,64,56,56] -> 64 forward 19.5 -> 13.6 ms, [32,256,28,28] -> 256 97 ->
// 69, [64,32,14,14] -> 64 1.21 -> 1.05, [32,256,14,14] -> 256 21.6 -> 19.5). Below it the 4 x 4 blocks waste more
// of the plane and chunks hold fewer tiles: [16,64,12,12] 0.48 against 0.52 ms, [8,64,8,8] even, [32,512,7,7] 32
// against 39.
bool large_tiles(const WinogradConv& g) {
  const int64_t h = g.kernel_h == 1 ? g.out_w : g.out_h, w = g.kernel_w == 1 ? g.out_h : g.out_w;  // 1-D: the long dim
  return std::min(h, w) >= 14;
}

// Calls fn(Tile<H, W>()) with the transforms for g's kernel (one of those winograd_applies accepts).
template <class Fn>
bool with_tile(const WinogradConv& g, Fn&& fn) {
  const bool large = large_tiles(g);
  switch (g.kernel_h * 10 + g.kernel_w) {
    case 33: return large ? fn(Tile<F4x3, F4x3>()) : fn(Tile<F2x3, F2x3>());
    case 55: return fn(Tile<F2x5, F2x5>());
    case 13: return large ? fn(Tile<F1x1, F4x3>()) : fn(Tile<F1x1, F2x3>());
    case 31: return large ? fn(Tile<F4x3, F1x1>()) : fn(Tile<F2x3, F1x1>());
    case 15: return fn(Tile<F1x1, F2x5>());
    case 51: return fn(Tile<F2x5, F1x1>());
    default: return false;
  }
}

}  // namespace

bool winograd_applies(int64_t kernel_h, int64_t kernel_w, int64_t in_channels, int64_t out_channels, int64_t out_h,
                      int64_t out_w) {
  const bool square = kernel_h == kernel_w && (kernel_h == 3 || kernel_h == 5);
  const int64_t longer = std::max(kernel_h, kernel_w);
  const bool line = std::min(kernel_h, kernel_w) == 1 && (longer == 3 || longer == 5);  // conv1d, 1 x k, k x 1
  // 5x5 with 8 channels one way: GEMMs too thin to repay the 6 x 6 transforms (forward [32, 8, 28, 28] -> 64
  // 2.93 ms against the direct loops' 3.00, its input gradient 4.4 against 3.6; [32, 16, 28, 28] -> 16 1.24 against
  // 1.49). 1-D: even at 16 channels ([32, 16, 256] -> 16 forward + backward), 1.4x at 32 ([32, 32, 256] -> 64 1.86
  // -> 1.30 ms).
  const int64_t fewest = kernel_h * kernel_w == 9 ? 8 : square ? 16 : 32;
  return (square || line) && std::min(in_channels, out_channels) >= fewest &&
         (kernel_h == 1 || out_h >= 2) && (kernel_w == 1 || out_w >= 2);
}

bool winograd_conv(const WinogradConv& g, const float* x, const int64_t* xs, const float* w, bool transposed,
                   const float* bias, float* y) {
  return with_tile(g, [&](auto tile) { return conv<decltype(tile)>(g, x, xs, w, transposed, bias, y); });
}

bool winograd_weight_grad(const WinogradConv& g, const float* x, const int64_t* xs, const float* dy,
                          const int64_t* ys, float* dw) {
  return with_tile(g, [&](auto tile) { return weight_grad<decltype(tile)>(g, x, xs, dy, ys, dw); });
}

}  // namespace kiln::cpu
