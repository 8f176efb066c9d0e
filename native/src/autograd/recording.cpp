// Records op calls into the graph, and the tensor-level autograd API.
#include "autograd/recording.h"

#include <atomic>

#include "autograd/engine.h"
#include "autograd/node.h"
#include "autograd/views.h"
#include "block_cache.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

thread_local bool t_grad_enabled = true;
thread_local bool t_inference_mode = false;
std::atomic<bool> g_anomaly_mode{false};
std::atomic<int64_t> g_next_hook_id{1};

}  // namespace

bool grad_enabled() { return t_grad_enabled && !t_inference_mode; }
void set_grad_enabled(bool enabled) { t_grad_enabled = enabled; }
bool inference_mode_enabled() { return t_inference_mode; }
void set_inference_mode(bool enabled) { t_inference_mode = enabled; }
bool anomaly_mode_enabled() { return g_anomaly_mode.load(std::memory_order_relaxed); }
void set_anomaly_mode(bool enabled) { g_anomaly_mode.store(enabled); }

using MetaBlocks = BlockCache<block_bytes(sizeof(AutogradMeta))>;

void* AutogradMeta::operator new(size_t bytes) {
  KILN_CHECK(bytes == sizeof(AutogradMeta), Internal, "AutogradMeta: allocated as ", bytes, " bytes");
  return MetaBlocks::allocate();
}
void AutogradMeta::operator delete(void* p) noexcept { MetaBlocks::deallocate(p); }

AutogradMeta& autograd_meta(const Tensor& t) {
  auto& meta = t.impl()->autograd;
  if (!meta) meta = std::make_unique<AutogradMeta>();
  return *meta;
}

bool requires_grad_impl(const TensorImpl* t) {
  if (!t->autograd) return false;
  autograd::refresh_view(t);
  return t->autograd->requires_grad || t->autograd->grad_fn;
}

namespace autograd {

bool should_record(const TensorList& inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor& t : inputs)
    if (requires_grad_impl(t.impl())) return true;
  return false;
}

void record(const OpDef& op, const TensorList& inputs, const TensorList& outputs, const OpArgs& args) {
  auto node = std::allocate_shared<OpNode>(CachedAllocator<OpNode>(), op, args);
  node->next_edges.reserve(inputs.size());
  node->inputs_meta.reserve(inputs.size());
  node->outputs_meta.reserve(outputs.size());
  for (const Tensor& in : inputs) {
    node->next_edges.push_back(requires_grad_impl(in.impl()) ? gradient_edge(in) : Edge{});
    node->inputs_meta.push_back(TensorMeta::of(in));
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    node->outputs_meta.push_back(TensorMeta::of(out));
    if (op.differentiable_outputs >= 0 && i >= static_cast<size_t>(op.differentiable_outputs)) {
      node->outputs_meta.back().differentiable = false;
      continue;
    }
    if (!is_floating(out.dtype())) continue;  // indices and masks carry no gradient
    for (const Tensor& in : inputs)
      KILN_CHECK(!out.same(in), Internal, op.name, ": returned its input as an output while recording autograd");
    AutogradMeta& meta = autograd_meta(out);
    meta.grad_fn = node;
    meta.output_nr = static_cast<uint32_t>(i);
  }
  node->save(inputs, outputs);
  if (anomaly_mode_enabled()) node->forward_trace = current_forward_trace();
}

void check_inplace_allowed(const OpDef& op, const Tensor& self) {
  KILN_CHECK(!self.impl()->inference || inference_mode_enabled(), Autograd, inplace_name(op),
             ": an in-place update to an inference tensor outside inference mode is not allowed");
  if (!grad_enabled() || !self.impl()->autograd) return;
  const AutogradMeta& meta = *self.impl()->autograd;
  KILN_CHECK(!(meta.requires_grad && !meta.grad_fn), Autograd, inplace_name(op),
             ": a leaf tensor that requires grad is being used in an in-place operation (use Autograd.noGrad() to "
             "change its values, as optimizers do)");
  autograd::check_inplace_on_view(op, self);
}

Tensor record_inplace(const OpDef& op, const TensorList& inputs, const OpArgs& args) {
  const Tensor& self = inputs[0];
  if (self.impl()->autograd && self.impl()->autograd->view) return record_inplace_view(op, inputs, args);
  // The out-of-place result carries the history; the node must not see self's memory change under it.
  TensorList ins = inputs;
  if (op.saves & kSaveInputs) ins[0] = clone(self);
  const Tensor result = call(op, ins, args)[0];
  KILN_CHECK(result.shape() == self.shape(), Shape, inplace_name(op), ": output with shape ", shape_str(self.shape()),
             " doesn't match the broadcast shape ", shape_str(result.shape()));
  KILN_CHECK(can_cast(result.dtype(), self.dtype()), DType, inplace_name(op), ": result type ", dtype_name(result.dtype()),
             " can't be cast to the desired output type ", dtype_name(self.dtype()));
  {
    NoGradGuard no_grad;
    backend_for(self.device()).copy(self, result);
  }
  self.storage()->bump_version();
  AutogradMeta& meta = autograd_meta(self);
  const AutogradMeta& from = autograd_meta(result);
  meta.grad_fn = from.grad_fn;
  meta.output_nr = from.output_nr;
  if (meta.grad_fn) meta.grad_fn->outputs_meta[meta.output_nr] = TensorMeta::of(self);
  return self;
}

}  // namespace autograd

Tensor& set_requires_grad(Tensor& t, bool flag) {
  autograd::refresh_view(t.impl());
  AutogradMeta& meta = autograd_meta(t);
  if (meta.grad_fn) {
    KILN_CHECK(flag, Autograd, "requires_grad: you can only change requires_grad flags of leaf variables. To use a "
               "computed tensor in a subgraph that needs no gradient, use detach().");
    return t;
  }
  KILN_CHECK(!flag || is_floating(t.dtype()), DType, "requires_grad: only tensors of floating point dtype can require "
             "gradients, got ", dtype_name(t.dtype()));
  KILN_CHECK(!flag || !t.impl()->inference, Autograd, "requires_grad: an inference tensor cannot require grad");
  meta.requires_grad = flag;
  return t;
}

bool requires_grad(const Tensor& t) { return requires_grad_impl(t.impl()); }
bool is_leaf(const Tensor& t) {
  autograd::refresh_view(t.impl());
  return !t.impl()->autograd || !t.impl()->autograd->grad_fn;
}

Tensor grad(const Tensor& t) { return t.impl()->autograd ? t.impl()->autograd->grad : Tensor(); }

void set_grad(const Tensor& t, const Tensor& g) {
  if (g.defined()) {
    KILN_CHECK(g.shape() == t.shape(), Shape, "grad: assigned grad has shape ", shape_str(g.shape()),
               " but the tensor has shape ", shape_str(t.shape()));
    KILN_CHECK(g.dtype() == t.dtype(), DType, "grad: assigned grad has dtype ", dtype_name(g.dtype()),
               " but the tensor has dtype ", dtype_name(t.dtype()));
  }
  autograd_meta(t).grad = g;
}

std::string grad_fn_name(const Tensor& t) {
  autograd::refresh_view(t.impl());
  return t.impl()->autograd && t.impl()->autograd->grad_fn ? t.impl()->autograd->grad_fn->name() : std::string();
}

uint32_t version(const Tensor& t) { return t.storage()->version(); }

void backward(const TensorList& outputs, const TensorList& grad_outputs, bool retain_graph, bool create_graph) {
  run_backward({outputs, grad_outputs, retain_graph, create_graph, {}, false});
}

TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs, bool retain_graph,
                bool create_graph, bool allow_unused) {
  KILN_CHECK(!inputs.empty(), Argument, "grad: expected at least one input to differentiate with respect to");
  return run_backward({outputs, grad_outputs, retain_graph, create_graph, inputs, allow_unused});
}

Tensor detach(const Tensor& t) {
  Tensor d = t.as_strided(t.shape(), t.strides(), t.offset());
  d.impl()->inference = t.impl()->inference;
  return d;
}

void detach_(Tensor& t) {
  if (!t.impl()->autograd) return;
  autograd::refresh_view(t.impl());
  AutogradMeta& meta = *t.impl()->autograd;
  KILN_CHECK(!(meta.view && meta.grad_fn), NotImplemented, "detach_: cannot detach a view in place; use detach()");
  meta.grad_fn.reset();
  meta.output_nr = 0;
  meta.requires_grad = false;
}

void retain_grad(const Tensor& t) {
  KILN_CHECK(requires_grad(t), Autograd, "retain_grad: can't retain_grad on a tensor that has requires_grad=False");
  AutogradMeta& meta = autograd_meta(t);
  if (!meta.grad_fn || meta.retains_grad) return;  // leaves keep their grad anyway
  meta.retains_grad = true;
  std::weak_ptr<TensorImpl> weak = t.impl_ptr();
  meta.grad_fn->output_hooks.push_back({g_next_hook_id++, meta.output_nr, [weak](const Tensor& g) {
    if (auto impl = weak.lock()) {
      AutogradMeta& m = *impl->autograd;
      NoGradGuard no_grad;
      m.grad = m.grad.defined() ? add(m.grad, g) : clone(g);
    }
    return Tensor();
  }, true});
}

bool retains_grad(const Tensor& t) { return t.impl()->autograd && t.impl()->autograd->retains_grad; }

int64_t register_hook(const Tensor& t, GradHook hook) {
  KILN_CHECK(requires_grad(t), Autograd, "register_hook: cannot register a hook on a tensor that doesn't require gradient");
  AutogradMeta& meta = autograd_meta(t);
  const int64_t id = g_next_hook_id++;
  if (meta.grad_fn) meta.grad_fn->output_hooks.push_back({id, meta.output_nr, std::move(hook), false});
  else meta.hooks.emplace_back(id, std::move(hook));
  return id;
}

void remove_hook(const Tensor& t, int64_t id) {
  if (!t.impl()->autograd) return;
  AutogradMeta& meta = *t.impl()->autograd;
  auto& leaf = meta.hooks;
  leaf.erase(std::remove_if(leaf.begin(), leaf.end(), [id](const auto& h) { return h.first == id; }), leaf.end());
  if (meta.grad_fn) {
    auto& hooks = meta.grad_fn->output_hooks;
    hooks.erase(std::remove_if(hooks.begin(), hooks.end(), [id](const auto& h) { return h.id == id; }), hooks.end());
  }
}

bool is_inference(const Tensor& t) { return t.impl()->inference; }

}  // namespace kiln
