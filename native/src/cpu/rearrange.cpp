// Kernels that copy elements into a new order or pattern: flip (a copy through negative strides) and
// tril/triu (a copy that zeroes one side of a diagonal), nonzero (the coordinates of nonzero elements).
#include "cpu/dispatch.h"
#include "cpu/indexing.h"
#include "cpu/kernels.h"
#include "cpu/loop.h"

namespace kiln::cpu {

void flip_kernel(const Tensor& out, const Tensor& x, const std::vector<int64_t>& dims) {
  if (x.numel() == 0) return;
  // x read backwards along dims: start at the last element of each flipped dim and step back. Such a view
  // (negative strides) exists only inside this kernel: as_strided refuses them, the strided loop does not.
  Shape strides = x.strides();
  int64_t offset = x.offset();
  for (int64_t d : dims) {
    offset += (x.shape()[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  const Tensor reversed(std::make_shared<TensorImpl>(x.storage(), offset, x.shape(), strides, x.dtype()));
  copy_kernel(out, reversed);
}

void tri_kernel(const Tensor& out, const Tensor& x, int64_t k, bool lower) {
  const int64_t rows = out.shape()[out.dim() - 2], cols = out.shape()[out.dim() - 1];
  if (out.numel() == 0) return;
  StridedLoop<2> loop({&out, &x});
  char* const base = static_cast<char*>(out.raw_data());
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    loop.run(
        [&](char** p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            char* o = p[0] + i * s[0];
            // out is contiguous and fresh: its position gives the row and column.
            const int64_t flat = (o - base) / static_cast<int64_t>(sizeof(T));
            const int64_t c = flat % cols, r = (flat / cols) % rows;
            const bool keep = lower ? c - r <= k : c - r >= k;
            *reinterpret_cast<T*>(o) = keep ? *reinterpret_cast<const T*>(p[1] + i * s[1]) : T(0);
          }
        },
        kGrainCheap);
  });
}

int64_t nonzero_count(const Tensor& x) {
  int64_t count = 0;
  StridedLoop<1> loop({&x});
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    loop.run(
        [&](char** p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) count += *reinterpret_cast<const T*>(p[0] + i * s[0]) != T(0);
        },
        INT64_MAX / 4);
  });
  return count;
}

void nonzero_kernel(const Tensor& out, const Tensor& x) {
  // Row-major order: an odometer over x's dims (the strided loop may reorder dims, which would reorder rows).
  const int64_t nd = x.dim(), numel = x.numel();
  if (numel == 0 || out.numel() == 0) return;
  std::vector<int64_t> idx(static_cast<size_t>(nd), 0);
  int64_t* o = out.data<int64_t>();
  const char* p = static_cast<const char*>(x.raw_data());
  const int64_t es = static_cast<int64_t>(x.element_size());
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    int64_t pos = 0;
    for (int64_t n = 0; n < numel; ++n) {
      if (*reinterpret_cast<const T*>(p + pos * es) != T(0))
        for (int64_t d = 0; d < nd; ++d) *o++ = idx[d];
      for (int64_t d = nd - 1; d >= 0; --d) {
        pos += x.strides()[d];
        if (++idx[d] < x.shape()[d]) break;
        pos -= x.shape()[d] * x.strides()[d];
        idx[d] = 0;
      }
    }
  });
}

}  // namespace kiln::cpu
