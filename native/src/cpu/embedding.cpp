// Embedding kernels: row gathers forward; backward, each thread owns a range of weight rows and scans every index
// in order, so each row's gradient is summed in the same order whatever the number of threads.
#include "cpu/embedding.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "cpu/dispatch.h"
#include "cpu/indexing.h"
#include "cpu/loop.h"
#include "cpu/simd.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

template <class T>
KILN_ALWAYS_INLINE void axpy_t(T* __restrict y, const T* __restrict x, T a, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

KILN_SIMD void axpy(DType t, void* y, const void* x, double a, int64_t n) {
  dispatch_float(t, "embedding gradient", [&](auto tag) {
    using T = decltype(tag);
    axpy_t(static_cast<T*>(y), static_cast<const T*>(x), static_cast<T>(a), n);
  });
}

// Runs fn(r0, r1) over ranges of [0, rows) on the pool, one range per thread when the work is worth sharing.
template <class Fn>
void for_row_ranges(int64_t rows, int64_t work, Fn&& fn) {
  const int64_t parts = work < 2 * kGrainCheap ? 1 : get_num_threads();
  parallel_for(rows, std::max<int64_t>(1, (rows + parts - 1) / parts), fn);
}

}  // namespace

void embedding_kernel(const Tensor& out, const Tensor& weight, const Tensor& indices) {
  const int64_t k = indices.numel(), d = weight.shape()[1];
  if (k == 0 || d == 0) return;
  const size_t row = static_cast<size_t>(d) * dtype_size(weight.dtype());
  char* po = static_cast<char*>(out.raw_data());
  const char* pw = static_cast<const char*>(weight.raw_data());
  const int64_t* idx = indices.data<int64_t>();
  gather_rows(po, pw, idx, k, row, row);
}

void embedding_backward_kernel(const Tensor& grad_weight, const Tensor& grad, const Tensor& indices,
                               const std::vector<double>& scale) {
  const int64_t k = indices.numel(), v = grad_weight.shape()[0], d = grad_weight.shape()[1];
  if (k == 0 || d == 0) return;
  const DType t = grad.dtype();
  const size_t es = dtype_size(t);
  char* pw = static_cast<char*>(grad_weight.raw_data());
  const char* pg = static_cast<const char*>(grad.raw_data());
  const int64_t* idx = indices.data<int64_t>();
  for_row_ranges(v, k * d, [&](int64_t r0, int64_t r1) {
    for (int64_t i = 0; i < k; ++i) {
      const int64_t r = idx[i];
      if (r < r0 || r >= r1) continue;
      const double s = scale.empty() ? 1.0 : scale[static_cast<size_t>(i)];
      if (s != 0) axpy(t, pw + static_cast<size_t>(r * d) * es, pg + static_cast<size_t>(i * d) * es, s, d);
    }
  });
}

void embedding_renorm_kernel(const Tensor& weight, const Tensor& indices, double max_norm, double norm_type) {
  std::vector<int64_t> rows(indices.data<int64_t>(), indices.data<int64_t>() + indices.numel());
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  const int64_t d = weight.shape()[1];
  dispatch(weight.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      T* w = weight.data<T>();
      for (int64_t r : rows) {
        T* row = w + r * d;
        double norm = 0;
        if (std::isinf(norm_type)) {
          for (int64_t j = 0; j < d; ++j) norm = std::max(norm, std::fabs(static_cast<double>(row[j])));
        } else if (norm_type == 0) {
          for (int64_t j = 0; j < d; ++j) norm += row[j] != T(0);
        } else {
          for (int64_t j = 0; j < d; ++j) norm += std::pow(std::fabs(static_cast<double>(row[j])), norm_type);
          norm = std::pow(norm, 1.0 / norm_type);
        }
        // PyTorch's rule: a row whose norm exceeds max_norm is scaled by max_norm / (norm + 1e-7).
        if (norm > max_norm) {
          const T scale = static_cast<T>(max_norm / (norm + 1e-7));
          for (int64_t j = 0; j < d; ++j) row[j] *= scale;
        }
      }
    } else {
      fail(ErrorKind::Internal, "embedding_renorm_ kernel: floating dtypes only");
    }
  });
}

namespace {

// Sum and mean bags [b0, b1): weight[i] * row idx[i] summed for each index that counts, times the bag's scale, rows
// prefetched ahead; compiled per ISA (the pool's lambda is baseline x86-64). The sums stay in registers, kColumns
// columns at a time: kept in the output row, each index's load-add-store waited on the one before it.
constexpr int64_t kColumns = 64;

template <class T, int64_t W>
KILN_ALWAYS_INLINE void bag_columns(T* o, const T* pw, const int64_t* idx, const Bags& bags, int64_t bag, int64_t n_indices,
                                    int64_t d, int64_t c0, int64_t w) {
  const int64_t width = W > 0 ? W : w;
  const int64_t i0 = bags.start[static_cast<size_t>(bag)], i1 = bags.end[static_cast<size_t>(bag)];
  T acc[W > 0 ? W : kColumns] = {};
  for (int64_t i = i0; i < i1; ++i) {
    if (c0 == 0 && i + kRowsAhead < n_indices) prefetch_row(pw + idx[i + kRowsAhead] * d, d * sizeof(T));
    if (!bags.counts(i)) continue;
    const T* row = pw + idx[i] * d + c0;
    if (bags.weight.empty()) {
      for (int64_t j = 0; j < width; ++j) acc[j] += row[j];
    } else {
      const T c = static_cast<T>(bags.weight[static_cast<size_t>(i)]);
      for (int64_t j = 0; j < width; ++j) acc[j] += c * row[j];
    }
  }
  const T s = static_cast<T>(bags.scale[static_cast<size_t>(bag)]);
  for (int64_t j = 0; j < width; ++j) o[c0 + j] = acc[j] * s;
}

template <class T>
KILN_ALWAYS_INLINE void weighted_bags_t(T* po, const T* pw, const int64_t* idx, int64_t n_indices, const Bags& bags,
                                        int64_t b0, int64_t b1, int64_t d) {
  for (int64_t bag = b0; bag < b1; ++bag) {
    for (int64_t c0 = 0; c0 < d; c0 += kColumns) {
      if (d - c0 >= kColumns) bag_columns<T, kColumns>(po + bag * d, pw, idx, bags, bag, n_indices, d, c0, kColumns);
      else bag_columns<T, 0>(po + bag * d, pw, idx, bags, bag, n_indices, d, c0, d - c0);
    }
  }
}
KILN_SIMD void weighted_bags(float* po, const float* pw, const int64_t* idx, int64_t n_indices, const Bags& bags,
                             int64_t b0, int64_t b1, int64_t d) {
  weighted_bags_t(po, pw, idx, n_indices, bags, b0, b1, d);
}
KILN_SIMD void weighted_bags(double* po, const double* pw, const int64_t* idx, int64_t n_indices, const Bags& bags,
                             int64_t b0, int64_t b1, int64_t d) {
  weighted_bags_t(po, pw, idx, n_indices, bags, b0, b1, d);
}

}  // namespace

void embedding_bag_kernel(const Tensor& out, const Tensor& max_indices, const Tensor& weight, const Tensor& indices,
                          const Bags& bags, BagMode mode) {
  const int64_t b = static_cast<int64_t>(bags.start.size()), d = weight.shape()[1];
  if (b == 0 || d == 0) return;
  const int64_t* idx = indices.numel() > 0 ? indices.data<int64_t>() : nullptr;
  const int64_t n_indices = indices.numel();
  dispatch(weight.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      T* po = out.data<T>();
      const T* pw = weight.numel() > 0 ? weight.data<T>() : nullptr;
      int64_t* pm = mode == BagMode::Max ? max_indices.data<int64_t>() : nullptr;
      const int64_t per = std::max<int64_t>(1, bags.end.back() - bags.start.front()) / b + 1;
      parallel_for(b, std::max<int64_t>(1, kGrainCheap / (per * d)), [&](int64_t b0, int64_t b1) {
        if (mode != BagMode::Max) return weighted_bags(po, pw, idx, n_indices, bags, b0, b1, d);
        for (int64_t bag = b0; bag < b1; ++bag) {
          T* o = po + bag * d;
          std::fill(o, o + d, T(0));
          if (pm) std::fill(pm + bag * d, pm + (bag + 1) * d, int64_t{-1});
          bool first = true;
          for (int64_t i = bags.start[static_cast<size_t>(bag)]; i < bags.end[static_cast<size_t>(bag)]; ++i) {
            if (i + kRowsAhead < n_indices) prefetch_row(pw + idx[i + kRowsAhead] * d, d * sizeof(T));
            if (!bags.counts(i)) continue;
            const T* row = pw + idx[i] * d;
            int64_t* m = pm + bag * d;
            for (int64_t j = 0; j < d; ++j)
              if (first || row[j] > o[j]) {
                o[j] = row[j];
                m[j] = idx[i];
              }
            first = false;
          }
        }
      });
    } else {
      fail(ErrorKind::Internal, "embedding_bag kernel: floating dtypes only");
    }
  });
}

void embedding_bag_backward_kernel(const Tensor& grad_weight, const Tensor& grad, const Tensor& indices,
                                   const Tensor& max_indices, const Bags& bags, BagMode mode,
                                   const std::vector<double>& freq_scale) {
  const int64_t b = static_cast<int64_t>(bags.start.size()), v = grad_weight.shape()[0], d = grad_weight.shape()[1];
  if (b == 0 || d == 0) return;
  const DType t = grad.dtype();
  const size_t es = dtype_size(t);
  char* pw = static_cast<char*>(grad_weight.raw_data());
  const char* pg = static_cast<const char*>(grad.raw_data());
  if (mode == BagMode::Max) {
    const int64_t* pm = max_indices.data<int64_t>();
    dispatch(t, [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_floating_point_v<T>) {
        T* gw = reinterpret_cast<T*>(pw);
        const T* g = reinterpret_cast<const T*>(pg);
        for_row_ranges(v, b * d, [&](int64_t r0, int64_t r1) {
          for (int64_t i = 0; i < b * d; ++i) {
            const int64_t r = pm[i];
            if (r >= r0 && r < r1) gw[r * d + i % d] += g[i];
          }
        });
      }
    });
    return;
  }
  const int64_t* idx = indices.numel() > 0 ? indices.data<int64_t>() : nullptr;
  for_row_ranges(v, indices.numel() * d, [&](int64_t r0, int64_t r1) {
    for (int64_t bag = 0; bag < b; ++bag)
      for (int64_t i = bags.start[static_cast<size_t>(bag)]; i < bags.end[static_cast<size_t>(bag)]; ++i) {
        const int64_t r = idx[i];
        if (r < r0 || r >= r1 || !bags.counts(i)) continue;
        double s = bags.weight_of(i) * bags.scale[static_cast<size_t>(bag)];
        if (!freq_scale.empty()) s *= freq_scale[static_cast<size_t>(i)];
        if (s != 0) axpy(t, pw + static_cast<size_t>(r * d) * es, pg + static_cast<size_t>(bag * d) * es, s, d);
      }
  });
}

}  // namespace kiln::cpu
