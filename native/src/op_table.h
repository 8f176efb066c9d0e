// The op table: every op is declared once, as an OpDef row (name, forward, derivative, what it saves).
// Java calls ops by their row, C++ code through the typed functions of kiln/ops.h, and autograd records
// the row of each differentiable call.
#pragma once
#include <string>
#include <vector>

#include "kiln/tensor.h"

namespace kiln {

// The non-tensor arguments of one call: integers (dims, sizes, flags, dtype codes) and reals.
struct OpArgs {
  std::vector<int64_t> ints;
  std::vector<double> reals;
};

struct BackwardContext;  // autograd/backward_context.h
using ForwardFn = TensorList (*)(const TensorList& inputs, const OpArgs& args);
using IntoFn = void (*)(const Tensor& out, const TensorList& inputs, const OpArgs& args);
using BackwardFn = TensorList (*)(const BackwardContext& ctx);

enum class OpKind {
  Primitive,  // recorded as one node whose derivative is `backward` (nullptr: not differentiable)
  Composite,  // runs other ops, which record themselves; it needs no derivative of its own
  Creation,   // makes new tensors from arguments only
};

enum SaveFlags { kSaveNothing = 0, kSaveInputs = 1, kSaveOutputs = 2 };

struct OpDef {
  const char* name;       // the op's name in PyTorch (and in the Java API, camelCased)
  const char* signature;  // what inputs, ints and reals it takes, for readers and error messages
  int num_inputs;         // -1: any number
  OpKind kind;
  ForwardFn forward;
  IntoFn into = nullptr;  // writes the result into a given tensor: the in-place form (add_, mul_, ...)
  BackwardFn backward = nullptr;
  int saves = kSaveNothing;
  bool returns_view = false;  // outputs share the input's memory (autograd/views.h tracks them for in-place writes)
  // Outputs from this index on carry no gradient (a workspace that backward reads, as PyTorch's
  // output_differentiability): they get no grad_fn and their derivative gets no gradient for them. -1: none such.
  int differentiable_outputs = -1;
};

// Runs an op: checks the arity, runs the forward, records autograd history when it applies.
TensorList call(const OpDef& op, const TensorList& inputs, const OpArgs& args = {});
Tensor call1(const OpDef& op, const TensorList& inputs, const OpArgs& args = {});
// The in-place form: inputs[0] is overwritten with the result and returned.
Tensor call_inplace(const OpDef& op, const TensorList& inputs, const OpArgs& args = {});

const std::vector<const OpDef*>& op_table();
// The index of an op in the table, or -1.
int32_t op_id(const std::string& name);

// Each op family adds its rows (ops/*.cpp).
void add_creation_ops(std::vector<const OpDef*>& table);
void add_elementwise_ops(std::vector<const OpDef*>& table);
void add_reduction_ops(std::vector<const OpDef*>& table);
void add_view_ops(std::vector<const OpDef*>& table);
void add_copy_ops(std::vector<const OpDef*>& table);
void add_linalg_ops(std::vector<const OpDef*>& table);
void add_index_ops(std::vector<const OpDef*>& table);
void add_optim_ops(std::vector<const OpDef*>& table);
void add_activation_ops(std::vector<const OpDef*>& table);
void add_random_ops(std::vector<const OpDef*>& table);
// Joining, rearranging and advanced indexing (issue 4): shape and indexing families, one file each.
void add_join_ops(std::vector<const OpDef*>& table);
void add_rearrange_ops(std::vector<const OpDef*>& table);
void add_diagonal_ops(std::vector<const OpDef*>& table);
void add_pad_ops(std::vector<const OpDef*>& table);
void add_select_ops(std::vector<const OpDef*>& table);
void add_advanced_index_ops(std::vector<const OpDef*>& table);
void add_mask_ops(std::vector<const OpDef*>& table);
void add_getitem_ops(std::vector<const OpDef*>& table);
void add_conv_ops(std::vector<const OpDef*>& table);
void add_pool_ops(std::vector<const OpDef*>& table);
void add_unpool_ops(std::vector<const OpDef*>& table);  // max_unpool1d/2d/3d (ops/unpool_ops.cpp)
void add_lp_pool_ops(std::vector<const OpDef*>& table);  // lp_pool1d/2d/3d (ops/lp_pool_ops.cpp)
void add_fractional_pool_ops(std::vector<const OpDef*>& table);  // ops/fractional_pool_ops.cpp
void add_sampling_ops(std::vector<const OpDef*>& table);
void add_grid_sample_ops(std::vector<const OpDef*>& table);  // grid_sample, affine_grid
// Normalization, dropout, embeddings, distances and attention (issue 4, section 7): one file each.
void add_batch_norm_ops(std::vector<const OpDef*>& table);
void add_layer_norm_ops(std::vector<const OpDef*>& table);
void add_group_norm_ops(std::vector<const OpDef*>& table);
void add_local_response_norm_ops(std::vector<const OpDef*>& table);
void add_dropout_ops(std::vector<const OpDef*>& table);
void add_rrelu_ops(std::vector<const OpDef*>& table);  // ops/rrelu_ops.cpp
void add_embedding_ops(std::vector<const OpDef*>& table);
void add_distance_ops(std::vector<const OpDef*>& table);
void add_attention_ops(std::vector<const OpDef*>& table);
void add_recurrent_ops(std::vector<const OpDef*>& table);  // fused recurrent cells (ops/recurrent_ops.cpp)
// Losses (issue 4 section 7, issue 5 item 3): fused class and elementwise losses, composites (ops/*loss_ops.cpp).
void add_loss_ops(std::vector<const OpDef*>& table);

// The in-place name of an op for messages: "add_" for add, "fill_" for fill_.
std::string inplace_name(const OpDef& op);

// Argument helpers for forwards.
void check_arity(const OpDef& op, const TensorList& inputs);
int64_t int_arg(const OpArgs& args, size_t i, const char* op);
double real_arg(const OpArgs& args, size_t i, const char* op);
// ints[from..] as a list (shapes, dims).
std::vector<int64_t> int_list(const OpArgs& args, size_t from);
DType dtype_arg(const OpArgs& args, size_t i, const char* op);

}  // namespace kiln
