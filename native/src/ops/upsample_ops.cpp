// Upsampling rows (nearest and bilinear 2-D, each with a backward row whose derivative is the forward again:
// both are linear maps) and interpolate, the composite with torch.nn.functional.interpolate's rules for
// sizes, scale factors, modes and 1-D inputs.
#include <cmath>

#include "autograd/backward_context.h"
#include "cpu/upsample.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

cpu::Upsample2d settings(const OpArgs& args, bool align_corners) {
  cpu::Upsample2d u;
  u.scale[0] = args.reals.size() > 0 ? args.reals[0] : 0;
  u.scale[1] = args.reals.size() > 1 ? args.reals[1] : 0;
  u.align_corners = align_corners;
  return u;
}

void check_input(const char* op, const Tensor& x) {
  check_cpu(op, {x});
  KILN_CHECK(x.dim() == 4, Shape, op, ": expected a 4-D input, got shape ", shape_str(x.shape()));
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()), "'");
}

// `from`'s shape with its last two sizes replaced, checked positive on both sides.
Shape resized(const char* op, const Tensor& from, int64_t h, int64_t w) {
  const int64_t ih = from.shape()[2], iw = from.shape()[3];
  KILN_CHECK(ih > 0 && iw > 0 && h > 0 && w > 0, Shape, op, ": input and output sizes should be greater than 0, but "
             "got input (H: ", ih, ", W: ", iw, ") output (H: ", h, ", W: ", w, ")");
  return {from.shape()[0], from.shape()[1], h, w};
}

// inputs: x; ints: OH, OW[, align_corners]; reals: scale_h, scale_w (<= 0: none)
TensorList nearest_fwd(const TensorList& in, const OpArgs& args) {
  check_input("upsample_nearest2d", in[0]);
  Tensor out = new_tensor(resized("upsample_nearest2d", in[0], int_arg(args, 0, "upsample_nearest2d"),
                                  int_arg(args, 1, "upsample_nearest2d")), in[0].dtype(), "upsample_nearest2d");
  cpu::upsample_nearest2d(settings(args, false), out, in[0]);
  return {out};
}

TensorList bilinear_fwd(const TensorList& in, const OpArgs& args) {
  check_input("upsample_bilinear2d", in[0]);
  Tensor out = new_tensor(resized("upsample_bilinear2d", in[0], int_arg(args, 0, "upsample_bilinear2d"),
                                  int_arg(args, 1, "upsample_bilinear2d")), in[0].dtype(), "upsample_bilinear2d");
  cpu::upsample_bilinear2d(settings(args, int_arg(args, 2, "upsample_bilinear2d") != 0), out, in[0]);
  return {out};
}

// The backward rows: inputs: grad_output; ints: the input's H, W[, align_corners]; reals: the scales.
TensorList nearest_back_fwd(const TensorList& in, const OpArgs& args) {
  check_input("upsample_nearest2d_backward", in[0]);
  const Tensor& g = in[0];
  Tensor gi = new_tensor({g.shape()[0], g.shape()[1], args.ints.at(0), args.ints.at(1)}, g.dtype(),
                         "upsample_nearest2d_backward");
  cpu::upsample_nearest2d_backward(settings(args, false), gi, g);
  return {gi};
}

TensorList bilinear_back_fwd(const TensorList& in, const OpArgs& args) {
  check_input("upsample_bilinear2d_backward", in[0]);
  const Tensor& g = in[0];
  Tensor gi = new_tensor({g.shape()[0], g.shape()[1], args.ints.at(0), args.ints.at(1)}, g.dtype(),
                         "upsample_bilinear2d_backward");
  cpu::upsample_bilinear2d_backward(settings(args, args.ints.at(2) != 0), gi, g);
  return {gi};
}

// Swaps the (H, W) in ints[0..1] for the other side's: forward <-> backward take the same arguments otherwise.
OpArgs other_side(const OpArgs& args, const Shape& shape) {
  OpArgs a = args;
  a.ints[0] = shape[2];
  a.ints[1] = shape[3];
  return a;
}

TensorList nearest_backward(const BackwardContext& c);
TensorList nearest_back_backward(const BackwardContext& c);
TensorList bilinear_backward(const BackwardContext& c);
TensorList bilinear_back_backward(const BackwardContext& c);

const OpDef kNearest{"upsample_nearest2d", "upsample_nearest2d(Tensor input; ints: output_size[2]; reals: scales[2])",
                     1, OpKind::Primitive, nearest_fwd, nullptr, nearest_backward, kSaveNothing};
const OpDef kNearestBack{"upsample_nearest2d_backward",
                         "upsample_nearest2d_backward(Tensor grad_output; ints: input_size[2]; reals: scales[2])", 1,
                         OpKind::Primitive, nearest_back_fwd, nullptr, nearest_back_backward, kSaveNothing};
const OpDef kBilinear{"upsample_bilinear2d",
                      "upsample_bilinear2d(Tensor input; ints: output_size[2], align_corners; reals: scales[2])", 1,
                      OpKind::Primitive, bilinear_fwd, nullptr, bilinear_backward, kSaveNothing};
const OpDef kBilinearBack{"upsample_bilinear2d_backward",
                          "upsample_bilinear2d_backward(Tensor grad_output; ints: input_size[2], align_corners; "
                          "reals: scales[2])",
                          1, OpKind::Primitive, bilinear_back_fwd, nullptr, bilinear_back_backward, kSaveNothing};

TensorList nearest_backward(const BackwardContext& c) {
  return {call1(kNearestBack, {c.grad()}, other_side(c.args, c.input_shape(0)))};
}
TensorList nearest_back_backward(const BackwardContext& c) {
  return {call1(kNearest, {c.grad()}, other_side(c.args, c.input_shape(0)))};
}
TensorList bilinear_backward(const BackwardContext& c) {
  return {call1(kBilinearBack, {c.grad()}, other_side(c.args, c.input_shape(0)))};
}
TensorList bilinear_back_backward(const BackwardContext& c) {
  return {call1(kBilinear, {c.grad()}, other_side(c.args, c.input_shape(0)))};
}

// ---------------------------------------------------------------- interpolate
// ints: mode, align_corners (-1: not given), recompute_scale_factor (-1: not given), then the output sizes (none
// when scale factors are given); reals: the scale factors (none when sizes are given).

const char* const kModeNames[] = {"nearest", "linear", "bilinear", "area"};

TensorList interpolate_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "interpolate";
  const Tensor& x = in[0];
  const int64_t mode = int_arg(args, 0, op), align = int_arg(args, 1, op), recompute = int_arg(args, 2, op);
  KILN_CHECK(mode >= 0 && mode <= 3, Argument, op, ": unknown mode ", mode);
  const std::string mode_name = kModeNames[mode];
  KILN_CHECK(x.dim() == 3 || x.dim() == 4, NotImplemented, op, ": only 3-D and 4-D inputs are supported (got ",
             x.dim(), "-D) for the modes nearest | linear | bilinear | area (got ", mode_name, ")");
  check_cpu(op, {x});
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()), "'");
  const int64_t nd = x.dim() - 2;
  const Shape sizes(args.ints.begin() + 3, args.ints.end());
  std::vector<double> scales = args.reals;
  KILN_CHECK(!(sizes.empty() && scales.empty()), Argument, op, ": either size or scale_factor should be defined");
  KILN_CHECK(sizes.empty() || scales.empty(), Argument, op, ": only one of size or scale_factor should be defined");
  const Shape spatial(x.shape().begin() + 2, x.shape().end());
  KILN_CHECK(sizes.empty() || static_cast<int64_t>(sizes.size()) == nd, Argument, op, ": input and output must have "
             "the same number of spatial dimensions, but got input with spatial dimensions of ", shape_str(spatial),
             " and output size of ", shape_str(sizes));
  KILN_CHECK(scales.empty() || static_cast<int64_t>(scales.size()) == nd, Argument, op, ": input and scale_factor "
             "must have the same number of spatial dimensions, but got input with spatial dimensions of ",
             shape_str(spatial), " and ", scales.size(), " scale factors");
  KILN_CHECK(!(recompute == 1 && !sizes.empty()), Argument, op,
             ": recompute_scale_factor is not meaningful with an explicit size");
  const bool interpolating = mode == 1 || mode == 2;
  KILN_CHECK(interpolating || align < 0, Argument, op, ": align_corners option can only be set with the "
             "interpolating modes: linear | bilinear (got ", mode_name, ")");
  KILN_CHECK(mode != 1 || nd == 1, NotImplemented, op, ": got ", x.dim(), "-D input, but linear mode needs 3-D input");
  KILN_CHECK(mode != 2 || nd == 2, NotImplemented, op, ": got ", x.dim(), "-D input, but bilinear mode needs 4-D input");
  Shape out = sizes;
  if (out.empty())
    for (int64_t d = 0; d < nd; ++d) out.push_back(static_cast<int64_t>(static_cast<double>(spatial[d]) * scales[d]));
  if (recompute == 1 || mode == 3) scales.clear();  // the op then derives its ratios from the sizes
  for (int64_t d = 0; d < nd; ++d)
    KILN_CHECK(spatial[d] > 0 && out[d] > 0, Shape, op, ": input and output sizes should be greater than 0, but got "
               "input ", shape_str(spatial), " and output ", shape_str(out));
  if (mode == 3) return {nd == 1 ? adaptive_avg_pool1d(x, out[0]) : adaptive_avg_pool2d(x, out)};
  // 1-D runs as 2-D over [N, C, 1, W] (PyTorch's 1-D kernels are the same arithmetic along one dim).
  const Tensor x4 = nd == 1 ? unsqueeze(x, 2) : x;
  OpArgs a{{nd == 1 ? 1 : out[0], out[nd - 1]}, {nd == 1 ? 0.0 : (scales.empty() ? 0.0 : scales[0]),
                                                 scales.empty() ? 0.0 : scales[nd - 1]}};
  Tensor r;
  if (mode == 0) {
    r = call1(kNearest, {x4}, a);
  } else {
    a.ints.push_back(align == 1);
    r = call1(kBilinear, {x4}, a);
  }
  return {nd == 1 ? squeeze(r, 2) : r};
}

const OpDef kInterpolate{"interpolate",
                         "interpolate(Tensor input; ints: mode, align_corners, recompute_scale_factor, size...; reals: "
                         "scale_factor...)",
                         1, OpKind::Composite, interpolate_fwd};

}  // namespace

void add_sampling_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kNearest, &kNearestBack, &kBilinear, &kBilinearBack, &kInterpolate});
}

Tensor interpolate(const Tensor& x, const Shape& size, const std::vector<double>& scale_factor, InterpolateMode mode,
                   std::optional<bool> align_corners, std::optional<bool> recompute_scale_factor) {
  OpArgs a{{static_cast<int64_t>(mode), align_corners ? int64_t(*align_corners) : -1,
            recompute_scale_factor ? int64_t(*recompute_scale_factor) : -1},
           scale_factor};
  a.ints.insert(a.ints.end(), size.begin(), size.end());
  return call1(kInterpolate, {x}, a);
}

}  // namespace kiln
