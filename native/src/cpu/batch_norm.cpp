// Batch-norm kernels over x viewed as [n, c, s]. Two layouts of the same work: runs of at least kSegmentMin
// elements (a channel's plane in one sample) are handled one run at a time with per-run scalars; shorter runs
// ([n, c] inputs of BatchNorm1d, s = 1) go row by row over [n, c * s] with per-column accumulators and
// vectors of per-column parameters, so the loops still vectorize along memory.
#include <algorithm>

#include "cpu/dispatch.h"
#include "cpu/line_loop.h"
#include "cpu/loop.h"
#include "cpu/norm_rows.h"
#include "cpu/normalization.h"

namespace kiln::cpu {
namespace {

constexpr int64_t kSegmentMin = 16;
constexpr int64_t kColumnChunk = 64;  // columns per task of the row layout

// ---- One run, for each ISA (the dtype is float32 or float64).

KILN_SIMD void run_shifted_sums(DType t, const void* x, int64_t n, double shift, double& s1, double& s2) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA {
    if (t == DType::Float32)
      return norm::shifted_sums<B>(static_cast<const float*>(x), n, static_cast<float>(shift), s1, s2);
    norm::shifted_sums<B>(static_cast<const double*>(x), n, shift, s1, s2);
  });
}

KILN_SIMD void run_grad_sums(DType t, const void* g, const void* x, int64_t n, double c, double& sg, double& sgx) {
  with_vector_bytes([&](auto B) KILN_INLINE_LAMBDA {
    if (t == DType::Float32)
      return norm::grad_sums<B>(static_cast<const float*>(g), static_cast<const float*>(x),
                                static_cast<const float*>(nullptr), n, static_cast<float>(c), sg, sgx);
    norm::grad_sums<B>(static_cast<const double*>(g), static_cast<const double*>(x),
                       static_cast<const double*>(nullptr), n, c, sg, sgx);
  });
}

KILN_SIMD void run_affine(DType t, void* y, const void* x, int64_t n, double c, double a, double b) {
  if (t == DType::Float32)
    return norm::affine(static_cast<float*>(y), static_cast<const float*>(x), n, static_cast<float>(c),
                        static_cast<float>(a), static_cast<float>(b));
  norm::affine(static_cast<double*>(y), static_cast<const double*>(x), n, c, a, b);
}

KILN_SIMD void run_grad_affine(DType t, void* gx, const void* g, const void* x, int64_t n, double c, double a, double b,
                               double d) {
  if (t == DType::Float32)
    return norm::grad_affine(static_cast<float*>(gx), static_cast<const float*>(g), static_cast<const float*>(x), n,
                             static_cast<float>(c), static_cast<float>(a), static_cast<float>(b), static_cast<float>(d));
  norm::grad_affine(static_cast<double*>(gx), static_cast<const double*>(g), static_cast<const double*>(x), n, c, a, b, d);
}

// Column sums of the row layout over `rows` rows (`stride` elements apart) of n <= kColumnChunk columns: partial
// sums in T over kRowFlush rows at a time, added into the double accumulators s1, s2.
constexpr int64_t kRowFlush = 64;

template <class T>
KILN_ALWAYS_INLINE void columns_shifted_t(const T* x, int64_t stride, int64_t rows, const T* shift, int64_t n,
                                          double* s1, double* s2) {
  for (int64_t r0 = 0; r0 < rows; r0 += kRowFlush) {
    T a[kColumnChunk] = {}, b[kColumnChunk] = {};
    for (int64_t r = r0; r < std::min(rows, r0 + kRowFlush); ++r) {
      const T* row = x + r * stride;
      for (int64_t l = 0; l < n; ++l) {
        const T d = row[l] - shift[l];
        a[l] += d;
        b[l] += d * d;
      }
    }
    for (int64_t l = 0; l < n; ++l) {
      s1[l] += a[l];
      s2[l] += b[l];
    }
  }
}

template <class T>
KILN_ALWAYS_INLINE void columns_grad_t(const T* g, const T* x, int64_t stride, int64_t rows, const T* c, int64_t n,
                                       double* sg, double* sgx) {
  for (int64_t r0 = 0; r0 < rows; r0 += kRowFlush) {
    T a[kColumnChunk] = {}, b[kColumnChunk] = {};
    for (int64_t r = r0; r < std::min(rows, r0 + kRowFlush); ++r) {
      const T *gr = g + r * stride, *xr = x + r * stride;
      for (int64_t l = 0; l < n; ++l) {
        a[l] += gr[l];
        b[l] += gr[l] * (xr[l] - c[l]);
      }
    }
    for (int64_t l = 0; l < n; ++l) {
      sg[l] += a[l];
      sgx[l] += b[l];
    }
  }
}

KILN_SIMD void columns_shifted(DType t, const void* x, int64_t stride, int64_t rows, const void* shift, int64_t n,
                               double* s1, double* s2) {
  if (t == DType::Float32)
    return columns_shifted_t(static_cast<const float*>(x), stride, rows, static_cast<const float*>(shift), n, s1, s2);
  columns_shifted_t(static_cast<const double*>(x), stride, rows, static_cast<const double*>(shift), n, s1, s2);
}

KILN_SIMD void columns_grad(DType t, const void* g, const void* x, int64_t stride, int64_t rows, const void* c,
                            int64_t n, double* sg, double* sgx) {
  if (t == DType::Float32)
    return columns_grad_t(static_cast<const float*>(g), static_cast<const float*>(x), stride, rows,
                          static_cast<const float*>(c), n, sg, sgx);
  columns_grad_t(static_cast<const double*>(g), static_cast<const double*>(x), stride, rows,
                 static_cast<const double*>(c), n, sg, sgx);
}

KILN_SIMD void columns_affine(DType t, void* y, const void* x, int64_t n, const void* c, const void* a, const void* b) {
  if (t == DType::Float32)
    return norm::affine_v(static_cast<float*>(y), static_cast<const float*>(x), n, static_cast<const float*>(c),
                          static_cast<const float*>(a), static_cast<const float*>(b));
  norm::affine_v(static_cast<double*>(y), static_cast<const double*>(x), n, static_cast<const double*>(c),
                 static_cast<const double*>(a), static_cast<const double*>(b));
}

KILN_SIMD void columns_grad_affine(DType t, void* gx, const void* g, const void* x, int64_t n, const void* c,
                                   const void* a, const void* b, const void* d) {
  if (t == DType::Float32)
    return norm::grad_affine_v(static_cast<float*>(gx), static_cast<const float*>(g), static_cast<const float*>(x), n,
                               static_cast<const float*>(c), static_cast<const float*>(a), static_cast<const float*>(b),
                               static_cast<const float*>(d));
  norm::grad_affine_v(static_cast<double*>(gx), static_cast<const double*>(g), static_cast<const double*>(x), n,
                      static_cast<const double*>(c), static_cast<const double*>(a), static_cast<const double*>(b),
                      static_cast<const double*>(d));
}

// ---- The two layouts.

bool row_layout(ChannelShape sh) { return sh.s < kSegmentMin; }

// Per-channel sums (a, b) of a pass over one or two tensors. run(k, offset, len, a, b) adds the sums of the
// run of len elements at element offset of channel k; columns(first_row, rows, first_col, cols, a, b) adds
// those of columns [first_col, first_col + cols) of rows [first_row, first_row + rows) into per-column
// accumulators. Partials merge in a fixed order.
template <class Run, class Columns>
void channel_sums(ChannelShape sh, std::vector<double>& a, std::vector<double>& b, Run&& run, Columns&& columns) {
  a.assign(static_cast<size_t>(sh.c), 0.0);
  b.assign(static_cast<size_t>(sh.c), 0.0);
  if (sh.n * sh.c * sh.s == 0) return;  // nothing to sum (and no columns to split the row layout into)
  if (!row_layout(sh)) {
    const int64_t tasks = sh.c * sh.n;  // task k * n + i: channel k of sample i
    std::vector<double> pa(static_cast<size_t>(tasks), 0.0), pb(static_cast<size_t>(tasks), 0.0);
    parallel_blocks(tasks, std::max<int64_t>(1, kGrainCheap / sh.s), [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t k = t / sh.n, i = t % sh.n;
        run(k, (i * sh.c + k) * sh.s, sh.s, pa[static_cast<size_t>(t)], pb[static_cast<size_t>(t)]);
      }
    });
    for (int64_t t = 0; t < tasks; ++t) {
      a[static_cast<size_t>(t / sh.n)] += pa[static_cast<size_t>(t)];
      b[static_cast<size_t>(t / sh.n)] += pb[static_cast<size_t>(t)];
    }
    return;
  }
  const int64_t width = sh.c * sh.s;
  const int64_t rows_per_block = std::max<int64_t>(64, (sh.n + 15) / 16);
  const int64_t blocks = (sh.n + rows_per_block - 1) / rows_per_block;
  const int64_t chunks = (width + kColumnChunk - 1) / kColumnChunk;
  std::vector<double> pa(static_cast<size_t>(blocks * width), 0.0), pb(static_cast<size_t>(blocks * width), 0.0);
  const int64_t grain = std::max<int64_t>(1, kGrainCheap / (rows_per_block * std::min(width, kColumnChunk)));
  parallel_blocks(blocks * chunks, grain, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t blk = t / chunks, col = (t % chunks) * kColumnChunk;
      const int64_t cols = std::min(kColumnChunk, width - col);
      double* qa = pa.data() + blk * width + col;
      double* qb = pb.data() + blk * width + col;
      const int64_t first = blk * rows_per_block;
      columns(first, std::min(sh.n, first + rows_per_block) - first, col, cols, qa, qb);
    }
  });
  for (int64_t blk = 0; blk < blocks; ++blk)
    for (int64_t l = 0; l < width; ++l) {
      a[static_cast<size_t>(l / sh.s)] += pa[static_cast<size_t>(blk * width + l)];
      b[static_cast<size_t>(l / sh.s)] += pb[static_cast<size_t>(blk * width + l)];
    }
}

// One value per column of the row layout ([c * s]), in the kernel's dtype, from per-channel values.
std::vector<char> column_vector(DType t, ChannelShape sh, const std::vector<double>& per_channel) {
  std::vector<char> out(static_cast<size_t>(sh.c * sh.s) * dtype_size(t));
  dispatch(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      T* p = reinterpret_cast<T*>(out.data());
      for (int64_t l = 0; l < sh.c * sh.s; ++l) p[l] = static_cast<T>(per_channel[static_cast<size_t>(l / sh.s)]);
    }
  });
  return out;
}

// Runs seg(k, offset, len) on each channel run, or row(offset) on each row of the row layout, in parallel.
template <class Seg, class Row>
void for_each_run(ChannelShape sh, Seg&& seg, Row&& row) {
  if (sh.n * sh.c * sh.s == 0) return;
  if (!row_layout(sh)) {
    parallel_blocks(sh.n * sh.c, std::max<int64_t>(1, kGrainCheap / sh.s), [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) seg(t % sh.c, t * sh.s, sh.s);
    });
    return;
  }
  const int64_t width = sh.c * sh.s;
  parallel_blocks(sh.n, std::max<int64_t>(1, kGrainCheap / width), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) row(r * width);
  });
}

}  // namespace

void batch_norm_stats_kernel(const Tensor& x, ChannelShape sh, std::vector<double>& mean, std::vector<double>& var) {
  const DType t = x.dtype();
  const size_t es = dtype_size(t);
  const char* px = static_cast<const char*>(x.raw_data());
  // Each channel's sums are shifted by its first element: a sample of the data, so no cancellation.
  std::vector<double> shift(static_cast<size_t>(sh.c), 0.0);
  if (sh.n * sh.s > 0)
    dispatch(t, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_floating_point_v<T>)
        for (int64_t k = 0; k < sh.c; ++k) shift[static_cast<size_t>(k)] = static_cast<double>(x.data<T>()[k * sh.s]);
    });
  const std::vector<char> shift_cols = row_layout(sh) ? column_vector(t, sh, shift) : std::vector<char>();
  std::vector<double> s1, s2;
  channel_sums(
      sh, s1, s2,
      [&](int64_t k, int64_t off, int64_t len, double& a, double& b) {
        run_shifted_sums(t, px + off * es, len, shift[static_cast<size_t>(k)], a, b);
      },
      [&](int64_t first, int64_t rows, int64_t col, int64_t cols, double* a, double* b) {
        columns_shifted(t, px + (first * sh.c * sh.s + col) * es, sh.c * sh.s, rows, shift_cols.data() + col * es, cols,
                        a, b);
      });
  const double count = static_cast<double>(sh.n * sh.s);
  mean.assign(static_cast<size_t>(sh.c), 0.0);
  var.assign(static_cast<size_t>(sh.c), 0.0);
  for (size_t k = 0; k < static_cast<size_t>(sh.c); ++k) {
    const double m1 = s1[k] / count;
    mean[k] = shift[k] + m1;
    var[k] = std::max(0.0, s2[k] / count - m1 * m1);
  }
}

void batch_norm_apply_kernel(const Tensor& y, const Tensor& x, ChannelShape sh, const std::vector<double>& mean,
                             const std::vector<double>& scale, const std::vector<double>& shift) {
  const DType t = x.dtype();
  const size_t es = dtype_size(t);
  char* py = static_cast<char*>(y.raw_data());
  const char* px = static_cast<const char*>(x.raw_data());
  std::vector<char> c, a, b;
  if (row_layout(sh)) {
    c = column_vector(t, sh, mean);
    a = column_vector(t, sh, scale);
    b = column_vector(t, sh, shift);
  }
  for_each_run(
      sh,
      [&](int64_t k, int64_t off, int64_t len) {
        const size_t kk = static_cast<size_t>(k);
        run_affine(t, py + off * es, px + off * es, len, mean[kk], scale[kk], shift[kk]);
      },
      [&](int64_t off) { columns_affine(t, py + off * es, px + off * es, sh.c * sh.s, c.data(), a.data(), b.data()); });
}

void batch_norm_grad_sums_kernel(const Tensor& g, const Tensor& x, ChannelShape sh, const std::vector<double>& mean,
                                 std::vector<double>& sum_g, std::vector<double>& sum_gxc) {
  const DType t = x.dtype();
  const size_t es = dtype_size(t);
  const char* pg = static_cast<const char*>(g.raw_data());
  const char* px = static_cast<const char*>(x.raw_data());
  const std::vector<char> mean_cols = row_layout(sh) ? column_vector(t, sh, mean) : std::vector<char>();
  channel_sums(
      sh, sum_g, sum_gxc,
      [&](int64_t k, int64_t off, int64_t len, double& a, double& b) {
        run_grad_sums(t, pg + off * es, px + off * es, len, mean[static_cast<size_t>(k)], a, b);
      },
      [&](int64_t first, int64_t rows, int64_t col, int64_t cols, double* a, double* b) {
        const int64_t off = first * sh.c * sh.s + col;
        columns_grad(t, pg + off * es, px + off * es, sh.c * sh.s, rows, mean_cols.data() + col * es, cols, a, b);
      });
}

void batch_norm_grad_apply_kernel(const Tensor& gx, const Tensor& g, const Tensor& x, ChannelShape sh,
                                  const std::vector<double>& mean, const std::vector<double>& a,
                                  const std::vector<double>& b, const std::vector<double>& d) {
  const DType t = x.dtype();
  const size_t es = dtype_size(t);
  char* po = static_cast<char*>(gx.raw_data());
  const char* pg = static_cast<const char*>(g.raw_data());
  const char* px = static_cast<const char*>(x.raw_data());
  std::vector<char> vc, va, vb, vd;
  if (row_layout(sh)) {
    vc = column_vector(t, sh, mean);
    va = column_vector(t, sh, a);
    vb = column_vector(t, sh, b);
    vd = column_vector(t, sh, d);
  }
  for_each_run(
      sh,
      [&](int64_t k, int64_t off, int64_t len) {
        const size_t kk = static_cast<size_t>(k);
        run_grad_affine(t, po + off * es, pg + off * es, px + off * es, len, mean[kk], a[kk], b[kk], d[kk]);
      },
      [&](int64_t off) {
        columns_grad_affine(t, po + off * es, pg + off * es, px + off * es, sh.c * sh.s, vc.data(), va.data(), vb.data(),
                            vd.data());
      });
}

}  // namespace kiln::cpu
