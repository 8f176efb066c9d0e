// Nodes of the autograd graph.
#include "autograd/node.h"

#include <atomic>
#include <cctype>

#include "autograd/backward_context.h"
#include "autograd/saved_tensor.h"
#include "autograd/views.h"
#include "kiln/ops.h"

namespace kiln {
namespace {

std::atomic<uint64_t> g_next_sequence_nr{0};
thread_local std::vector<std::shared_ptr<Node>>* t_pending_release = nullptr;

}  // namespace

Node::Node() : sequence_nr(g_next_sequence_nr.fetch_add(1, std::memory_order_relaxed)) {}

Node::~Node() {
  std::vector<std::shared_ptr<Node>> owned;
  for (Edge& e : next_edges)
    if (e.fn) owned.push_back(std::move(e.fn));
  release_nodes(std::move(owned));
}

void release_nodes(std::vector<std::shared_ptr<Node>>&& nodes) {
  if (nodes.empty()) return;
  if (t_pending_release) {  // an outer destructor on this thread frees them
    for (auto& n : nodes) t_pending_release->push_back(std::move(n));
    return;
  }
  std::vector<std::shared_ptr<Node>> work = std::move(nodes);
  t_pending_release = &work;
  while (!work.empty()) {
    std::shared_ptr<Node> n = std::move(work.back());
    work.pop_back();
    n.reset();  // its destructor appends what it owned to `work`
  }
  t_pending_release = nullptr;
}

// As PyTorch's codegen names nodes: the op name in Python's str.title() (a letter after a non-letter is
// upper case: log1p -> Log1P, clamp_min -> ClampMin), underscores dropped.
std::string backward_name(const char* op) {
  std::string name;
  bool upper = true;
  for (const char* c = op; *c; ++c) {
    const bool letter = std::isalpha(static_cast<unsigned char>(*c)) != 0;
    if (*c != '_') name += upper && letter ? static_cast<char>(std::toupper(static_cast<unsigned char>(*c))) : *c;
    upper = !letter;
  }
  return name + "Backward0";
}

std::string OpNode::name() const { return backward_name(op_.name); }

OpNode::~OpNode() {
  std::vector<std::shared_ptr<Node>> owned;
  for (auto& s : saved_inputs_) s.steal_history(owned);
  for (auto& s : saved_outputs_) s.steal_history(owned);
  saved_inputs_.clear();
  saved_outputs_.clear();
  release_nodes(std::move(owned));
}

void OpNode::save(const TensorList& inputs, const TensorList& outputs) {
  if (op_.saves & kSaveInputs)
    for (const Tensor& t : inputs) saved_inputs_.emplace_back(t, false, 0);
  if (op_.saves & kSaveOutputs)
    for (size_t i = 0; i < outputs.size(); ++i) saved_outputs_.emplace_back(outputs[i], true, static_cast<uint32_t>(i));
}

void OpNode::release_saved() {
  for (auto& s : saved_inputs_) s.reset();
  for (auto& s : saved_outputs_) s.reset();
  released_ = true;
}

TensorList OpNode::apply(TensorList grads, const std::vector<bool>& wanted) {
  const std::shared_ptr<Node> self = shared_from_this();
  TensorList inputs(next_edges.size()), outputs(outputs_meta.size());
  for (size_t i = 0; i < saved_inputs_.size(); ++i) inputs[i] = saved_inputs_[i].unpack(self, op_.name);
  for (size_t i = 0; i < saved_outputs_.size(); ++i) outputs[i] = saved_outputs_[i].unpack(self, op_.name);
  const BackwardContext ctx{grads, inputs, outputs, inputs_meta, args_, wanted};
  TensorList result = op_.backward(ctx);
  result.resize(next_edges.size());
  return result;
}

AccumulateGrad::AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : leaf_(std::move(leaf)) {
  Tensor t(leaf_);
  inputs_meta.push_back(TensorMeta::of(t));
  outputs_meta.push_back(TensorMeta::of(t));
}

TensorList AccumulateGrad::apply(TensorList grads, const std::vector<bool>&) {
  std::lock_guard<std::mutex> lock(mutex_);
  Tensor g = std::move(grads[0]);
  grads.clear();
  AutogradMeta& meta = *leaf_->autograd;
  const Tensor leaf(leaf_);
  for (auto& [id, hook] : meta.hooks) {
    Tensor replaced = hook(g);
    if (replaced.defined()) g = replaced;
  }
  if (grad_enabled()) {  // create_graph: .grad keeps a graph of its own
    meta.grad = meta.grad.defined() ? add(meta.grad, g) : g;
    return {};
  }
  if (!meta.grad.defined()) {
    // Store the incoming gradient as is only when nothing else can see its memory and it is dense.
    const bool owned = g.impl_ptr().use_count() == 1 && g.storage().use_count() == 1 && g.is_contiguous() &&
                       !(g.impl()->autograd && g.impl()->autograd->grad_fn);
    meta.grad = owned ? g : clone(detach(g));
    return {};
  }
  Tensor acc = meta.grad;
  copy_(acc, add(acc, g));  // in place, as PyTorch does: earlier handles to .grad see the sum
  return {};
}

Edge gradient_edge(const Tensor& t) {
  autograd::refresh_view(t.impl());
  AutogradMeta& meta = autograd_meta(t);
  if (meta.grad_fn) return {meta.grad_fn, meta.output_nr};
  std::shared_ptr<Node> acc = meta.grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(t.impl_ptr());
    meta.grad_accumulator = acc;
  }
  return {acc, 0};
}

}  // namespace kiln
