// The autograd part of the facade (kiln/kiln.h): flags, backward, modes, and the callbacks that let
// hooks and custom Functions written in Java take part in a backward pass run by the core.
#include <cstring>

#include "autograd/engine.h"
#include "autograd/node.h"
#include "facade_support.h"
#include "kiln/kiln.h"
#include "kiln/ops.h"

using namespace kiln;

namespace {

kiln_hook_callback g_hook = nullptr;
kiln_function_callback g_function = nullptr;
kiln_release_callback g_release = nullptr;
kiln_trace_callback g_trace = nullptr;

// Tells Java when the last C++ reference to a Java object (hook or Function) goes.
struct JavaRef {
  explicit JavaRef(int64_t id) : id(id) {}
  ~JavaRef() {
    if (g_release) g_release(id);
  }
  JavaRef(const JavaRef&) = delete;
  JavaRef& operator=(const JavaRef&) = delete;
  int64_t id;
};

[[noreturn]] void java_failed(const char* what) {
  fail(ErrorKind::Autograd, what, " raised an exception (rethrown by the Java side)");
}

// Takes ownership of a handle Java returned.
Tensor adopt(int64_t h) {
  Tensor* p = reinterpret_cast<Tensor*>(h);
  Tensor t = std::move(*p);
  delete p;
  return t;
}

std::string java_trace() {
  if (!g_trace) return {};
  std::string buf(16384, '\0');
  const int32_t n = g_trace(reinterpret_cast<int8_t*>(buf.data()), static_cast<int32_t>(buf.size()));
  buf.resize(n > 0 ? std::min<size_t>(static_cast<size_t>(n), buf.size()) : 0);
  return buf;
}

// A custom Function written in Java: backward calls back into it.
class JavaFunctionNode final : public Node {
 public:
  JavaFunctionNode(int64_t id, std::string name) : ref_(id), name_(std::move(name)) {}
  ~JavaFunctionNode() override {
    std::vector<std::shared_ptr<Node>> owned;
    for (auto& s : saved_) s.steal_history(owned);
    saved_.clear();
    release_nodes(std::move(owned));
  }
  std::string name() const override { return name_; }
  void save(const TensorList& tensors, const TensorList& outputs) {
    for (const Tensor& t : tensors) {
      int64_t output = -1;
      for (size_t i = 0; i < outputs.size(); ++i)
        if (outputs[i].same(t)) output = static_cast<int64_t>(i);
      saved_.emplace_back(t, output >= 0, output >= 0 ? static_cast<uint32_t>(output) : 0);
    }
  }
  void release_saved() override {
    for (auto& s : saved_) s.reset();
  }
  // Every edge's gradient is asked of the Java backward (its ctx.needsInputGrad is fixed at the forward call,
  // as PyTorch's needs_input_grad).
  TensorList apply(TensorList grads, const std::vector<bool>&) override {
    KILN_CHECK(g_function != nullptr, Internal, name_, ": no Java callback for custom Functions");
    const std::shared_ptr<Node> self = shared_from_this();
    std::vector<int64_t> g, saved, results(next_edges.size(), 0);
    for (Tensor& t : grads) g.push_back(handle(std::move(t)));
    for (const SavedTensor& s : saved_) saved.push_back(handle(s.unpack(self, name_.c_str())));
    const int32_t n = g_function(ref_.id, g.data(), static_cast<int32_t>(g.size()), saved.data(),
                                 static_cast<int32_t>(saved.size()), results.data(), static_cast<int32_t>(results.size()));
    if (n < 0) java_failed(name_.c_str());
    TensorList out(next_edges.size());
    for (size_t i = 0; i < results.size(); ++i)
      if (results[i] != 0) out[i] = adopt(results[i]);
    return out;
  }

 private:
  JavaRef ref_;
  std::string name_;
  std::vector<SavedTensor> saved_;
};

TensorList tensors(const int64_t* handles, int32_t n, bool allow_null) {
  TensorList out;
  for (int32_t i = 0; i < n; ++i) out.push_back(handles[i] == 0 && allow_null ? Tensor() : tensor(handles[i]));
  return out;
}

}  // namespace

void kiln_set_requires_grad(int64_t h, int32_t flag) {
  guarded([&] {
    Tensor t = tensor(h);
    set_requires_grad(t, flag != 0);
  });
}
int32_t kiln_requires_grad(int64_t h) { return guarded([&] { return static_cast<int32_t>(requires_grad(tensor(h))); }); }
int32_t kiln_is_leaf(int64_t h) { return guarded([&] { return static_cast<int32_t>(is_leaf(tensor(h))); }); }
int64_t kiln_grad(int64_t h) {
  return guarded([&] {
    Tensor g = grad(tensor(h));
    return g.defined() ? handle(std::move(g)) : int64_t(0);
  });
}
void kiln_set_grad(int64_t h, int64_t g) { guarded([&] { set_grad(tensor(h), g ? tensor(g) : Tensor()); }); }
const char* kiln_grad_fn_name(int64_t h) {
  thread_local std::string name;
  return guarded([&] {
    name = grad_fn_name(tensor(h));
    return name.c_str();
  });
}
int32_t kiln_version(int64_t h) { return guarded([&] { return static_cast<int32_t>(version(tensor(h))); }); }
int64_t kiln_detach(int64_t h) { return guarded([&] { return handle(detach(tensor(h))); }); }
void kiln_set_data(int64_t h, int64_t src) {
  guarded([&] {
    const Tensor& t = tensor(h);
    const Tensor& s = tensor(src);
    KILN_CHECK(is_leaf(t), Autograd, "set_data: only a leaf tensor's data can be replaced");
    KILN_CHECK(!requires_grad(t) || is_floating(s.dtype()), DType, "set_data: a tensor that requires grad needs "
               "floating-point data, got ", dtype_name(s.dtype()));
    t.impl()->set_data(*s.impl());
  });
}

void kiln_detach_(int64_t h) {
  guarded([&] {
    Tensor t = tensor(h);
    detach_(t);
  });
}
void kiln_retain_grad(int64_t h) { guarded([&] { retain_grad(tensor(h)); }); }
int32_t kiln_retains_grad(int64_t h) { return guarded([&] { return static_cast<int32_t>(retains_grad(tensor(h))); }); }
int32_t kiln_is_inference(int64_t h) { return guarded([&] { return static_cast<int32_t>(is_inference(tensor(h))); }); }

void kiln_backward(const int64_t* outputs, const int64_t* grads, int32_t n, int32_t retain, int32_t create) {
  guarded([&] { backward(tensors(outputs, n, false), tensors(grads, n, true), retain != 0, create != 0); });
}

void kiln_autograd_grad(const int64_t* outputs, const int64_t* grads, int32_t n_out, const int64_t* inputs,
                        int32_t n_in, int32_t retain, int32_t create, int32_t allow_unused, int64_t* results) {
  guarded([&] {
    TensorList r = grad(tensors(outputs, n_out, false), tensors(inputs, n_in, false), tensors(grads, n_out, true),
                        retain != 0, create != 0, allow_unused != 0);
    for (size_t i = 0; i < r.size(); ++i) results[i] = r[i].defined() ? handle(std::move(r[i])) : 0;
  });
}

void kiln_set_grad_enabled(int32_t enabled) { set_grad_enabled(enabled != 0); }
int32_t kiln_is_grad_enabled() { return grad_enabled(); }
void kiln_set_inference_mode(int32_t enabled) { set_inference_mode(enabled != 0); }
int32_t kiln_is_inference_mode() { return inference_mode_enabled(); }
void kiln_set_anomaly_enabled(int32_t enabled) { set_anomaly_mode(enabled != 0); }
int32_t kiln_is_anomaly_enabled() { return anomaly_mode_enabled(); }

void kiln_set_callbacks(kiln_hook_callback hook, kiln_function_callback function, kiln_release_callback release,
                        kiln_trace_callback trace) {
  g_hook = hook;
  g_function = function;
  g_release = release;
  g_trace = trace;
  set_forward_trace_provider(trace ? &java_trace : nullptr);
}

int64_t kiln_register_hook(int64_t h, int64_t hook) {
  return guarded([&] {
    KILN_CHECK(g_hook != nullptr, Internal, "register_hook: no Java callback for hooks");
    auto ref = std::make_shared<JavaRef>(hook);
    return register_hook(tensor(h), [ref](const Tensor& g) {
      const int64_t r = g_hook(ref->id, handle(g));
      if (r < 0) java_failed("a tensor hook");
      return r == 0 ? Tensor() : adopt(r);
    });
  });
}

void kiln_remove_hook(int64_t h, int64_t id) { guarded([&] { remove_hook(tensor(h), id); }); }

void kiln_function_record(int64_t function, const char* name, const int64_t* inputs, int32_t n_inputs,
                          const int64_t* outputs, int32_t n_outputs, const int64_t* saved, int32_t n_saved) {
  guarded([&] {
    const TensorList ins = tensors(inputs, n_inputs, false), outs = tensors(outputs, n_outputs, false);
    auto node = std::make_shared<JavaFunctionNode>(function, name ? name : "FunctionBackward");
    for (const Tensor& in : ins) {
      node->next_edges.push_back(requires_grad(in) ? gradient_edge(in) : Edge{});
      node->inputs_meta.push_back(TensorMeta::of(in));
    }
    for (size_t i = 0; i < outs.size(); ++i) {
      for (const Tensor& in : ins)
        KILN_CHECK(!outs[i].same(in), Autograd, name, ": forward returned an input as an output; return a new tensor");
      KILN_CHECK(is_leaf(outs[i]), Autograd, name, ": forward's outputs must be new tensors without history");
      node->outputs_meta.push_back(TensorMeta::of(outs[i]));
      AutogradMeta& meta = autograd_meta(outs[i]);
      meta.grad_fn = node;
      meta.output_nr = static_cast<uint32_t>(i);
    }
    node->save(tensors(saved, n_saved, false), outs);
    if (anomaly_mode_enabled()) node->forward_trace = current_forward_trace();
  });
}
