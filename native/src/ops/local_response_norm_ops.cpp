// local_response_norm (torch.nn.functional's, AlexNet's): x / (k + alpha * mean of x^2 over a window of `size`
// channels)^beta, composed as PyTorch composes it: the squares padded along channels and averaged by a 2-D
// (3-D input) or 3-D (4-D and more) average pool with stride 1.
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

// ints: size; reals: alpha, beta, k.
TensorList local_response_norm_fwd(const TensorList& in, const OpArgs& args) {
  const char* op = "local_response_norm";
  const Tensor& x = in[0];
  const int64_t size = int_arg(args, 0, op);
  const double alpha = real_arg(args, 0, op), beta = real_arg(args, 1, op), k = real_arg(args, 2, op);
  KILN_CHECK(x.dim() >= 3, Shape, op, ": expected 3D or higher dimensionality input (got ", x.dim(), " dimensions)");
  KILN_CHECK(size > 0, Argument, op, ": size must be positive, got ", size);
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()), "'");
  if (x.numel() == 0) return {x};
  Tensor sq = unsqueeze(mul(x, x), 1);
  if (x.dim() == 3) {
    sq = pad(sq, {0, 0, size / 2, (size - 1) / 2});
    sq = squeeze(avg_pool2d(sq, {size, 1}, {1, 1}), 1);
  } else {
    sq = reshape(sq, {x.shape()[0], 1, x.shape()[1], x.shape()[2], -1});
    sq = pad(sq, {0, 0, 0, 0, size / 2, (size - 1) / 2});
    sq = reshape(squeeze(avg_pool3d(sq, {size, 1, 1}, {1, 1, 1}), 1), x.shape());
  }
  return {div(x, pow(add(mul(sq, alpha), k), beta))};
}

const OpDef kLocalResponseNorm{"local_response_norm",
                               "local_response_norm(Tensor input; ints: size; reals: alpha, beta, k)", 1,
                               OpKind::Composite, local_response_norm_fwd};

}  // namespace

void add_local_response_norm_ops(std::vector<const OpDef*>& table) { table.push_back(&kLocalResponseNorm); }

Tensor local_response_norm(const Tensor& x, int64_t size, double alpha, double beta, double k) {
  return call1(kLocalResponseNorm, {x}, {{size}, {alpha, beta, k}});
}

}  // namespace kiln
