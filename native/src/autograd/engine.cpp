// The backward engine.
#include "autograd/engine.h"

#include <algorithm>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "autograd/node.h"
#include "kiln/ops.h"

namespace kiln {
namespace {

ForwardTraceProvider g_trace_provider = nullptr;

struct NewestFirst {
  bool operator()(const std::shared_ptr<Node>& a, const std::shared_ptr<Node>& b) const {
    return a->sequence_nr < b->sequence_nr;
  }
};

bool has_nan(const Tensor& t) {
  if (!is_floating(t.dtype()) || t.numel() == 0) return false;
  NoGradGuard no_grad;
  return item(sum(ne(t, t))) > 0;
}

// A gradient must have the shape and dtype of what it is the gradient of.
Tensor conform(Tensor g, const TensorMeta& meta, const Node& node, size_t index) {
  if (g.shape() != meta.shape) {
    try {
      g = sum_to(g, meta.shape);
    } catch (const Error&) {
      fail(ErrorKind::Autograd, "backward: ", node.name(), " returned an invalid gradient at index ", index, ": got ",
           shape_str(g.shape()), " but expected shape compatible with ", shape_str(meta.shape));
    }
  }
  if (g.dtype() != meta.dtype) g = to(g, meta.dtype);
  return g;
}

void accumulate(TensorList& buffer, size_t pos, Tensor g) {
  if (pos >= buffer.size()) buffer.resize(pos + 1);
  buffer[pos] = buffer[pos].defined() ? add(buffer[pos], g) : std::move(g);
}

// Every node reachable from the roots, with how many edges lead into it.
std::unordered_map<Node*, int> count_dependencies(const std::vector<Edge>& roots) {
  std::unordered_map<Node*, int> deps;
  std::unordered_set<Node*> seen;
  std::vector<Node*> stack;
  for (const Edge& e : roots)
    if (e.fn && seen.insert(e.fn.get()).second) stack.push_back(e.fn.get());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next_edges) {
      if (!e.fn) continue;
      ++deps[e.fn.get()];
      if (seen.insert(e.fn.get()).second) stack.push_back(e.fn.get());
    }
  }
  return deps;
}

// Nodes from which some target can be reached (targets included): only these need to run when
// Autograd.grad asks for the gradients of a few tensors.
std::unordered_set<Node*> nodes_leading_to(const std::vector<Edge>& roots, const std::unordered_set<Node*>& targets) {
  std::unordered_set<Node*> needed, done;
  // Iterative post-order DFS: a node is needed if it is a target or any successor is needed.
  std::vector<std::pair<Node*, size_t>> stack;
  for (const Edge& e : roots) {
    if (!e.fn || done.count(e.fn.get())) continue;
    stack.push_back({e.fn.get(), 0});
    done.insert(e.fn.get());
    while (!stack.empty()) {
      auto& [n, next] = stack.back();
      if (next < n->next_edges.size()) {
        Node* child = n->next_edges[next++].fn.get();
        if (child && done.insert(child).second) stack.push_back({child, 0});
        continue;
      }
      bool need = targets.count(n) > 0;
      for (const Edge& e : n->next_edges) need = need || (e.fn && needed.count(e.fn.get()));
      if (need) needed.insert(n);
      stack.pop_back();
    }
  }
  return needed;
}

}  // namespace

void set_forward_trace_provider(ForwardTraceProvider provider) { g_trace_provider = provider; }
std::string current_forward_trace() { return g_trace_provider ? g_trace_provider() : std::string(); }

Tensor sum_to(const Tensor& g, const Shape& shape) {
  const int64_t lead = g.dim() - static_cast<int64_t>(shape.size());
  KILN_CHECK(lead >= 0, Shape, "sum_to: cannot reduce ", shape_str(g.shape()), " to ", shape_str(shape));
  Dims dims;
  for (int64_t d = 0; d < lead; ++d) dims.push_back(d);
  for (size_t i = 0; i < shape.size(); ++i) {
    const int64_t have = g.shape()[lead + static_cast<int64_t>(i)];
    if (have == shape[i]) continue;
    KILN_CHECK(shape[i] == 1, Shape, "sum_to: cannot reduce ", shape_str(g.shape()), " to ", shape_str(shape));
    dims.push_back(lead + static_cast<int64_t>(i));
  }
  if (dims.empty()) return g;
  return reshape(sum(g, dims, true), shape);
}

TensorList run_backward(const BackwardRequest& req) {
  const size_t n_out = req.outputs.size();
  KILN_CHECK(req.grad_outputs.empty() || req.grad_outputs.size() == n_out, Argument, "backward: got ",
             req.grad_outputs.size(), " gradients for ", n_out, " outputs");
  GradModeGuard mode(req.create_graph);

  // Seed the roots.
  std::vector<Edge> roots;
  TensorList seeds;
  for (size_t i = 0; i < n_out; ++i) {
    const Tensor& out = req.outputs[i];
    KILN_CHECK(out.defined(), Argument, "backward: output ", i, " is undefined");
    KILN_CHECK(requires_grad(out), Autograd, "backward: element ", i,
               " of tensors does not require grad and does not have a grad_fn");
    Tensor seed = req.grad_outputs.empty() ? Tensor() : req.grad_outputs[i];
    if (seed.defined()) {
      KILN_CHECK(seed.shape() == out.shape(), Shape, "backward: mismatch in shape: grad_output[", i, "] has a shape of ",
                 shape_str(seed.shape()), " and output[", i, "] has a shape of ", shape_str(out.shape()));
      if (seed.dtype() != out.dtype()) seed = to(seed, out.dtype());
    } else {
      KILN_CHECK(out.numel() == 1, Autograd, "backward: grad can be implicitly created only for scalar outputs (output ",
                 i, " has shape ", shape_str(out.shape()), ")");
      seed = ones(out.shape(), out.dtype(), out.device());
    }
    roots.push_back(gradient_edge(out));
    seeds.push_back(seed);
  }

  // With inputs, capture the gradients flowing into their edges instead of accumulating into .grad.
  const bool capture = !req.inputs.empty();
  std::unordered_map<Node*, std::vector<std::pair<size_t, uint32_t>>> captures;  // node -> (input index, output_nr)
  std::unordered_set<Node*> targets;
  std::vector<std::shared_ptr<Node>> keep_alive;
  for (size_t i = 0; i < req.inputs.size(); ++i) {
    const Tensor& in = req.inputs[i];
    KILN_CHECK(in.defined() && requires_grad(in), Autograd, "grad: one of the differentiated tensors (input ", i,
               ") does not require grad");
    Edge e = gradient_edge(in);
    keep_alive.push_back(e.fn);
    captures[e.fn.get()].push_back({i, e.input_nr});
    targets.insert(e.fn.get());
  }
  const std::unordered_set<Node*> needed = capture ? nodes_leading_to(roots, targets) : std::unordered_set<Node*>();
  auto should_run = [&](Node* n) {
    if (!capture) return true;
    if (dynamic_cast<AccumulateGrad*>(n)) return false;  // never touch .grad when capturing
    for (const Edge& e : n->next_edges)
      if (e.fn && needed.count(e.fn.get())) return true;
    return false;
  };

  std::unordered_map<Node*, int> deps = count_dependencies(roots);
  std::unordered_map<Node*, TensorList> buffers;
  std::priority_queue<std::shared_ptr<Node>, std::vector<std::shared_ptr<Node>>, NewestFirst> ready;
  for (size_t i = 0; i < roots.size(); ++i) accumulate(buffers[roots[i].fn.get()], roots[i].input_nr, seeds[i]);
  {
    std::unordered_set<Node*> queued;
    for (const Edge& e : roots)
      if (deps[e.fn.get()] == 0 && queued.insert(e.fn.get()).second) ready.push(e.fn);
  }

  TensorList results(req.inputs.size());
  while (!ready.empty()) {
    std::shared_ptr<Node> node = ready.top();
    ready.pop();
    TensorList grads = std::move(buffers[node.get()]);
    buffers.erase(node.get());
    grads.resize(node->outputs_meta.size());

    // Tensor hooks on this node's outputs: the user's first, then retain_grad's.
    for (int pass = 0; pass < 2; ++pass)
      for (const auto& hook : node->output_hooks) {
        if (hook.retains_grad != (pass == 1) || hook.output_nr >= grads.size() || !grads[hook.output_nr].defined())
          continue;
        Tensor replaced = hook.fn(grads[hook.output_nr]);
        if (replaced.defined()) grads[hook.output_nr] = conform(replaced, node->outputs_meta[hook.output_nr], *node, hook.output_nr);
      }
    auto cap = captures.find(node.get());
    if (cap != captures.end())
      for (auto [index, nr] : cap->second) results[index] = nr < grads.size() ? grads[nr] : Tensor();
    if (!should_run(node.get())) continue;

    const bool any = std::any_of(grads.begin(), grads.end(), [](const Tensor& g) { return g.defined(); });
    TensorList out;
    if (any) {
      for (size_t i = 0; i < grads.size(); ++i)
        if (!grads[i].defined() && node->outputs_meta[i].differentiable)
          grads[i] = zeros(node->outputs_meta[i].shape, node->outputs_meta[i].dtype, node->outputs_meta[i].device);
      std::vector<bool> wanted(node->next_edges.size());
      for (size_t i = 0; i < wanted.size(); ++i) {
        Node* next = node->next_edges[i].fn.get();
        wanted[i] = next != nullptr && (!capture || needed.count(next) > 0);
      }
      out = node->apply(std::move(grads), wanted);
      if (!req.retain_graph) node->release_saved();
      if (anomaly_mode_enabled()) {
        for (size_t i = 0; i < out.size(); ++i)
          KILN_CHECK(!(out[i].defined() && has_nan(out[i])), Autograd, "backward: function '", node->name(),
                     "' returned nan values in its ", i, "th output.",
                     node->forward_trace.empty() ? std::string() : "\nThe forward call that created it:\n" + node->forward_trace);
      }
    }
    for (size_t i = 0; i < node->next_edges.size(); ++i) {
      const Edge& e = node->next_edges[i];
      if (!e.fn) continue;
      if (i < out.size() && out[i].defined())
        accumulate(buffers[e.fn.get()], e.input_nr, conform(out[i], node->inputs_meta[i], *node, i));
      if (--deps[e.fn.get()] == 0) ready.push(e.fn);
    }
  }

  for (size_t i = 0; i < results.size(); ++i)
    KILN_CHECK(results[i].defined() || req.allow_unused, Autograd, "grad: one of the differentiated tensors (input ", i,
               ") appears to not have been used in the graph. Set allowUnused=true if this is the desired behavior.");
  return results;
}

}  // namespace kiln
