// multilabel_margin_loss's kernels (cpu/loss.h): per row, which classes are targets, then each listed target
// against every class that is not one. Rows are independent; each is run by one thread. O(L C) per row, in place.
#include <algorithm>
#include <vector>

#include "cpu/dispatch.h"
#include "cpu/loss.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

// The row's listed targets (before its first negative entry) and which classes they are.
struct RowTargets {
  int64_t listed;
  std::vector<char> is_target;
};

RowTargets row_targets(const int64_t* t, int64_t classes) {
  RowTargets r{0, std::vector<char>(static_cast<size_t>(classes), 0)};
  while (r.listed < classes && t[r.listed] >= 0) r.is_target[t[r.listed++]] = 1;
  return r;
}

}  // namespace

void multilabel_margin_kernel(std::vector<double>& loss, const Tensor& x, const Tensor& target) {
  const int64_t frames = x.size(0), classes = x.size(1);
  loss.assign(static_cast<size_t>(frames), 0.0);
  const int64_t* t = target.data<int64_t>();
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* xs = x.data<T>();
      parallel_for(frames, 1, [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
          const T* row = xs + n * classes;
          const RowTargets r = row_targets(t + n * classes, classes);
          double sum = 0;  // PyTorch's accumulator type on the CPU
          for (int64_t j = 0; j < r.listed; ++j) {
            const T at_target = row[t[n * classes + j]];
            for (int64_t d = 0; d < classes; ++d) {
              if (r.is_target[d]) continue;
              const T z = 1 - at_target + row[d];
              if (z > 0) sum += z;
            }
          }
          loss[n] = sum / static_cast<double>(classes);
        }
      });
    } else {
      fail(ErrorKind::Internal, "multilabel_margin_loss: floating dtypes only");
    }
  });
}

void multilabel_margin_backward_kernel(const Tensor& grad_x, const Tensor& scale, const Tensor& x,
                                       const Tensor& target) {
  const int64_t frames = x.size(0), classes = x.size(1);
  const int64_t* t = target.data<int64_t>();
  const int64_t scale_step = scale.numel() == 1 ? 0 : 1;
  dispatch(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* xs = x.data<T>();
      const T* sc = scale.data<T>();
      T* g = grad_x.data<T>();
      parallel_for(frames, 1, [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
          const T* row = xs + n * classes;
          T* grow = g + n * classes;
          std::fill(grow, grow + classes, T(0));
          const RowTargets r = row_targets(t + n * classes, classes);
          const T step = sc[n * scale_step] / static_cast<T>(classes);
          for (int64_t j = 0; j < r.listed; ++j) {
            const int64_t target_class = t[n * classes + j];
            const T at_target = row[target_class];
            for (int64_t d = 0; d < classes; ++d) {
              if (r.is_target[d] || !(1 - at_target + row[d] > 0)) continue;
              grow[target_class] -= step;
              grow[d] += step;
            }
          }
        }
      });
    } else {
      fail(ErrorKind::Internal, "multilabel_margin_loss_backward: floating dtypes only");
    }
  });
}

}  // namespace kiln::cpu
