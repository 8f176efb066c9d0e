// The convolution rows. `convolution` (also transposed) is the one primitive every conv function runs; its
// input gradient is a convolution the other way (transposed <-> not), its weight gradient the row
// `convolution_backward_weight`, whose own derivatives are convolutions again: gradients of any order.
#include <algorithm>

#include "autograd/backward_context.h"
#include "backend.h"
#include "kiln/ops.h"
#include "ops/conv_params.h"
#include "ops/operands.h"

namespace kiln {
namespace {

Shape take(const OpArgs& args, size_t& pos, int64_t n, const char* op) {
  Shape out;
  for (int64_t i = 0; i < n; ++i) out.push_back(int_arg(args, pos++, op));
  return out;
}

std::string sizes_str(const Shape& s) {  // "(3 x 3)", as PyTorch prints spatial sizes
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? " x " : "") + std::to_string(s[i]);
  return out + ")";
}

}  // namespace

OpArgs ConvParams::encode() const {
  OpArgs a;
  a.ints.push_back(nd);
  for (const Shape* s : {&stride, &pad_lo, &pad_hi, &dilation}) a.ints.insert(a.ints.end(), s->begin(), s->end());
  a.ints.push_back(transposed);
  a.ints.insert(a.ints.end(), output_padding.begin(), output_padding.end());
  a.ints.push_back(groups);
  return a;
}

ConvParams ConvParams::decode(const OpArgs& args, const char* op) {
  ConvParams p;
  size_t pos = 0;
  p.nd = int_arg(args, pos++, op);
  KILN_CHECK(p.nd >= 1 && p.nd <= 3, Argument, op, ": 1 to 3 spatial dims are supported, got ", p.nd);
  p.stride = take(args, pos, p.nd, op);
  p.pad_lo = take(args, pos, p.nd, op);
  p.pad_hi = take(args, pos, p.nd, op);
  p.dilation = take(args, pos, p.nd, op);
  p.transposed = int_arg(args, pos++, op) != 0;
  p.output_padding = take(args, pos, p.nd, op);
  p.groups = int_arg(args, pos++, op);
  return p;
}

int64_t ConvParams::transposed_size(int64_t small, int64_t kernel, int64_t d) const {
  return (small - 1) * stride[d] - pad_lo[d] - pad_hi[d] + dilation[d] * (kernel - 1) + 1;
}

int64_t ConvParams::conv_size(int64_t large, int64_t kernel, int64_t d) const {
  return (large + pad_lo[d] + pad_hi[d] - dilation[d] * (kernel - 1) - 1) / stride[d] + 1;
}

Shape check_convolution(const char* op, const Tensor& x, const Tensor& w, const Tensor& bias, const ConvParams& p) {
  const int64_t nd = p.nd;
  check_same_device(op, bias.defined() ? TensorList{x, w, bias} : TensorList{x, w});
  KILN_CHECK(x.dim() == nd + 2, Shape, op, ": expected a ", nd + 1, "-D (unbatched) or ", nd + 2,
             "-D (batched) input, but got input of shape ", shape_str(x.shape()));
  KILN_CHECK(w.dim() == nd + 2, Shape, op, ": expected a ", nd + 2, "-D weight, but got weight of shape ",
             shape_str(w.shape()));
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()), "'");
  KILN_CHECK(x.dtype() == w.dtype(), DType, op, ": input type (", dtype_name(x.dtype()), ") and weight type (",
             dtype_name(w.dtype()), ") should be the same");
  KILN_CHECK(!bias.defined() || bias.dtype() == x.dtype(), DType, op, ": input type (", dtype_name(x.dtype()),
             ") and bias type (", dtype_name(bias.dtype()), ") should be the same");
  for (int64_t d = 0; d < nd; ++d) {
    KILN_CHECK(p.stride[d] > 0, Argument, op, ": non-positive stride is not supported, got stride ", shape_str(p.stride));
    KILN_CHECK(p.pad_lo[d] >= 0 && p.pad_hi[d] >= 0, Argument, op, ": negative padding is not supported, got padding ",
               shape_str(p.pad_lo));
    KILN_CHECK(p.dilation[d] > 0, Argument, op, ": dilation should be greater than zero, got dilation ",
               shape_str(p.dilation));
    KILN_CHECK(p.output_padding[d] >= 0, Argument, op, ": negative output_padding is not supported, got ",
               shape_str(p.output_padding));
  }
  KILN_CHECK(p.groups > 0, Argument, op, ": non-positive groups is not supported, got ", p.groups);
  const int64_t k = w.shape()[0];
  KILN_CHECK(k % p.groups == 0, Shape, op, ": given groups=", p.groups, ", expected weight to be divisible by ",
             p.groups, " at dimension 0, but got weight of size ", shape_str(w.shape()), " instead");
  const int64_t in_channels = p.transposed ? k : w.shape()[1] * p.groups;
  const int64_t out_channels = p.transposed ? w.shape()[1] * p.groups : k;
  KILN_CHECK(x.shape()[1] == in_channels, Shape, op, ": given groups=", p.groups, ", weight of size ",
             shape_str(w.shape()), ", expected input", shape_str(x.shape()), " to have ", in_channels,
             " channels, but got ", x.shape()[1], " channels instead");
  KILN_CHECK(!bias.defined() || (bias.dim() == 1 && bias.shape()[0] == out_channels), Shape, op,
             ": given weight of size ", shape_str(w.shape()), ", expected bias to be 1-dimensional with ", out_channels,
             " elements, but got bias of size ", shape_str(bias.shape()), " instead");
  Shape out = {x.shape()[0], out_channels}, in_sizes, kernel;
  for (int64_t d = 0; d < nd; ++d) {
    const int64_t in = x.shape()[2 + d], ks = w.shape()[2 + d];
    in_sizes.push_back(in);
    kernel.push_back(ks);
    if (p.transposed) {
      out.push_back(p.transposed_size(in, ks, d) + p.output_padding[d]);
      continue;
    }
    const int64_t padded = in + p.pad_lo[d] + p.pad_hi[d], span = p.dilation[d] * (ks - 1) + 1;
    KILN_CHECK(padded >= span, Shape, op, ": calculated padded input size per channel: ", sizes_str(in_sizes),
               " plus padding. Kernel size: ", sizes_str(kernel), " (dilated: ", span,
               "). Kernel size can't be greater than actual input size");
    out.push_back(p.conv_size(in, ks, d));
  }
  for (int64_t d = 0; d < nd; ++d)
    KILN_CHECK(out[2 + d] > 0, Shape, op, ": given input size per channel: ", sizes_str(in_sizes),
               ". Calculated output size per channel: ", sizes_str(Shape(out.begin() + 2, out.end())),
               ". Output size is too small");
  return out;
}

namespace {

ConvGeometry geometry(const ConvParams& p, const Tensor& large, const Tensor& small, const Shape& weight_shape) {
  ConvGeometry g;
  g.batch = large.shape()[0];
  g.groups = p.groups;
  g.large_channels = large.shape()[1];
  g.small_channels = small.shape()[1];
  g.patch.channels = g.large_channels / p.groups;
  for (int64_t d = 0; d < p.nd; ++d) {
    const int64_t i = 3 - p.nd + d;
    g.patch.in[i] = large.shape()[2 + d];
    g.patch.out[i] = small.shape()[2 + d];
    g.patch.kernel[i] = weight_shape[2 + d];
    g.patch.stride[i] = p.stride[d];
    g.patch.pad[i] = p.pad_lo[d];
    g.patch.dilation[i] = p.dilation[d];
  }
  return g;
}

// inputs: x, w, bias?
TensorList convolution_fwd(const TensorList& in, const OpArgs& args) {
  KILN_CHECK(in.size() == 2 || in.size() == 3, Argument, "convolution: expected input, weight and an optional bias");
  const ConvParams p = ConvParams::decode(args, "convolution");
  const Tensor &x = in[0], &w = in[1];
  const Tensor bias = in.size() == 3 ? in[2] : Tensor();
  const Shape shape = check_convolution("convolution", x, w, bias, p);
  Tensor out = new_tensor(shape, x.dtype(), "convolution", x.device());
  Backend& b = backend_for(x.device());
  if (p.transposed) b.conv_transpose(geometry(p, out, x, w.shape()), out, x, w, bias);
  else b.conv_forward(geometry(p, x, out, w.shape()), out, x, w, bias);
  return {out};
}

Shape spatial(const Tensor& t) { return Shape(t.shape().begin() + 2, t.shape().end()); }

// The convolution (not transposed) of large, cut to the small sizes (a transposed convolution's
// output_padding may have added rows that no small element reads).
Tensor conv_small(const Tensor& large, const Tensor& w, ConvParams p, const Shape& small) {
  p.transposed = false;
  Tensor r = convolution(large, w, Tensor(), p);
  for (int64_t d = 0; d < p.nd; ++d)
    if (r.shape()[2 + d] != small[d]) r = narrow(r, 2 + d, 0, small[d]);
  return r;
}

// The transposed convolution of small, sized to the large sizes.
Tensor conv_large(const Tensor& small, const Tensor& w, ConvParams p, const Shape& large) {
  p.transposed = true;
  for (int64_t d = 0; d < p.nd; ++d)
    p.output_padding[d] = large[d] - p.transposed_size(small.shape()[2 + d], w.shape()[2 + d], d);
  return convolution(small, w, Tensor(), p);
}

Tensor weight_grad(const Tensor& large, const Tensor& small, const ConvParams& p, const Shape& kernel);

Dims bias_dims(int64_t nd) {
  Dims dims = {0};
  for (int64_t d = 0; d < nd; ++d) dims.push_back(2 + d);
  return dims;
}

TensorList convolution_backward(const BackwardContext& c) {
  const ConvParams p = ConvParams::decode(c.args, "convolution");
  const Tensor &x = c.input(0), &w = c.input(1), &g = c.grad();
  const Shape kernel = spatial(w);
  Tensor gx, gw, gb;
  if (c.needs(0)) gx = p.transposed ? conv_small(g, w, p, spatial(x)) : conv_large(g, w, p, spatial(x));
  if (c.needs(1)) gw = p.transposed ? weight_grad(g, x, p, kernel) : weight_grad(x, g, p, kernel);
  if (c.needs(2)) gb = sum(g, bias_dims(p.nd));
  return {gx, gw, gb};
}

// inputs: large, small (the gradient of a convolution's small side); ints: ConvParams then the kernel sizes.
TensorList weight_grad_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "convolution_backward_weight";
  const ConvParams p = ConvParams::decode(args, op);
  const Tensor &large = in[0], &small = in[1];
  KILN_CHECK(large.dim() == p.nd + 2 && small.dim() == p.nd + 2, Shape, op, ": expected ", p.nd + 2,
             "-D tensors, got ", shape_str(large.shape()), " and ", shape_str(small.shape()));
  KILN_CHECK(large.dtype() == small.dtype() && is_floating(large.dtype()), DType, op,
             ": expected two floating tensors of one dtype");
  check_same_device(op, {large, small});
  Shape shape = {small.shape()[1], large.shape()[1] / p.groups};
  const size_t first_kernel = args.ints.size() - static_cast<size_t>(p.nd);
  for (int64_t d = 0; d < p.nd; ++d) shape.push_back(int_arg(args, first_kernel + d, op));
  KILN_CHECK(large.shape()[0] == small.shape()[0] && large.shape()[1] % p.groups == 0 &&
                 small.shape()[1] % p.groups == 0,
             Shape, op, ": shapes ", shape_str(large.shape()), " and ", shape_str(small.shape()), " do not fit groups=",
             p.groups);
  for (int64_t d = 0; d < p.nd; ++d)
    KILN_CHECK(p.conv_size(large.shape()[2 + d], shape[2 + d], d) >= small.shape()[2 + d], Shape, op,
               ": the gradient's size ", shape_str(small.shape()), " is larger than a convolution of ",
               shape_str(large.shape()), " gives");
  Tensor out = new_tensor(shape, large.dtype(), op, large.device());
  backend_for(out.device()).conv_weight_grad(geometry(p, large, small, shape), out, large, small);
  return {out};
}

TensorList weight_grad_backward(const BackwardContext& c) {
  const ConvParams p = ConvParams::decode(c.args, "convolution_backward_weight");
  const Tensor &large = c.input(0), &small = c.input(1), &gw = c.grad();
  return {c.needs(0) ? conv_large(small, gw, p, spatial(large)) : Tensor(),
          c.needs(1) ? conv_small(large, gw, p, spatial(small)) : Tensor()};
}

const OpDef kConvolution{"convolution",
                         "convolution(Tensor input, Tensor weight, Tensor? bias; ints: nd, stride, pad_lo, pad_hi, "
                         "dilation, transposed, output_padding, groups)",
                         -1, OpKind::Primitive, convolution_fwd, nullptr, convolution_backward, kSaveInputs};
const OpDef kConvWeightGrad{"convolution_backward_weight",
                            "convolution_backward_weight(Tensor input, Tensor grad_output; ints: as convolution's, "
                            "then the kernel sizes)",
                            2, OpKind::Primitive, weight_grad_fwd, nullptr, weight_grad_backward, kSaveInputs};

Tensor weight_grad(const Tensor& large, const Tensor& small, const ConvParams& p, const Shape& kernel) {
  OpArgs args = p.encode();
  args.ints.insert(args.ints.end(), kernel.begin(), kernel.end());
  return call1(kConvWeightGrad, {large, small}, args);
}

}  // namespace

void add_conv_row_ops(std::vector<const OpDef*>& table) { table.insert(table.end(), {&kConvolution, &kConvWeightGrad}); }

void add_conv_ops(std::vector<const OpDef*>& table) {
  add_conv_row_ops(table);
  add_conv_function_ops(table);
  add_unfold_ops(table);
}

Tensor convolution(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvParams& p) {
  return call1(kConvolution, bias.defined() ? TensorList{x, w, bias} : TensorList{x, w}, p.encode());
}

}  // namespace kiln
