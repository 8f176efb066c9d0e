// Advanced indexing by tensors, as PyTorch's aten::index (x[idx]) and index_put (x[idx] = v): int64 index
// tensors and bool masks, broadcast together. Rows carry the tensors after x (and values) and, in ints, the
// position of each in the aten-style list (see ops/index_plan.h).
#include "autograd/backward_context.h"
#include "cpu/indexing.h"
#include "kiln/ops.h"
#include "ops/index_plan.h"
#include "ops/operands.h"

namespace kiln {
namespace {

TensorList tail(const TensorList& in, size_t from) { return TensorList(in.begin() + static_cast<std::ptrdiff_t>(from), in.end()); }

// inputs: [x, indices...]; ints: [positions...]
TensorList index_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_cpu("index", in);
  const IndexPlan plan = plan_index(x.shape(), index_list(tail(in, 1), args.ints, "index"), "index");
  Tensor out = Tensor::empty(plan.out_shape, x.dtype(), x.device());
  const Tensor offsets = index_offsets(plan, x, "index");
  if (out.numel() > 0) cpu::index_gather_kernel(out, indexed_view(plan, x), offsets_view(plan, offsets));
  return {out};
}

// The list of an index row's backward call (x's gradient is indexed the same way).
TensorList saved_list(const BackwardContext& c, size_t from, const std::vector<int64_t>& positions) {
  TensorList tensors;
  for (size_t i = from; i < c.inputs.size(); ++i) tensors.push_back(c.input(i));
  return index_list(tensors, positions, "index");
}

// Added into fresh zeros in place. x[..., i] with one 1-D int64 index among slices is index_select along that dim,
// whose gradient index_add computes on all threads; index_put's accumulation runs on one (any two positions may
// share a target). x[i], 32K rows of 100K x 64, forward + backward: 8.3-8.4 -> 4.8-5.2 ms (PyTorch 1.13: 7.5-10).
TensorList index_backward(const BackwardContext& c) {
  const TensorList list = saved_list(c, 1, c.args.ints);
  Tensor g = zeros(c.input_shape(0), c.grad().dtype());
  int64_t dim = -1, defined = 0;
  for (size_t k = 0; k < list.size(); ++k)
    if (list[k].defined()) ++defined, dim = static_cast<int64_t>(k);
  if (defined == 1 && list[dim].dtype() == DType::Int64 && list[dim].dim() == 1) {
    const Tensor& i = list[dim];
    const Tensor wrapped = where(lt(i, zeros({}, DType::Int64)), add(i, Scalar(g.shape()[dim])), i);
    return {index_add_(g, dim, wrapped, c.grad())};
  }
  return {index_put_(g, list, c.grad(), true)};
}

// inputs: [self, values, indices...]; ints: [accumulate, positions...]
void index_put_into(const Tensor& out, const TensorList& in, const OpArgs& args) {
  const Tensor& values = in[1];
  check_cpu("index_put", in);
  const bool accumulate = int_arg(args, 0, "index_put") != 0;
  const IndexPlan plan = plan_index(out.shape(), index_list(tail(in, 2), int_list(args, 1), "index_put"), "index_put");
  KILN_CHECK(values.dtype() == out.dtype(), DType, "index_put: the source and destination dtypes must match, got ",
             dtype_name(out.dtype()), " for the destination and ", dtype_name(values.dtype()), " for the source");
  KILN_CHECK(broadcasts_to(values.shape(), plan.out_shape), Shape, "index_put: shape mismatch: value tensor of shape ",
             shape_str(values.shape()), " cannot be broadcast to indexing result of shape ", shape_str(plan.out_shape));
  const Tensor offsets = index_offsets(plan, out, "index_put");
  if (checked_numel(plan.out_shape, "index_put") == 0) return;
  const Tensor v = values.may_overlap(out) ? clone(values) : values;
  cpu::index_put_kernel(indexed_view(plan, out), expand_to(v, plan.out_shape), offsets_view(plan, offsets), accumulate);
}

TensorList index_put_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = clone(in[0]);
  index_put_into(out, in, args);
  return {out};
}

// Overwritten elements of self get no gradient (accumulate keeps them all); values get what lands on them.
TensorList index_put_backward(const BackwardContext& c) {
  const bool accumulate = c.args.ints[0] != 0;
  const TensorList list = saved_list(c, 2, int_list(c.args, 1));
  TensorList grads(c.inputs_meta.size());
  if (c.needs(0)) grads[0] = accumulate ? c.grad() : index_put(c.grad(), list, zeros({}, c.grad().dtype()));
  if (c.needs(1)) grads[1] = index(c.grad(), list);
  return grads;
}

const OpDef kIndex{"index", "index(Tensor x, Tensor... indices; ints: positions...)", -1, OpKind::Primitive, index_fwd,
                   nullptr, index_backward, kSaveInputs};
const OpDef kIndexPut{"index_put", "index_put(Tensor self, Tensor values, Tensor... indices; ints: accumulate, "
                      "positions...)", -1, OpKind::Primitive, index_put_fwd, index_put_into, index_put_backward,
                      kSaveInputs};

OpArgs put_args(const std::vector<int64_t>& positions, bool accumulate) {
  OpArgs a{{accumulate ? 1 : 0}, {}};
  a.ints.insert(a.ints.end(), positions.begin(), positions.end());
  return a;
}

}  // namespace

void add_advanced_index_ops(std::vector<const OpDef*>& table) { table.insert(table.end(), {&kIndex, &kIndexPut}); }

Tensor index(const Tensor& x, const TensorList& indices) {
  TensorList in{x};
  std::vector<int64_t> positions;
  split_index_list(indices, &in, &positions);
  return call1(kIndex, in, OpArgs{positions, {}});
}

Tensor index_put(const Tensor& x, const TensorList& indices, const Tensor& values, bool accumulate) {
  TensorList in{x, values};
  std::vector<int64_t> positions;
  split_index_list(indices, &in, &positions);
  return call1(kIndexPut, in, put_args(positions, accumulate));
}

Tensor& index_put_(Tensor& x, const TensorList& indices, const Tensor& values, bool accumulate) {
  TensorList in{x, values};
  std::vector<int64_t> positions;
  split_index_list(indices, &in, &positions);
  call_inplace(kIndexPut, in, put_args(positions, accumulate));
  return x;
}

}  // namespace kiln
