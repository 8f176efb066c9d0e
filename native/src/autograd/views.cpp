// Views under autograd. A view made in grad mode keeps its base and the view ops that made it. An in-place
// op on the view runs out of place (node fn), writes the result into the view, and gives the base a new
// grad_fn, CopySlices, whose backward hands the base's gradient through fn for the viewed region only; the
// view's own grad_fn is then rebuilt by replaying its view ops on the base.
#include "autograd/views.h"

#include "autograd/engine.h"
#include "autograd/node.h"
#include "autograd/recording.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

// The base's gradient, with the region the in-place op wrote replaced by what fn gives for its input.
class CopySlices final : public Node {
 public:
  CopySlices(std::shared_ptr<const ViewStep> steps, std::shared_ptr<Node> fn)
      : steps_(std::move(steps)), fn_(std::move(fn)) {}
  std::string name() const override { return "CopySlices"; }

  TensorList apply(TensorList grads, const std::vector<bool>& wanted) override {
    Tensor result = clone(grads[0]);
    Tensor region = autograd::replay_view(steps_.get(), result);
    // fn's input 0 (the view's old value) becomes part of the base's gradient (our edge 0); its other edges are ours.
    std::vector<bool> fn_wanted(fn_->next_edges.size());
    for (size_t i = 0; i < fn_wanted.size(); ++i)
      fn_wanted[i] = i < wanted.size() && wanted[i] && (i > 0 || fn_->next_edges[0].fn != nullptr);
    TensorList res = fn_->apply({clone(region)}, fn_wanted);
    Tensor g = res.empty() ? Tensor() : res[0];
    if (g.defined()) {
      if (g.shape() != region.shape()) g = sum_to(g, region.shape());
      copy_(region, g);
    } else {
      zero_(region);
    }
    TensorList out{result};
    for (size_t i = 1; i < res.size(); ++i) out.push_back(res[i]);
    out.resize(next_edges.size());
    return out;
  }

  void release_saved() override { fn_->release_saved(); }

 private:
  std::shared_ptr<const ViewStep> steps_;
  std::shared_ptr<Node> fn_;  // the in-place op's node; its input 0 was the view's old value
};

const std::shared_ptr<Node>& base_grad_fn(const ViewInfo& v) {
  static const std::shared_ptr<Node> none;
  const auto& meta = v.base.impl()->autograd;
  return meta ? meta->grad_fn : none;
}

void note_built(ViewInfo& v) {
  const std::shared_ptr<Node>& fn = base_grad_fn(v);
  v.built_on = fn;
  v.built_on_leaf = fn == nullptr;
}

}  // namespace

namespace autograd {

void track_views(const OpDef& op, const Tensor& input, const TensorList& outputs, const OpArgs& args) {
  if (input.impl()->inference) return;
  const AutogradMeta* in_meta = input.impl()->autograd.get();
  const ViewInfo* in_view = in_meta ? in_meta->view.get() : nullptr;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    if (out.storage() != input.storage() || out.same(input)) continue;
    auto v = std::make_unique<ViewInfo>();
    v->base = in_view ? in_view->base : input;
    v->last = std::make_shared<const ViewStep>(ViewStep{&op, args, static_cast<uint32_t>(i), in_view ? in_view->last : nullptr});
    v->multi_output = outputs.size() > 1 || (in_view && in_view->multi_output);
    note_built(*v);
    autograd_meta(out).view = std::move(v);
  }
}

Tensor replay_view(const ViewStep* last, const Tensor& base_like) {
  std::vector<const ViewStep*> steps;
  for (const ViewStep* s = last; s; s = s->prev.get()) steps.push_back(s);
  Tensor t = base_like;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) t = call(*(*it)->op, {t}, (*it)->args)[(*it)->output_nr];
  return t;
}

void refresh_view(const TensorImpl* t) {
  if (!t->autograd || !t->autograd->view) return;
  AutogradMeta& meta = *t->autograd;
  ViewInfo& v = *meta.view;
  std::lock_guard<std::mutex> lock(v.refreshing);
  const std::shared_ptr<Node>& now = base_grad_fn(v);
  const bool stale = now ? v.built_on_leaf || v.built_on.lock() != now : !v.built_on_leaf;
  if (!stale) return;
  note_built(v);
  if (!requires_grad_impl(v.base.impl())) {
    meta.grad_fn.reset();
    meta.output_nr = 0;
    return;
  }
  // The same views made again from the base's current history give the view its grad_fn.
  GradModeGuard on(true);
  const Tensor again = replay_view(v.last.get(), v.base);
  const AutogradMeta& fresh = autograd_meta(again);
  meta.grad_fn = fresh.grad_fn;
  meta.output_nr = fresh.output_nr;
}

void check_inplace_on_view(const OpDef& op, const Tensor& self) {
  const ViewInfo* v = self.impl()->autograd ? self.impl()->autograd->view.get() : nullptr;
  if (!v) return;
  const AutogradMeta* base = v->base.impl()->autograd.get();
  KILN_CHECK(!(base && base->requires_grad && !base->grad_fn), Autograd, inplace_name(op),
             ": a view of a leaf tensor that requires grad is being used in an in-place operation (use "
             "Autograd.noGrad() to change its values, as optimizers do)");
}

Tensor record_inplace_view(const OpDef& op, const TensorList& inputs, const OpArgs& args) {
  const Tensor& self = inputs[0];
  refresh_view(self.impl());
  AutogradMeta& meta = *self.impl()->autograd;
  const ViewInfo& v = *meta.view;
  KILN_CHECK(!v.multi_output, Autograd, inplace_name(op), ": the tensor is a view made by a function that returns "
             "several views (split, chunk, unbind); such views cannot be modified in place while autograd records. "
             "Replace the in-place operation by an out-of-place one, or clone() the view first.");
  const Tensor base = v.base;
  // The out-of-place result carries fn; fn must not see the view's memory change under it.
  TensorList ins = inputs;
  if (op.saves & kSaveInputs) ins[0] = clone(self);
  const Tensor result = call(op, ins, args)[0];
  KILN_CHECK(result.shape() == self.shape(), Shape, inplace_name(op), ": output with shape ", shape_str(self.shape()),
             " doesn't match the broadcast shape ", shape_str(result.shape()));
  KILN_CHECK(can_cast(result.dtype(), self.dtype()), DType, inplace_name(op), ": result type ",
             dtype_name(result.dtype()), " can't be cast to the desired output type ", dtype_name(self.dtype()));
  {
    NoGradGuard no_grad;
    backend_for(self.device()).copy(self, result);
  }
  self.storage()->bump_version();
  const std::shared_ptr<Node> fn = result.impl()->autograd ? result.impl()->autograd->grad_fn : nullptr;
  if (!fn) return self;
  fn->outputs_meta[0] = TensorMeta::of(self);
  auto node = std::make_shared<CopySlices>(v.last, fn);
  node->next_edges.push_back(requires_grad_impl(base.impl()) ? gradient_edge(base) : Edge{});
  node->inputs_meta.push_back(TensorMeta::of(base));
  for (size_t i = 1; i < fn->next_edges.size(); ++i) {
    node->next_edges.push_back(fn->next_edges[i]);
    node->inputs_meta.push_back(fn->inputs_meta[i]);
  }
  node->outputs_meta.push_back(TensorMeta::of(base));
  if (anomaly_mode_enabled()) node->forward_trace = current_forward_trace();
  AutogradMeta& base_meta = autograd_meta(base);
  base_meta.grad_fn = node;
  base_meta.output_nr = 0;
  refresh_view(self.impl());
  return self;
}

}  // namespace autograd
}  // namespace kiln
