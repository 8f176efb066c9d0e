// Cumulative sums and products along a dim: each line is scanned in order by one thread, accumulating in
// double for floats (as PyTorch on CPU) and wrapping for int64.
#include "cpu/scan.h"

#include <algorithm>

#include "cpu/dispatch.h"
#include "cpu/line_loop.h"
#include "cpu/loop.h"
#include "cpu/simd.h"

namespace kiln::cpu {
namespace {

template <class T, ScanOp Op>
void scan_line(T* out, int64_t os, const T* x, int64_t xs, int64_t n, bool reverse) {
  using Acc = acc_t<T>;
  Acc acc = Op == ScanOp::Sum ? Acc(0) : Acc(1);
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = reverse ? n - 1 - k : k;
    const Acc v = static_cast<Acc>(x[i * xs]);
    if constexpr (std::is_integral_v<Acc>) {
      const uint64_t a = static_cast<uint64_t>(acc), b = static_cast<uint64_t>(v);
      acc = static_cast<Acc>(Op == ScanOp::Sum ? a + b : a * b);
    } else {
      acc = Op == ScanOp::Sum ? acc + v : acc * v;
    }
    out[i * os] = static_cast<T>(acc);
  }
}

template <class Acc, ScanOp Op>
KILN_ALWAYS_INLINE Acc scan_step(Acc acc, Acc v) {
  if constexpr (std::is_integral_v<Acc>) {
    const uint64_t a = static_cast<uint64_t>(acc), b = static_cast<uint64_t>(v);
    return static_cast<Acc>(Op == ScanOp::Sum ? a + b : a * b);
  } else {
    return Op == ScanOp::Sum ? acc + v : acc * v;
  }
}

// kColumns adjacent lines of a contiguous [outer, n, inner] input scanned together, a row of each per step: the
// same order within each line (the same bits) as scan_line, but contiguous loads and stores across the lines.
// Line by line, each step jumped a whole row: cumsum over dim 0 of a 4096 x 4096 float32 took 125 ms on two
// threads (PyTorch 1.13: 209).
constexpr int64_t kColumns = 64;

template <class T, ScanOp Op, int64_t W>
KILN_ALWAYS_INLINE void scan_columns_t(T* out, const T* x, int64_t n, int64_t inner, int64_t w, bool reverse) {
  using Acc = acc_t<T>;
  const int64_t width = W > 0 ? W : w;
  Acc acc[kColumns];
  for (int64_t j = 0; j < width; ++j) acc[j] = Op == ScanOp::Sum ? Acc(0) : Acc(1);
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = reverse ? n - 1 - k : k;
    const T* xr = x + i * inner;
    T* orow = out + i * inner;
    for (int64_t j = 0; j < width; ++j) {
      acc[j] = scan_step<Acc, Op>(acc[j], static_cast<Acc>(xr[j]));
      orow[j] = static_cast<T>(acc[j]);
    }
  }
}

template <class T, ScanOp Op>
KILN_ALWAYS_INLINE void scan_columns_op(void* out, const void* x, int64_t n, int64_t inner, int64_t w, bool reverse) {
  if (w == kColumns) scan_columns_t<T, Op, kColumns>(static_cast<T*>(out), static_cast<const T*>(x), n, inner, w, reverse);
  else scan_columns_t<T, Op, 0>(static_cast<T*>(out), static_cast<const T*>(x), n, inner, w, reverse);
}

template <class T>
KILN_ALWAYS_INLINE void scan_columns_typed(ScanOp op, void* out, const void* x, int64_t n, int64_t inner, int64_t w,
                                           bool reverse) {
  if (op == ScanOp::Sum) scan_columns_op<T, ScanOp::Sum>(out, x, n, inner, w, reverse);
  else scan_columns_op<T, ScanOp::Prod>(out, x, n, inner, w, reverse);
}

KILN_SIMD void scan_columns(ScanOp op, DType t, void* out, const void* x, int64_t n, int64_t inner, int64_t w,
                            bool reverse) {
  switch (t) {
    case DType::Int64: return scan_columns_typed<int64_t>(op, out, x, n, inner, w, reverse);
    case DType::Float32: return scan_columns_typed<float>(op, out, x, n, inner, w, reverse);
    case DType::Float64: return scan_columns_typed<double>(op, out, x, n, inner, w, reverse);
    default: fail(ErrorKind::Internal, "scan kernel: no column path for ", dtype_name(t));
  }
}

// Both tensors contiguous and dim not the last, with at least a vector's worth of columns: [outer, n, inner].
bool scan_by_columns(ScanOp op, const Tensor& out, const Tensor& in, int64_t dim, bool reverse) {
  const DType t = in.dtype();
  if (!in.is_contiguous() || !out.is_contiguous() || dim == in.dim() - 1 ||
      !(t == DType::Int64 || t == DType::Float32 || t == DType::Float64))
    return false;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= in.shape()[d];
  for (int64_t d = dim + 1; d < in.dim(); ++d) inner *= in.shape()[d];
  const int64_t n = in.shape()[dim];
  if (inner < 16) return false;
  const int64_t blocks = (inner + kColumns - 1) / kColumns, esize = static_cast<int64_t>(in.element_size());
  char* const ob = static_cast<char*>(out.raw_data());
  const char* const xb = static_cast<const char*>(in.raw_data());
  parallel_for(outer * blocks, std::max<int64_t>(1, kGrainCheap / (n * kColumns)), [&](int64_t begin, int64_t end) {
    for (int64_t item = begin; item < end; ++item) {
      const int64_t o = item / blocks, c0 = item % blocks * kColumns;
      const int64_t off = (o * n * inner + c0) * esize;
      scan_columns(op, t, ob + off, xb + off, n, inner, std::min(kColumns, inner - c0), reverse);
    }
  });
  return true;
}

}  // namespace

void scan_kernel(ScanOp op, const Tensor& out, const Tensor& in, int64_t dim, bool reverse) {
  const Tensor o = as_line(out), x = as_line(in);
  if (x.numel() == 0) return;
  if (scan_by_columns(op, o, x, dim, reverse)) return;
  const int64_t n = x.shape()[dim], os = o.strides()[dim], xs = x.strides()[dim];
  LineLoop<2> loop({&o, &x}, dim);
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      fail(ErrorKind::Internal, "scan kernel: bool input (the op converts it to int64)");
    } else {
      T* ob = o.data<T>();
      const T* xb = x.data<T>();
      loop.run(std::max<int64_t>(1, kGrainCheap / n), [&](const int64_t* off) {
        if (op == ScanOp::Sum) scan_line<T, ScanOp::Sum>(ob + off[0], os, xb + off[1], xs, n, reverse);
        else scan_line<T, ScanOp::Prod>(ob + off[0], os, xb + off[1], xs, n, reverse);
      });
    }
  });
}

}  // namespace kiln::cpu
