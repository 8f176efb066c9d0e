// lp_pool1d/2d/3d: the p-norm over sliding windows, (sum of x^p)^(1/p), composed as torch.nn.functional composes
// it: an average pool of x^p times the window's size, its sign kept through relu(abs(.)), to the power 1/p. No
// padding; stride defaults to the kernel size (0 in the ints); ceil_mode as in the average pool (whose partial
// windows at the end divide by their clipped size, so they come out scaled as in PyTorch).
#include <string>

#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

// ints: kernel[nd], stride[nd] (0: the kernel size), ceil_mode; reals: norm_type.
template <int ND>
TensorList lp_pool_fwd(const TensorList& in, const OpArgs& args) {
  const std::string name = "lp_pool" + std::to_string(ND) + "d";
  const char* op = name.c_str();
  const Tensor& x = in[0];
  check_cpu(op, in);
  KILN_CHECK(args.ints.size() == 2 * ND + 1 && args.reals.size() == 1, Argument, op, ": expected ", ND,
             " kernel sizes, ", ND, " strides, ceil_mode and norm_type");
  const double p = args.reals[0];
  KILN_CHECK(p != 0, Argument, op, ": norm_type must not be 0 (the result is the power 1 / norm_type)");
  Shape kernel, stride;
  double window = 1;
  for (int d = 0; d < ND; ++d) {
    const int64_t k = args.ints[d], s = args.ints[ND + d];
    KILN_CHECK(k > 0 && s >= 0, Argument, op, ": kernel_size must be positive and stride non-negative, got ", k,
               " and ", s);
    kernel.push_back(k);
    stride.push_back(s == 0 ? k : s);
    window *= static_cast<double>(k);
  }
  KILN_CHECK(x.dim() == ND + 1 || x.dim() == ND + 2, Shape, op, ": expected a ", ND + 1, "-D (unbatched) or ", ND + 2,
             "-D (batched) input, got shape ", shape_str(x.shape()));
  for (int d = 0; d < ND; ++d)
    KILN_CHECK(x.size(x.dim() - ND + d) >= kernel[d], Shape, op, ": the kernel ", shape_str(kernel),
               " is larger than the input's sizes ", shape_str(Shape(x.shape().end() - ND, x.shape().end())),
               " (no padding)");
  const bool ceil_mode = args.ints[2 * ND] != 0;
  const Tensor powered = pow(x, Scalar(p));
  Tensor out;
  if constexpr (ND == 1) {
    out = avg_pool1d(powered, kernel[0], stride[0], 0, ceil_mode);
  } else if constexpr (ND == 2) {
    out = avg_pool2d(powered, kernel, stride, {0, 0}, ceil_mode);
  } else {
    out = avg_pool3d(powered, kernel, stride, {0, 0, 0}, ceil_mode);
  }
  const Tensor signed_out = mul(sign(out), relu(abs(out)));
  return {pow(mul(signed_out, wrapped_scalar(Scalar(window))), Scalar(1.0 / p))};
}

const OpDef kLpPool1d{"lp_pool1d", "lp_pool1d(Tensor input; ints: kernel_size, stride, ceil_mode; reals: norm_type)",
                      1, OpKind::Composite, lp_pool_fwd<1>};
const OpDef kLpPool2d{"lp_pool2d",
                      "lp_pool2d(Tensor input; ints: kernel_size[2], stride[2], ceil_mode; reals: norm_type)", 1,
                      OpKind::Composite, lp_pool_fwd<2>};
const OpDef kLpPool3d{"lp_pool3d",
                      "lp_pool3d(Tensor input; ints: kernel_size[3], stride[3], ceil_mode; reals: norm_type)", 1,
                      OpKind::Composite, lp_pool_fwd<3>};

OpArgs lp_args(double norm_type, const Shape& kernel, const Shape& stride, bool ceil_mode) {
  OpArgs a{Shape(kernel), {norm_type}};
  for (size_t d = 0; d < kernel.size(); ++d) a.ints.push_back(d < stride.size() ? stride[d] : 0);
  a.ints.push_back(ceil_mode ? 1 : 0);
  return a;
}

}  // namespace

void add_lp_pool_ops(std::vector<const OpDef*>& table) { table.insert(table.end(), {&kLpPool1d, &kLpPool2d, &kLpPool3d}); }

Tensor lp_pool1d(const Tensor& x, double norm_type, int64_t kernel_size, int64_t stride, bool ceil_mode) {
  return call1(kLpPool1d, {x}, lp_args(norm_type, {kernel_size}, {stride}, ceil_mode));
}
Tensor lp_pool2d(const Tensor& x, double norm_type, const Shape& kernel_size, const Shape& stride, bool ceil_mode) {
  return call1(kLpPool2d, {x}, lp_args(norm_type, kernel_size, stride, ceil_mode));
}
Tensor lp_pool3d(const Tensor& x, double norm_type, const Shape& kernel_size, const Shape& stride, bool ceil_mode) {
  return call1(kLpPool3d, {x}, lp_args(norm_type, kernel_size, stride, ceil_mode));
}

}  // namespace kiln
