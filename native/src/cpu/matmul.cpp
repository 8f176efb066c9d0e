// Batched matrix products. Float types go to OpenBLAS (sgemm/dgemm), reading transposed and strided
// operands in place when BLAS's (trans, leading dimension) can describe them; int64 uses a plain loop. The
// core's pool parallelises them (whole products, or blocks of one), with OpenBLAS on one thread inside.
#include <cblas.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "cpu/claim_loop.h"
#include "cpu/dispatch.h"
#include "cpu/gemm.h"
#include "cpu/kernels.h"
#include "cpu/simd.h"
#include "cpu/transpose.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

// How BLAS reads a rows x cols matrix with the given element strides, if it can.
struct BlasLayout {
  bool ok = false;
  CBLAS_TRANSPOSE trans = CblasNoTrans;
  int64_t ld = 1;
};

BlasLayout blas_layout(int64_t rows, int64_t cols, int64_t s_row, int64_t s_col) {
  // A dim of size 1 may have any stride: pick the one that makes the matrix look dense.
  if (cols == 1) s_col = 1;
  if (rows == 1) s_row = std::max<int64_t>(cols, 1);
  if (s_col == 1 && s_row >= std::max<int64_t>(cols, 1)) return {true, CblasNoTrans, s_row};
  if (cols == 1 && rows > 1) s_col = std::max<int64_t>(rows, 1);  // reconsider as a transposed column
  if (rows == 1) s_row = 1;
  if (s_row == 1 && s_col >= std::max<int64_t>(rows, 1)) return {true, CblasTrans, s_col};
  return {};
}

bool fits_blas_int(int64_t v) { return v <= INT_MAX; }

// Products below this many multiply-adds run on one thread (about 10 microseconds of work).
constexpr int64_t kParallelWork = int64_t(1) << 20;

// Returns t itself if BLAS can read every matrix of it, else a contiguous copy.
Tensor blas_ready(const Tensor& t) {
  if (blas_layout(t.shape()[1], t.shape()[2], t.strides()[1], t.strides()[2]).ok) return t;
  Tensor c = Tensor::empty(t.shape(), t.dtype(), t.device());
  copy_kernel(c, t);
  return c;
}

int64_t unpacked_row_block(int64_t n, int64_t m, int64_t k);

template <class T>
void gemm_blas(const Tensor& out, const Tensor& a_in, const Tensor& b_in, T alpha, T beta) {
  const Tensor a = blas_ready(a_in), b = blas_ready(b_in);
  const int64_t batch = out.shape()[0], n = out.shape()[1], m = out.shape()[2], k = a.shape()[2];
  KILN_CHECK(fits_blas_int(n) && fits_blas_int(m) && fits_blas_int(k), NotImplemented,
             "matmul: matrix sizes above 2^31 - 1 are not supported");
  const BlasLayout la = blas_layout(n, k, a.strides()[1], a.strides()[2]);
  const BlasLayout lb = blas_layout(k, m, b.strides()[1], b.strides()[2]);
  KILN_CHECK(fits_blas_int(la.ld) && fits_blas_int(lb.ld), NotImplemented,
             "matmul: strides above 2^31 - 1 are not supported");
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* pc = out.data<T>();
  const bool ta = la.trans == CblasTrans, tb = lb.trans == CblasTrans;
  // One product: computed in blocks over the pool. Several: the pool's threads claim whole products. The choice
  // depends on the sizes alone, and OpenBLAS always runs single-threaded, so results do not depend on the
  // thread count.
  if (batch == 1)
    return gemm_parallel(ta, tb, n, m, k, alpha, pa, la.ld, pb, lb.ld, beta, pc, std::max<int64_t>(m, 1));
  const int64_t rows = ta && k < 32 ? 0 : unpacked_row_block(n, m, k);  // OpenBLAS packs A^T B for k < 32
  SingleThreadedBlas single;
  const auto scratch = [&] { return std::vector<T>(rows > 0 && tb ? static_cast<size_t>(k * m) : 0); };  // B^T
  claim_loop(batch, 1, scratch, [&](int64_t b0, int64_t b1, std::vector<T>& bt) {
    for (int64_t i = b0; i < b1; ++i) {
      const T* ai = pa + i * a.strides()[0];
      const T* bi = pb + i * b.strides()[0];
      T* ci = pc + i * n * m;
      if (rows == 0) {
        gemm(ta, tb, n, m, k, alpha, ai, la.ld, bi, lb.ld, beta, ci, std::max<int64_t>(m, 1));
        continue;
      }
      int64_t ldb = lb.ld;
      if (tb) {  // B^T copied out (OpenBLAS's unpacked A B^T kernel is slow at these widths): k x m rows
        if constexpr (std::is_same_v<T, float>) {
          transpose_block(bi, lb.ld, m, m, k, bt.data(), m);
        } else {
          for (int64_t p = 0; p < k; ++p)
            for (int64_t j = 0; j < m; ++j) bt[p * m + j] = bi[j * lb.ld + p];
        }
        bi = bt.data();
        ldb = m;
      }
      for (int64_t r = 0; r < n; r += rows)
        gemm(ta, false, std::min(rows, n - r), m, k, alpha, ta ? ai + r : ai + r * la.ld, la.ld, bi, ldb, beta,
             ci + r * m, m);
    }
  });
}

// Wraps around on overflow, as PyTorch's integer products do.
void gemm_int64(const Tensor& out, const Tensor& a, const Tensor& b, int64_t alpha, int64_t beta) {
  const int64_t batch = out.shape()[0], n = out.shape()[1], m = out.shape()[2], k = a.shape()[2];
  const int64_t* pa = a.data<int64_t>();
  const int64_t* pb = b.data<int64_t>();
  int64_t* pc = out.data<int64_t>();
  const auto& sa = a.strides();
  const auto& sb = b.strides();
  const auto u = [](int64_t v) { return static_cast<uint64_t>(v); };
  std::vector<uint64_t> acc(static_cast<size_t>(m));
  for (int64_t bi = 0; bi < batch; ++bi)
    for (int64_t i = 0; i < n; ++i) {
      int64_t* row = pc + (bi * n + i) * m;
      std::fill(acc.begin(), acc.end(), 0);
      for (int64_t p = 0; p < k; ++p) {
        const uint64_t av = u(pa[bi * sa[0] + i * sa[1] + p * sa[2]]);
        for (int64_t j = 0; j < m; ++j) acc[j] += av * u(pb[bi * sb[0] + p * sb[1] + j * sb[2]]);
      }
      for (int64_t j = 0; j < m; ++j)
        row[j] = static_cast<int64_t>(u(alpha) * acc[j] + (beta == 0 ? 0 : u(beta) * u(row[j])));
    }
}

// Blocks of C, a size fixed by the shape whatever the thread count: each block is one GEMM over the whole inner
// dim, and which GEMMs compute which elements decides their bits (OpenBLAS's kernels round differently for
// different partitions), so the same blocks at any thread count give the same results. Each block packs its rows
// of A and columns of B, so large products take large blocks. Tall products (1024 rows or more, not far wider
// than tall) take blocks of 512 full-width rows: measured on 2 threads against 128-256-column blocks, sgemm 1024
// 446 -> 465 GFLOP/s, dgemm 1024 152 -> 192, dgemm 2048 157 -> 193 (OpenBLAS's own threads: 474, 205, 204).
// From 2048 rows, blocks of 1024: each block packs all of B, and on a Xeon with AVX-512 two threads of 512-row
// blocks ran sgemm 2048 at 170 GFLOP/s in a C++ loop against 290 for 1024-row blocks (OpenBLAS's own threads
// 300); in the runner 251 -> 288 (85% -> 94% of OpenBLAS direct).
// Others (a small batch times a wide weight) take column blocks of an eighth of the side, 128 to 512; a side of 65
// to 128 takes blocks of 64 (one block left the CNN's 64x3136 @ 3136x128 layer on one core: 335 -> 182 us).
constexpr int64_t kBlock = 128, kRowBlock = 512, kSmallBlock = 64;

int64_t row_block(int64_t m) { return m >= 4 * kRowBlock ? 2 * kRowBlock : kRowBlock; }

int64_t block_for(int64_t extent) {
  return extent <= kBlock ? kSmallBlock : std::clamp<int64_t>(extent / 8 / 64 * 64, kBlock, 4 * kBlock);
}

struct Tile {
  int64_t rows = 0, cols = 0;
};

// Tiles of C that OpenBLAS runs unpacked (unpacked_gemm_rows), for a small batch: A B and A^T B in 64 x 32 tiles,
// A B^T in 16 x 64 up to k = 256, else 8 x 64 (conv2's weight gradient, 64 x 196 -> 288 per sample: 16-row tiles
// 194 GFLOP/s in a loop, the packed product 163; the CNN conv2 forward + backward 4.91 -> 4.52 ms, alternating in
// one process). In a loop on one core the MLP's products at batch 64 ran 170-217 -> 198-258 GFLOP/s; the runner
// measured sgemm 256 298-361 -> 441-465 GFLOP/s, dgemm 256 110-139 -> 202-227, the MLP step 1.3x. The unpacked
// A B^T kernel falls off a cliff above ~1,024 outputs per tile (32 x 64 at k = 196: 121 against 194 for 16 x 64),
// and a long k favours packing (k = 3136: 116-135 against 167), hence the shapes and the limit on k.
Tile unpacked_tile(bool ta, bool tb, int64_t m, int64_t n, int64_t k) {
  if (k > 800 || (ta && tb) || (ta && k < 32)) return {};  // OpenBLAS keeps A^T B with k < 32 packed
  const int64_t cols = tb ? 64 : 32, limit = unpacked_gemm_rows(cols, k);
  int64_t rows = tb ? (k > 256 ? 8 : 16) : 64;
  while (rows > limit) rows /= 2;
  // Not for a tall product (the LSTM's input projection, 1024 rows: tiles of 32K multiply-adds lost to the call
  // overhead), nor for tiles too small to pay for their call.
  if (rows < 8 || m < rows || n < cols || m > 256 || rows * cols * k < (int64_t(1) << 17)) return {};
  return {rows, cols};
}

// A product with a long inner dim and a small C (weight gradients: A^T B over the tokens or pixels of a batch)
// is split along k instead: every block of C's rows or columns would pack the whole of the other operand,
// which at this length no longer stays in the cache, and a narrow block runs OpenBLAS's kernels far under
// their speed (measured on one core, A^T B 768 x 768 x 8192: blocks of 128 columns 76 GFLOP/s, all of C over
// k = 2048 97). Chunks of at least kSplitK, at most kMaxSplits, fixed by the shape; C takes the first chunk's
// product and then the others', summed in chunk order from buffers of C's size.
constexpr int64_t kSplitK = 1024, kMaxSplits = 4, kMaxSplitOutput = int64_t(1) << 20;

int64_t k_splits(int64_t m, int64_t n, int64_t k) {
  if (std::min(m, n) < kBlock || m * n > kMaxSplitOutput || k < 2 * kSplitK || k < 2 * std::max(m, n)) return 1;
  return std::min(kMaxSplits, k / kSplitK);
}

template <class T>
void gemm_k_split(int64_t splits, bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
                  int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  std::vector<T> partial(static_cast<size_t>((splits - 1) * m * n));
  claim_loop(splits, 1, [] { return 0; }, [&](int64_t s0, int64_t s1, int) {
    for (int64_t s = s0; s < s1; ++s) {
      const int64_t k0 = k * s / splits, k1 = k * (s + 1) / splits;
      const T* as = ta ? a + k0 * lda : a + k0;  // op(A)'s columns k0..k1
      const T* bs = tb ? b + k0 : b + k0 * ldb;  // op(B)'s rows k0..k1
      if (s == 0) gemm(ta, tb, m, n, k1 - k0, alpha, as, lda, bs, ldb, beta, c, ldc);
      else gemm(ta, tb, m, n, k1 - k0, alpha, as, lda, bs, ldb, T(0), partial.data() + (s - 1) * m * n, n);
    }
  });
  claim_loop(m, std::max<int64_t>(1, kBlock * kBlock / std::max<int64_t>(n, 1)), [] { return 0; },
             [&](int64_t i0, int64_t i1, int) {
    for (int64_t i = i0; i < i1; ++i)
      for (int64_t s = 1; s < splits; ++s) {
        const T* p = partial.data() + ((s - 1) * m + i) * n;
        T* row = c + i * ldc;
        for (int64_t j = 0; j < n; ++j) row[j] += p[j];
      }
  });
}

// Computes the product in blocks when it is large, the blocks claimed by the pool's threads (one at a time from
// inside the pool); OpenBLAS runs single-threaded throughout.
template <class T>
void gemm_split(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda, const T* b,
                int64_t ldb, T beta, T* c, int64_t ldc) {
  SingleThreadedBlas single;
  const bool tall = m >= 2 * kRowBlock && n <= 4 * m;
  const bool by_columns = !tall && n >= m;
  const int64_t extent = by_columns ? n : m;
  if (m * n * k < kParallelWork || extent <= kSmallBlock) {
    gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  if (const int64_t splits = tall ? 1 : k_splits(m, n, k); splits > 1)
    return gemm_k_split(splits, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  if (const Tile tile = unpacked_tile(ta, tb, m, n, k); tile.rows > 0) {
    const int64_t row_tiles = (m + tile.rows - 1) / tile.rows, col_tiles = (n + tile.cols - 1) / tile.cols;
    claim_loop(row_tiles * col_tiles, 1, [] { return 0; }, [&](int64_t t0, int64_t t1, int) {
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t i0 = t / col_tiles * tile.rows, j0 = t % col_tiles * tile.cols;
        gemm(ta, tb, std::min(tile.rows, m - i0), std::min(tile.cols, n - j0), k, alpha, ta ? a + i0 : a + i0 * lda,
             lda, tb ? b + j0 * ldb : b + j0, ldb, beta, c + i0 * ldc + j0, ldc);
      }
    });
    return;
  }
  claim_loop(extent, tall ? row_block(m) : block_for(extent), [] { return 0; }, [&](int64_t j0, int64_t j1, int) {
    if (by_columns)  // C[:, j0:j1] = op(A) op(B)[:, j0:j1]
      gemm(ta, tb, m, j1 - j0, k, alpha, a, lda, tb ? b + j0 * ldb : b + j0, ldb, beta, c + j0, ldc);
    else  // C[j0:j1, :] = op(A)[j0:j1, :] op(B)
      gemm(ta, tb, j1 - j0, n, k, alpha, ta ? a + j0 : a + j0 * lda, lda, b, ldb, beta, c + j0 * ldc, ldc);
  });
}

// A DYNAMIC_ARCH OpenBLAS (the one Kiln ships) picks its kernels when it loads; these redo that choice. Weak, so
// a single-architecture OpenBLAS, which has neither, still links.
extern "C" void gotoblas_dynamic_init(void) __attribute__((weak));
extern "C" void gotoblas_dynamic_quit(void) __attribute__((weak));

// OPENBLAS_CORETYPE forces the kernels of an OpenBLAS, typically to get an older system OpenBLAS past a CPU it
// does not know. Set in the environment for some other program's OpenBLAS, it costs Kiln's half its speed: this
// machine kind sets Haswell (AVX2) on Zen 5, where sgemm 1024 runs 132 GFLOP/s on one core against 255 with the
// AVX-512 kernels that Kiln's OpenBLAS 0.3.30 picks by itself. So Kiln redoes OpenBLAS's choice as it loads (after
// OpenBLAS's own, before any BLAS call), without that variable; KILN_BLAS_CORETYPE names kernels to force instead
// (OpenBLAS's names: Haswell, SkylakeX, Zen, ...). The environment is put back as it was.
struct BlasCoreSelection {
  BlasCoreSelection() {
    if (gotoblas_dynamic_init == nullptr || gotoblas_dynamic_quit == nullptr) return;
    const char* forced = std::getenv("KILN_BLAS_CORETYPE");
    const char* inherited = std::getenv("OPENBLAS_CORETYPE");
    if (forced == nullptr && inherited == nullptr) return;  // OpenBLAS already chose by itself
    const std::string saved = inherited ? inherited : "";
    if (forced) setenv("OPENBLAS_CORETYPE", forced, 1);
    else unsetenv("OPENBLAS_CORETYPE");
    gotoblas_dynamic_quit();
    gotoblas_dynamic_init();
    if (inherited) setenv("OPENBLAS_CORETYPE", saved.c_str(), 1);
    else unsetenv("OPENBLAS_CORETYPE");
  }
};
const BlasCoreSelection g_blas_core_selection;

std::mutex g_blas_threads_mutex;
int g_single_threaded_depth = 0;
int g_saved_blas_threads = 1;

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, int(m), int(n),
              int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a, int64_t lda,
          const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, int(m), int(n),
              int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

void gemm_parallel(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                   int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  gemm_split(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_parallel(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
                   int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  gemm_split(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// Rows per block for the products of a batch that OpenBLAS would pack whole but runs unpacked in blocks of rows
// of full width: [rows x k] x [k x m] within its unpacked limit, 8 to 64 rows (0: the whole product, packed or
// unpacked as OpenBLAS decides). Attention's products, 64 heads on 2 threads (one product per head, each on
// one thread), in GFLOP/s against the whole product packed: [256 x 64] x [64 x 256] 137 -> 150 (with B^T copied
// out first, as a key's transpose is), [256 x 256] x [256 x 64] 123 -> 163, at 128 x 128 x 64 124 -> 167,
// 197 x 64 x 197 171 -> 210, 1024 x 1024 x 64 (8-row blocks) 155 -> 196; A^T B (attention's value and key
// gradients) [256 x 256]^T x [256 x 64] 94 -> 144, [128 x 128]^T x [128 x 64] 71 -> 139, at 256 x 256 x 64 level
// (131 against 129). Blocks above the limit are packed and slower than the whole (121 against 151 for 32-row
// blocks of 512 x 512 x 64); a long k favours packing.
namespace {
int64_t unpacked_row_block(int64_t n, int64_t m, int64_t k) {
  if (k > 800 || n * m * k <= 1000000) return 0;
  const int64_t limit = unpacked_gemm_rows(m, k);
  for (int64_t rows : {64, 32, 16, 8})
    if (rows <= limit && rows < n) return rows;
  return 0;
}
}  // namespace

int64_t unpacked_gemm_rows(int64_t n, int64_t k) {
  static const bool small_kernels = [] {
    std::string core = openblas_get_corename();
    std::transform(core.begin(), core.end(), core.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return core == "skylakex" || core == "cooperlake" || core == "sapphirerapids";
  }();
  constexpr int64_t kUnpackedWork = 1000000;  // OpenBLAS's gemm_small_kernel_permit for these cores
  return small_kernels && n > 0 && k > 0 ? kUnpackedWork / (n * k) : 0;
}

SingleThreadedBlas::SingleThreadedBlas() {
  std::lock_guard<std::mutex> lock(g_blas_threads_mutex);
  if (g_single_threaded_depth++ > 0) return;
  g_saved_blas_threads = openblas_get_num_threads();
  if (g_saved_blas_threads != 1) openblas_set_num_threads(1);
}

SingleThreadedBlas::~SingleThreadedBlas() {
  std::lock_guard<std::mutex> lock(g_blas_threads_mutex);
  if (--g_single_threaded_depth == 0 && g_saved_blas_threads != 1) openblas_set_num_threads(g_saved_blas_threads);
}

namespace {

// sum x[i xs] y[i ys] over one block, in double lanes (independent chains).
template <class T>
KILN_ALWAYS_INLINE double dot_block_t(const T* x, int64_t xs, const T* y, int64_t ys, int64_t n) {
  constexpr int kLanes = 16;
  double lanes[kLanes] = {}, total = 0;
  int64_t i = 0;
  if (xs == 1 && ys == 1)
    for (; i + kLanes <= n; i += kLanes)
      for (int l = 0; l < kLanes; ++l) lanes[l] += static_cast<double>(x[i + l]) * static_cast<double>(y[i + l]);
  for (; i < n; ++i) total += static_cast<double>(x[i * xs]) * static_cast<double>(y[i * ys]);
  for (int l = 0; l < kLanes; ++l) total += lanes[l];
  return total;
}
KILN_SIMD double dot_block(const float* x, int64_t xs, const float* y, int64_t ys, int64_t n) {
  return dot_block_t(x, xs, y, ys, n);
}
KILN_SIMD double dot_block(const double* x, int64_t xs, const double* y, int64_t ys, int64_t n) {
  return dot_block_t(x, xs, y, ys, n);
}

// A 1 x k by k x 1 product (dot, and mv / mm of a row by a column): fixed blocks over the pool, summed in order,
// so the bits do not depend on the thread count. As a GEMM, OpenBLAS ran it on one thread at 1.2 GFLOP/s (16M
// floats: 27.7 ms; PyTorch 1.13's BLAS dot 2.2).
template <class T>
void dot_kernel(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  constexpr int64_t kBlock = int64_t(1) << 16;
  const int64_t k = a.shape()[2], blocks = (k + kBlock - 1) / kBlock, xs = a.strides()[2], ys = b.strides()[1];
  const T* x = a.data<T>();
  const T* y = b.data<T>();
  std::vector<double> partial(static_cast<size_t>(blocks));
  parallel_for(blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t i0 = blk * kBlock;
      partial[static_cast<size_t>(blk)] = dot_block(x + i0 * xs, xs, y + i0 * ys, ys, std::min(kBlock, k - i0));
    }
  });
  double sum = 0;
  for (double p : partial) sum += p;
  T* o = out.data<T>();
  *o = static_cast<T>(alpha * sum + (beta == 0 ? 0.0 : beta * static_cast<double>(*o)));
}

}  // namespace

void gemm_kernel(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  if (out.numel() == 0) return;
  if (out.numel() == 1 && a.shape()[2] >= (int64_t(1) << 16)) {  // one long dot product
    if (out.dtype() == DType::Float32) return dot_kernel<float>(out, a, b, alpha, beta);
    if (out.dtype() == DType::Float64) return dot_kernel<double>(out, a, b, alpha, beta);
  }
  if (a.shape()[2] == 0) {  // an empty inner dim: the product is all zeros
    if (beta == 1) return;
    dispatch(out.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (!std::is_same_v<T, bool>) {
        T* p = out.data<T>();  // out is contiguous
        for (int64_t i = 0; i < out.numel(); ++i) p[i] = beta == 0 ? T(0) : static_cast<T>(p[i] * static_cast<T>(beta));
      }
    });
    return;
  }
  switch (out.dtype()) {
    case DType::Float32: return gemm_blas<float>(out, a, b, float(alpha), float(beta));
    case DType::Float64: return gemm_blas<double>(out, a, b, alpha, beta);
    case DType::Int64: return gemm_int64(out, a, b, static_cast<int64_t>(alpha), static_cast<int64_t>(beta));
    default: fail(ErrorKind::DType, "matmul: not implemented for '", dtype_name(out.dtype()), "'");
  }
}

void matmul_kernel(const Tensor& out, const Tensor& a, const Tensor& b) { gemm_kernel(out, a, b, 1, 0); }

}  // namespace kiln::cpu
