// Constant, reflect, replicate and circular padding by one pass over the padded tensor. Each padded dim has a table
// of where its output positions read from (kPadFill: the constant); a row of the last dim is split once into runs
// that read consecutive positions (the interior is one) or take the constant, so a row is a few copies and fills
// or, for the gradient, a few vectorized adds. The
// composite form (an index_select per dim forward, zeros and an index_add_ per dim backward) made an intermediate
// tensor and zero-filled per dim: reflect pad 1 of [32,64,56,56], forward and backward, 10.2 ms in C++.
#include <algorithm>
#include <cstring>

#include "cpu/convert.h"
#include "cpu/dispatch.h"
#include "cpu/indexing.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

// Output positions [out, out + len) read positions [in, in + len), or take the constant if in is kPadFill.
struct Run {
  int64_t out, in, len;
};

std::vector<Run> runs_of(const std::vector<int64_t>& table) {
  std::vector<Run> runs;
  for (int64_t j = 0; j < static_cast<int64_t>(table.size()); ++j) {
    const bool fill = table[j] == kPadFill;
    if (!runs.empty() && (runs.back().in == kPadFill ? fill : !fill && runs.back().in + runs.back().len == table[j]))
      ++runs.back().len;
    else
      runs.push_back({j, table[j], 1});
  }
  return runs;
}

}  // namespace

void indexed_pad_kernel(const Tensor& padded, const Tensor& x, const std::vector<std::vector<int64_t>>& tables,
                        bool backward, Scalar value) {
  // Both contiguous, seen as [planes, D, H, W] and [planes, d, h, w]; a dim not padded has the table {0}.
  const int64_t k = static_cast<int64_t>(tables.size()), nd = x.dim();
  std::vector<int64_t> td{0}, th{0};
  const std::vector<int64_t>& tw = tables[k - 1];
  if (k >= 2) th = tables[k - 2];
  if (k == 3) td = tables[0];
  const int64_t W = padded.shape()[nd - 1], w = x.shape()[nd - 1];
  const int64_t H = static_cast<int64_t>(th.size()), h = k >= 2 ? x.shape()[nd - 2] : 1;
  const int64_t D = static_cast<int64_t>(td.size()), d = k == 3 ? x.shape()[nd - 3] : 1;
  int64_t planes = 1;
  for (int64_t i = 0; i < nd - k; ++i) planes *= x.shape()[i];
  if (planes == 0 || padded.numel() == 0) return;
  const std::vector<Run> runs = runs_of(tw);
  auto row_of_x = [&](auto* xb, int64_t p, int64_t od, int64_t oh) { return xb + ((p * d + td[od]) * h + th[oh]) * w; };
  if (!backward) {
    dispatch_all(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      const T v = scalar_as<T>(value);
      T* pb = padded.data<T>();
      const T* xb = x.data<T>();
      parallel_for(planes * D * H, std::max<int64_t>(1, 32768 / std::max<int64_t>(W, 1)), [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t od = r / H % D, oh = r % H;
          T* dst = pb + r * W;
          if (td[od] == kPadFill || th[oh] == kPadFill) {
            std::fill_n(dst, W, v);
            continue;
          }
          const T* src = row_of_x(xb, r / (D * H), od, oh);
          for (const Run& run : runs) {
            if (run.in == kPadFill)
              std::fill_n(dst + run.out, run.len, v);
            else
              std::memcpy(dst + run.out, src + run.in, run.len * sizeof(T));
          }
        }
      });
    });
    return;
  }
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* pb = padded.data<T>();
    T* xb = x.data<T>();
    // The gradient: x (zeroed by the caller) += the padded rows in their order, a plane on one thread, so each
    // element sums its (at most 8) terms in the padded tensor's row-major order, whatever the thread count.
    if constexpr (!std::is_same_v<T, bool>) {
      parallel_for(planes, std::max<int64_t>(1, 32768 / std::max<int64_t>(D * H * W, 1)), [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p)
          for (int64_t od = 0; od < D; ++od)
            for (int64_t oh = 0; oh < H; ++oh) {
              T* dst = row_of_x(xb, p, od, oh);
              const T* src = pb + ((p * D + od) * H + oh) * W;
              for (const Run& run : runs) add_run(dst + run.in, src + run.out, run.len);
            }
      });
    } else {
      fail(ErrorKind::DType, "pad backward: bool has no gradient");
    }
  });
}

}  // namespace kiln::cpu
