// 3-D pooling rows: max_pool3d_with_indices, avg_pool3d, adaptive_avg_pool3d and adaptive_max_pool3d, with the
// averages' backward rows (adjoints of linear maps: their own derivative is the forward again). Max pooling's
// gradient is the 2-D scatter by index over each volume seen as a plane of D * H rows, so its double backward is
// the 2-D row's gather. max_pool3d without indices is a composite.
#include "autograd/backward_context.h"
#include "cpu/pool3d.h"
#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/pool_family.h"

namespace kiln {
namespace {

cpu::Pool3d to_kernel(const PoolWindow& w) {
  cpu::Pool3d p;
  for (int d = 0; d < 3; ++d) {
    p.kernel[d] = w.kernel[d];
    p.stride[d] = w.stride[d];
    p.pad[d] = w.pad[d];
    p.dilation[d] = w.dilation[d];
  }
  return p;
}

// `shape` with its last three sizes replaced.
Shape with_volume(const Shape& shape, int64_t d, int64_t h, int64_t w) {
  Shape s(shape.begin(), shape.end() - 3);
  s.insert(s.end(), {d, h, w});
  return s;
}

// ---------------------------------------------------------------- max_pool3d_with_indices
// ints: kernel[3], stride[3], padding[3], dilation[3], ceil_mode

TensorList max_pool_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "max_pool3d";
  size_t pos = 0;
  const PoolWindow w = read_window(args, pos, 3, true);
  const bool ceil = int_arg(args, pos, op) != 0;
  const Tensor& x = in[0];
  const Shape shape = check_pool(op, x, w, 3, ceil);
  Tensor out = new_tensor(shape, x.dtype(), op), idx = new_tensor(shape, DType::Int64, op);
  cpu::max_pool3d(to_kernel(w), as_5d(out), as_5d(idx), as_5d(x));
  return {out, idx};
}

// Each volume's gradient is the 2-D row's scatter over [..., D * H, W] (indices are flat in the volume either way).
TensorList max_pool_backward(const BackwardContext& c) {
  const Shape& x = c.input_shape(0);
  const Tensor& idx = c.output(1);
  const size_t n = idx.shape().size();
  Shape plane(idx.shape().begin(), idx.shape().end() - 3);
  plane.insert(plane.end(), {idx.shape()[n - 3] * idx.shape()[n - 2], idx.shape()[n - 1]});
  const Tensor gi = call_max_pool2d_backward(reshape(c.grad(), plane), reshape(idx, plane),
                                             x[x.size() - 3] * x[x.size() - 2], x[x.size() - 1]);
  return {reshape(gi, x)};
}

const OpDef kMaxPool3dIdx{"max_pool3d_with_indices",
                          "max_pool3d_with_indices(Tensor input; ints: kernel_size[3], stride[3], padding[3], "
                          "dilation[3], ceil_mode) -> (values, indices)",
                          1, OpKind::Primitive, max_pool_fwd, nullptr, max_pool_backward, kSaveOutputs};

TensorList max_pool_values_fwd(const TensorList& in, const OpArgs& args) { return {call(kMaxPool3dIdx, in, args)[0]}; }

// ---------------------------------------------------------------- avg_pool3d
// ints: kernel[3], stride[3], padding[3], ceil_mode, count_include_pad, has_divisor, divisor_override

constexpr size_t kAvgInts = 13;

struct AvgArgs {
  PoolWindow w;
  bool ceil;
  cpu::Pool3d kernel;
};

AvgArgs avg_args(const OpArgs& args, const char* op) {
  const AvgPoolArgs r = read_avg_args(args, 3, op);
  AvgArgs a{r.w, r.ceil, to_kernel(r.w)};
  a.kernel.count_include_pad = r.include_pad;
  a.kernel.divisor_override = r.divisor;
  return a;
}

TensorList avg_pool_fwd(const TensorList& in, const OpArgs& args) {
  const AvgArgs a = avg_args(args, "avg_pool3d");
  const Tensor& x = in[0];
  Tensor out = new_tensor(check_pool("avg_pool3d", x, a.w, 3, a.ceil), x.dtype(), "avg_pool3d");
  cpu::avg_pool3d(a.kernel, as_5d(out), as_5d(x));
  return {out};
}

// The gradient's checks, and the input-shaped tensor it spreads into: [..., ints[at..at + 3)].
Tensor unpooled(const char* op, const Tensor& g, const OpArgs& args, size_t at) {
  check_cpu(op, {g});
  KILN_CHECK((g.dim() == 4 || g.dim() == 5) && is_floating(g.dtype()), Shape, op,
             ": expected a 4-D or 5-D floating gradient, got ", shape_str(g.shape()));
  return new_tensor(with_volume(g.shape(), int_arg(args, at, op), int_arg(args, at + 1, op), int_arg(args, at + 2, op)),
                    g.dtype(), op);
}

// ints: avg_pool3d's, then the input's D, H, W.
TensorList avg_unpool_fwd(const TensorList& in, const OpArgs& args) {
  const AvgArgs a = avg_args(args, "avg_pool3d_backward");
  Tensor gi = unpooled("avg_pool3d_backward", in[0], args, kAvgInts);
  cpu::avg_pool3d_backward(a.kernel, as_5d(gi), as_5d(in[0]));
  return {gi};
}

// ---------------------------------------------------------------- adaptive pools; ints: output size [3]

Shape check_adaptive(const char* op, const Tensor& x, const OpArgs& args) {
  check_cpu(op, {x});
  KILN_CHECK(x.dim() == 4 || x.dim() == 5, Shape, op, ": expected a 4-D (unbatched) or 5-D (batched) input, but got ",
             "input of shape ", shape_str(x.shape()));
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()), "'");
  for (int64_t d = 1; d < x.dim(); ++d)
    KILN_CHECK(x.shape()[d] > 0, Shape, op, ": expected input to have non-zero size for non-batch dimensions, but input "
               "has sizes ", shape_str(x.shape()), " with dimension ", d, " being empty");
  KILN_CHECK(args.ints.size() == 3, Argument, op, ": output_size needs 3 values, got ", shape_str(args.ints));
  KILN_CHECK(args.ints[0] >= 0 && args.ints[1] >= 0 && args.ints[2] >= 0, Argument, op,
             ": elements of output_size must be greater than or equal to 0 but received ", shape_str(args.ints));
  return with_volume(x.shape(), args.ints[0], args.ints[1], args.ints[2]);
}

TensorList adaptive_avg_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  Tensor out = new_tensor(check_adaptive("adaptive_avg_pool3d", x, args), x.dtype(), "adaptive_avg_pool3d");
  cpu::adaptive_avg_pool3d(as_5d(out), as_5d(x));
  return {out};
}

// ints: the input's D, H, W.
TensorList adaptive_unpool_fwd(const TensorList& in, const OpArgs& args) {
  Tensor gi = unpooled("adaptive_avg_pool3d_backward", in[0], args, 0);
  cpu::adaptive_avg_pool3d_backward(as_5d(gi), as_5d(in[0]));
  return {gi};
}

TensorList adaptive_max_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const Shape shape = check_adaptive("adaptive_max_pool3d", x, args);
  Tensor out = new_tensor(shape, x.dtype(), "adaptive_max_pool3d");
  Tensor idx = new_tensor(shape, DType::Int64, "adaptive_max_pool3d");
  cpu::adaptive_max_pool3d(as_5d(out), as_5d(idx), as_5d(x));
  return {out, idx};
}

// The last three sizes of a shape, as ints.
OpArgs volume_of(const Shape& s) { return {{s[s.size() - 3], s[s.size() - 2], s[s.size() - 1]}, {}}; }

TensorList avg_pool_backward(const BackwardContext& c);
TensorList avg_unpool_backward(const BackwardContext& c);
TensorList adaptive_avg_backward(const BackwardContext& c);
TensorList adaptive_unpool_backward(const BackwardContext& c);

const OpDef kMaxPool3d{"max_pool3d", "max_pool3d(Tensor input; ints: as max_pool3d_with_indices)", 1,
                       OpKind::Composite, max_pool_values_fwd};
const OpDef kAvgPool{"avg_pool3d",
                     "avg_pool3d(Tensor input; ints: kernel_size[3], stride[3], padding[3], ceil_mode, "
                     "count_include_pad, has_divisor, divisor_override)",
                     1, OpKind::Primitive, avg_pool_fwd, nullptr, avg_pool_backward, kSaveNothing};
const OpDef kAvgUnpool{"avg_pool3d_backward", "avg_pool3d_backward(Tensor grad_output; ints: avg_pool3d's, input D, H, W)",
                       1, OpKind::Primitive, avg_unpool_fwd, nullptr, avg_unpool_backward, kSaveNothing};
const OpDef kAdaptiveAvg{"adaptive_avg_pool3d", "adaptive_avg_pool3d(Tensor input; ints: output_size[3])", 1,
                         OpKind::Primitive, adaptive_avg_fwd, nullptr, adaptive_avg_backward, kSaveNothing};
const OpDef kAdaptiveAvgBack{"adaptive_avg_pool3d_backward",
                             "adaptive_avg_pool3d_backward(Tensor grad_output; ints: input D, H, W)", 1,
                             OpKind::Primitive, adaptive_unpool_fwd, nullptr, adaptive_unpool_backward, kSaveNothing};
const OpDef kAdaptiveMax{"adaptive_max_pool3d",
                         "adaptive_max_pool3d(Tensor input; ints: output_size[3]) -> (values, indices)", 1,
                         OpKind::Primitive, adaptive_max_fwd, nullptr, max_pool_backward, kSaveOutputs};

TensorList avg_pool_backward(const BackwardContext& c) {
  OpArgs a = c.args;
  const OpArgs v = volume_of(c.input_shape(0));
  a.ints.insert(a.ints.end(), v.ints.begin(), v.ints.end());
  return {call1(kAvgUnpool, {c.grad()}, a)};
}
TensorList avg_unpool_backward(const BackwardContext& c) {
  OpArgs a = c.args;
  a.ints.resize(kAvgInts);
  return {call1(kAvgPool, {c.grad()}, a)};
}
TensorList adaptive_avg_backward(const BackwardContext& c) {
  return {call1(kAdaptiveAvgBack, {c.grad()}, volume_of(c.input_shape(0)))};
}
TensorList adaptive_unpool_backward(const BackwardContext& c) {
  return {call1(kAdaptiveAvg, {c.grad()}, volume_of(c.input_shape(0)))};
}

// The default stride of a pool is its kernel; every window argument has 3 values.
OpArgs pack3(const char* op, const Shape& kernel, const Shape& stride, const Shape& padding, const Shape* dilation) {
  OpArgs a;
  for (const Shape* s : {&kernel, stride.empty() ? &kernel : &stride, &padding, dilation}) {
    if (!s) continue;
    KILN_CHECK(s->size() == 3, Argument, op, ": kernel_size, stride, padding and dilation need 3 values each, got ",
               shape_str(*s));
    a.ints.insert(a.ints.end(), s->begin(), s->end());
  }
  return a;
}

}  // namespace

void add_pool3d_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kMaxPool3dIdx, &kMaxPool3d, &kAvgPool, &kAvgUnpool, &kAdaptiveAvg, &kAdaptiveAvgBack,
                             &kAdaptiveMax});
}

std::pair<Tensor, Tensor> max_pool3d_with_indices(const Tensor& x, const Shape& kernel, const Shape& stride,
                                                  const Shape& padding, const Shape& dilation, bool ceil_mode) {
  OpArgs a = pack3("max_pool3d", kernel, stride, padding, &dilation);
  a.ints.push_back(ceil_mode);
  const TensorList r = call(kMaxPool3dIdx, {x}, a);
  return {r[0], r[1]};
}

Tensor max_pool3d(const Tensor& x, const Shape& kernel, const Shape& stride, const Shape& padding,
                  const Shape& dilation, bool ceil_mode) {
  OpArgs a = pack3("max_pool3d", kernel, stride, padding, &dilation);
  a.ints.push_back(ceil_mode);
  return call1(kMaxPool3d, {x}, a);
}

Tensor avg_pool3d(const Tensor& x, const Shape& kernel, const Shape& stride, const Shape& padding, bool ceil_mode,
                  bool count_include_pad, std::optional<int64_t> divisor_override) {
  OpArgs a = pack3("avg_pool3d", kernel, stride, padding, nullptr);
  a.ints.insert(a.ints.end(), {ceil_mode, count_include_pad, divisor_override.has_value(), divisor_override.value_or(0)});
  return call1(kAvgPool, {x}, a);
}

Tensor adaptive_avg_pool3d(const Tensor& x, const Shape& output_size) {
  return call1(kAdaptiveAvg, {x}, {output_size, {}});
}

std::pair<Tensor, Tensor> adaptive_max_pool3d(const Tensor& x, const Shape& output_size) {
  const TensorList r = call(kAdaptiveMax, {x}, {output_size, {}});
  return {r[0], r[1]};
}

}  // namespace kiln
