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

// One output's corners (flat index in the plane, -1 outside) and weights, and what the grid's gradient needs.
template <typename T>
struct Taps {
  int64_t at[4];
  T w[4];
  T wx0, wx1, wy0, wy1;  // the weights' factors: x1 - ix, ix - x0, y1 - iy, iy - y0
  T slope_x, slope_y;
};

template <typename T>
int64_t flat(T x, T y, int64_t H, int64_t W) {
  if (!(x >= 0 && x < static_cast<T>(W) && y >= 0 && y < static_cast<T>(H))) return -1;  // NaN included
  return static_cast<int64_t>(y) * W + static_cast<int64_t>(x);
}

template <typename T>
Taps<T> taps_of(const T* g, int64_t H, int64_t W, const GridSampling& s) {
  const Position<T> px = source(g[0], W, s), py = source(g[1], H, s);
  const T ix = px.at, iy = py.at;
  Taps<T> t{};
  t.slope_x = px.slope;
  t.slope_y = py.slope;
  if (s.mode == 1) {
    t.at[0] = flat(std::nearbyint(ix), std::nearbyint(iy), H, W);
    t.w[0] = 1;
    t.at[1] = t.at[2] = t.at[3] = -1;
    return t;
  }
  const T x0 = std::floor(ix), y0 = std::floor(iy), x1 = x0 + 1, y1 = y0 + 1;
  t.wx0 = x1 - ix;
  t.wx1 = ix - x0;
  t.wy0 = y1 - iy;
  t.wy1 = iy - y0;
  t.at[0] = flat(x0, y0, H, W);
  t.at[1] = flat(x1, y0, H, W);
  t.at[2] = flat(x0, y1, H, W);
  t.at[3] = flat(x1, y1, H, W);
  t.w[0] = t.wx0 * t.wy0;
  t.w[1] = t.wx1 * t.wy0;
  t.w[2] = t.wx0 * t.wy1;
  t.w[3] = t.wx1 * t.wy1;
  return t;
}

// The taps of every output of every batch element: [N * Ho * Wo].
template <typename T>
std::vector<Taps<T>> all_taps(const Tensor& grid, int64_t H, int64_t W, const GridSampling& s) {
  const int64_t outputs = grid.numel() / 2;
  std::vector<Taps<T>> taps(static_cast<size_t>(outputs));
  const T* g = grid.data<T>();
  parallel_for(outputs, 1024, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) taps[o] = taps_of(g + 2 * o, H, W, s);
  });
  return taps;
}

}  // namespace

void grid_sample_kernel(const Tensor& out, const Tensor& input, const Tensor& grid, const GridSampling& s) {
  const int64_t N = input.size(0), C = input.size(1), H = input.size(2), W = input.size(3);
  const int64_t O = grid.size(1) * grid.size(2), plane = H * W;
  dispatch(input.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const std::vector<Taps<T>> taps = all_taps<T>(grid, H, W, s);
      const T* x = input.data<T>();
      T* y = out.data<T>();
      parallel_for(N * C, 1, [&](int64_t begin, int64_t end) {
        for (int64_t nc = begin; nc < end; ++nc) {
          const T* src = x + nc * plane;
          const Taps<T>* t = taps.data() + (nc / C) * O;
          T* dst = y + nc * O;
          for (int64_t o = 0; o < O; ++o) {
            T v = 0;
            for (int k = 0; k < 4; ++k)
              if (t[o].at[k] >= 0) v += t[o].w[k] * src[t[o].at[k]];
            dst[o] = v;
          }
        }
      });
    } else {
      fail(ErrorKind::Internal, "grid_sample: floating dtypes only");
    }
  });
}

void grid_sample_backward_kernel(const Tensor& grad_input, const Tensor& grad_grid, const Tensor& grad_out,
                                 const Tensor& input, const Tensor& grid, const GridSampling& s) {
  const int64_t N = input.size(0), C = input.size(1), H = input.size(2), W = input.size(3);
  const int64_t O = grid.size(1) * grid.size(2), plane = H * W;
  dispatch(input.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const std::vector<Taps<T>> taps = all_taps<T>(grid, H, W, s);
      const T* g = grad_out.data<T>();
      if (grad_input.defined()) {
        T* gi = grad_input.data<T>();
        parallel_for(N * C, 1, [&](int64_t begin, int64_t end) {
          for (int64_t nc = begin; nc < end; ++nc) {
            T* dst = gi + nc * plane;
            std::fill(dst, dst + plane, T(0));
            const Taps<T>* t = taps.data() + (nc / C) * O;
            const T* go = g + nc * O;
            for (int64_t o = 0; o < O; ++o)
              for (int k = 0; k < 4; ++k)
                if (t[o].at[k] >= 0) dst[t[o].at[k]] += t[o].w[k] * go[o];
          }
        });
      }
      if (grad_grid.defined()) {
        T* gg = grad_grid.data<T>();
        const T* x = input.data<T>();
        parallel_for(N * O, 256, [&](int64_t begin, int64_t end) {
          for (int64_t no = begin; no < end; ++no) {
            const Taps<T>& t = taps[no];
            T gx = 0, gy = 0;
            if (s.mode == 0) {
              const int64_t n = no / O, o = no % O;
              for (int64_t c = 0; c < C; ++c) {
                const T* src = x + (n * C + c) * plane;
                const T go = g[(n * C + c) * O + o];
                T v[4];
                for (int k = 0; k < 4; ++k) v[k] = t.at[k] >= 0 ? src[t.at[k]] : T(0);
                // d out / d ix and d iy: the weights' slopes times the corner values (PyTorch's order of terms)
                gx += (-v[0] * t.wy0 + v[1] * t.wy0 - v[2] * t.wy1 + v[3] * t.wy1) * go;
                gy += (-v[0] * t.wx0 - v[1] * t.wx1 + v[2] * t.wx0 + v[3] * t.wx1) * go;
              }
            }
            gg[2 * no] = t.slope_x * gx;
            gg[2 * no + 1] = t.slope_y * gy;
          }
        });
      }
    } else {
      fail(ErrorKind::Internal, "grid_sample_backward: floating dtypes only");
    }
  });
}

void grid_source_slope_kernel(const Tensor& out, const Tensor& grid, int64_t height, int64_t width,
                              const GridSampling& s) {
  dispatch(grid.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      const T* g = grid.data<T>();
      T* d = out.data<T>();
      for (int64_t i = 0; i < grid.numel() / 2; ++i) {
        d[2 * i] = source(g[2 * i], width, s).slope;
        d[2 * i + 1] = source(g[2 * i + 1], height, s).slope;
      }
    } else {
      fail(ErrorKind::Internal, "grid_sample: floating dtypes only");
    }
  });
}

}  // namespace kiln::cpu
