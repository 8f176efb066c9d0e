// grid_sample and affine_grid (torch.nn.functional's, 2-D: spatial transformers, warping by a flow field).
// grid_sample is a fused kernel (cpu/grid_sample.cpp) with PyTorch's grid_sampler semantics: positions unnormalized
// with or without align_corners, then the padding mode (zeros: out-of-range corners read 0; border: clamped;
// reflection: reflected, then clamped); bilinear weights (ix_se - ix)(iy_se - iy), ... summed nw, ne, sw, se;
// nearest rounds half to even. Its first derivative is the fused backward kernel; under create_graph the same
// derivative is built of differentiable ops (gathers and scatter-adds of the corners, the weights' slopes), so
// gradients of any order reach both the input and the grid (PyTorch's grid_sampler has no double backward).
// affine_grid is a composite (a matmul of the base grid).
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

// Source positions along one dim for the padding mode (0 zeros, 1 border, 2 reflection), in ops (their
// derivative is only used through the kernel's slopes, see grid_sample_derivative).
Tensor source(const Tensor& c, int64_t size, int64_t padding, bool align) {
  Tensor x = unnormalize(c, size, align);
  if (padding == 2) x = align ? reflect(x, 0, 2 * (size - 1)) : reflect(x, -1, 2 * size - 1);
  if (padding != 0) x = clamp(x, Scalar(0.0), Scalar(static_cast<double>(size - 1)));
  return x;
}

// Where a corner at integer positions (ix, iy) [N, Ho, Wo] (floats) reads [N, C, H * W + 1] (the planes, then a 0):
// its flat index, or H * W (the 0) out of range; as [N, C, Ho * Wo] int64, and the validity as [N, 1, Ho * Wo].
struct Corner {
  Tensor index, valid;
};

Corner corner_at(const Tensor& ix, const Tensor& iy, int64_t C, int64_t H, int64_t W) {
  const Tensor valid = logical_and(logical_and(ge(ix, S(0)), lt(ix, S(static_cast<double>(W)))),
                                   logical_and(ge(iy, S(0)), lt(iy, S(static_cast<double>(H)))));
  const Tensor cx = to(clamp(ix, Scalar(0.0), Scalar(static_cast<double>(W - 1))), DType::Int64);
  const Tensor cy = to(clamp(iy, Scalar(0.0), Scalar(static_cast<double>(H - 1))), DType::Int64);
  const Tensor at = where(valid, add(mul(cy, Scalar(W)), cx), wrapped_scalar(Scalar(H * W)));
  const int64_t N = ix.shape()[0], O = ix.shape()[1] * ix.shape()[2];
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
  KILN_CHECK(x.dim() == 4, NotImplemented, op, ": only 4-D input ([N, C, H, W]) is supported, got shape ",
             shape_str(x.shape()));
  KILN_CHECK(grid.dim() == 4 && grid.shape()[3] == 2, Shape, op, ": expected a grid of shape [N, H_out, W_out, 2] "
             "for 4-D input, got ", shape_str(grid.shape()));
  KILN_CHECK(grid.shape()[0] == x.shape()[0], Shape, op, ": expected grid and input to have same batch size, but got "
             "input with sizes ", shape_str(x.shape()), " and grid with sizes ", shape_str(grid.shape()));
  KILN_CHECK(is_floating(x.dtype()) && x.dtype() == grid.dtype(), DType, op, ": expected input and grid of one "
             "floating dtype, got ", dtype_name(x.dtype()), " and ", dtype_name(grid.dtype()));
  KILN_CHECK(x.shape()[2] > 0 && x.shape()[3] > 0, Shape, op, ": expected input to have non-empty spatial dimensions, "
             "but input has sizes ", shape_str(x.shape()));
  KILN_CHECK(s.mode == 0 || s.mode == 1, Argument, op, ": unknown mode ", s.mode);
  KILN_CHECK(s.padding >= 0 && s.padding <= 2, Argument, op, ": unknown padding mode ", s.padding);
  const DType ct = compute_dtype(x.dtype());
  const Tensor xc = contiguous(cast(x, ct)), gc = contiguous(cast(grid, ct));
  Tensor out = Tensor::empty({x.shape()[0], x.shape()[1], grid.shape()[1], grid.shape()[2]}, ct, x.device());
  cpu::grid_sample_kernel(out, xc, gc, kernel_args(s));
  return {cast(out, x.dtype())};
}

// The derivative as ops, for create_graph: the gradient of the input is the output's gradient times each corner's
// weight, scatter-added at the corner; that of the grid the sum over channels of the gradient times the corner
// values times the weights' slopes, times the position's slope for the padding mode (a constant: the positions
// are piecewise linear in the grid). Every op here is differentiable, so this has derivatives of its own.
TensorList grid_sample_vjp(const Tensor& g, const Tensor& x, const Tensor& grid, const Sampling& s, bool want_input,
                           bool want_grid) {
  const int64_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const int64_t O = grid.shape()[1] * grid.shape()[2];
  const Tensor ix = source(select(grid, 3, 0), W, s.padding, s.align);
  const Tensor iy = source(select(grid, 3, 1), H, s.padding, s.align);
  const Tensor gflat = reshape(g, {N, C, O});
  const Tensor flat = cat({reshape(x, {N, C, H * W}), zeros({N, C, 1}, x.dtype())}, 2);
  std::vector<Corner> corners;
  std::vector<Tensor> weights;
  Tensor wx0, wx1, wy0, wy1;
  if (s.mode == 1) {
    corners.push_back(corner_at(round(ix), round(iy), C, H, W));
    weights.push_back(ones({N, 1, O}, x.dtype()));
  } else {
    const Tensor x0 = floor(ix), y0 = floor(iy), x1 = add(x0, 1.0), y1 = add(y0, 1.0);
    wx0 = reshape(sub(x1, ix), {N, 1, O});
    wx1 = reshape(sub(ix, x0), {N, 1, O});
    wy0 = reshape(sub(y1, iy), {N, 1, O});
    wy1 = reshape(sub(iy, y0), {N, 1, O});
    corners = {corner_at(x0, y0, C, H, W), corner_at(x1, y0, C, H, W), corner_at(x0, y1, C, H, W),
               corner_at(x1, y1, C, H, W)};
    weights = {mul(wx0, wy0), mul(wx1, wy0), mul(wx0, wy1), mul(wx1, wy1)};
  }
  Tensor grad_input, grad_grid;
  if (want_input) {
    Tensor acc = zeros({N, C, H * W + 1}, x.dtype());
    for (size_t k = 0; k < corners.size(); ++k)
      acc = scatter_add(acc, 2, corners[k].index, mul(gflat, where(corners[k].valid, weights[k], S(0))));
    grad_input = reshape(narrow(acc, 2, 0, H * W), x.shape());
  }
  if (want_grid) {
    Tensor slope = Tensor::empty(grid.shape(), grid.dtype(), grid.device());
    cpu::grid_source_slope_kernel(slope, contiguous(detach(grid)), H, W, kernel_args(s));
    if (s.mode == 1) {
      grad_grid = mul(detach(grid), 0.0);
    } else {
      std::vector<Tensor> v;
      for (const Corner& c : corners) v.push_back(gather(flat, 2, c.index));
      const Tensor dx = add(mul(sub(v[1], v[0]), wy0), mul(sub(v[3], v[2]), wy1));
      const Tensor dy = add(mul(sub(v[2], v[0]), wx0), mul(sub(v[3], v[1]), wx1));
      const Shape pos{N, grid.shape()[1], grid.shape()[2]};
      const Tensor gx = reshape(sum(mul(gflat, dx), {1}), pos), gy = reshape(sum(mul(gflat, dy), {1}), pos);
      grad_grid = mul(stack({gx, gy}, 3), slope);
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
  KILN_CHECK(args.ints.size() == 5, NotImplemented, op, ": only 2-D sizes [N, C, H, W] are supported, got ",
             args.ints.size() - 1, " values");
  const int64_t N = args.ints[0], H = args.ints[2], W = args.ints[3];
  const bool align = args.ints[4] != 0;
  check_cpu(op, {theta});
  KILN_CHECK(is_floating(theta.dtype()), DType, op, ": expected theta of a floating dtype, got ",
             dtype_name(theta.dtype()));
  KILN_CHECK(theta.dim() == 3 && theta.shape()[0] == N && theta.shape()[1] == 2 && theta.shape()[2] == 3, Shape, op,
             ": expected a batch of 2D affine matrices of shape Nx2x3 for size ",
             shape_str(Shape(args.ints.begin(), args.ints.begin() + 4)), ". Got ", shape_str(theta.shape()), ".");
  KILN_CHECK(H > 0 && W > 0, Shape, op, ": expected non-zero, positive output size, got ",
             shape_str(Shape(args.ints.begin(), args.ints.begin() + 4)));
  const DType dt = theta.dtype();
  const Tensor xs = expand(reshape(steps_tensor(W, align, dt), {1, W}), {H, W});
  const Tensor ys = expand(reshape(steps_tensor(H, align, dt), {H, 1}), {H, W});
  const Tensor base = reshape(stack({xs, ys, full({H, W}, Scalar(1.0), dt)}, 2), {H * W, 3});
  return {reshape(matmul(base, transpose(theta, 1, 2)), {N, H, W, 2})};
}

const OpDef kGridSample{"grid_sample",
                        "grid_sample(Tensor input, Tensor grid; ints: mode (0 bilinear, 1 nearest), padding_mode (0 "
                        "zeros, 1 border, 2 reflection), align_corners)",
                        2, OpKind::Primitive, grid_sample_fwd, nullptr, grid_sample_derivative, kSaveInputs};
const OpDef kAffineGrid{"affine_grid", "affine_grid(Tensor theta; ints: size[4] (N, C, H, W), align_corners)", 1,
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
