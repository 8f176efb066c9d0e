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
// row, the 7 tiles of a 14-wide output were too few). d[i * n + p] is position i of tile p (p = ty * tw + tx).

// v[xi * stride + p] = (B^T d B)[xi] for the tiles of `rows` tile rows: d[r][c] = plane[(2 ty + r) wp + 2 tx + c].
KILN_SIMD void transform_input(const float* __restrict plane, int64_t wp, int64_t rows, int64_t tw, float* __restrict v,
                               int64_t stride, float* __restrict d) {
  const int64_t n = rows * tw;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c)
      for (int64_t ty = 0; ty < rows; ++ty) {
        const float* __restrict src = plane + (2 * ty + r) * wp + c;
        float* __restrict dst = d + (r * 4 + c) * n + ty * tw;
        for (int64_t tx = 0; tx < tw; ++tx) dst[tx] = src[2 * tx];
      }
  for (int c = 0; c < 4; ++c) {  // B^T d, in place down each column c
    float *d0 = d + c * n, *d1 = d + (4 + c) * n, *d2 = d + (8 + c) * n, *d3 = d + (12 + c) * n;
    for (int64_t p = 0; p < n; ++p) {
      const float a = d0[p], b = d1[p], e = d2[p], f = d3[p];
      d0[p] = a - e;
      d1[p] = b + e;
      d2[p] = e - b;
      d3[p] = b - f;
    }
  }
  for (int r = 0; r < 4; ++r) {  // (B^T d) B, along each row r
    const float *t0 = d + (4 * r) * n, *t1 = d + (4 * r + 1) * n, *t2 = d + (4 * r + 2) * n, *t3 = d + (4 * r + 3) * n;
    float *v0 = v + (4 * r) * stride, *v1 = v + (4 * r + 1) * stride, *v2 = v + (4 * r + 2) * stride,
          *v3 = v + (4 * r + 3) * stride;
    for (int64_t p = 0; p < n; ++p) {
      v0[p] = t0[p] - t2[p];
      v1[p] = t1[p] + t2[p];
      v2[p] = t2[p] - t1[p];
      v3[p] = t1[p] - t3[p];
    }
  }
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
  std::vector<float> plane, v, m, scratch;
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
  const int64_t wp = 2 * tw + 2;  // the zero-padded input rows the tiles read
  const std::vector<float> u = transform_filters(w, transposed, K, C);
  SingleThreadedBlas single;
  claim_loop(chunks, 1, [] { return Buffers(); }, [&](int64_t chunk, int64_t, Buffers& buf) {
    // Samples [n0, n1), tile rows [ty0, ty1) of each.
    const int64_t n0 = bands > 1 ? chunk / bands : chunk * per_chunk;
    const int64_t n1 = bands > 1 ? n0 + 1 : std::min(g.batch, n0 + per_chunk);
    const int64_t ty0 = bands > 1 ? chunk % bands * band : 0, ty1 = std::min(th, ty0 + band), rows = ty1 - ty0;
    const int64_t P = (n1 - n0) * rows * tw;  // tiles in this chunk, the GEMMs' columns
    const int64_t hp = 2 * rows + 2;
    buf.plane.resize(static_cast<size_t>(hp * wp));
    buf.v.resize(static_cast<size_t>(16 * C * P));
    buf.m.resize(static_cast<size_t>(16 * K * P));
    buf.scratch.resize(static_cast<size_t>(16 * rows * tw));
    float* plane = buf.plane.data();
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t c = 0; c < C; ++c) {
        // plane[r][q] = x[n, c, 2 ty0 + r - pad_h, q - pad_w], zero outside the input
        std::fill(plane, plane + hp * wp, 0.0f);
        const float* src = x + n * xs[0] + c * xs[1];
        const int64_t r0 = std::max<int64_t>(0, g.pad_h - 2 * ty0), r1 = std::min(hp, g.in_h + g.pad_h - 2 * ty0);
        const int64_t q0 = std::max<int64_t>(0, g.pad_w), q1 = std::min(wp, g.in_w + g.pad_w);
        for (int64_t r = r0; r < r1; ++r) {
          const float* row = src + (2 * ty0 + r - g.pad_h) * xs[2] + (q0 - g.pad_w) * xs[3];
          for (int64_t q = q0; q < q1; ++q) plane[r * wp + q] = row[(q - q0) * xs[3]];
        }
        transform_input(plane, wp, rows, tw, buf.v.data() + c * P + (n - n0) * rows * tw, C * P, buf.scratch.data());
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
