// Pooling rows: max_pool2d_with_indices, avg_pool2d, adaptive_avg_pool2d and adaptive_max_pool2d, with their
// backward rows (each the adjoint of a linear map, so its own derivative is the forward again, or a gather by
// the indices for max). 1-D pooling and index-free max_pool are composites over the 2-D rows.
#include <algorithm>

#include "autograd/backward_context.h"
#include "backend.h"
#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/pool_family.h"

namespace kiln {

int64_t pooling_output_size(int64_t in, int64_t kernel, int64_t pad, int64_t stride, int64_t dilation, bool ceil) {
  const int64_t num = in + 2 * pad - dilation * (kernel - 1) - 1 + (ceil ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;  // rounds toward -inf
  if (ceil && (out - 1) * stride >= in + pad) --out;  // the last window must start inside the input or left pad
  return out;
}

PoolWindow read_window(const OpArgs& args, size_t& pos, int64_t nd, bool with_dilation) {
  PoolWindow w;
  for (int64_t* field : {w.kernel, w.stride, w.pad})
    for (int64_t d = 0; d < nd; ++d) field[3 - nd + d] = int_arg(args, pos++, "pool");
  if (with_dilation)
    for (int64_t d = 0; d < nd; ++d) w.dilation[3 - nd + d] = int_arg(args, pos++, "pool");
  return w;
}

AvgPoolArgs read_avg_args(const OpArgs& args, int64_t nd, const char* op) {
  size_t pos = 0;
  AvgPoolArgs a;
  a.w = read_window(args, pos, nd, false);
  a.ceil = int_arg(args, pos++, op) != 0;
  a.include_pad = int_arg(args, pos++, op) != 0;
  const bool has_divisor = int_arg(args, pos++, op) != 0;
  a.divisor = int_arg(args, pos++, op);
  KILN_CHECK(!has_divisor || a.divisor != 0, Argument, op, ": divisor must be not zero");
  return a;
}

Shape check_pool(const char* op, const Tensor& x, const PoolWindow& w, int64_t nd, bool ceil) {
  KILN_CHECK(x.dim() == nd + 1 || x.dim() == nd + 2, Shape, op, ": expected a ", nd + 1, "-D (unbatched) or ", nd + 2,
             "-D (batched) input, but got input of shape ", shape_str(x.shape()));
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()), "'");
  for (int64_t d = 3 - nd; d < 3; ++d) {
    KILN_CHECK(w.kernel[d] > 0, Argument, op, ": kernel size should be greater than zero, got ", w.kernel[d]);
    KILN_CHECK(w.stride[d] > 0, Argument, op, ": stride should be greater than zero, got ", w.stride[d]);
    KILN_CHECK(w.dilation[d] > 0, Argument, op, ": dilation should be greater than zero, got ", w.dilation[d]);
    KILN_CHECK(w.pad[d] >= 0, Argument, op, ": pad must be non-negative, but got pad: ", w.pad[d]);
    KILN_CHECK(w.pad[d] <= w.kernel[d] / 2, Argument, op, ": pad should be at most half of kernel size, but got pad=",
               w.pad[d], " and kernel_size=", w.kernel[d]);
  }
  for (int64_t d = x.dim() - nd; d < x.dim(); ++d)
    KILN_CHECK(x.shape()[d] > 0, Shape, op, ": expected non-empty spatial dims, but got input of shape ",
               shape_str(x.shape()));
  Shape out(x.shape().begin(), x.shape().end() - nd);
  for (int64_t d = 0; d < nd; ++d) {
    const int64_t i = 3 - nd + d;
    out.push_back(pooling_output_size(x.shape()[x.dim() - nd + d], w.kernel[i], w.pad[i], w.stride[i], w.dilation[i],
                                      ceil));
  }
  for (int64_t d = x.dim() - nd; d < x.dim(); ++d)
    KILN_CHECK(out[d] > 0, Shape, op, ": given input size ", shape_str(x.shape()), ", the calculated output size ",
               shape_str(out), " is too small");
  return out;
}

Tensor as_4d(const Tensor& t) { return t.dim() == 3 ? unsqueeze(t, 0) : t; }
Tensor as_5d(const Tensor& t) { return t.dim() == 4 ? unsqueeze(t, 0) : t; }

namespace {

Pool2d to_kernel(const PoolWindow& w) {
  Pool2d p;
  for (int d = 0; d < 2; ++d) {
    p.kernel[d] = w.kernel[d + 1];
    p.stride[d] = w.stride[d + 1];
    p.pad[d] = w.pad[d + 1];
    p.dilation[d] = w.dilation[d + 1];
  }
  return p;
}

// ---------------------------------------------------------------- max_pool2d_with_indices
// ints: kernel[2], stride[2], padding[2], dilation[2], ceil_mode

TensorList max_pool_fwd(const TensorList& in, const OpArgs& args) {
  size_t pos = 0;
  const PoolWindow w = read_window(args, pos, 2, true);
  const bool ceil = int_arg(args, pos, "max_pool2d") != 0;
  const Tensor& x = in[0];
  const Shape shape = check_pool("max_pool2d", x, w, 2, ceil);
  Tensor out = new_tensor(shape, x.dtype(), "max_pool2d", x.device()), idx = new_tensor(shape, DType::Int64, "max_pool2d", x.device());
  backend_for(out.device()).max_pool2d(to_kernel(w), as_4d(out), as_4d(idx), as_4d(x));
  return {out, idx};
}

TensorList max_pool_backward(const BackwardContext& c) {
  const Shape& x = c.input_shape(0);
  return {call_max_pool2d_backward(c.grad(), c.output(1), x[x.size() - 2], x[x.size() - 1])};
}

// inputs: grad_output, indices; ints: the input's H, W.
TensorList max_unpool_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor &g = in[0], &idx = in[1];
  KILN_CHECK((g.dim() == 3 || g.dim() == 4) && idx.shape() == g.shape() && idx.dtype() == DType::Int64 &&
                 is_floating(g.dtype()),
             Shape, "max_pool2d_with_indices_backward: expected a gradient and int64 indices of one 3-D or 4-D shape, "
             "got ", shape_str(g.shape()), " and ", shape_str(idx.shape()));
  check_same_device("max_pool2d_with_indices_backward", {g, idx});
  Shape shape(g.shape().begin(), g.shape().end() - 2);
  shape.push_back(int_arg(args, 0, "max_pool2d_with_indices_backward"));
  shape.push_back(int_arg(args, 1, "max_pool2d_with_indices_backward"));
  Tensor gi = new_tensor(shape, g.dtype(), "max_pool2d_with_indices_backward", g.device());
  backend_for(gi.device()).max_pool2d_backward(as_4d(gi), as_4d(g), as_4d(idx));
  return {gi};
}

// The gradient reads the double-backward seed at each maximum: a gather along the flattened plane.
TensorList max_unpool_backward(const BackwardContext& c) {
  const Tensor &gg = c.grad(), &idx = c.input(1);
  const Tensor flat_idx = flatten(idx, idx.dim() - 2);
  return {reshape(gather(flatten(gg, gg.dim() - 2), flat_idx.dim() - 1, flat_idx), idx.shape()), Tensor()};
}

// ---------------------------------------------------------------- avg_pool2d
// ints: kernel[2], stride[2], padding[2], ceil_mode, count_include_pad, has_divisor, divisor_override

constexpr size_t kAvgInts = 10;

struct AvgArgs {
  PoolWindow w;
  bool ceil;
  Pool2d kernel;
};

AvgArgs avg_args(const OpArgs& args, const char* op) {
  const AvgPoolArgs r = read_avg_args(args, 2, op);
  AvgArgs a{r.w, r.ceil, to_kernel(r.w)};
  a.kernel.count_include_pad = r.include_pad;
  a.kernel.divisor_override = r.divisor;
  return a;
}

TensorList avg_pool_fwd(const TensorList& in, const OpArgs& args) {
  const AvgArgs a = avg_args(args, "avg_pool2d");
  const Tensor& x = in[0];
  const Shape shape = check_pool("avg_pool2d", x, a.w, 2, a.ceil);
  Tensor out = new_tensor(shape, x.dtype(), "avg_pool2d", x.device());
  backend_for(out.device()).avg_pool2d(a.kernel, as_4d(out), as_4d(x));
  return {out};
}

OpArgs with_size(const OpArgs& args, const Shape& x) {
  OpArgs a = args;
  a.ints.push_back(x[x.size() - 2]);
  a.ints.push_back(x[x.size() - 1]);
  return a;
}

TensorList avg_pool_backward(const BackwardContext& c) {
  return {call_avg_pool2d_backward(c.grad(), with_size(c.args, c.input_shape(0)))};
}

// ints: avg_pool2d's, then the input's H, W.
TensorList avg_unpool_fwd(const TensorList& in, const OpArgs& args) {
  const AvgArgs a = avg_args(args, "avg_pool2d_backward");
  const Tensor& g = in[0];
  KILN_CHECK((g.dim() == 3 || g.dim() == 4) && is_floating(g.dtype()), Shape,
             "avg_pool2d_backward: expected a 3-D or 4-D floating gradient, got ", shape_str(g.shape()));
  Shape shape(g.shape().begin(), g.shape().end() - 2);
  shape.push_back(int_arg(args, kAvgInts, "avg_pool2d_backward"));
  shape.push_back(int_arg(args, kAvgInts + 1, "avg_pool2d_backward"));
  Tensor gi = new_tensor(shape, g.dtype(), "avg_pool2d_backward", g.device());
  backend_for(gi.device()).avg_pool2d_backward(a.kernel, as_4d(gi), as_4d(g));
  return {gi};
}

TensorList avg_unpool_backward(const BackwardContext& c) {
  OpArgs a = c.args;
  a.ints.resize(kAvgInts);
  return {call_avg_pool2d(c.grad(), a)};
}

// ---------------------------------------------------------------- adaptive pools; ints: output size [2]

Shape check_adaptive(const char* op, const Tensor& x, const OpArgs& args) {
  KILN_CHECK(x.dim() == 3 || x.dim() == 4, Shape, op, ": expected a 3-D (unbatched) or 4-D (batched) input, but got ",
             "input of shape ", shape_str(x.shape()));
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()), "'");
  for (int64_t d = 1; d < x.dim(); ++d)
    KILN_CHECK(x.shape()[d] > 0, Shape, op, ": expected input to have non-zero size for non-batch dimensions, but input "
               "has sizes ", shape_str(x.shape()), " with dimension ", d, " being empty");
  const int64_t oh = int_arg(args, 0, op), ow = int_arg(args, 1, op);
  KILN_CHECK(oh >= 0 && ow >= 0, Argument, op, ": elements of output_size must be greater than or equal to 0 but "
             "received {", oh, ", ", ow, "}");
  Shape shape(x.shape().begin(), x.shape().end() - 2);
  shape.push_back(oh);
  shape.push_back(ow);
  return shape;
}

TensorList adaptive_avg_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  Tensor out = new_tensor(check_adaptive("adaptive_avg_pool2d", x, args), x.dtype(), "adaptive_avg_pool2d", x.device());
  backend_for(out.device()).adaptive_avg_pool2d(as_4d(out), as_4d(x));
  return {out};
}

TensorList adaptive_avg_backward(const BackwardContext& c) {
  const Shape& x = c.input_shape(0);
  return {call_adaptive_avg_pool2d_backward(c.grad(), x[x.size() - 2], x[x.size() - 1])};
}

// ints: the input's H, W.
TensorList adaptive_unpool_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& g = in[0];
  KILN_CHECK((g.dim() == 3 || g.dim() == 4) && is_floating(g.dtype()), Shape,
             "adaptive_avg_pool2d_backward: expected a 3-D or 4-D floating gradient, got ", shape_str(g.shape()));
  Shape shape(g.shape().begin(), g.shape().end() - 2);
  shape.push_back(int_arg(args, 0, "adaptive_avg_pool2d_backward"));
  shape.push_back(int_arg(args, 1, "adaptive_avg_pool2d_backward"));
  Tensor gi = new_tensor(shape, g.dtype(), "adaptive_avg_pool2d_backward", g.device());
  backend_for(gi.device()).adaptive_avg_pool2d_backward(as_4d(gi), as_4d(g));
  return {gi};
}

TensorList adaptive_unpool_backward(const BackwardContext& c) {
  const Shape& g = c.input_shape(0);
  return {call_adaptive_avg_pool2d(c.grad(), {g[g.size() - 2], g[g.size() - 1]})};
}

TensorList adaptive_max_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const Shape shape = check_adaptive("adaptive_max_pool2d", x, args);
  Tensor out = new_tensor(shape, x.dtype(), "adaptive_max_pool2d", x.device()), idx = new_tensor(shape, DType::Int64, "adaptive_max_pool2d", x.device());
  backend_for(out.device()).adaptive_max_pool2d(as_4d(out), as_4d(idx), as_4d(x));
  return {out, idx};
}

const OpDef kMaxPool{"max_pool2d_with_indices",
                     "max_pool2d_with_indices(Tensor input; ints: kernel_size[2], stride[2], padding[2], dilation[2], "
                     "ceil_mode) -> (values, indices)",
                     1, OpKind::Primitive, max_pool_fwd, nullptr, max_pool_backward, kSaveOutputs};
const OpDef kMaxUnpool{"max_pool2d_with_indices_backward",
                       "max_pool2d_with_indices_backward(Tensor grad_output, Tensor indices; ints: input H, W)", 2,
                       OpKind::Primitive, max_unpool_fwd, nullptr, max_unpool_backward, kSaveInputs};
const OpDef kAvgPool{"avg_pool2d",
                     "avg_pool2d(Tensor input; ints: kernel_size[2], stride[2], padding[2], ceil_mode, "
                     "count_include_pad, divisor_override)",
                     1, OpKind::Primitive, avg_pool_fwd, nullptr, avg_pool_backward, kSaveNothing};
const OpDef kAvgUnpool{"avg_pool2d_backward", "avg_pool2d_backward(Tensor grad_output; ints: avg_pool2d's, input H, W)",
                       1, OpKind::Primitive, avg_unpool_fwd, nullptr, avg_unpool_backward, kSaveNothing};
const OpDef kAdaptiveAvg{"adaptive_avg_pool2d", "adaptive_avg_pool2d(Tensor input; ints: output_size[2])", 1,
                         OpKind::Primitive, adaptive_avg_fwd, nullptr, adaptive_avg_backward, kSaveNothing};
const OpDef kAdaptiveAvgBack{"adaptive_avg_pool2d_backward",
                             "adaptive_avg_pool2d_backward(Tensor grad_output; ints: input H, W)", 1, OpKind::Primitive,
                             adaptive_unpool_fwd, nullptr, adaptive_unpool_backward, kSaveNothing};
const OpDef kAdaptiveMax{"adaptive_max_pool2d",
                         "adaptive_max_pool2d(Tensor input; ints: output_size[2]) -> (values, indices)", 1,
                         OpKind::Primitive, adaptive_max_fwd, nullptr, max_pool_backward, kSaveOutputs};

}  // namespace

void add_pool_row_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kMaxPool, &kMaxUnpool, &kAvgPool, &kAvgUnpool, &kAdaptiveAvg, &kAdaptiveAvgBack,
                             &kAdaptiveMax});
}

TensorList call_max_pool2d(const Tensor& x, const OpArgs& args) { return call(kMaxPool, {x}, args); }
Tensor call_max_pool2d_backward(const Tensor& grad, const Tensor& indices, int64_t h, int64_t w) {
  return call1(kMaxUnpool, {grad, indices}, {{h, w}, {}});
}
Tensor call_avg_pool2d(const Tensor& x, const OpArgs& args) { return call1(kAvgPool, {x}, args); }
Tensor call_avg_pool2d_backward(const Tensor& grad, const OpArgs& args) { return call1(kAvgUnpool, {grad}, args); }
Tensor call_adaptive_avg_pool2d(const Tensor& x, const Shape& output_size) {
  return call1(kAdaptiveAvg, {x}, {output_size, {}});
}
Tensor call_adaptive_avg_pool2d_backward(const Tensor& grad, int64_t h, int64_t w) {
  return call1(kAdaptiveAvgBack, {grad}, {{h, w}, {}});
}
TensorList call_adaptive_max_pool2d(const Tensor& x, const Shape& output_size) {
  return call(kAdaptiveMax, {x}, {output_size, {}});
}

}  // namespace kiln
