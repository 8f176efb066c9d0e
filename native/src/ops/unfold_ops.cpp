// im2col (torch.nn.functional.unfold) and col2im (fold): sliding blocks of a [N, C, H, W] tensor as columns
// [N, C * kh * kw, L] and back, summing overlaps. Each is the other's derivative. Unbatched inputs work too.
// The rows keep PyTorch's names (their nodes are Im2ColBackward0, Col2ImBackward0); errors name the public
// functions, unfold and fold.
#include <array>

#include "autograd/backward_context.h"
#include "cpu/claim_loop.h"
#include "cpu/im2col.h"
#include "cpu/kernels.h"
#include "kiln/ops.h"
#include "ops/conv_params.h"
#include "ops/operands.h"

namespace kiln {
namespace {

struct Blocks {
  std::array<int64_t, 2> kernel, dilation, padding, stride;
};

// ints from `pos`: kernel[2], dilation[2], padding[2], stride[2].
Blocks read_blocks(const OpArgs& args, size_t pos, const char* op) {
  Blocks b;
  for (auto* field : {&b.kernel, &b.dilation, &b.padding, &b.stride})
    for (int64_t& v : *field) v = int_arg(args, pos++, op);
  KILN_CHECK(b.kernel[0] > 0 && b.kernel[1] > 0, Argument, op, ": kernel size should be greater than zero, but got (",
             b.kernel[0], ", ", b.kernel[1], ")");
  KILN_CHECK(b.stride[0] > 0 && b.stride[1] > 0, Argument, op, ": stride should be greater than zero, but got (",
             b.stride[0], ", ", b.stride[1], ")");
  KILN_CHECK(b.dilation[0] > 0 && b.dilation[1] > 0, Argument, op,
             ": dilation should be greater than zero, but got (", b.dilation[0], ", ", b.dilation[1], ")");
  KILN_CHECK(b.padding[0] >= 0 && b.padding[1] >= 0, Argument, op, ": padding should be non-negative, but got (",
             b.padding[0], ", ", b.padding[1], ")");
  return b;
}

// The patch geometry of one sample, and the number of blocks along each dim (checked positive).
cpu::PatchGeometry patches(const char* op, const Blocks& b, int64_t channels, int64_t h, int64_t w) {
  cpu::PatchGeometry g;
  g.channels = channels;
  const int64_t in[2] = {h, w};
  for (int d = 0; d < 2; ++d) {
    g.in[1 + d] = in[d];
    g.kernel[1 + d] = b.kernel[d];
    g.stride[1 + d] = b.stride[d];
    g.pad[1 + d] = b.padding[d];
    g.dilation[1 + d] = b.dilation[d];
    g.out[1 + d] = (in[d] + 2 * b.padding[d] - b.dilation[d] * (b.kernel[d] - 1) - 1) / b.stride[d] + 1;
  }
  KILN_CHECK(g.out[1] >= 1 && g.out[2] >= 1 && in[0] + 2 * b.padding[0] >= b.dilation[0] * (b.kernel[0] - 1) + 1 &&
                 in[1] + 2 * b.padding[1] >= b.dilation[1] * (b.kernel[1] - 1) + 1,
             Shape, op, ": given input with spatial size (", h, ", ", w, "), kernel_size=(", b.kernel[0], ", ",
             b.kernel[1], "), dilation=(", b.dilation[0], ", ", b.dilation[1], "), padding=(", b.padding[0], ", ",
             b.padding[1], "), stride=(", b.stride[0], ", ", b.stride[1],
             "), the number of sliding blocks is not positive");
  return g;
}

void check_float(const char* op, const Tensor& x) {
  check_cpu(op, {x});
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()), "'");
}

TensorList im2col_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x0 = in[0];
  check_float("unfold", x0);
  KILN_CHECK(x0.dim() == 3 || x0.dim() == 4, Shape, "unfold: expected a 3-D (unbatched) or 4-D (batched) input, got ",
             "shape ", shape_str(x0.shape()));
  const Blocks b = read_blocks(args, 0, "unfold");
  const Tensor x = x0.dim() == 3 ? unsqueeze(x0, 0) : x0;
  const cpu::PatchGeometry g = patches("unfold", b, x.shape()[1], x.shape()[2], x.shape()[3]);
  const int64_t n = x.shape()[0], rows = g.rows(), L = g.out_volume();
  Tensor out = new_tensor({n, rows, L}, x.dtype(), "unfold", x.device());
  const int64_t s[4] = {x.strides()[1], 0, x.strides()[2], x.strides()[3]};
  if (out.numel() > 0)
    cpu::claim_loop(n, 1, [] { return 0; }, [&](int64_t begin, int64_t end, int) {
      for (int64_t i = begin; i < end; ++i) {
        if (x.dtype() == DType::Float32)
          cpu::im2col(g, x.data<float>() + i * x.strides()[0], s, out.data<float>() + i * rows * L);
        else
          cpu::im2col(g, x.data<double>() + i * x.strides()[0], s, out.data<double>() + i * rows * L);
      }
    });
  return {x0.dim() == 3 ? squeeze(out, 0) : out};
}

// ints: output_size[2], then the blocks.
TensorList col2im_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& c0 = in[0];
  check_float("fold", c0);
  KILN_CHECK(c0.dim() == 2 || c0.dim() == 3, Shape, "fold: expected a 2-D (unbatched) or 3-D (batched) input, got ",
             "shape ", shape_str(c0.shape()));
  const int64_t h = int_arg(args, 0, "fold"), w = int_arg(args, 1, "fold");
  const Blocks b = read_blocks(args, 2, "fold");
  const Tensor cols = contiguous(c0.dim() == 2 ? unsqueeze(c0, 0) : c0);
  const int64_t kv = b.kernel[0] * b.kernel[1];
  KILN_CHECK(cols.shape()[1] % kv == 0, Shape, "fold: expected size of input's dimension 1 to be divisible by the "
             "product of kernel_size, but got input.size(1)=", cols.shape()[1], " and kernel_size=(", b.kernel[0],
             ", ", b.kernel[1], ")");
  const cpu::PatchGeometry g = patches("fold", b, cols.shape()[1] / kv, h, w);
  KILN_CHECK(cols.shape()[2] == g.out_volume(), Shape, "fold: given output_size=(", h, ", ", w,
             "), expected size of input's dimension 2 to match the calculated number of sliding blocks ", g.out[1],
             " * ", g.out[2], " = ", g.out_volume(), ", but got input.size(2)=", cols.shape()[2]);
  const int64_t n = cols.shape()[0], rows = g.rows(), L = g.out_volume(), V = g.in_volume();
  Tensor out = zeros({n, g.channels, h, w}, cols.dtype());
  if (out.numel() > 0)
    cpu::claim_loop(n, 1, [] { return 0; }, [&](int64_t begin, int64_t end, int) {
      for (int64_t i = begin; i < end; ++i) {
        if (cols.dtype() == DType::Float32)
          cpu::col2im(g, cols.data<float>() + i * rows * L, out.data<float>() + i * g.channels * V);
        else
          cpu::col2im(g, cols.data<double>() + i * rows * L, out.data<double>() + i * g.channels * V);
      }
    });
  return {c0.dim() == 2 ? squeeze(out, 0) : out};
}

OpArgs blocks_args(const OpArgs& args, size_t from) {
  OpArgs a;
  a.ints.assign(args.ints.begin() + static_cast<std::ptrdiff_t>(from), args.ints.end());
  return a;
}

TensorList im2col_backward(const BackwardContext& c);
TensorList col2im_backward(const BackwardContext& c);

const OpDef kIm2col{"im2col", "im2col(Tensor input; ints: kernel_size[2], dilation[2], padding[2], stride[2])", 1,
                    OpKind::Primitive, im2col_fwd, nullptr, im2col_backward, kSaveNothing};
const OpDef kCol2im{"col2im",
                    "col2im(Tensor input; ints: output_size[2], kernel_size[2], dilation[2], padding[2], stride[2])", 1,
                    OpKind::Primitive, col2im_fwd, nullptr, col2im_backward, kSaveNothing};

TensorList im2col_backward(const BackwardContext& c) {
  const Shape& x = c.input_shape(0);
  OpArgs a{{x[x.size() - 2], x[x.size() - 1]}, {}};
  a.ints.insert(a.ints.end(), c.args.ints.begin(), c.args.ints.end());
  return {call1(kCol2im, {c.grad()}, a)};
}

TensorList col2im_backward(const BackwardContext& c) { return {call1(kIm2col, {c.grad()}, blocks_args(c.args, 2))}; }

}  // namespace

void add_unfold_ops(std::vector<const OpDef*>& table) { table.insert(table.end(), {&kIm2col, &kCol2im}); }

namespace {

// [kernel, dilation, padding, stride] after `head`, each checked to hold 2 values.
OpArgs block_ints(const char* op, Shape head, const Shape& kernel, const Shape& dilation, const Shape& padding,
                  const Shape& stride) {
  for (const Shape* s : {&kernel, &dilation, &padding, &stride}) {
    KILN_CHECK(s->size() == 2, Argument, op, ": kernel_size, dilation, padding and stride need 2 values each, got ",
               shape_str(*s));
    head.insert(head.end(), s->begin(), s->end());
  }
  return {head, {}};
}

}  // namespace

Tensor im2col(const Tensor& x, const Shape& kernel_size, const Shape& dilation, const Shape& padding,
              const Shape& stride) {
  return call1(kIm2col, {x}, block_ints("unfold", {}, kernel_size, dilation, padding, stride));
}

Tensor col2im(const Tensor& cols, const Shape& output_size, const Shape& kernel_size, const Shape& dilation,
              const Shape& padding, const Shape& stride) {
  KILN_CHECK(output_size.size() == 2, Argument, "fold: output_size needs 2 values, got ", shape_str(output_size));
  return call1(kCol2im, {cols}, block_ints("fold", output_size, kernel_size, dilation, padding, stride));
}

}  // namespace kiln
