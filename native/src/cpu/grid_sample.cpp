// grid_sample's kernels (cpu/grid_sample.h). The per-output work (positions, corners, weights) is done once per
// batch element into a table of taps; the planes are then read (forward) or scattered into (backward) one at a
// time, in parallel over planes, and the grid's gradient is summed over channels in parallel over outputs.
#include "cpu/grid_sample.h"

#include <cmath>
#include <vector>

#include "cpu/dispatch.h"
#include "thread_pool.h"

namespace kiln::cpu {
namespace {

// A position along one dim and its derivative with respect to the grid coordinate.
template <typename T>
struct Position {
  T at, slope;
};

// PyTorch's reflect_coordinates_set_grad: in reflected into [twice_low / 2, twice_high / 2].
template <typename T>
Position<T> reflect(T in, int64_t twice_low, int64_t twice_high) {
  if (twice_low == twice_high) return {T(0), T(0)};
  const T min = static_cast<T>(twice_low) / 2, span = static_cast<T>(twice_high - twice_low) / 2;
  in = in - min;
  T sign = 1;
  if (in < 0) {
    sign = -1;
    in = -in;
  }
  const T extra = std::fmod(in, span);
  const auto flips = static_cast<int64_t>(std::floor(in / span));
  return flips % 2 == 0 ? Position<T>{extra + min, sign} : Position<T>{span - extra + min, -sign};
}

// PyTorch's grid_sampler_compute_source_index_set_grad: unnormalize, then the padding mode.
template <typename T>
Position<T> source(T coord, int64_t size, const GridSampling& s) {
  Position<T> p = s.align_corners ? Position<T>{(coord + 1) / 2 * static_cast<T>(size - 1), static_cast<T>(size - 1) / 2}
                                  : Position<T>{((coord + 1) * static_cast<T>(size) - 1) / 2, static_cast<T>(size) / 2};
  if (s.padding == 2) {
    const Position<T> r = s.align_corners ? reflect(p.at, 0, 2 * (size - 1)) : reflect(p.at, -1, 2 * size - 1);
    p = {r.at, p.slope * r.slope};
  }
  if (s.padding != 0) {  // clip to [0, size - 1]; no gradient at or past the ends
    const T limit = static_cast<T>(size - 1);
    if (p.at <= 0) p = {T(0), T(0)};
    else if (p.at >= limit) p = {limit, T(0)};
  }
  return p;
}

// One output's corners (flat index in the plane or volume, -1 outside; corner k takes x0 or x1 by its bit 0, y by
// bit 1, z by bit 2) and weights, and what the grid's gradient needs.
template <typename T, int D>
struct Taps {
  static constexpr int K = 1 << D;
  int64_t at[K];
  T w[K];
  T f[D][2];  // the weights' factors per dim: x1 - ix and ix - x0, ...
  T slope[D];
};

// The flat index of integer position p (x, y, z) in a volume of sizes (last dim last), -1 outside (NaN included).
template <typename T, int D>
int64_t flat(const T* p, const int64_t* sizes) {
  int64_t at = 0;
  for (int d = D - 1; d >= 0; --d) {  // z, y, x: outer to inner
    const int64_t size = sizes[D - 1 - d];
    if (!(p[d] >= 0 && p[d] < static_cast<T>(size))) return -1;
    at = at * size + static_cast<int64_t>(p[d]);
  }
  return at;
}

// sizes: the input's spatial sizes, last dim last ([H, W] or [D, H, W]); g: the output's D grid coordinates (x first).
template <typename T, int D>
Taps<T, D> taps_of(const T* g, const int64_t* sizes, const GridSampling& s) {
  Taps<T, D> t{};
  T pos[D];
  for (int d = 0; d < D; ++d) {
    const Position<T> p = source(g[d], sizes[D - 1 - d], s);
    pos[d] = p.at;
    t.slope[d] = p.slope;
  }
  if (s.mode == 1) {
    T near[D];
    for (int d = 0; d < D; ++d) near[d] = std::nearbyint(pos[d]);
    t.at[0] = flat<T, D>(near, sizes);
    t.w[0] = 1;
    for (int k = 1; k < Taps<T, D>::K; ++k) t.at[k] = -1;
    return t;
  }
  T lo[D];
  for (int d = 0; d < D; ++d) {
    lo[d] = std::floor(pos[d]);
    t.f[d][0] = lo[d] + 1 - pos[d];
    t.f[d][1] = pos[d] - lo[d];
  }
  for (int k = 0; k < Taps<T, D>::K; ++k) {
    T corner[D];
    T w = t.f[0][k & 1];
    for (int d = 0; d < D; ++d) {
      corner[d] = lo[d] + ((k >> d) & 1);
      if (d > 0) w *= t.f[d][(k >> d) & 1];
    }
    t.at[k] = flat<T, D>(corner, sizes);
    t.w[k] = w;
  }
  return t;
}

// The taps of every output of every batch element: [N * outputs].
template <typename T, int D>
std::vector<Taps<T, D>> all_taps(const Tensor& grid, const int64_t* sizes, const GridSampling& s) {
  const int64_t outputs = grid.numel() / D;
  std::vector<Taps<T, D>> taps(static_cast<size_t>(outputs));
  const T* g = grid.data<T>();
  parallel_for(outputs, 1024, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) taps[o] = taps_of<T, D>(g + D * o, sizes, s);
  });
  return taps;
}

// The input's spatial sizes (last dim last) and sizes of a plane (volume) and of an output plane (volume).
struct Extent {
  int64_t N, C, sizes[3], plane, outputs;
};

template <int D>
Extent extent(const Tensor& input, const Tensor& grid) {
  Extent e{input.size(0), input.size(1), {0, 0, 0}, 1, 1};
  for (int d = 0; d < D; ++d) {
    e.sizes[d] = input.size(2 + d);
    e.plane *= e.sizes[d];
    e.outputs *= grid.size(1 + d);
  }
  return e;
}

template <typename T, int D>
void forward(const Tensor& out, const Tensor& input, const Tensor& grid, const GridSampling& s) {
  const Extent e = extent<D>(input, grid);
  const std::vector<Taps<T, D>> taps = all_taps<T, D>(grid, e.sizes, s);
  const T* x = input.data<T>();
  T* y = out.data<T>();
  parallel_for(e.N * e.C, 1, [&](int64_t begin, int64_t end) {
    for (int64_t nc = begin; nc < end; ++nc) {
      const T* src = x + nc * e.plane;
      const Taps<T, D>* t = taps.data() + (nc / e.C) * e.outputs;
      T* dst = y + nc * e.outputs;
      for (int64_t o = 0; o < e.outputs; ++o) {
        T v = 0;
        for (int k = 0; k < Taps<T, D>::K; ++k)
          if (t[o].at[k] >= 0) v += t[o].w[k] * src[t[o].at[k]];
        dst[o] = v;
      }
    }
  });
}

template <typename T, int D>
void backward(const Tensor& grad_input, const Tensor& grad_grid, const Tensor& grad_out, const Tensor& input,
              const Tensor& grid, const GridSampling& s) {
  constexpr int K = Taps<T, D>::K;
  const Extent e = extent<D>(input, grid);
  const std::vector<Taps<T, D>> taps = all_taps<T, D>(grid, e.sizes, s);
  const T* g = grad_out.data<T>();
  if (grad_input.defined()) {
    T* gi = grad_input.data<T>();
    parallel_for(e.N * e.C, 1, [&](int64_t begin, int64_t end) {
      for (int64_t nc = begin; nc < end; ++nc) {
        T* dst = gi + nc * e.plane;
        std::fill(dst, dst + e.plane, T(0));
        const Taps<T, D>* t = taps.data() + (nc / e.C) * e.outputs;
        const T* go = g + nc * e.outputs;
        for (int64_t o = 0; o < e.outputs; ++o)
          for (int k = 0; k < K; ++k)
            if (t[o].at[k] >= 0) dst[t[o].at[k]] += t[o].w[k] * go[o];
      }
    });
  }
  if (!grad_grid.defined()) return;
  T* gg = grad_grid.data<T>();
  const T* x = input.data<T>();
  parallel_for(e.N * e.outputs, 256, [&](int64_t begin, int64_t end) {
    for (int64_t no = begin; no < end; ++no) {
      const Taps<T, D>& t = taps[no];
      T sum[D] = {};
      if (s.mode == 0) {
        // d weight_k / d pos_d: -1 or +1 (the corner's side along d) times the other dims' factors
        T dw[K][D];
        for (int k = 0; k < K; ++k)
          for (int d = 0; d < D; ++d) {
            T v = ((k >> d) & 1) ? T(1) : T(-1);
            for (int d2 = 0; d2 < D; ++d2)
              if (d2 != d) v *= t.f[d2][(k >> d2) & 1];
            dw[k][d] = v;
          }
        const int64_t n = no / e.outputs, o = no % e.outputs;
        for (int64_t c = 0; c < e.C; ++c) {
          const T* src = x + (n * e.C + c) * e.plane;
          const T go = g[(n * e.C + c) * e.outputs + o];
          for (int k = 0; k < K; ++k) {
            if (t.at[k] < 0) continue;
            const T v = src[t.at[k]] * go;
            for (int d = 0; d < D; ++d) sum[d] += v * dw[k][d];
          }
        }
      }
      for (int d = 0; d < D; ++d) gg[D * no + d] = t.slope[d] * sum[d];
    }
  });
}

}  // namespace

void grid_sample_kernel(const Tensor& out, const Tensor& input, const Tensor& grid, const GridSampling& s) {
  dispatch(input.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      if (input.dim() == 4) forward<T, 2>(out, input, grid, s);
      else forward<T, 3>(out, input, grid, s);
    } else {
      fail(ErrorKind::Internal, "grid_sample: floating dtypes only");
    }
  });
}

void grid_sample_backward_kernel(const Tensor& grad_input, const Tensor& grad_grid, const Tensor& grad_out,
                                 const Tensor& input, const Tensor& grid, const GridSampling& s) {
  dispatch(input.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      if (input.dim() == 4) backward<T, 2>(grad_input, grad_grid, grad_out, input, grid, s);
      else backward<T, 3>(grad_input, grad_grid, grad_out, input, grid, s);
    } else {
      fail(ErrorKind::Internal, "grid_sample_backward: floating dtypes only");
    }
  });
}

void grid_source_slope_kernel(const Tensor& out, const Tensor& grid, const Shape& sizes, const GridSampling& s) {
  const int64_t D = static_cast<int64_t>(sizes.size());
  dispatch(grid.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* g = grid.data<T>();
      T* slope = out.data<T>();
      for (int64_t i = 0; i < grid.numel(); ++i) slope[i] = source(g[i], sizes[D - 1 - i % D], s).slope;
    } else {
      fail(ErrorKind::Internal, "grid_sample: floating dtypes only");
    }
  });
}

}  // namespace kiln::cpu
