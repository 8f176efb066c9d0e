// Reverse-mode automatic differentiation: the C++ API of the graph that ops record (see src/autograd/).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "kiln/tensor.h"

namespace kiln {

// A tensor hook: receives the gradient, returns a replacement or an undefined Tensor to keep it.
using GradHook = std::function<Tensor(const Tensor&)>;

// Leaves: tensors made by the user. Only a leaf's requires_grad flag can be set.
Tensor& set_requires_grad(Tensor& t, bool requires_grad);
bool requires_grad(const Tensor& t);
bool is_leaf(const Tensor& t);
// The accumulated gradient (undefined until a backward reaches the tensor); set_grad(t, {}) clears it.
Tensor grad(const Tensor& t);
void set_grad(const Tensor& t, const Tensor& g);
// The name of the node that made t ("MulBackward0"), or "" for leaves.
std::string grad_fn_name(const Tensor& t);
// The version counter of t's storage: in-place writes bump it.
uint32_t version(const Tensor& t);

// Computes the gradients of outputs (seeded with grad_outputs, or 1 for scalars) and accumulates them
// into the .grad of the leaves that require grad.
void backward(const TensorList& outputs, const TensorList& grad_outputs = {}, bool retain_graph = false,
              bool create_graph = false);
// Returns d(outputs)/d(inputs) without touching .grad (torch.autograd.grad).
TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs = {},
                bool retain_graph = false, bool create_graph = false, bool allow_unused = false);

Tensor detach(const Tensor& t);  // shares storage, no history
void detach_(Tensor& t);         // drops t's history in place
void retain_grad(const Tensor& t);
bool retains_grad(const Tensor& t);
// Hooks run when t's gradient is computed; returns an id for remove_hook.
int64_t register_hook(const Tensor& t, GradHook hook);
void remove_hook(const Tensor& t, int64_t id);
bool is_inference(const Tensor& t);

// Thread-local modes, as in PyTorch.
bool grad_enabled();
void set_grad_enabled(bool enabled);
bool inference_mode_enabled();
void set_inference_mode(bool enabled);
bool anomaly_mode_enabled();
void set_anomaly_mode(bool enabled);

class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled) : previous_(grad_enabled()) { set_grad_enabled(enabled); }
  ~GradModeGuard() { set_grad_enabled(previous_); }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};

struct NoGradGuard : GradModeGuard {
  NoGradGuard() : GradModeGuard(false) {}
};

}  // namespace kiln
