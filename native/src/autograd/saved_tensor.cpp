#include "autograd/saved_tensor.h"

#include "autograd/autograd_meta.h"
#include "autograd/node.h"

namespace kiln {

SavedTensor::SavedTensor(const Tensor& t, bool is_output, uint32_t output_nr)
    : version_(t.storage()->version()), output_nr_(output_nr), is_output_(is_output) {
  KILN_CHECK(!t.impl()->inference, Autograd, "inference tensors cannot be saved for backward. To work around "
             "it, clone() the tensor outside inference mode to get a normal tensor and use that in autograd.");
  if (is_output) {
    // The same memory and layout, without the history (see the header).
    data_ = t.as_strided(t.shape(), t.strides(), t.offset());
    requires_grad_ = is_floating(t.dtype());  // indices and masks carry no gradient
  } else {
    data_ = t;
  }
}

Tensor SavedTensor::unpack(const std::shared_ptr<Node>& owner, const char* op) const {
  KILN_CHECK(data_.defined(), Autograd, op, ": trying to backward through the graph a second time (or directly "
             "access saved tensors after they have already been freed). Saved intermediate values of the graph are "
             "freed when you call backward() or Autograd.grad(). Specify retainGraph=true if you need to backward "
             "through the graph a second time or if you need to access saved tensors after calling backward.");
  const uint32_t now = data_.storage()->version();
  KILN_CHECK(now == version_, Autograd, op, ": one of the variables needed for gradient computation has been "
             "modified by an inplace operation: [", dtype_name(data_.dtype()), " ", shape_str(data_.shape()), "]",
             is_output_ ? ", which is an output of " + backward_name(op) + "," : std::string(""), " is at version ",
             now, "; expected version ", version_, " instead. Hint: compute it out of place, or clone() it before "
             "the in-place operation.");
  if (!is_output_ || !requires_grad_) return data_;
  Tensor t = data_.as_strided(data_.shape(), data_.strides(), data_.offset());
  AutogradMeta& m = autograd_meta(t);
  m.grad_fn = owner;
  m.output_nr = output_nr_;
  return t;
}

}  // namespace kiln

namespace kiln {

void SavedTensor::steal_history(std::vector<std::shared_ptr<Node>>& out) {
  if (!data_.defined() || data_.impl_ptr().use_count() != 1 || !data_.impl()->autograd) return;
  if (data_.impl()->autograd->grad_fn) out.push_back(std::move(data_.impl()->autograd->grad_fn));
}

}  // namespace kiln
