// Advanced indexing kernels: index tensors become element offsets once, then one strided loop gathers
// or puts through them (PyTorch's TensorIterator index kernels, with the offsets precomputed).
#include <cstring>

#include "cpu/dispatch.h"
#include "cpu/indexing.h"
#include "cpu/loop.h"

namespace kiln::cpu {

void index_offsets_kernel(const Tensor& offsets, const Tensor& index, int64_t size, int64_t stride, int64_t dim,
                          bool wrap, const char* op) {
  const int64_t lowest = wrap ? -size : 0;
  StridedLoop<2> loop({&offsets, &index});
  loop.run(
      [&](char** p, const int64_t* s, int64_t n) {
        for (int64_t i = 0; i < n; ++i) {
          int64_t j = *reinterpret_cast<const int64_t*>(p[1] + i * s[1]);
          KILN_CHECK(j >= lowest && j < size, Index, op, ": index ", j, " is out of bounds for dimension ", dim,
                     " with size ", size);
          if (j < 0) j += size;
          *reinterpret_cast<int64_t*>(p[0] + i * s[0]) += j * stride;
        }
      },
      kGrainCheap);
}

// A run along which the offset stays (x[i] of rows: the index picks a row, the run walks along it) over dense out
// and src is one copy: element by element, x[i] of 32768 rows of 64 took 2 ms against PyTorch's 0.23-0.5.
void index_gather_kernel(const Tensor& out, const Tensor& src, const Tensor& offsets) {
  StridedLoop<3> loop({&out, &src, &offsets});
  dispatch(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    loop.run(
        [&](char** p, const int64_t* s, int64_t n) {
          if (s[2] == 0 && s[0] == sizeof(T) && s[1] == sizeof(T)) {
            const int64_t off = *reinterpret_cast<const int64_t*>(p[2]);
            std::memcpy(p[0], reinterpret_cast<const T*>(p[1]) + off, static_cast<size_t>(n) * sizeof(T));
            return;
          }
          for (int64_t i = 0; i < n; ++i) {
            const int64_t off = *reinterpret_cast<const int64_t*>(p[2] + i * s[2]);
            *reinterpret_cast<T*>(p[0] + i * s[0]) = reinterpret_cast<const T*>(p[1] + i * s[1])[off];
          }
        },
        kGrainCheap);
  });
}

void index_put_kernel(const Tensor& dst, const Tensor& values, const Tensor& offsets, bool accumulate) {
  StridedLoop<3> loop({&values, &dst, &offsets});
  dispatch(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    loop.run(
        [&](char** p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) {
            const T v = *reinterpret_cast<const T*>(p[0] + i * s[0]);
            T* target = reinterpret_cast<T*>(p[1] + i * s[1]) + *reinterpret_cast<const int64_t*>(p[2] + i * s[2]);
            if (!accumulate) *target = v;
            else if constexpr (std::is_same_v<T, bool>) *target = *target || v;
            else *target = *target + v;
          }
        },
        INT64_MAX / 4);
  });
}

}  // namespace kiln::cpu
