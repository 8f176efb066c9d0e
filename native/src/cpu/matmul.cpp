// Batched matrix products. Float types go to OpenBLAS (sgemm/dgemm), reading transposed and strided
// operands in place when BLAS's (trans, leading dimension) can describe them; int64 uses a plain loop.
#include <cblas.h>

#include <climits>

#include "cpu/dispatch.h"
#include "cpu/kernels.h"

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

// Returns t itself if BLAS can read every matrix of it, else a contiguous copy.
Tensor blas_ready(const Tensor& t) {
  if (blas_layout(t.shape()[1], t.shape()[2], t.strides()[1], t.strides()[2]).ok) return t;
  Tensor c = Tensor::empty(t.shape(), t.dtype(), t.device());
  copy_kernel(c, t);
  return c;
}

template <class T>
void gemm_blas(const Tensor& out, const Tensor& a_in, const Tensor& b_in) {
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
  for (int64_t i = 0; i < batch; ++i) {
    const T* ai = pa + i * a.strides()[0];
    const T* bi = pb + i * b.strides()[0];
    T* ci = pc + i * n * m;
    if constexpr (std::is_same_v<T, float>)
      cblas_sgemm(CblasRowMajor, la.trans, lb.trans, int(n), int(m), int(k), 1.0f, ai, int(la.ld), bi, int(lb.ld),
                  0.0f, ci, int(std::max<int64_t>(m, 1)));
    else
      cblas_dgemm(CblasRowMajor, la.trans, lb.trans, int(n), int(m), int(k), 1.0, ai, int(la.ld), bi, int(lb.ld),
                  0.0, ci, int(std::max<int64_t>(m, 1)));
  }
}

void gemm_int64(const Tensor& out, const Tensor& a, const Tensor& b) {
  const int64_t batch = out.shape()[0], n = out.shape()[1], m = out.shape()[2], k = a.shape()[2];
  const int64_t* pa = a.data<int64_t>();
  const int64_t* pb = b.data<int64_t>();
  int64_t* pc = out.data<int64_t>();
  const auto& sa = a.strides();
  const auto& sb = b.strides();
  for (int64_t bi = 0; bi < batch; ++bi)
    for (int64_t i = 0; i < n; ++i) {
      int64_t* row = pc + (bi * n + i) * m;
      std::fill(row, row + m, 0);
      for (int64_t p = 0; p < k; ++p) {
        const uint64_t av = static_cast<uint64_t>(pa[bi * sa[0] + i * sa[1] + p * sa[2]]);
        for (int64_t j = 0; j < m; ++j)
          row[j] = static_cast<int64_t>(static_cast<uint64_t>(row[j]) +
                                        av * static_cast<uint64_t>(pb[bi * sb[0] + p * sb[1] + j * sb[2]]));
      }
    }
}

}  // namespace

void matmul_kernel(const Tensor& out, const Tensor& a, const Tensor& b) {
  if (out.numel() == 0) return;
  if (a.shape()[2] == 0) {  // an empty inner dim: the product is all zeros
    fill_kernel(out, Scalar(int64_t(0)));
    return;
  }
  switch (out.dtype()) {
    case DType::Float32: return gemm_blas<float>(out, a, b);
    case DType::Float64: return gemm_blas<double>(out, a, b);
    case DType::Int64: return gemm_int64(out, a, b);
    default: fail(ErrorKind::DType, "matmul: not implemented for 'bool'");
  }
}

}  // namespace kiln::cpu
