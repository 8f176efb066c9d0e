// Builds the op table and runs calls through it.
#include "op_table.h"

#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "autograd/grad_mode.h"
#include "autograd/recording.h"
#include "autograd/views.h"
#include "autograd/autograd_meta.h"
#include "backend.h"
#include "cuda_device.h"
#include "ops/operands.h"

namespace kiln {
namespace {

struct Table {
  std::vector<const OpDef*> rows;
  std::unordered_map<std::string, int32_t> ids;
  std::unordered_set<const OpDef*> own_16bit;     // the rows of kOwn16Bit
  std::unordered_set<const OpDef*> through_int64;  // the rows of kThroughInt64
};

// The ops that take float16 and bfloat16 inputs as they are: the elementwise kernels that compute them in float32
// by chunks (and sigmoid's and tanh's backwards, which round each step as PyTorch's float16 kernels do), reductions
// and copies that convert by themselves, ops whose dtype argument decides their result's (softmax(x, dtype),
// cumsum, prod, ...), the ops that only move elements (joins, gathers, triangles, masks, pads: their kernels copy
// the 16 bits), and ops whose forward writes into an input (the optimizer steps, batch norm's running statistics,
// rrelu's noise), which must see that tensor itself. Creation ops and views are theirs by kind. Every
// other op computes these dtypes through float32 copies (forward_of), in-place forms too (call_inplace).
constexpr const char* kOwn16Bit[] = {
    "add", "sub", "mul", "div", "pow", "eq", "ne", "lt", "le", "gt", "ge", "neg", "exp", "log", "sqrt", "abs", "relu",
    "sigmoid", "tanh", "sigmoid_backward", "tanh_backward", "threshold_backward", "where", "log1p", "expm1", "log2",
    "log10", "exp2", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh",
    "acosh", "atanh", "erf", "erfinv", "sign", "floor", "ceil", "round", "trunc", "frac", "clamp", "clamp_min",
    "clamp_max", "nan_to_num", "maximum", "minimum", "fmod", "remainder", "floor_divide", "atan2", "lerp", "addcmul",
    "addcdiv", "isnan", "isinf", "isposinf", "isneginf", "isfinite", "signbit", "logical_not", "logical_and",
    "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
    "bitwise_right_shift", "bitwise_not",
    "sum", "mean", "max", "min", "max_dim", "min_dim", "argmax", "argmin", "amax", "amin",
    "prod", "nansum", "norm", "linalg_vector_norm", "softmax", "log_softmax", "cumsum", "cumprod",
    "_to_copy", "clone", "copy_", "fill_", "zero_", "to_device",
    "softplus", "softplus_backward", "gelu", "gelu_backward", "silu", "silu_backward", "mish", "mish_backward",
    "leaky_relu", "leaky_relu_backward", "elu", "elu_backward", "celu", "hardtanh", "hardtanh_backward",
    "hardsigmoid", "hardsigmoid_backward", "hardswish", "hardswish_backward", "softsign", "softsign_backward",
    "log_sigmoid", "log_sigmoid_backward",
    "sgd_step", "adam_step", "rmsprop_step", "adagrad_step", "adadelta_step", "adamax_step", "nadam_step",
    "radam_step", "asgd_step", "rprop_step", "native_batch_norm", "rrelu_with_noise",
    "cat", "stack", "flip", "roll", "repeat", "tril", "triu", "index_select", "index", "gather", "take_along_dim",
    "masked_select", "embedding", "masked_fill", "constant_pad_nd", "reflection_pad", "replication_pad",
    "circular_pad", "upsample_nearest2d", "upsample_nearest3d",
};

// The products, whose integer kernel takes int64: int32, int16, int8 and uint8 operands go through int64 copies and
// the result is cast back. Products and sums wrap modulo 2^bits either way, so this is what the narrow arithmetic
// gives (PyTorch's integer products wrap too).
constexpr const char* kThroughInt64[] = {"mm", "bmm", "mv", "dot", "addmm", "addmv", "baddbmm", "linear"};

const Table& table() {
  static const Table* t = [] {
    auto* tbl = new Table();
    add_creation_ops(tbl->rows);
    add_elementwise_ops(tbl->rows);
    add_reduction_ops(tbl->rows);
    add_view_ops(tbl->rows);
    add_copy_ops(tbl->rows);
    add_linalg_ops(tbl->rows);
    add_index_ops(tbl->rows);
    add_optim_ops(tbl->rows);
    add_activation_ops(tbl->rows);
    add_random_ops(tbl->rows);
    add_join_ops(tbl->rows);
    add_rearrange_ops(tbl->rows);
    add_diagonal_ops(tbl->rows);
    add_pad_ops(tbl->rows);
    add_select_ops(tbl->rows);
    add_advanced_index_ops(tbl->rows);
    add_mask_ops(tbl->rows);
    add_getitem_ops(tbl->rows);
    add_conv_ops(tbl->rows);
    add_pool_ops(tbl->rows);
    add_unpool_ops(tbl->rows);
    add_lp_pool_ops(tbl->rows);
    add_fractional_pool_ops(tbl->rows);
    add_sampling_ops(tbl->rows);
    add_grid_sample_ops(tbl->rows);
    add_batch_norm_ops(tbl->rows);
    add_layer_norm_ops(tbl->rows);
    add_group_norm_ops(tbl->rows);
    add_local_response_norm_ops(tbl->rows);
    add_dropout_ops(tbl->rows);
    add_rrelu_ops(tbl->rows);
    add_embedding_ops(tbl->rows);
    add_distance_ops(tbl->rows);
    add_attention_ops(tbl->rows);
    add_recurrent_ops(tbl->rows);
    add_loss_ops(tbl->rows);
    for (size_t i = 0; i < tbl->rows.size(); ++i) {
      bool fresh = tbl->ids.emplace(tbl->rows[i]->name, static_cast<int32_t>(i)).second;
      KILN_CHECK(fresh, Internal, "op table: ", tbl->rows[i]->name, " is declared twice");
    }
    for (const char* name : kThroughInt64) tbl->through_int64.insert(tbl->rows[tbl->ids.at(name)]);
    for (const char* name : kOwn16Bit) {
      const auto it = tbl->ids.find(name);
      KILN_CHECK(it != tbl->ids.end(), Internal, "op table: kOwn16Bit names ", name, ", which is not an op");
      tbl->own_16bit.insert(tbl->rows[it->second]);
    }
    return tbl;
  }();
  return *t;
}

}  // namespace

const std::vector<const OpDef*>& op_table() { return table().rows; }

int32_t op_id(const std::string& name) {
  auto it = table().ids.find(name);
  return it == table().ids.end() ? -1 : it->second;
}

void check_arity(const OpDef& op, const TensorList& inputs) {
  KILN_CHECK(op.num_inputs < 0 || static_cast<int>(inputs.size()) == op.num_inputs, Argument, op.name, ": expected ",
             op.num_inputs, " tensor arguments, got ", inputs.size(), " (", op.signature, ")");
  for (size_t i = 0; i < inputs.size(); ++i)
    KILN_CHECK(inputs[i].defined(), Argument, op.name, ": tensor argument ", i, " is undefined");
}

namespace {

bool on_cpu(const TensorList& inputs) {
  for (const Tensor& t : inputs)
    if (t.defined() && !t.device().is_cpu()) return false;
  return true;
}

// Inputs on a GPU reach only ops with CUDA kernels, and all on one device: a 0-dim CPU tensor that needs no
// gradient is moved there, as PyTorch lets CPU scalars join CUDA ops, and Java scalars stay where they are (the
// backends read them from the host); any other mix is refused.
// An in-place op's self (inplace) is written, so it is never a moved copy.
TensorList place_on_device(const OpDef& op, const TensorList& inputs, bool inplace) {
  Device device;
  for (const Tensor& t : inputs)
    if (t.defined() && !t.device().is_cpu()) {
      device = t.device();
      break;
    }
  KILN_CHECK(cuda::runs_on_cuda(op), Device, op.name, ": not implemented for device ", device.str(),
             " (no CUDA kernel yet); move the tensors to the CPU with cpu()");
  TensorList placed(inputs);
  for (size_t i = 0; i < placed.size(); ++i) {
    Tensor& t = placed[i];
    if (!t.defined() || t.device() == device || t.is_wrapped_number()) continue;  // kernels take Java scalars from the host
    const bool movable = !(inplace && i == 0) && t.device().is_cpu() && t.dim() == 0 &&
                         !requires_grad_impl(t.impl());
    KILN_CHECK(movable, Device, op.name, ": expected all tensors to be on the same device, but found at least two devices, ",
               device.str(), " and ", t.device().str());
    const bool wrapped = t.is_wrapped_number();
    Tensor moved = Tensor::empty({}, t.dtype(), device);
    backend_for(device).copy(moved, t);
    moved.impl()->wrapped_number = wrapped;
    t = moved;
  }
  return placed;
}

// The one 16-bit floating dtype (float16 or bfloat16) among inputs that op does not take as they are, where every
// floating input has it; Bool otherwise (none, or mixed with other floating dtypes: the result is wider then).
DType widened_16bit(const OpDef& op, const TensorList& inputs) {
  DType found = DType::Bool;
  for (const Tensor& t : inputs) {
    if (!t.defined() || !is_floating(t.dtype()) || t.is_wrapped_number()) continue;  // a Java scalar: any dtype
    if ((t.dtype() != DType::Float16 && t.dtype() != DType::BFloat16) || (found != DType::Bool && t.dtype() != found))
      return DType::Bool;
    found = t.dtype();
  }
  if (found == DType::Bool || op.kind != OpKind::Primitive || op.returns_view || table().own_16bit.count(&op))
    return DType::Bool;
  return found;
}

// The narrow integer dtype of every operand of an op of kThroughInt64 (Java scalars aside); Bool otherwise.
DType narrow_integer(const OpDef& op, const TensorList& inputs) {
  if (!table().through_int64.count(&op)) return DType::Bool;
  DType found = DType::Bool;
  for (const Tensor& t : inputs) {
    if (!t.defined() || t.is_wrapped_number()) continue;
    if (!is_integral(t.dtype(), false) || t.dtype() == DType::Int64 || (found != DType::Bool && t.dtype() != found))
      return DType::Bool;  // the op's own checks name a mix
    found = t.dtype();
  }
  return found;
}

// op's forward, with narrow integer operands of the products as int64 copies (narrow_integer), and float16 or
// bfloat16 inputs as float32 copies where the op has no path of its own for them
// (most ops' kernels take float32 and float64 only): its float32 outputs are rounded back to that dtype, as
// PyTorch computes these dtypes in float32 and rounds each result once.
TensorList forward_of(const OpDef& op, const TensorList& inputs, const OpArgs& args) {
  if (const DType n = narrow_integer(op, inputs); n != DType::Bool) {
    TensorList wide(inputs);
    for (Tensor& x : wide)
      if (x.defined() && x.dtype() == n) x = cast(x, DType::Int64);
    TensorList outputs = op.forward(wide, args);
    for (Tensor& out : outputs)
      if (out.defined() && out.dtype() == DType::Int64) out = cast(out, n);
    return outputs;
  }
  const DType t = widened_16bit(op, inputs);
  if (t == DType::Bool) return op.forward(inputs, args);
  TensorList wide(inputs);
  for (Tensor& x : wide)
    if (x.defined() && x.dtype() == t) x = cast(x, DType::Float32);
  TensorList outputs = op.forward(wide, args);
  for (Tensor& out : outputs)
    if (out.defined() && out.dtype() == DType::Float32) out = cast(out, t);
  return outputs;
}

}  // namespace

TensorList call(const OpDef& op, const TensorList& given, const OpArgs& args) {
  check_arity(op, given);
  const TensorList placed = on_cpu(given) ? TensorList() : place_on_device(op, given, false);
  const TensorList& inputs = placed.empty() ? given : placed;
  if (op.kind == OpKind::Composite) return op.forward(inputs, args);
  const bool record = op.backward != nullptr && autograd::should_record(inputs);
  TensorList outputs;
  {
    // The forward's own inner calls (casts, views) are not part of the graph: this op is one node.
    GradModeGuard no_grad(false);
    outputs = forward_of(op, inputs, args);
  }
  if (record) autograd::record(op, inputs, outputs, args);
  // Views made in grad mode remember their base, so that in-place writes to them can be differentiated.
  if (op.returns_view && grad_enabled()) autograd::track_views(op, inputs[0], outputs, args);
  if (inference_mode_enabled())
    for (const Tensor& out : outputs) out.impl()->inference = true;
  return outputs;
}

Tensor call1(const OpDef& op, const TensorList& inputs, const OpArgs& args) { return call(op, inputs, args)[0]; }

// "add_" for add; copy_, fill_ and zero_ carry the underscore already. Only built for error messages.
std::string inplace_name(const OpDef& op) {
  const std::string n = op.name;
  return n.back() == '_' ? n : n + "_";
}

// Whether some elements of t share memory (an expanded dim: stride 0, size > 1).
bool has_internal_overlap(const Tensor& t) {
  for (int64_t d = 0; d < t.dim(); ++d)
    if (t.strides()[d] == 0 && t.shape()[d] > 1) return true;
  return false;
}

Tensor call_inplace(const OpDef& op, const TensorList& given, const OpArgs& args) {
  check_arity(op, given);
  const TensorList placed = on_cpu(given) ? TensorList() : place_on_device(op, given, true);
  const TensorList& inputs = placed.empty() ? given : placed;
  KILN_CHECK(op.into != nullptr, NotImplemented, inplace_name(op), ": the op has no in-place form");
  KILN_CHECK(!inputs.empty(), Argument, inplace_name(op), ": no tensor to write into");
  const Tensor& self = inputs[0];
  // Writing through aliased elements is ill-defined, except where PyTorch (1.13) allows it: fill_ and zero_
  // write one value everywhere; masked_fill_ and index_put_ write through each alias, as PyTorch's do.
  if (has_internal_overlap(self)) {
    const std::string name = op.name;
    KILN_CHECK(name == "fill_" || name == "zero_" || name == "masked_fill" || name == "index_put", Argument,
               inplace_name(op),
               ": unsupported operation: more than one element of the written-to tensor refers to a single "
               "memory location. Please clone() the tensor before performing the operation.");
  }
  autograd::check_inplace_allowed(op, self);
  if (autograd::should_record(inputs)) return autograd::record_inplace(op, inputs, args);
  {
    GradModeGuard no_grad(false);
    if (widened_16bit(op, inputs) == DType::Bool) {
      op.into(self, inputs, args);
    } else {  // through float32 copies (forward_of), as record_inplace does through call()
      const Tensor result = forward_of(op, inputs, args)[0];
      KILN_CHECK(result.shape() == self.shape(), Shape, inplace_name(op), ": output with shape ",
                 shape_str(self.shape()), " doesn't match the broadcast shape ", shape_str(result.shape()));
      backend_for(self.device()).copy(self, result);
    }
  }
  self.storage()->bump_version();
  return self;
}

int64_t int_arg(const OpArgs& args, size_t i, const char* op) {
  KILN_CHECK(i < args.ints.size(), Argument, op, ": missing integer argument ", i);
  return args.ints[i];
}

double real_arg(const OpArgs& args, size_t i, const char* op) {
  KILN_CHECK(i < args.reals.size(), Argument, op, ": missing real argument ", i);
  return args.reals[i];
}

std::vector<int64_t> int_list(const OpArgs& args, size_t from) {
  if (from >= args.ints.size()) return {};
  return std::vector<int64_t>(args.ints.begin() + static_cast<std::ptrdiff_t>(from), args.ints.end());
}

DType dtype_arg(const OpArgs& args, size_t i, const char* op) {
  int64_t code = int_arg(args, i, op);
  KILN_CHECK(code >= 0 && code < kNumDTypes, Argument, op, ": unknown dtype code ", code);
  return static_cast<DType>(code);
}

}  // namespace kiln
