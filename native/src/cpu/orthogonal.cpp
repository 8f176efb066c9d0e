// torch.nn.init.orthogonal_'s matrix: QR of a standard normal matrix through OpenBLAS's LAPACK (which
// libopenblas.so.0, linked by the core, exports), computed in float64 for either dtype.
#include <algorithm>
#include <vector>

#include "backend.h"
#include "cpu/dispatch.h"
#include "cpu/sampling.h"

// The LAPACK routines called (Fortran ABI: every argument by pointer).
extern "C" {
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau, double* work,
             const int* lwork, int* info);
}

namespace kiln::cpu {

void orthogonal_kernel(const Tensor& out, Generator& gen, double gain) {
  const int64_t rows = out.shape()[0], cols = rows == 0 ? 0 : out.numel() / rows;
  if (out.numel() == 0) return;
  KILN_CHECK(rows < (int64_t{1} << 31) && cols < (int64_t{1} << 31), NotImplemented,
             "orthogonal_: matrices of more than 2^31 rows or columns are not supported");
  Tensor normal = Tensor::empty({rows, cols}, DType::Float64);
  backend_for(Device::cpu()).random(RandomOp::Normal, normal, gen, 0.0, 1.0);
  // The row-major [rows, cols] buffer is, column-major, the cols x rows transpose: QR factors the tall one of
  // the matrix and its transpose, as PyTorch does (it transposes when rows < cols).
  const int m = static_cast<int>(std::max(rows, cols)), n = static_cast<int>(std::min(rows, cols));
  std::vector<double> a(static_cast<size_t>(m) * n);
  const double* src = normal.data<double>();
  if (rows >= cols) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) a[static_cast<size_t>(r + c * rows)] = src[r * cols + c];
  } else {
    std::copy(src, src + rows * cols, a.begin());
  }
  std::vector<double> tau(static_cast<size_t>(n));
  int info = 0, lwork = -1;
  double query = 0;
  dgeqrf_(&m, &n, a.data(), &m, tau.data(), &query, &lwork, &info);
  lwork = std::max(1, static_cast<int>(query));
  std::vector<double> work(static_cast<size_t>(lwork));
  dgeqrf_(&m, &n, a.data(), &m, tau.data(), work.data(), &lwork, &info);
  KILN_CHECK(info == 0, Internal, "orthogonal_: LAPACK dgeqrf failed (info ", info, ")");
  std::vector<double> sign(static_cast<size_t>(n));
  for (int j = 0; j < n; ++j) sign[j] = a[static_cast<size_t>(j) * m + j] < 0 ? -1.0 : 1.0;  // R's diagonal
  lwork = -1;
  dorgqr_(&m, &n, &n, a.data(), &m, tau.data(), &query, &lwork, &info);
  lwork = std::max(1, static_cast<int>(query));
  work.assign(static_cast<size_t>(lwork), 0.0);
  dorgqr_(&m, &n, &n, a.data(), &m, tau.data(), work.data(), &lwork, &info);
  KILN_CHECK(info == 0, Internal, "orthogonal_: LAPACK dorgqr failed (info ", info, ")");
  // Q (m x n, column-major) with column j times sign j; the result is Q (rows >= cols) or its transpose, which
  // is the row-major reading of the column-major buffer.
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* dst = out.data<T>();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        const int64_t i = rows >= cols ? r : c, j = rows >= cols ? c : r;  // Q's row and column
        dst[r * cols + c] = static_cast<T>(a[static_cast<size_t>(i + j * m)] * sign[j] * gain);
      }
  });
}

}  // namespace kiln::cpu
