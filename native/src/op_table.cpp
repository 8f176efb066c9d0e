// Builds the op table and runs calls through it.
#include "op_table.h"

#include <mutex>
#include <unordered_map>

#include "autograd/grad_mode.h"
#include "autograd/recording.h"
#include "autograd/views.h"
#include "autograd/autograd_meta.h"
#include "backend.h"
#include "cuda_device.h"

namespace kiln {
namespace {

struct Table {
  std::vector<const OpDef*> rows;
  std::unordered_map<std::string, int32_t> ids;
};

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
    outputs = op.forward(inputs, args);
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
    op.into(self, inputs, args);
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
