// grid_sample and affine_grid (torch.nn.functional's, 2-D: spatial transformers, warping by a flow field) as
// composites of differentiable ops, so that gradients of any order reach both the input and the grid. Sampling
// positions follow PyTorch's grid_sampler: unnormalized with or without align_corners, then the padding mode
// (zeros: out-of-range corners read 0; border: clamped; reflection: reflected, then clamped); bilinear weights
// (ix_se - ix)(iy_se - iy), ... summed nw, ne, sw, se as its kernel sums them; nearest rounds half to even.
#include <cmath>
#include <vector>

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

// Source positions along one dim for the padding mode (0 zeros, 1 border, 2 reflection).
Tensor source(const Tensor& c, int64_t size, int64_t padding, bool align) {
  Tensor x = unnormalize(c, size, align);
  if (padding == 2) x = align ? reflect(x, 0, 2 * (size - 1)) : reflect(x, -1, 2 * size - 1);
  if (padding != 0) x = clamp(x, Scalar(0.0), Scalar(static_cast<double>(size - 1)));
  return x;
}

// padded [N, C, H * W + 1] (the input's planes, then a 0) read at integer positions (ix, iy) [N, Ho, Wo] (floats),
// weighted by w: [N, C, Ho * Wo]. A corner out of range reads the 0 with weight 0, so it adds nothing, whatever
// the input holds (PyTorch's kernel skips it), and its gradients are 0. Indices are computed in int64.
Tensor corner(const Tensor& padded, const Tensor& ix, const Tensor& iy, const Tensor& w, int64_t H, int64_t W) {
  const Tensor valid = logical_and(logical_and(ge(ix, S(0)), lt(ix, S(static_cast<double>(W)))),
                                   logical_and(ge(iy, S(0)), lt(iy, S(static_cast<double>(H)))));
  const Tensor cx = to(clamp(ix, Scalar(0.0), Scalar(static_cast<double>(W - 1))), DType::Int64);
  const Tensor cy = to(clamp(iy, Scalar(0.0), Scalar(static_cast<double>(H - 1))), DType::Int64);
  const Tensor at = where(valid, add(mul(cy, Scalar(W)), cx), wrapped_scalar(Scalar(H * W)));
  const int64_t N = padded.shape()[0], C = padded.shape()[1], O = ix.shape()[1] * ix.shape()[2];
  const Tensor idx = expand(unsqueeze(reshape(at, {N, O}), 1), {N, C, O});
  const Tensor weight = reshape(where(valid, w, S(0)), {N, 1, O});
  return mul(gather(padded, 2, idx), weight);
}

// ints: mode (0 bilinear, 1 nearest), padding (0 zeros, 1 border, 2 reflection), align_corners.
TensorList grid_sample_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "grid_sample";
  const Tensor &x = in[0], &grid = in[1];
  const int64_t mode = int_arg(args, 0, op), padding = int_arg(args, 1, op);
  const bool align = int_arg(args, 2, op) != 0;
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
  KILN_CHECK(mode == 0 || mode == 1, Argument, op, ": unknown mode ", mode);
  KILN_CHECK(padding >= 0 && padding <= 2, Argument, op, ": unknown padding mode ", padding);
  const int64_t N = x.shape()[0], C = x.shape()[1], H = x.shape()[2], W = x.shape()[3];
  const int64_t Ho = grid.shape()[1], Wo = grid.shape()[2];
  const Tensor ix = source(select(grid, 3, 0), W, padding, align), iy = source(select(grid, 3, 1), H, padding, align);
  const Tensor flat = cat({reshape(x, {N, C, H * W}), zeros({N, C, 1}, x.dtype())}, 2);
  Tensor out;
  if (mode == 1) {
    const Tensor rx = round(ix), ry = round(iy);
    out = corner(flat, rx, ry, add(mul(rx, 0.0), 1.0), H, W);  // weight 1 (0 out of range), no gradient to the grid
  } else {
    const Tensor x0 = floor(ix), y0 = floor(iy), x1 = add(x0, 1.0), y1 = add(y0, 1.0);
    const Tensor wx0 = sub(x1, ix), wx1 = sub(ix, x0), wy0 = sub(y1, iy), wy1 = sub(iy, y0);
    out = corner(flat, x0, y0, mul(wx0, wy0), H, W);
    out = add(out, corner(flat, x1, y0, mul(wx1, wy0), H, W));
    out = add(out, corner(flat, x0, y1, mul(wx0, wy1), H, W));
    out = add(out, corner(flat, x1, y1, mul(wx1, wy1), H, W));
  }
  return {reshape(out, {N, C, Ho, Wo})};
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
                        2, OpKind::Composite, grid_sample_fwd};
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
