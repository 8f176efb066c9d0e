// Winograd F(2x2, 3x3) (Lavin and Gray, 2016): with B, G and A below, a 2x2 block of outputs is
// Y = A^T [sum over input channels of (G g G^T) .* (B^T d B)] A for each 4x4 input tile d and 3x3 kernel g. The
// channel sums for each of the 16 positions of the 4x4 products form one GEMM, [out, in] x [in, tiles]. Tiles are
// processed in chunks fixed by the shapes, which the pool's threads claim (each with its own buffers and
// single-threaded GEMMs), so results do not depend on the thread count.
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1], A^T = [1 1 1 0; 0 1 -1 -1]
#include "cpu/winograd.h"

#include <algorithm>
#include <vector>

#include "cpu/claim_loop.h"
#include "cpu/gemm.h"
#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

constexpr int64_t kTilesPerChunk = 128;  // 64 channels: 0.5 MB of transformed input, as much of products

// U[xi][o][i] = (G g G^T)[xi] for the kernel g of output channel o and input channel i, in double.
std::vector<float> transform_filters(const float* w, bool transposed, int64_t out_channels, int64_t in_channels) {
  std::vector<float> u(static_cast<size_t>(16 * out_channels * in_channels));
  for (int64_t o = 0; o < out_channels; ++o)
    for (int64_t i = 0; i < in_channels; ++i) {
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
        for (int b = 0; b < 4; ++b) u[((a * 4 + b) * out_channels + o) * in_channels + i] = static_cast<float>(r[b]);
      }
    }
  return u;
}

// The transforms work on all tiles of a band of tile rows at once, one position at a time, so that the arithmetic
// runs along the tiles over contiguous arrays (GCC left the per-tile form, 16 values in and out, scalar; per tile
// row, the 7 tiles of a 14-wide output were too few). Tile p = ty * tw + tx of the band reads d[r][c] =
// P[2 ty + r][2 tx + c] of the band's zero-padded input P (2 rows + 2 rows from row 2 ty0 - pad_h on).

// a[c][rho][tx] = P[r][2 tx + c] for c < 4, with P's rows r in parity order rho = (r & 1) (rows + 1) + r / 2 (even
// rows, then odd ones): tile row ty's input row 2 ty + r is then row ty (+ 1 for r >= 2) of one parity block, so
// the transform below reads every position of every tile at a fixed offset from p. Gathering the four column
// phases (each input element twice) replaces a padded copy of the plane and a gather of all 16 positions.
KILN_SIMD void gather_tiles(const float* src, const int64_t* xs, const WinogradConv& g, int64_t ty0, int64_t rows,
                            int64_t tw, float* __restrict a) {
  const int64_t hp = 2 * rows + 2;
  std::fill(a, a + 4 * hp * tw, 0.0f);
  for (int64_t r = 0; r < hp; ++r) {
    const int64_t in_row = 2 * ty0 + r - g.pad_h;
    if (in_row < 0 || in_row >= g.in_h) continue;
    const float* row = src + in_row * xs[2];
    const int64_t rho = (r & 1) * (rows + 1) + r / 2;
    for (int64_t c = 0; c < 4; ++c) {
      // the tiles whose column 2 tx + c - pad_w lies inside the input
      const int64_t lo = g.pad_w - c <= 0 ? 0 : (g.pad_w - c + 1) / 2, last = g.in_w - 1 + g.pad_w - c;
      const int64_t hi = last < 0 ? 0 : std::min(tw, last / 2 + 1);
      float* __restrict dst = a + (c * hp + rho) * tw;
      const float* in = row + (c - g.pad_w) * xs[3];
      if (xs[3] == 1)
        for (int64_t tx = lo; tx < hi; ++tx) dst[tx] = in[2 * tx];
      else
        for (int64_t tx = lo; tx < hi; ++tx) dst[tx] = in[2 * tx * xs[3]];
    }
  }
}

// One row i of B^T d B for every tile: t[c] = (B^T d)[i][c] = x[c][p] + or - y[c][p], then v[4 i + j][p] = (t B)[j].
template <bool Add>
KILN_ALWAYS_INLINE void transform_row(const float* const* x, const float* const* y, int64_t n, float* __restrict v0,
                                      float* __restrict v1, float* __restrict v2, float* __restrict v3) {
  for (int64_t p = 0; p < n; ++p) {
    float t[4];
    for (int c = 0; c < 4; ++c) t[c] = Add ? x[c][p] + y[c][p] : x[c][p] - y[c][p];
    v0[p] = t[0] - t[2];
    v1[p] = t[1] + t[2];
    v2[p] = t[2] - t[1];
    v3[p] = t[1] - t[3];
  }
}

// v[xi * stride + p] = (B^T d B)[xi] for the n = rows * tw tiles of a band, from gather_tiles' a.
KILN_SIMD void transform_input(const float* a, int64_t rows, int64_t tw, float* v, int64_t stride) {
  const int64_t n = rows * tw, hp = 2 * rows + 2;
  const float *even[4], *odd[4], *even2[4], *odd2[4];  // input rows 2 ty, 2 ty + 1, 2 ty + 2, 2 ty + 3
  for (int c = 0; c < 4; ++c) {
    even[c] = a + c * hp * tw;
    odd[c] = even[c] + (rows + 1) * tw;
    even2[c] = even[c] + tw;
    odd2[c] = odd[c] + tw;
  }
  // B^T's rows: d0 - d2, d1 + d2, d2 - d1, d1 - d3
  transform_row<false>(even, even2, n, v, v + stride, v + 2 * stride, v + 3 * stride);
  transform_row<true>(odd, even2, n, v + 4 * stride, v + 5 * stride, v + 6 * stride, v + 7 * stride);
  transform_row<false>(even2, odd, n, v + 8 * stride, v + 9 * stride, v + 10 * stride, v + 11 * stride);
  transform_row<false>(odd, odd2, n, v + 12 * stride, v + 13 * stride, v + 14 * stride, v + 15 * stride);
}

// The 2x2 outputs A^T m A (+ bias) of the tiles of `rows` tile rows, m[xi] at m[xi * stride + p], into the output
// plane y from row 2 ty0 on (rows and a last column past out_h and out_w are left out).
KILN_SIMD void transform_output(const float* __restrict m, int64_t stride, int64_t rows, int64_t tw, float bias,
                                float* __restrict y, int64_t first_row, int64_t out_h, int64_t out_w,
                                float* __restrict s) {
  const int64_t n = rows * tw;
  for (int c = 0; c < 4; ++c) {  // A^T m, down each column c: s[c] and s[4 + c]
    const float *m0 = m + c * stride, *m1 = m + (4 + c) * stride, *m2 = m + (8 + c) * stride,
                *m3 = m + (12 + c) * stride;
    float *top = s + c * n, *bottom = s + (4 + c) * n;
    for (int64_t p = 0; p < n; ++p) {
      top[p] = m0[p] + m1[p] + m2[p];
      bottom[p] = m1[p] - m2[p] - m3[p];
    }
  }
  for (int r = 0; r < 2; ++r) {  // (A^T m) A, along each row r: the output's columns 2 tx and 2 tx + 1
    float *left = s + (8 + 2 * r) * n, *right = s + (9 + 2 * r) * n;
    const float *s0 = s + (4 * r) * n, *s1 = s + (4 * r + 1) * n, *s2 = s + (4 * r + 2) * n, *s3 = s + (4 * r + 3) * n;
    for (int64_t p = 0; p < n; ++p) {
      left[p] = s0[p] + s1[p] + s2[p] + bias;
      right[p] = s1[p] - s2[p] - s3[p] + bias;
    }
  }
  const int64_t full = out_w / 2;  // tiles whose two columns are both inside
  for (int64_t ty = 0; ty < rows; ++ty)
    for (int r = 0; r < 2; ++r) {
      const int64_t row = first_row + 2 * ty + r;
      if (row >= out_h) break;
      float* __restrict out = y + row * out_w;
      const float *left = s + (8 + 2 * r) * n + ty * tw, *right = s + (9 + 2 * r) * n + ty * tw;
      for (int64_t tx = 0; tx < full; ++tx) {
        out[2 * tx] = left[tx];
        out[2 * tx + 1] = right[tx];
      }
      if (full < tw) out[2 * full] = left[full];
    }
}

struct Buffers {
  std::vector<float> tiles, v, m, scratch;
};

}  // namespace

bool winograd_applies(int64_t in_channels, int64_t out_channels, int64_t out_h, int64_t out_w) {
  return in_channels >= 8 && out_channels >= 8 && out_h >= 2 && out_w >= 2;
}

void winograd_conv3x3(const WinogradConv& g, const float* x, const int64_t* xs, const float* w, bool transposed,
                      const float* bias, float* y) {
  const int64_t C = g.in_channels, K = g.out_channels;
  const int64_t th = (g.out_h + 1) / 2, tw = (g.out_w + 1) / 2, tiles = th * tw;
  // A chunk: whole samples when a sample has few tiles, else a band of tile rows of one sample, so that the
  // transformed input and the products of a chunk stay in the core's L2 (a whole 56x56 sample spilled them).
  const int64_t band = std::clamp<int64_t>(kTilesPerChunk / tw, 1, th), bands = (th + band - 1) / band;
  const int64_t per_chunk = bands > 1 ? 1 : std::max<int64_t>(1, kTilesPerChunk / tiles);
  const int64_t chunks = bands > 1 ? g.batch * bands : (g.batch + per_chunk - 1) / per_chunk;
  const std::vector<float> u = transform_filters(w, transposed, K, C);
  SingleThreadedBlas single;
  claim_loop(chunks, 1, [] { return Buffers(); }, [&](int64_t chunk, int64_t, Buffers& buf) {
    // Samples [n0, n1), tile rows [ty0, ty1) of each.
    const int64_t n0 = bands > 1 ? chunk / bands : chunk * per_chunk;
    const int64_t n1 = bands > 1 ? n0 + 1 : std::min(g.batch, n0 + per_chunk);
    const int64_t ty0 = bands > 1 ? chunk % bands * band : 0, ty1 = std::min(th, ty0 + band), rows = ty1 - ty0;
    const int64_t P = (n1 - n0) * rows * tw;  // tiles in this chunk, the GEMMs' columns
    buf.tiles.resize(static_cast<size_t>(4 * (2 * rows + 2) * tw));
    buf.v.resize(static_cast<size_t>(16 * C * P));
    buf.m.resize(static_cast<size_t>(16 * K * P));
    buf.scratch.resize(static_cast<size_t>(16 * rows * tw));
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t c = 0; c < C; ++c) {
        gather_tiles(x + n * xs[0] + c * xs[1], xs, g, ty0, rows, tw, buf.tiles.data());
        transform_input(buf.tiles.data(), rows, tw, buf.v.data() + c * P + (n - n0) * rows * tw, C * P);
      }
    for (int64_t xi = 0; xi < 16; ++xi)
      gemm(false, false, K, P, C, 1.0f, u.data() + xi * K * C, C, buf.v.data() + xi * C * P, P, 0.0f,
           buf.m.data() + xi * K * P, P);
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t k = 0; k < K; ++k)
        transform_output(buf.m.data() + k * P + (n - n0) * rows * tw, K * P, rows, tw, bias ? bias[k] : 0.0f,
                         y + (n * K + k) * g.out_h * g.out_w, 2 * ty0, g.out_h, g.out_w, buf.scratch.data());
  });
}

}  // namespace kiln::cpu
