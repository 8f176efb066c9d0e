// The graph: a Node per recorded op call, linked to the nodes that produced its inputs by edges.
// Backward walks nodes from the outputs; each turns the gradients of its outputs into gradients of its
// inputs (PyTorch's torch/csrc/autograd/function.h, reduced to what Kiln needs).
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "autograd/autograd_meta.h"
#include "autograd/saved_tensor.h"
#include "kiln/device.h"
#include "kiln/dtype.h"
#include "op_table.h"

namespace kiln {

struct Edge {
  std::shared_ptr<Node> fn;  // null: the input needs no gradient
  uint32_t input_nr = 0;     // which output of fn the input was
};

// What a gradient must look like: the shape and dtype of the tensor it is the gradient of.
struct TensorMeta {
  Shape shape;
  DType dtype = DType::Float32;
  Device device;
  bool differentiable = true;  // false: an output its op declares non-differentiable (no gradient is made for it)
  static TensorMeta of(const Tensor& t) { return {t.shape(), t.dtype(), t.device()}; }
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node();
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // "MulBackward0", as PyTorch names nodes.
  virtual std::string name() const = 0;
  // grads[i] is the gradient of output i (the engine fills missing ones with zeros). Returns one
  // gradient per next edge, or an undefined Tensor where none flows. wanted[i] (one per next edge) says whether
  // this backward uses edge i's gradient: false for an edge without a node, and in grad() for edges that lead to
  // none of the tensors asked for (PyTorch's task_should_compute_output), so that a node may skip its work.
  virtual TensorList apply(TensorList grads, const std::vector<bool>& wanted) = 0;
  // Drops saved tensors once a backward that does not retain the graph has run the node.
  virtual void release_saved() {}

  std::vector<Edge> next_edges;          // one per forward input
  std::vector<TensorMeta> inputs_meta;   // the shape and dtype each input's gradient must have
  std::vector<TensorMeta> outputs_meta;  // of each forward output
  uint64_t sequence_nr;                  // creation order: among ready nodes, the newest runs first
  std::string forward_trace;             // anomaly mode: where the forward call was made

  // Hooks on the gradient of output `output_nr` (tensor hooks of non-leaf tensors, retain_grad).
  struct OutputHook {
    int64_t id;
    uint32_t output_nr;
    GradHook fn;
    bool retains_grad;  // retain_grad's hook: runs after the user's hooks
  };
  std::vector<OutputHook> output_hooks;
};

// The node for a call of an op-table row; its derivative is the row's backward.
class OpNode final : public Node {
 public:
  OpNode(const OpDef& op, OpArgs args) : op_(op), args_(std::move(args)) {}
  ~OpNode() override;
  std::string name() const override;
  TensorList apply(TensorList grads, const std::vector<bool>& wanted) override;
  void release_saved() override;
  void save(const TensorList& inputs, const TensorList& outputs);

 private:
  const OpDef& op_;
  OpArgs args_;
  std::vector<SavedTensor> saved_inputs_, saved_outputs_;
  bool released_ = false;
};

// The sink of a leaf: adds the incoming gradient into the leaf's .grad.
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf);
  std::string name() const override { return "AccumulateGrad"; }
  TensorList apply(TensorList grads, const std::vector<bool>& wanted) override;
  const std::shared_ptr<TensorImpl>& leaf() const { return leaf_; }

 private:
  std::shared_ptr<TensorImpl> leaf_;
  std::mutex mutex_;  // two threads' backward passes may reach the same leaf
};

// Releases nodes without recursion: a node's destructor hands the nodes it owned to the outermost
// destructor on this thread, which frees them in a loop (a long chain would otherwise overflow the stack).
void release_nodes(std::vector<std::shared_ptr<Node>>&& nodes);

// The edge a gradient of t flows into: its grad_fn's output, or its (possibly new) grad accumulator.
Edge gradient_edge(const Tensor& t);
// PyTorch's node name for an op: "mul" -> "MulBackward0", "max_dim" -> "MaxDimBackward0".
std::string backward_name(const char* op);

}  // namespace kiln
