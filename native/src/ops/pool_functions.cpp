// torch.nn.functional's pooling functions: max_pool2d without indices, and the 1-D pools as composites that
// run the 2-D rows over [..., 1, L] (as PyTorch does); the typed C++ API of kiln/ops/pooling.h.
#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/pool_family.h"

namespace kiln {
namespace {

OpArgs window_ints(const PoolWindow& w, bool with_dilation) {
  OpArgs a;
  for (const int64_t* f : {w.kernel, w.stride, w.pad}) a.ints.insert(a.ints.end(), f + 1, f + 3);
  if (with_dilation) a.ints.insert(a.ints.end(), w.dilation + 1, w.dilation + 3);
  return a;
}

TensorList max_pool2d_fwd(const TensorList& in, const OpArgs& args) { return {call_max_pool2d(in[0], args)[0]}; }

// ints: kernel, stride, padding, dilation, ceil_mode
TensorList max_pool1d_indices_fwd(const TensorList& in, const OpArgs& args) {
  size_t pos = 0;
  const PoolWindow w = read_window(args, pos, 1, true);
  const bool ceil = int_arg(args, pos, "max_pool1d") != 0;
  check_pool("max_pool1d", in[0], w, 1, ceil);
  OpArgs a = window_ints(w, true);
  a.ints.push_back(ceil);
  const TensorList r = call_max_pool2d(unsqueeze(in[0], -2), a);
  return {squeeze(r[0], -2), squeeze(r[1], -2)};
}

TensorList max_pool1d_fwd(const TensorList& in, const OpArgs& args) { return {max_pool1d_indices_fwd(in, args)[0]}; }

// ints: kernel, stride, padding, ceil_mode, count_include_pad
TensorList avg_pool1d_fwd(const TensorList& in, const OpArgs& args) {
  size_t pos = 0;
  const PoolWindow w = read_window(args, pos, 1, false);
  const bool ceil = int_arg(args, pos++, "avg_pool1d") != 0;
  const bool include_pad = int_arg(args, pos, "avg_pool1d") != 0;
  check_pool("avg_pool1d", in[0], w, 1, ceil);
  OpArgs a = window_ints(w, false);
  a.ints.insert(a.ints.end(), {ceil, include_pad, 0, 0});
  return {squeeze(call_avg_pool2d(unsqueeze(in[0], -2), a), -2)};
}

void check_adaptive_1d(const char* op, const Tensor& x, int64_t out) {
  KILN_CHECK(x.dim() == 2 || x.dim() == 3, Shape, op, ": expected a 2-D (unbatched) or 3-D (batched) input, but got "
             "input of shape ", shape_str(x.shape()));
  KILN_CHECK(out >= 0, Argument, op, ": output_size must be greater than or equal to 0, got ", out);
  for (int64_t d = 1; d < x.dim(); ++d)
    KILN_CHECK(x.shape()[d] > 0, Shape, op, ": expected input to have non-zero size for non-batch dimensions, but input "
               "has sizes ", shape_str(x.shape()), " with dimension ", d, " being empty");
}

TensorList adaptive_avg1d_fwd(const TensorList& in, const OpArgs& args) {
  const int64_t out = int_arg(args, 0, "adaptive_avg_pool1d");
  check_adaptive_1d("adaptive_avg_pool1d", in[0], out);
  return {squeeze(call_adaptive_avg_pool2d(unsqueeze(in[0], -2), {1, out}), -2)};
}

TensorList adaptive_max1d_fwd(const TensorList& in, const OpArgs& args) {
  const int64_t out = int_arg(args, 0, "adaptive_max_pool1d");
  check_adaptive_1d("adaptive_max_pool1d", in[0], out);
  const TensorList r = call_adaptive_max_pool2d(unsqueeze(in[0], -2), {1, out});
  return {squeeze(r[0], -2), squeeze(r[1], -2)};
}

const OpDef kMaxPool2d{"max_pool2d", "max_pool2d(Tensor input; ints: as max_pool2d_with_indices)", 1,
                       OpKind::Composite, max_pool2d_fwd};
const OpDef kMaxPool1dIdx{"max_pool1d_with_indices",
                          "max_pool1d_with_indices(Tensor input; ints: kernel_size, stride, padding, dilation, "
                          "ceil_mode) -> (values, indices)",
                          1, OpKind::Composite, max_pool1d_indices_fwd};
const OpDef kMaxPool1d{"max_pool1d", "max_pool1d(Tensor input; ints: as max_pool1d_with_indices)", 1,
                       OpKind::Composite, max_pool1d_fwd};
const OpDef kAvgPool1d{"avg_pool1d",
                       "avg_pool1d(Tensor input; ints: kernel_size, stride, padding, ceil_mode, count_include_pad)", 1,
                       OpKind::Composite, avg_pool1d_fwd};
const OpDef kAdaptiveAvg1d{"adaptive_avg_pool1d", "adaptive_avg_pool1d(Tensor input; ints: output_size)", 1,
                           OpKind::Composite, adaptive_avg1d_fwd};
const OpDef kAdaptiveMax1d{"adaptive_max_pool1d",
                           "adaptive_max_pool1d(Tensor input; ints: output_size) -> (values, indices)", 1,
                           OpKind::Composite, adaptive_max1d_fwd};

// The default stride of a pool is its kernel.
Shape or_kernel(const Shape& stride, const Shape& kernel) { return stride.empty() ? kernel : stride; }

OpArgs pack2(const char* op, const Shape& kernel, const Shape& stride, const Shape& padding, const Shape* dilation) {
  OpArgs a;
  for (const Shape* s : {&kernel, &stride, &padding, dilation}) {
    if (!s) continue;
    KILN_CHECK(s->size() == 2, Argument, op, ": kernel_size, stride, padding and dilation need 2 values each, got ",
               shape_str(*s));
    a.ints.insert(a.ints.end(), s->begin(), s->end());
  }
  return a;
}

}  // namespace

void add_pool_function_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kMaxPool2d, &kMaxPool1dIdx, &kMaxPool1d, &kAvgPool1d, &kAdaptiveAvg1d, &kAdaptiveMax1d});
}

void add_pool_ops(std::vector<const OpDef*>& table) {
  add_pool_row_ops(table);
  add_pool_function_ops(table);
  add_pool3d_ops(table);
}

std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, const Shape& kernel, const Shape& stride,
                                                  const Shape& padding, const Shape& dilation, bool ceil_mode) {
  OpArgs a = pack2("max_pool2d", kernel, or_kernel(stride, kernel), padding, &dilation);
  a.ints.push_back(ceil_mode);
  const TensorList r = call_max_pool2d(x, a);
  return {r[0], r[1]};
}

Tensor max_pool2d(const Tensor& x, const Shape& kernel, const Shape& stride, const Shape& padding,
                  const Shape& dilation, bool ceil_mode) {
  OpArgs a = pack2("max_pool2d", kernel, or_kernel(stride, kernel), padding, &dilation);
  a.ints.push_back(ceil_mode);
  return call1(kMaxPool2d, {x}, a);
}

std::pair<Tensor, Tensor> max_pool1d_with_indices(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding,
                                                  int64_t dilation, bool ceil_mode) {
  const TensorList r = call(kMaxPool1dIdx, {x}, {{kernel, stride ? stride : kernel, padding, dilation, ceil_mode}, {}});
  return {r[0], r[1]};
}

Tensor max_pool1d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation, bool ceil_mode) {
  return call1(kMaxPool1d, {x}, {{kernel, stride ? stride : kernel, padding, dilation, ceil_mode}, {}});
}

Tensor avg_pool2d(const Tensor& x, const Shape& kernel, const Shape& stride, const Shape& padding, bool ceil_mode,
                  bool count_include_pad, std::optional<int64_t> divisor_override) {
  OpArgs a = pack2("avg_pool2d", kernel, or_kernel(stride, kernel), padding, nullptr);
  a.ints.insert(a.ints.end(), {ceil_mode, count_include_pad, divisor_override.has_value(), divisor_override.value_or(0)});
  return call_avg_pool2d(x, a);
}

Tensor avg_pool1d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding, bool ceil_mode,
                  bool count_include_pad) {
  return call1(kAvgPool1d, {x}, {{kernel, stride ? stride : kernel, padding, ceil_mode, count_include_pad}, {}});
}

Tensor adaptive_avg_pool2d(const Tensor& x, const Shape& output_size) {
  KILN_CHECK(output_size.size() == 2, Argument, "adaptive_avg_pool2d: output_size needs 2 values, got ",
             shape_str(output_size));
  return call_adaptive_avg_pool2d(x, output_size);
}

Tensor adaptive_avg_pool1d(const Tensor& x, int64_t output_size) {
  return call1(kAdaptiveAvg1d, {x}, {{output_size}, {}});
}

std::pair<Tensor, Tensor> adaptive_max_pool2d(const Tensor& x, const Shape& output_size) {
  KILN_CHECK(output_size.size() == 2, Argument, "adaptive_max_pool2d: output_size needs 2 values, got ",
             shape_str(output_size));
  const TensorList r = call_adaptive_max_pool2d(x, output_size);
  return {r[0], r[1]};
}

std::pair<Tensor, Tensor> adaptive_max_pool1d(const Tensor& x, int64_t output_size) {
  const TensorList r = call(kAdaptiveMax1d, {x}, {{output_size}, {}});
  return {r[0], r[1]};
}

}  // namespace kiln
