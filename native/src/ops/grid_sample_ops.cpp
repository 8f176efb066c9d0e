// grid_sample and affine_grid (torch.nn.functional's, 2-D and 3-D: spatial transformers, warping by a flow field).
// grid_sample is a fused kernel (cpu/grid_sample.cpp) with PyTorch's grid_sampler semantics: positions unnormalized
// with or without align_corners, then the padding mode (zeros: out-of-range corners read 0; border: clamped;
// reflection: reflected, then clamped); bilinear weights (ix_se - ix)(iy_se - iy), ... summed nw, ne, sw, se
// (trilinear over 5-D input: the eight corners, x fastest);
// nearest rounds half to even. Its first derivative is the fused backward kernel; under create_graph the same
// derivative is built of differentiable ops (gathers and scatter-adds of the corners, the weights' slopes), so
// gradients of any order reach both the input and the grid (PyTorch's grid_sampler has no double backward).
// affine_grid is a composite (a matmul of the base grid).
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "autograd/backward_context.h"
#include "cpu/grid_sample.h"
#include "kiln/autograd.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

Tensor S(double v) { return wrapped_scalar(Scalar(v)); }

// PyTorch's grid_sampler_unnormalize: [-1, 1] to pixel positions.
Tensor unnormalize(const Tensor& c, int64_t size, bool align) {
  return align ? mul(div(add(c, 1.0), 2.0), static_cast<double>(size - 1))
               : div(sub(mul(add(c, 1.0), static_cast<double>(size)), 1.0), 2.0);
}

// PyTorch's reflect_coordinates: positions reflected into [twice_low / 2, twice_high / 2].
Tensor reflect(const Tensor& in, int64_t twice_low, int64_t twice_high) {
  if (twice_low == twice_high) return mul(in, 0.0);
  const double min = twice_low / 2.0, span = (twice_high - twice_low) / 2.0;
  const Tensor a = abs(sub(in, min));
  const Tensor extra = fmod(a, span), flips = floor(div(a, span));
  return where(eq(fmod(flips, 2.0), S(0)), add(extra, min), add(sub(S(span), extra), min));
}

// PyTorch's compute_coordinates: a position under the padding mode (0 zeros, 1 border, 2 reflection), in ops.
Tensor pad_position(Tensor x, int64_t size, int64_t padding, bool align) {
  if (padding == 2) x = align ? reflect(x, 0, 2 * (size - 1)) : reflect(x, -1, 2 * size - 1);
  if (padding != 0) x = clamp(x, Scalar(0.0), Scalar(static_cast<double>(size - 1)));
  return x;
}

// Source positions along one dim, in ops (their derivative is only used through the kernel's slopes, see
// grid_sample_derivative).
Tensor source(const Tensor& c, int64_t size, int64_t padding, bool align) {
  return pad_position(unnormalize(c, size, align), size, padding, align);
}

// Where a corner at integer positions pos (x, y[, z]: [N, ...outputs] floats each) reads [N, C, volume + 1] (the
// planes or volumes, then a 0): its flat index, or the 0's out of range; as [N, C, outputs] int64, and the validity
// as [N, 1, outputs]. sizes: the input's spatial sizes, last dim last.
struct Corner {
  Tensor index, valid;
};

Corner corner_at(const TensorList& pos, int64_t C, const Shape& sizes) {
  const int64_t D = static_cast<int64_t>(pos.size()), N = pos[0].shape()[0], O = pos[0].numel() / std::max<int64_t>(N, 1);
  Tensor valid, at;
  int64_t volume = 1;
  for (int64_t d = D - 1; d >= 0; --d) {  // z, y, x: outer to inner
    const int64_t size = sizes[D - 1 - d];
    const Tensor in = logical_and(ge(pos[d], S(0)), lt(pos[d], S(static_cast<double>(size))));
    valid = valid.defined() ? logical_and(valid, in) : in;
    const Tensor i = to(clamp(pos[d], Scalar(0.0), Scalar(static_cast<double>(size - 1))), DType::Int64);
    at = at.defined() ? add(mul(at, Scalar(size)), i) : i;
    volume *= size;
  }
  at = where(valid, at, wrapped_scalar(Scalar(volume)));
  return {expand(unsqueeze(reshape(at, {N, O}), 1), {N, C, O}), reshape(valid, {N, 1, O})};
}

struct Sampling {
  int64_t mode, padding;
  bool align;
};

Sampling sampling_args(const OpArgs& args, const char* op) {
  return {int_arg(args, 0, op), int_arg(args, 1, op), int_arg(args, 2, op) != 0};
}

cpu::GridSampling kernel_args(const Sampling& s) { return {s.mode, s.padding, s.align}; }

// ints: mode (0 bilinear, 1 nearest), padding (0 zeros, 1 border, 2 reflection), align_corners.
TensorList grid_sample_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "grid_sample";
  const Tensor &x = in[0], &grid = in[1];
  const Sampling s = sampling_args(args, op);
  check_cpu(op, {x, grid});
  KILN_CHECK(x.dim() == 4 || x.dim() == 5, Shape, op, ": expected 4-D ([N, C, H, W]) or 5-D ([N, C, D, H, W]) "
             "input, got shape ", shape_str(x.shape()));
  const int64_t D = x.dim() - 2;
  KILN_CHECK(grid.dim() == x.dim() && grid.shape()[D + 1] == D, Shape, op, ": expected a grid of shape ",
             D == 2 ? "[N, H_out, W_out, 2] for 4-D" : "[N, D_out, H_out, W_out, 3] for 5-D", " input, got ",
             shape_str(grid.shape()));
  KILN_CHECK(grid.shape()[0] == x.shape()[0], Shape, op, ": expected grid and input to have same batch size, but got "
             "input with sizes ", shape_str(x.shape()), " and grid with sizes ", shape_str(grid.shape()));
  KILN_CHECK(is_floating(x.dtype()) && x.dtype() == grid.dtype(), DType, op, ": expected input and grid of one "
             "floating dtype, got ", dtype_name(x.dtype()), " and ", dtype_name(grid.dtype()));
  bool empty = false;
  for (int64_t d = 2; d < x.dim(); ++d) empty = empty || x.shape()[d] == 0;
  KILN_CHECK(!empty, Shape, op, ": expected input to have non-empty spatial dimensions, but input has sizes ",
             shape_str(x.shape()));
  KILN_CHECK(s.mode >= 0 && s.mode <= 2, Argument, op, ": unknown mode ", s.mode);
  KILN_CHECK(s.mode != 2 || D == 2, Argument, op, ": bicubic interpolation only supports 4D input");
  KILN_CHECK(s.padding >= 0 && s.padding <= 2, Argument, op, ": unknown padding mode ", s.padding);
  const DType ct = compute_dtype(x.dtype());
  const Tensor xc = contiguous(cast(x, ct)), gc = contiguous(cast(grid, ct));
  Shape out_shape{x.shape()[0], x.shape()[1]};
  for (int64_t d = 1; d <= D; ++d) out_shape.push_back(grid.shape()[d]);
  Tensor out = Tensor::empty(out_shape, ct, x.device());
  cpu::grid_sample_kernel(out, xc, gc, kernel_args(s));
  return {cast(out, x.dtype())};
}

// Keys' cubic convolution coefficients (A = -0.75) of the fractional part t, and their derivatives, in ops (as
// cpu/grid_sample.cpp's cubic_coefficients).
std::array<Tensor, 4> cubic_coefficients(const Tensor& t) {
  constexpr double A = -0.75;
  auto near = [](const Tensor& x) { return add(mul(mul(sub(mul(x, A + 2), A + 3), x), x), 1.0); };
  auto far = [](const Tensor& x) { return sub(mul(add(mul(sub(mul(x, A), 5 * A), x), 8 * A), x), 4 * A); };
  return {far(add(t, 1.0)), near(t), near(sub(S(1.0), t)), far(sub(S(2.0), t))};
}

// The derivatives with respect to -t (PyTorch's get_cubic_coefficients_grad), which the caller subtracts.
std::array<Tensor, 4> cubic_coefficient_slopes(const Tensor& t) {
  constexpr double A = -0.75;
  const Tensor a = sub(S(-1.0), t), b = neg(t), c = sub(S(1.0), t), d = sub(S(2.0), t);
  return {sub(mul(sub(mul(a, -3 * A), 10 * A), a), 8 * A), mul(sub(mul(b, -3 * (A + 2)), 2 * (A + 3)), b),
          mul(sub(mul(c, 3 * (A + 2)), 2 * (A + 3)), c), add(mul(sub(mul(d, 3 * A), 10 * A), d), 8 * A)};
}

// bicubic's derivative in ops: the 4 x 4 taps (each padded on its own) scatter-add the gradient times cx[j] cy[i];
// the grid's gradient sums the gradient times the tap values times the coefficients' slopes, times the unnormalizing
// scale (the taps' padding moves them by whole pixels only).
TensorList bicubic_vjp(const Tensor& g, const Tensor& x, const Tensor& grid, const Sampling& s, bool want_input,
                       bool want_grid) {
  const int64_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const Shape sizes{H, W}, positions{N, grid.shape()[1], grid.shape()[2]};
  const int64_t O = grid.shape()[1] * grid.shape()[2];
  const Tensor ux = unnormalize(select(grid, 3, 0), W, s.align), uy = unnormalize(select(grid, 3, 1), H, s.align);
  const Tensor x0 = floor(ux), y0 = floor(uy);
  const Tensor tx = reshape(sub(ux, x0), {N, 1, O}), ty = reshape(sub(uy, y0), {N, 1, O});
  const std::array<Tensor, 4> cx = cubic_coefficients(tx), cy = cubic_coefficients(ty);
  const Tensor gflat = reshape(g, {N, C, O});
  std::vector<Corner> taps;  // [i * 4 + j]: row i, column j
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 4; ++j)
      taps.push_back(corner_at({pad_position(add(x0, static_cast<double>(j - 1)), W, s.padding, s.align),
                                pad_position(add(y0, static_cast<double>(i - 1)), H, s.padding, s.align)},
                               C, sizes));
  Tensor grad_input, grad_grid;
  if (want_input) {
    Tensor acc = zeros({N, C, H * W + 1}, x.dtype());
    for (int64_t k = 0; k < 16; ++k)
      acc = scatter_add(acc, 2, taps[k].index,
                        mul(gflat, where(taps[k].valid, mul(cx[k % 4], cy[k / 4]), S(0))));
    grad_input = reshape(narrow(acc, 2, 0, H * W), x.shape());
  }
  if (want_grid) {
    const Tensor flat = cat({reshape(x, {N, C, H * W}), zeros({N, C, 1}, x.dtype())}, 2);
    const std::array<Tensor, 4> dcx = cubic_coefficient_slopes(tx), dcy = cubic_coefficient_slopes(ty);
    Tensor dx, dy;
    for (int64_t k = 0; k < 16; ++k) {
      const Tensor v = gather(flat, 2, taps[k].index);
      const Tensor tx_term = mul(v, mul(dcx[k % 4], cy[k / 4])), ty_term = mul(v, mul(cx[k % 4], dcy[k / 4]));
      dx = dx.defined() ? sub(dx, tx_term) : neg(tx_term);
      dy = dy.defined() ? sub(dy, ty_term) : neg(ty_term);
    }
    const double scale_x = s.align ? (W - 1) / 2.0 : W / 2.0, scale_y = s.align ? (H - 1) / 2.0 : H / 2.0;
    grad_grid = stack({mul(reshape(sum(mul(gflat, dx), {1}), positions), scale_x),
                       mul(reshape(sum(mul(gflat, dy), {1}), positions), scale_y)}, 3);
  }
  return {grad_input, grad_grid};
}

// The derivative as ops, for create_graph: the gradient of the input is the output's gradient times each corner's
// weight, scatter-added at the corner; that of the grid the sum over channels of the gradient times the corner
// values times the weights' slopes, times the position's slope for the padding mode (a constant: the positions
// are piecewise linear in the grid). Every op here is differentiable, so this has derivatives of its own.
TensorList grid_sample_vjp(const Tensor& g, const Tensor& x, const Tensor& grid, const Sampling& s, bool want_input,
                           bool want_grid) {
  if (s.mode == 2) return bicubic_vjp(g, x, grid, s, want_input, want_grid);
  const int64_t D = x.dim() - 2, N = x.shape()[0], C = x.shape()[1];
  const Shape sizes(x.shape().begin() + 2, x.shape().end());
  const Shape positions(grid.shape().begin(), grid.shape().end() - 1);
  int64_t volume = 1;
  for (int64_t size : sizes) volume *= size;
  const int64_t O = checked_numel(positions, "grid_sample") / std::max<int64_t>(N, 1);
  TensorList pos;  // x, y[, z]
  for (int64_t d = 0; d < D; ++d) pos.push_back(source(select(grid, D + 1, d), sizes[D - 1 - d], s.padding, s.align));
  const Tensor gflat = reshape(g, {N, C, O});
  const Tensor flat = cat({reshape(x, {N, C, volume}), zeros({N, C, 1}, x.dtype())}, 2);
  std::vector<Corner> corners;
  std::vector<Tensor> weights;
  std::vector<std::array<Tensor, 2>> factors(static_cast<size_t>(D));  // per dim: x1 - ix, ix - x0
  if (s.mode == 1) {
    TensorList nearest;
    for (const Tensor& p : pos) nearest.push_back(round(p));
    corners.push_back(corner_at(nearest, C, sizes));
    weights.push_back(ones({N, 1, O}, x.dtype()));
  } else {
    TensorList lo;
    for (int64_t d = 0; d < D; ++d) {
      lo.push_back(floor(pos[d]));
      factors[d] = {reshape(sub(add(lo[d], 1.0), pos[d]), {N, 1, O}), reshape(sub(pos[d], lo[d]), {N, 1, O})};
    }
    for (int64_t k = 0; k < (int64_t{1} << D); ++k) {  // x fastest: nw, ne, sw, se (then the far z layer)
      TensorList at;
      Tensor w;
      for (int64_t d = 0; d < D; ++d) {
        const int64_t side = (k >> d) & 1;
        at.push_back(side ? add(lo[d], 1.0) : lo[d]);
        w = w.defined() ? mul(w, factors[d][side]) : factors[d][side];
      }
      corners.push_back(corner_at(at, C, sizes));
      weights.push_back(w);
    }
  }
  Tensor grad_input, grad_grid;
  if (want_input) {
    Tensor acc = zeros({N, C, volume + 1}, x.dtype());
    for (size_t k = 0; k < corners.size(); ++k)
      acc = scatter_add(acc, 2, corners[k].index, mul(gflat, where(corners[k].valid, weights[k], S(0))));
    grad_input = reshape(narrow(acc, 2, 0, volume), x.shape());
  }
  if (want_grid) {
    if (s.mode == 1) {
      grad_grid = mul(detach(grid), 0.0);
    } else {
      Tensor slope = Tensor::empty(grid.shape(), grid.dtype(), grid.device());
      cpu::grid_source_slope_kernel(slope, contiguous(detach(grid)), sizes, kernel_args(s));
      std::vector<Tensor> v;
      for (const Corner& c : corners) v.push_back(gather(flat, 2, c.index));
      TensorList per_dim;
      for (int64_t d = 0; d < D; ++d) {
        // d weight_k / d pos_d: -1 or +1 (the corner's side along d) times the other dims' factors
        Tensor slope_d;
        for (int64_t k = 0; k < (int64_t{1} << D); ++k) {
          Tensor term = v[k];
          for (int64_t d2 = 0; d2 < D; ++d2)
            if (d2 != d) term = mul(term, factors[d2][(k >> d2) & 1]);
          slope_d = !slope_d.defined() ? ((k >> d) & 1 ? term : neg(term))
                                       : ((k >> d) & 1 ? add(slope_d, term) : sub(slope_d, term));
        }
        per_dim.push_back(reshape(sum(mul(gflat, slope_d), {1}), positions));
      }
      grad_grid = mul(stack(per_dim, D + 1), slope);
    }
  }
  return {grad_input, grad_grid};
}

TensorList grid_sample_derivative(const BackwardContext& c) {
  const Sampling s = sampling_args(c.args, "grid_sample");
  const Tensor &g = c.grad(), &x = c.input(0), &grid = c.input(1);
  if (grad_enabled()) return grid_sample_vjp(g, x, grid, s, c.needs(0), c.needs(1));
  const DType ct = compute_dtype(x.dtype());
  const Tensor xc = contiguous(cast(x, ct)), gc = contiguous(cast(grid, ct)), goc = contiguous(cast(g, ct));
  Tensor gi, gg;
  if (c.needs(0)) gi = Tensor::empty(xc.shape(), ct, x.device());
  if (c.needs(1)) gg = Tensor::empty(gc.shape(), ct, x.device());
  cpu::grid_sample_backward_kernel(gi, gg, goc, xc, gc, kernel_args(s));
  return {gi.defined() ? cast(gi, x.dtype()) : gi, gg.defined() ? cast(gg, grid.dtype()) : gg};
}

// PyTorch's linspace_from_neg_one in the dtype's precision: linspace(-1, 1, n), scaled by (n - 1) / n unless
// align_corners.
template <class T>
std::vector<T> steps(int64_t n, bool align) {
  std::vector<T> v(static_cast<size_t>(n), T(0));
  if (n <= 1) return v;
  const T step = (T(1) - T(-1)) / static_cast<T>(n - 1);
  for (int64_t i = 0; i < n; ++i) {
    v[i] = i < n / 2 ? T(-1) + step * static_cast<T>(i) : T(1) - step * static_cast<T>(n - 1 - i);
    if (!align) v[i] = v[i] * static_cast<T>(n - 1) / static_cast<T>(n);
  }
  return v;
}

Tensor steps_tensor(int64_t n, bool align, DType dtype) {
  if (dtype == DType::Float64) {
    const auto v = steps<double>(n, align);
    return from_data(v.data(), n, {n}, dtype);
  }
  const auto v = steps<float>(n, align);
  return to(from_data(v.data(), n, {n}, DType::Float32), dtype);
}

// ints: size (N, C, H, W), align_corners.
TensorList affine_grid_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "affine_grid";
  const Tensor& theta = in[0];
  const Shape size(args.ints.begin(), args.ints.end() - (args.ints.empty() ? 0 : 1));
  KILN_CHECK(size.size() == 4 || size.size() == 5, NotImplemented, op, ": affine_grid only supports 4D and 5D sizes, "
             "for 2D and 3D affine transforms, respectively. Got size ", shape_str(size), ".");
  const int64_t D = static_cast<int64_t>(size.size()) - 2, N = size[0];
  const bool align = args.ints.back() != 0;
  check_cpu(op, {theta});
  KILN_CHECK(is_floating(theta.dtype()), DType, op, ": expected theta of a floating dtype, got ",
             dtype_name(theta.dtype()));
  KILN_CHECK(theta.dim() == 3 && theta.shape()[0] == N && theta.shape()[1] == D && theta.shape()[2] == D + 1, Shape, op,
             ": expected a batch of ", D, "D affine matrices of shape Nx", D, "x", D + 1, " for size ",
             shape_str(size), ". Got ", shape_str(theta.shape()), ".");
  KILN_CHECK(*std::min_element(size.begin(), size.end()) > 0, Shape, op,
             ": expected non-zero, positive output size, got ", shape_str(size));
  const DType dt = theta.dtype();
  const Shape spatial(size.begin() + 2, size.end());  // [H, W] or [D, H, W]
  TensorList columns;                                  // x along the last dim, y, z: each broadcast to spatial
  for (int64_t d = 0; d < D; ++d) {
    const int64_t along = D - 1 - d, n = spatial[along];
    Shape view(static_cast<size_t>(D), 1);
    view[along] = n;
    columns.push_back(expand(reshape(steps_tensor(n, align, dt), view), spatial));
  }
  columns.push_back(full(spatial, Scalar(1.0), dt));
  const int64_t points = checked_numel(spatial, op);
  const Tensor base = reshape(stack(columns, D), {points, D + 1});
  Shape out{N};
  out.insert(out.end(), spatial.begin(), spatial.end());
  out.push_back(D);
  return {reshape(matmul(base, transpose(theta, 1, 2)), out)};
}

const OpDef kGridSample{"grid_sample",
                        "grid_sample(Tensor input, Tensor grid; ints: mode (0 bilinear, 1 nearest), padding_mode (0 "
                        "zeros, 1 border, 2 reflection), align_corners)",
                        2, OpKind::Primitive, grid_sample_fwd, nullptr, grid_sample_derivative, kSaveInputs};
const OpDef kAffineGrid{"affine_grid",
                        "affine_grid(Tensor theta; ints: size[4 or 5] (N, C, [D,] H, W), align_corners)", 1,
                        OpKind::Composite, affine_grid_fwd};

}  // namespace

void add_grid_sample_ops(std::vector<const OpDef*>& table) { table.insert(table.end(), {&kGridSample, &kAffineGrid}); }

Tensor grid_sample(const Tensor& x, const Tensor& grid, GridSampleMode mode, GridPadding padding, bool align_corners) {
  return call1(kGridSample, {x, grid}, {{static_cast<int64_t>(mode), static_cast<int64_t>(padding), align_corners}, {}});
}

Tensor affine_grid(const Tensor& theta, const Shape& size, bool align_corners) {
  OpArgs a{size, {}};
  a.ints.push_back(align_corners);
  return call1(kAffineGrid, {theta}, a);
}

}  // namespace kiln
