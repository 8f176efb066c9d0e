// A tensor kept by a node for its derivative. It remembers the storage version at saving time, so that
// backward refuses a tensor modified in place since. A saved output is kept without its grad_fn (which
// is the saving node: that would be a cycle) and gets it back when unpacked, so that derivatives of
// derivatives see it in the graph.
#pragma once
#include <memory>
#include <vector>

#include "kiln/tensor.h"

namespace kiln {

class Node;

class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, bool is_output, uint32_t output_nr);

  bool defined() const { return data_.defined(); }
  // The tensor, checked against in-place modification; `op` names the saving op in errors.
  Tensor unpack(const std::shared_ptr<Node>& owner, const char* op) const;
  void reset() { data_ = Tensor(); }
  // Moves out the grad_fn of a saved tensor only this holds, so that freeing it cannot recurse.
  void steal_history(std::vector<std::shared_ptr<Node>>& out);

 private:
  Tensor data_;
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool requires_grad_ = false;
};

}  // namespace kiln
