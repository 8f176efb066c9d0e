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

// PyTorch's grid_sampler_unnormalize_set_grad: [-1, 1] to pixel positions.
template <typename T>
Position<T> unnormalize(T coord, int64_t size, bool align_corners) {
  return align_corners ? Position<T>{(coord + 1) / 2 * static_cast<T>(size - 1), static_cast<T>(size - 1) / 2}
                       : Position<T>{((coord + 1) * static_cast<T>(size) - 1) / 2, static_cast<T>(size) / 2};
}

// PyTorch's compute_coordinates with its gradient: the padding mode applied to a position.
template <typename T>
Position<T> pad(Position<T> p, int64_t size, const GridSampling& s) {
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

// PyTorch's grid_sampler_compute_source_index_set_grad: unnormalize, then the padding mode.
template <typename T>
Position<T> source(T coord, int64_t size, const GridSampling& s) {
  return pad(unnormalize(coord, size, s.align_corners), size, s);
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

// Runs fn(nc, the plane's batch element's taps) over the N x C planes (volumes), in parallel: each plane is one
// thread's, so scatters into it need no atomics.
template <typename Tap, typename F>
void for_each_plane(const Extent& e, const std::vector<Tap>& taps, F&& fn) {
  parallel_for(e.N * e.C, 1, [&](int64_t begin, int64_t end) {
    for (int64_t nc = begin; nc < end; ++nc) fn(nc, taps.data() + (nc / e.C) * e.outputs);
  });
}

template <typename T, int D>
void forward(const Tensor& out, const Tensor& input, const Tensor& grid, const GridSampling& s) {
  const Extent e = extent<D>(input, grid);
  const std::vector<Taps<T, D>> taps = all_taps<T, D>(grid, e.sizes, s);
  const T* x = input.data<T>();
  T* y = out.data<T>();
  for_each_plane(e, taps, [&](int64_t nc, const Taps<T, D>* t) {
    const T* src = x + nc * e.plane;
    T* dst = y + nc * e.outputs;
    for (int64_t o = 0; o < e.outputs; ++o) {
      T v = 0;
      for (int k = 0; k < Taps<T, D>::K; ++k)
        if (t[o].at[k] >= 0) v += t[o].w[k] * src[t[o].at[k]];
      dst[o] = v;
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
    for_each_plane(e, taps, [&](int64_t nc, const Taps<T, D>* t) {
      T* dst = gi + nc * e.plane;
      std::fill(dst, dst + e.plane, T(0));
      const T* go = g + nc * e.outputs;
      for (int64_t o = 0; o < e.outputs; ++o)
        for (int k = 0; k < K; ++k)
          if (t[o].at[k] >= 0) dst[t[o].at[k]] += t[o].w[k] * go[o];
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

// ---- bicubic (2-D): 4 x 4 taps around the unnormalized position, each tap's coordinates padded on their own (as
// PyTorch's get_value_bounded), weights from Keys' cubic convolution (A = -0.75) of the fractional parts.

template <typename T>
struct Bicubic {
  int64_t at[4][4];  // [row i][column j]: flat index, -1 outside
  T cx[4], cy[4], dcx[4], dcy[4];  // the coefficients and their derivatives with respect to -tx, -ty (PyTorch's)
  T slope_x, slope_y;               // d ix / d grid x: the unnormalizing scale
};

// PyTorch's get_cubic_upsample_coefficients and get_cubic_coefficients_grad (dc: the derivatives with respect to -t,
// which its backward subtracts).
template <typename T>
void cubic_coefficients(T t, T* c, T* dc) {
  constexpr T A = T(-0.75);
  T x = t + 1;
  c[0] = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  c[1] = ((A + 2) * t - (A + 3)) * t * t + 1;
  x = 1 - t;
  c[2] = ((A + 2) * x - (A + 3)) * x * x + 1;
  x = 2 - t;
  c[3] = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  x = -1 - t;
  dc[0] = (-3 * A * x - 10 * A) * x - 8 * A;
  x = -t;
  dc[1] = (-3 * (A + 2) * x - 2 * (A + 3)) * x;
  x = 1 - t;
  dc[2] = (3 * (A + 2) * x - 2 * (A + 3)) * x;
  x = 2 - t;
  dc[3] = (3 * A * x - 10 * A) * x + 8 * A;
}

template <typename T>
Bicubic<T> bicubic_of(const T* g, int64_t H, int64_t W, const GridSampling& s) {
  Bicubic<T> b{};
  const Position<T> px = unnormalize(g[0], W, s.align_corners), py = unnormalize(g[1], H, s.align_corners);
  b.slope_x = px.slope;
  b.slope_y = py.slope;
  const T x0 = std::floor(px.at), y0 = std::floor(py.at);
  cubic_coefficients(px.at - x0, b.cx, b.dcx);
  cubic_coefficients(py.at - y0, b.cy, b.dcy);
  const int64_t sizes[2] = {H, W};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      // the tap's position padded (its slope is not used: the taps move with the grid only by whole pixels)
      const T tap[2] = {pad(Position<T>{x0 - 1 + j, T(0)}, W, s).at, pad(Position<T>{y0 - 1 + i, T(0)}, H, s).at};
      b.at[i][j] = flat<T, 2>(tap, sizes);
    }
  return b;
}

template <typename T>
std::vector<Bicubic<T>> all_bicubic(const Tensor& grid, int64_t H, int64_t W, const GridSampling& s) {
  const int64_t outputs = grid.numel() / 2;
  std::vector<Bicubic<T>> taps(static_cast<size_t>(outputs));
  const T* g = grid.data<T>();
  parallel_for(outputs, 1024, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) taps[o] = bicubic_of(g + 2 * o, H, W, s);
  });
  return taps;
}

template <typename T>
T tap_value(const T* plane, int64_t at) {
  return at >= 0 ? plane[at] : T(0);
}

// Rows along x first, then the four rows along y, as PyTorch's cubic_interp1d nests them.
template <typename T>
void bicubic_forward(const Tensor& out, const Tensor& input, const Tensor& grid, const GridSampling& s) {
  const Extent e = extent<2>(input, grid);
  const std::vector<Bicubic<T>> taps = all_bicubic<T>(grid, e.sizes[0], e.sizes[1], s);
  const T* x = input.data<T>();
  T* y = out.data<T>();
  for_each_plane(e, taps, [&](int64_t nc, const Bicubic<T>* t) {
    const T* src = x + nc * e.plane;
    T* dst = y + nc * e.outputs;
    for (int64_t o = 0; o < e.outputs; ++o) {
      T rows[4];
      for (int i = 0; i < 4; ++i) {
        const int64_t* at = t[o].at[i];
        rows[i] = tap_value(src, at[0]) * t[o].cx[0] + tap_value(src, at[1]) * t[o].cx[1] +
                  tap_value(src, at[2]) * t[o].cx[2] + tap_value(src, at[3]) * t[o].cx[3];
      }
      dst[o] = rows[0] * t[o].cy[0] + rows[1] * t[o].cy[1] + rows[2] * t[o].cy[2] + rows[3] * t[o].cy[3];
    }
  });
}

template <typename T>
void bicubic_backward(const Tensor& grad_input, const Tensor& grad_grid, const Tensor& grad_out, const Tensor& input,
                      const Tensor& grid, const GridSampling& s) {
  const Extent e = extent<2>(input, grid);
  const std::vector<Bicubic<T>> taps = all_bicubic<T>(grid, e.sizes[0], e.sizes[1], s);
  const T* g = grad_out.data<T>();
  if (grad_input.defined()) {
    T* gi = grad_input.data<T>();
    for_each_plane(e, taps, [&](int64_t nc, const Bicubic<T>* t) {
      T* dst = gi + nc * e.plane;
      std::fill(dst, dst + e.plane, T(0));
      const T* go = g + nc * e.outputs;
      for (int64_t o = 0; o < e.outputs; ++o)
        for (int i = 0; i < 4; ++i)
          for (int j = 0; j < 4; ++j)
            if (t[o].at[i][j] >= 0) dst[t[o].at[i][j]] += go[o] * t[o].cx[j] * t[o].cy[i];
    });
  }
  if (!grad_grid.defined()) return;
  T* gg = grad_grid.data<T>();
  const T* x = input.data<T>();
  parallel_for(e.N * e.outputs, 256, [&](int64_t begin, int64_t end) {
    for (int64_t no = begin; no < end; ++no) {
      const Bicubic<T>& t = taps[no];
      const int64_t n = no / e.outputs, o = no % e.outputs;
      T gx = 0, gy = 0;
      for (int64_t c = 0; c < e.C; ++c) {
        const T* src = x + (n * e.C + c) * e.plane;
        const T go = g[(n * e.C + c) * e.outputs + o];
        for (int i = 0; i < 4; ++i)
          for (int j = 0; j < 4; ++j) {
            const T v = tap_value(src, t.at[i][j]) * go;
            gx -= v * t.dcx[j] * t.cy[i];
            gy -= v * t.cx[j] * t.dcy[i];
          }
      }
      gg[2 * no] = t.slope_x * gx;
      gg[2 * no + 1] = t.slope_y * gy;
    }
  });
}

}  // namespace

void grid_sample_kernel(const Tensor& out, const Tensor& input, const Tensor& grid, const GridSampling& s) {
  dispatch(input.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      if (s.mode == 2) bicubic_forward<T>(out, input, grid, s);
      else if (input.dim() == 4) forward<T, 2>(out, input, grid, s);
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
      if (s.mode == 2) bicubic_backward<T>(grad_input, grad_grid, grad_out, input, grid, s);
      else if (input.dim() == 4) backward<T, 2>(grad_input, grad_grid, grad_out, input, grid, s);
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
