// torch.nn.functional's convolutions as composites over the convolution row: conv1d/2d/3d (padding as
// sizes, "same" or "valid"; unbatched inputs) and conv_transpose1d/2d/3d. They check their arguments first,
// so errors name the function that was called.
#include <array>

#include "kiln/ops.h"
#include "ops/conv_params.h"
#include "ops/operands.h"

namespace kiln {
namespace {

Shape ints_at(const OpArgs& args, size_t& pos, int64_t n, const char* op) {
  Shape out;
  for (int64_t i = 0; i < n; ++i) out.push_back(int_arg(args, pos++, op));
  return out;
}

// Unbatched input ([C, ...]) runs as a batch of one.
Tensor batched(const Tensor& x, int64_t nd) { return x.dim() == nd + 1 ? unsqueeze(x, 0) : x; }
Tensor unbatched_like(const Tensor& out, const Tensor& x, int64_t nd) { return x.dim() == nd + 1 ? squeeze(out, 0) : out; }

// inputs: x, w, bias?; ints: stride[nd], padding[nd], dilation[nd], groups, padding mode (0: the sizes given,
// 1: "same", 2: "valid").
TensorList conv_nd(const TensorList& in, const OpArgs& args, int64_t nd, const char* op) {
  KILN_CHECK(in.size() == 2 || in.size() == 3, Argument, op, ": expected input, weight and an optional bias");
  size_t pos = 0;
  ConvParams p;
  p.nd = nd;
  p.stride = ints_at(args, pos, nd, op);
  p.pad_lo = ints_at(args, pos, nd, op);
  p.dilation = ints_at(args, pos, nd, op);
  p.groups = int_arg(args, pos++, op);
  const int64_t mode = int_arg(args, pos++, op);
  KILN_CHECK(mode >= 0 && mode <= 2, Argument, op, ": unknown padding mode ", mode);
  p.output_padding = Shape(nd, 0);
  const Tensor &x = in[0], &w = in[1];
  const Tensor bias = in.size() == 3 ? in[2] : Tensor();
  if (mode == 2) p.pad_lo = Shape(nd, 0);
  p.pad_hi = p.pad_lo;
  if (mode == 1) {
    for (int64_t d = 0; d < nd; ++d)
      KILN_CHECK(p.stride[d] == 1, Argument, op, ": padding='same' is not supported for strided convolutions, got "
                 "stride ", shape_str(p.stride));
    KILN_CHECK(w.dim() == nd + 2, Shape, op, ": expected a ", nd + 2, "-D weight, but got weight of shape ",
               shape_str(w.shape()));
    for (int64_t d = 0; d < nd; ++d) {  // the extra padding of an even span goes at the end, as PyTorch puts it
      const int64_t total = p.dilation[d] * (w.shape()[2 + d] - 1);
      p.pad_lo[d] = total / 2;
      p.pad_hi[d] = total - total / 2;
    }
  }
  const Tensor xb = batched(x, nd);
  check_convolution(op, xb, w, bias, p);
  return {unbatched_like(convolution(xb, w, bias, p), x, nd)};
}

// ints: stride[nd], padding[nd], output_padding[nd], groups, dilation[nd] (PyTorch's argument order).
TensorList conv_transpose_nd(const TensorList& in, const OpArgs& args, int64_t nd, const char* op) {
  KILN_CHECK(in.size() == 2 || in.size() == 3, Argument, op, ": expected input, weight and an optional bias");
  size_t pos = 0;
  ConvParams p;
  p.nd = nd;
  p.transposed = true;
  p.stride = ints_at(args, pos, nd, op);
  p.pad_lo = ints_at(args, pos, nd, op);
  p.pad_hi = p.pad_lo;
  p.output_padding = ints_at(args, pos, nd, op);
  p.groups = int_arg(args, pos++, op);
  p.dilation = ints_at(args, pos, nd, op);
  for (int64_t d = 0; d < nd; ++d)
    KILN_CHECK(p.output_padding[d] < p.stride[d] || p.output_padding[d] < p.dilation[d], Argument, op,
               ": output padding must be smaller than either stride or dilation, but got output_padding ",
               shape_str(p.output_padding), ", stride ", shape_str(p.stride), " and dilation ", shape_str(p.dilation));
  const Tensor &x = in[0], &w = in[1];
  const Tensor bias = in.size() == 3 ? in[2] : Tensor();
  const Tensor xb = batched(x, nd);
  check_convolution(op, xb, w, bias, p);
  return {unbatched_like(convolution(xb, w, bias, p), x, nd)};
}

TensorList conv1d_fwd(const TensorList& in, const OpArgs& a) { return conv_nd(in, a, 1, "conv1d"); }
TensorList conv2d_fwd(const TensorList& in, const OpArgs& a) { return conv_nd(in, a, 2, "conv2d"); }
TensorList conv3d_fwd(const TensorList& in, const OpArgs& a) { return conv_nd(in, a, 3, "conv3d"); }
TensorList conv_t1_fwd(const TensorList& in, const OpArgs& a) { return conv_transpose_nd(in, a, 1, "conv_transpose1d"); }
TensorList conv_t2_fwd(const TensorList& in, const OpArgs& a) { return conv_transpose_nd(in, a, 2, "conv_transpose2d"); }
TensorList conv_t3_fwd(const TensorList& in, const OpArgs& a) { return conv_transpose_nd(in, a, 3, "conv_transpose3d"); }

#define CONV_SIG "(Tensor input, Tensor weight, Tensor? bias; ints: stride, padding, dilation, groups, padding mode)"
#define CONV_T_SIG "(Tensor input, Tensor weight, Tensor? bias; ints: stride, padding, output_padding, groups, dilation)"
const OpDef kConv1d{"conv1d", "conv1d" CONV_SIG, -1, OpKind::Composite, conv1d_fwd};
const OpDef kConv2d{"conv2d", "conv2d" CONV_SIG, -1, OpKind::Composite, conv2d_fwd};
const OpDef kConv3d{"conv3d", "conv3d" CONV_SIG, -1, OpKind::Composite, conv3d_fwd};
const OpDef kConvT1{"conv_transpose1d", "conv_transpose1d" CONV_T_SIG, -1, OpKind::Composite, conv_t1_fwd};
const OpDef kConvT2{"conv_transpose2d", "conv_transpose2d" CONV_T_SIG, -1, OpKind::Composite, conv_t2_fwd};
const OpDef kConvT3{"conv_transpose3d", "conv_transpose3d" CONV_T_SIG, -1, OpKind::Composite, conv_t3_fwd};
#undef CONV_SIG
#undef CONV_T_SIG

const OpDef& conv_row(size_t nd) { return *std::array<const OpDef*, 3>{&kConv1d, &kConv2d, &kConv3d}[nd - 1]; }
const OpDef& conv_t_row(size_t nd) { return *std::array<const OpDef*, 3>{&kConvT1, &kConvT2, &kConvT3}[nd - 1]; }

TensorList with_bias(const Tensor& x, const Tensor& w, const Tensor& bias) {
  return bias.defined() ? TensorList{x, w, bias} : TensorList{x, w};
}

OpArgs pack(std::initializer_list<const Shape*> lists, std::initializer_list<int64_t> tail = {}) {
  OpArgs a;
  for (const Shape* s : lists) a.ints.insert(a.ints.end(), s->begin(), s->end());
  a.ints.insert(a.ints.end(), tail);
  return a;
}

Tensor conv_any(size_t nd, const Tensor& x, const Tensor& w, const Tensor& bias, const Shape& stride,
                const Shape& padding, const Shape& dilation, int64_t groups, ConvPadding mode) {
  KILN_CHECK(stride.size() == nd && padding.size() == nd && dilation.size() == nd, Argument, conv_row(nd).name,
             ": stride, padding and dilation need ", nd, " values each");
  return call1(conv_row(nd), with_bias(x, w, bias),
               pack({&stride, &padding, &dilation}, {groups, static_cast<int64_t>(mode)}));
}

Tensor conv_t_any(size_t nd, const Tensor& x, const Tensor& w, const Tensor& bias, const Shape& stride,
                  const Shape& padding, const Shape& output_padding, int64_t groups, const Shape& dilation) {
  KILN_CHECK(stride.size() == nd && padding.size() == nd && output_padding.size() == nd && dilation.size() == nd,
             Argument, conv_t_row(nd).name, ": stride, padding, output_padding and dilation need ", nd, " values each");
  OpArgs a = pack({&stride, &padding, &output_padding}, {groups});
  a.ints.insert(a.ints.end(), dilation.begin(), dilation.end());
  return call1(conv_t_row(nd), with_bias(x, w, bias), a);
}

}  // namespace

void add_conv_function_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kConv1d, &kConv2d, &kConv3d, &kConvT1, &kConvT2, &kConvT3});
}

Tensor conv1d(const Tensor& x, const Tensor& w, const Tensor& bias, const Shape& stride, const Shape& padding,
              const Shape& dilation, int64_t groups, ConvPadding mode) {
  return conv_any(1, x, w, bias, stride, padding, dilation, groups, mode);
}
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Shape& stride, const Shape& padding,
              const Shape& dilation, int64_t groups, ConvPadding mode) {
  return conv_any(2, x, w, bias, stride, padding, dilation, groups, mode);
}
Tensor conv3d(const Tensor& x, const Tensor& w, const Tensor& bias, const Shape& stride, const Shape& padding,
              const Shape& dilation, int64_t groups, ConvPadding mode) {
  return conv_any(3, x, w, bias, stride, padding, dilation, groups, mode);
}
Tensor conv_transpose1d(const Tensor& x, const Tensor& w, const Tensor& bias, const Shape& stride,
                        const Shape& padding, const Shape& output_padding, int64_t groups, const Shape& dilation) {
  return conv_t_any(1, x, w, bias, stride, padding, output_padding, groups, dilation);
}
Tensor conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Shape& stride,
                        const Shape& padding, const Shape& output_padding, int64_t groups, const Shape& dilation) {
  return conv_t_any(2, x, w, bias, stride, padding, output_padding, groups, dilation);
}
Tensor conv_transpose3d(const Tensor& x, const Tensor& w, const Tensor& bias, const Shape& stride,
                        const Shape& padding, const Shape& output_padding, int64_t groups, const Shape& dilation) {
  return conv_t_any(3, x, w, bias, stride, padding, output_padding, groups, dilation);
}

}  // namespace kiln
