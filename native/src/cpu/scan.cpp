// Cumulative sums and products along a dim: each line is scanned in order by one thread, accumulating in
// double for floats (as PyTorch on CPU) and wrapping for int64.
#include "cpu/scan.h"

#include "cpu/dispatch.h"
#include "cpu/line_loop.h"
#include "cpu/loop.h"

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

}  // namespace

void scan_kernel(ScanOp op, const Tensor& out, const Tensor& in, int64_t dim, bool reverse) {
  const Tensor o = as_line(out), x = as_line(in);
  if (x.numel() == 0) return;
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
