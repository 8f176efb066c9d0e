// Upsampling rows (nearest and nearest-exact 2-D and 3-D, bilinear, trilinear and bicubic, each with a backward
// row whose derivative is the forward again: all are linear maps) and interpolate, the composite with
// torch.nn.functional.interpolate's rules for sizes, scale factors, modes and 1-D inputs.
#include <cmath>

#include "autograd/backward_context.h"
#include "cpu/upsample.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

enum class Kernel { Nearest, Linear, Cubic };

// One family of rows: a forward over `spatial` dims and its backward. ints: the other side's sizes (the
// output's for the forward, the input's for the backward), then a flag (align_corners for the interpolating
// kernels, nearest-exact for nearest; optional, 0); reals: the scale factors, one per dim (<= 0: none).
struct Family {
  const char* name;
  const char* back_name;
  const char* signature;
  const char* back_signature;
  int spatial;
  Kernel kernel;
};

#define KILN_SIG(NAME, WHAT, N, FLAG) NAME "(Tensor " WHAT "; ints: " #N " sizes, " FLAG "; reals: " #N " scales)"
#define KILN_FAMILY(NAME, N, FLAG, KERNEL)                                                                       \
  {NAME, NAME "_backward", KILN_SIG(NAME, "input", N, FLAG),                                                      \
   KILN_SIG(NAME "_backward", "grad_output (sizes: the input's)", N, FLAG), N, KERNEL}
constexpr Family kFamilies[] = {KILN_FAMILY("upsample_nearest2d", 2, "exact", Kernel::Nearest),
                                KILN_FAMILY("upsample_nearest3d", 3, "exact", Kernel::Nearest),
                                KILN_FAMILY("upsample_bilinear2d", 2, "align_corners", Kernel::Linear),
                                KILN_FAMILY("upsample_trilinear3d", 3, "align_corners", Kernel::Linear),
                                KILN_FAMILY("upsample_bicubic2d", 2, "align_corners", Kernel::Cubic)};
#undef KILN_FAMILY
#undef KILN_SIG
enum FamilyId { kNearest2d, kNearest3d, kBilinear2d, kTrilinear3d, kBicubic2d };

cpu::Upsample settings(const Family& f, const OpArgs& args) {
  cpu::Upsample u;
  for (int d = 0; d < f.spatial && d < static_cast<int>(args.reals.size()); ++d) u.scale[3 - f.spatial + d] = args.reals[d];
  const bool flag = args.ints.size() > static_cast<size_t>(f.spatial) && args.ints[f.spatial] != 0;
  (f.kernel == Kernel::Nearest ? u.exact : u.align_corners) = flag;
  return u;
}

// Floating inputs, and uint8 images too where the op only picks pixels (nearest's forward), as in PyTorch.
void check_dtype(const char* op, DType t, bool picks) {
  KILN_CHECK(is_floating(t) || (picks && t == DType::UInt8), DType, op, ": not implemented for '", dtype_name(t), "'");
}

void check_input(const char* op, const Tensor& x, int spatial, bool picks) {
  check_cpu(op, {x});
  KILN_CHECK(x.dim() == spatial + 2, Shape, op, ": expected a ", spatial + 2, "-D input, got shape ",
             shape_str(x.shape()));
  check_dtype(op, x.dtype(), picks);
}

// `from`'s shape with its spatial sizes replaced by ints[0..spatial), checked positive on both sides.
Shape resized(const char* op, const Tensor& from, const OpArgs& args, int spatial) {
  Shape to(from.shape().begin(), from.shape().begin() + 2);
  bool positive = true;
  for (int d = 0; d < spatial; ++d) {
    to.push_back(int_arg(args, d, op));
    positive = positive && to.back() > 0 && from.shape()[2 + d] > 0;
  }
  const Shape in(from.shape().begin() + 2, from.shape().end()), out(to.begin() + 2, to.end());
  KILN_CHECK(positive, Shape, op, ": input and output sizes should be greater than 0, but got input ", shape_str(in),
             " and output ", shape_str(out));
  return to;
}

void run(const Family& f, bool backward, const cpu::Upsample& u, const Tensor& out, const Tensor& in) {
  switch (f.kernel) {
    case Kernel::Nearest: return (backward ? cpu::upsample_nearest_backward : cpu::upsample_nearest)(u, out, in);
    case Kernel::Linear: return (backward ? cpu::upsample_linear_backward : cpu::upsample_linear)(u, out, in);
    case Kernel::Cubic: return (backward ? cpu::upsample_bicubic_backward : cpu::upsample_bicubic)(u, out, in);
  }
}

// The forward row (backward = false) or the backward row of family F.
template <int F, bool Backward>
TensorList resample_fwd(const TensorList& in, const OpArgs& args) {
  const Family& f = kFamilies[F];
  const char* op = Backward ? f.back_name : f.name;
  check_input(op, in[0], f.spatial, f.kernel == Kernel::Nearest && !Backward);
  Tensor out = new_tensor(resized(op, in[0], args, f.spatial), in[0].dtype(), op);
  run(f, Backward, settings(f, args), out, in[0]);
  return {out};
}

// Swaps the sizes in ints for the other side's: forward <-> backward take the same arguments otherwise.
OpArgs other_side(const OpArgs& args, const Shape& shape) {
  OpArgs a = args;
  for (size_t d = 2; d < shape.size(); ++d) a.ints[d - 2] = shape[d];
  return a;
}

template <int F, bool Backward>
TensorList resample_backward(const BackwardContext& c);

template <int F, bool Backward>
OpDef row() {
  const Family& f = kFamilies[F];
  return {Backward ? f.back_name : f.name, Backward ? f.back_signature : f.signature, 1, OpKind::Primitive,
          resample_fwd<F, Backward>, nullptr, resample_backward<F, Backward>, kSaveNothing};
}

// Forward and backward rows, in kFamilies' order: row 2 F is family F's forward, 2 F + 1 its backward.
const OpDef kRows[] = {row<0, false>(), row<0, true>(), row<1, false>(), row<1, true>(), row<2, false>(),
                       row<2, true>(),  row<3, false>(), row<3, true>(), row<4, false>(), row<4, true>()};

// Each row is linear in its input, so its derivative is the other row of the family, with the sizes swapped.
template <int F, bool Backward>
TensorList resample_backward(const BackwardContext& c) {
  return {call1(kRows[2 * F + (Backward ? 0 : 1)], {c.grad()}, other_side(c.args, c.input_shape(0)))};
}

// ---------------------------------------------------------------- interpolate
// ints: mode, align_corners (-1: not given), recompute_scale_factor (-1: not given), then the output sizes (none
// when scale factors are given); reals: the scale factors (none when sizes are given).

// InterpolateMode's order.
const char* const kModeNames[] = {"nearest", "linear", "bilinear", "area", "bicubic", "trilinear", "nearest-exact"};
constexpr int64_t kModes = 7;

TensorList interpolate_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "interpolate";
  const Tensor& x = in[0];
  const int64_t mode = int_arg(args, 0, op), align = int_arg(args, 1, op), recompute = int_arg(args, 2, op);
  KILN_CHECK(mode >= 0 && mode < kModes, Argument, op, ": unknown mode ", mode);
  const auto m = static_cast<InterpolateMode>(mode);
  const std::string mode_name = kModeNames[mode];
  KILN_CHECK(x.dim() >= 3 && x.dim() <= 5, NotImplemented, op, ": only 3-D, 4-D and 5-D inputs are supported (got ",
             x.dim(), "-D) for the modes nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact "
             "(got ", mode_name, ")");
  check_cpu(op, {x});
  check_dtype(op, x.dtype(), m == InterpolateMode::Nearest || m == InterpolateMode::NearestExact);
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
  const bool nearest = m == InterpolateMode::Nearest || m == InterpolateMode::NearestExact;
  KILN_CHECK((!nearest && m != InterpolateMode::Area) || align < 0, Argument, op, ": align_corners option can only "
             "be set with the interpolating modes: linear | bilinear | bicubic | trilinear (got ", mode_name, ")");
  const int64_t needs = m == InterpolateMode::Linear ? 1 : m == InterpolateMode::Bilinear || m == InterpolateMode::Bicubic
                        ? 2 : m == InterpolateMode::Trilinear ? 3 : nd;
  KILN_CHECK(needs == nd, NotImplemented, op, ": got ", x.dim(), "-D input, but ", mode_name, " mode needs ",
             needs + 2, "-D input");
  Shape out = sizes;
  if (out.empty())
    for (int64_t d = 0; d < nd; ++d) out.push_back(static_cast<int64_t>(static_cast<double>(spatial[d]) * scales[d]));
  if (recompute == 1 || m == InterpolateMode::Area) scales.clear();  // the op then derives its ratios from the sizes
  for (int64_t d = 0; d < nd; ++d)
    KILN_CHECK(spatial[d] > 0 && out[d] > 0, Shape, op, ": input and output sizes should be greater than 0, but got "
               "input ", shape_str(spatial), " and output ", shape_str(out));
  if (m == InterpolateMode::Area)
    return {nd == 1 ? adaptive_avg_pool1d(x, out[0]) : nd == 2 ? adaptive_avg_pool2d(x, out) : adaptive_avg_pool3d(x, out)};
  // 1-D runs as 2-D over [N, C, 1, W] (PyTorch's 1-D kernels are the same arithmetic along one dim).
  const Tensor xs = nd == 1 ? unsqueeze(x, 2) : x;
  OpArgs a;
  if (nd == 1) {
    a = {{1, out[0]}, {0.0, scales.empty() ? 0.0 : scales[0]}};
  } else {
    a.ints = out;
    a.reals = scales.empty() ? std::vector<double>(nd, 0.0) : scales;
  }
  a.ints.push_back(nearest ? m == InterpolateMode::NearestExact : align == 1);
  const FamilyId family = nearest ? (nd == 3 ? kNearest3d : kNearest2d)
                          : m == InterpolateMode::Bicubic ? kBicubic2d : nd == 3 ? kTrilinear3d : kBilinear2d;
  const Tensor r = call1(kRows[2 * family], {xs}, a);
  return {nd == 1 ? squeeze(r, 2) : r};
}

const OpDef kInterpolate{"interpolate",
                         "interpolate(Tensor input; ints: mode, align_corners, recompute_scale_factor, size...; reals: "
                         "scale_factor...)",
                         1, OpKind::Composite, interpolate_fwd};

}  // namespace

void add_sampling_ops(std::vector<const OpDef*>& table) {
  for (const OpDef& r : kRows) table.push_back(&r);
  table.push_back(&kInterpolate);
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
