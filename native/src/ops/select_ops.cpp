// Indexing along one dim: select (a view), index_select, index_add, take_along_dim and one_hot. index_select
// and index_add go through the advanced indexing kernels (element offsets from the index, then one strided
// loop), so they work on any layout.
#include <algorithm>
#include <cmath>

#include "autograd/backward_context.h"
#include "cpu/indexing.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

// ints: [dim, index]
TensorList select_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  KILN_CHECK(x.dim() > 0, Index, "select: cannot be applied to a 0-dim tensor");
  const int64_t dim = wrap_dim(int_arg(args, 0, "select"), x.dim(), "select");
  const int64_t size = x.shape()[dim];
  int64_t i = int_arg(args, 1, "select");
  KILN_CHECK(i >= -size && i < size, Index, "select: index ", i, " out of range for tensor of size ",
             shape_str(x.shape()), " at dimension ", dim);
  if (i < 0) i += size;
  Shape shape = x.shape(), strides = x.strides();
  shape.erase(shape.begin() + dim);
  strides.erase(strides.begin() + dim);
  return {x.as_strided(shape, strides, x.offset() + i * x.strides()[dim])};
}

TensorList select_backward(const BackwardContext& c) {
  const Shape& shape = c.input_shape(0);
  const int64_t nd = static_cast<int64_t>(shape.size());
  const int64_t dim = wrap_dim(c.args.ints[0], nd, "select");
  const int64_t i = c.args.ints[1] < 0 ? c.args.ints[1] + shape[dim] : c.args.ints[1];
  return {slice_scatter(zeros(shape, c.grad().dtype()), unsqueeze(c.grad(), dim), dim, i, i + 1, 1)};
}

// A 0-dim operand is handled as 1-D with one element, as PyTorch does.
Tensor at_least_1d(const Tensor& t) { return t.dim() == 0 ? t.as_strided({1}, {1}, t.offset()) : t; }

void check_index_vector(const Tensor& index, const char* op) {
  KILN_CHECK(index.dtype() == DType::Int64, DType, op, ": expected dtype int64 for index, got ",
             dtype_name(index.dtype()));
  KILN_CHECK(index.dim() <= 1, Index, op, ": index is supposed to be a vector, got shape ", shape_str(index.shape()));
}

// t seen with `shape` (t's, with `n` at dim) and a zero stride at dim; and the offsets of index along dim.
Tensor along_dim(const Tensor& t, int64_t dim, int64_t n) {
  Shape shape = t.shape(), strides = t.strides();
  shape[dim] = n;
  strides[dim] = 0;
  return t.as_strided(shape, strides, t.offset());
}
Tensor offsets_along(const Tensor& t, int64_t dim, const Tensor& index, const char* op) {
  const Tensor idx = at_least_1d(index);
  Tensor offsets = zeros(idx.shape(), DType::Int64);
  cpu::index_offsets_kernel(offsets, idx, t.shape()[dim], t.strides()[dim], dim, false, op);
  Shape shape = t.shape(), strides(t.shape().size(), 0);
  shape[dim] = idx.numel();
  strides[dim] = 1;
  return offsets.as_strided(shape, strides, 0);
}

// ints: [dim]
TensorList index_select_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor &x = in[0], &index = in[1];
  check_cpu("index_select", in);
  const int64_t dim = wrap_dim(int_arg(args, 0, "index_select"), x.dim(), "index_select");
  check_index_vector(index, "index_select");
  const Tensor x1 = at_least_1d(x);
  const int64_t n = index.numel();
  Shape shape = x1.shape();
  shape[dim] = n;
  Tensor out = new_tensor(shape, x.dtype(), "index_select", x.device());
  const Tensor offsets = offsets_along(x1, dim, index, "index_select");
  if (out.numel() > 0) cpu::index_gather_kernel(out, along_dim(x1, dim, n), offsets);
  if (x.dim() == 0) return {clone(x)};  // PyTorch keeps a 0-dim input's shape
  return {out};
}

TensorList index_select_backward(const BackwardContext& c) {
  if (c.input_shape(0).empty()) return {c.grad(), Tensor()};
  const int64_t dim = c.args.ints[0];
  Tensor g = zeros(c.input_shape(0), c.grad().dtype());  // added into in place: no copy of the zeros
  return {index_add_(g, dim, c.input(1), c.grad()), Tensor()};
}

// inputs: [self, index, src]; ints: [dim]; reals: [alpha]
void index_add_into(const Tensor& out, const TensorList& in, const OpArgs& args) {
  const Tensor &index = in[1], &src = in[2];
  check_cpu("index_add", {out, index, src});
  const int64_t dim = wrap_dim(int_arg(args, 0, "index_add"), out.dim(), "index_add");
  const double alpha = real_arg(args, 0, "index_add");
  check_index_vector(index, "index_add");
  KILN_CHECK(src.dtype() == out.dtype(), DType, "index_add: self (", dtype_name(out.dtype()), ") and source (",
             dtype_name(src.dtype()), ") must have the same scalar type");
  const Tensor o1 = at_least_1d(out), s1 = at_least_1d(src);
  KILN_CHECK(s1.dim() == o1.dim(), Shape, "index_add: source ", shape_str(src.shape()), " and self ",
             shape_str(out.shape()), " must have the same number of dimensions");
  for (int64_t d = 0; d < o1.dim(); ++d)
    KILN_CHECK(d == dim || s1.shape()[d] == o1.shape()[d], Shape, "index_add: source ", shape_str(src.shape()),
               " and self ", shape_str(out.shape()), " must have the same shape except at dimension ", dim);
  KILN_CHECK(index.numel() == s1.shape()[dim], Index, "index_add: number of indices (", index.numel(),
             ") should be equal to source.size(", dim, ") (", s1.shape()[dim], ")");
  KILN_CHECK(is_floating(out.dtype()) || alpha == std::trunc(alpha), Argument, "index_add: alpha ", alpha,
             " must be an integer for ", dtype_name(out.dtype()), " tensors");
  Tensor offsets = zeros({index.numel()}, DType::Int64);
  cpu::index_offsets_kernel(offsets, at_least_1d(index), o1.shape()[dim], o1.strides()[dim], dim, false, "index_add");
  if (s1.numel() == 0) return;
  Tensor values = src.may_overlap(out) ? clone(s1) : s1;
  if (alpha != 1) values = mul(values, is_floating(out.dtype()) ? Scalar(alpha) : Scalar(static_cast<int64_t>(alpha)));
  cpu::index_add_kernel(o1, dim, offsets.data<int64_t>(), values);
}

TensorList index_add_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = clone(in[0]);
  index_add_into(out, in, args);
  return {out};
}

TensorList index_add_backward(const BackwardContext& c) {
  const double alpha = c.args.reals[0];
  Tensor gsrc;
  if (c.needs(2)) {
    gsrc = c.input_shape(0).empty() ? c.grad() : index_select(c.grad(), c.args.ints[0], c.input(1));
    if (alpha != 1) gsrc = mul(gsrc, Scalar(alpha));
  }
  return {c.grad(), Tensor(), gsrc};
}

// inputs: [x, indices]; ints: [] (flattened) or [dim]
TensorList take_along_dim_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor &x = in[0], &indices = in[1];
  KILN_CHECK(indices.dtype() == DType::Int64, DType, "take_along_dim: dtype of indices should be int64 but got ",
             dtype_name(indices.dtype()));
  try {
    if (args.ints.empty()) return {gather(reshape(x, {-1}), 0, reshape(indices, {-1}))};
    KILN_CHECK(x.dim() == indices.dim(), Shape, "input and indices should have the same number of dimensions, but got ",
               x.dim(), " dimensions for input, and ", indices.dim(), " dimensions for indices");
    const int64_t dim = wrap_dim(args.ints[0], x.dim(), "take_along_dim");
    Shape shape = x.shape();
    if (x.dim() > 0) shape[dim] = indices.shape()[dim];
    shape = broadcast_shapes(shape, indices.shape(), "take_along_dim");
    const Tensor idx = expand(indices, shape);
    if (x.dim() > 0) shape[dim] = x.shape()[dim];
    return {gather(expand(x, shape), dim, idx)};
  } catch (const Error& e) {  // the message names the op the user called, then the one that failed
    if (std::string(e.what()).rfind("take_along_dim", 0) == 0) throw;
    throw Error(e.kind(), std::string("take_along_dim: ") + e.what());
  }
}

// ints: [num_classes]
TensorList one_hot_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_cpu("one_hot", in);
  KILN_CHECK(x.dtype() == DType::Int64, DType, "one_hot: is only applicable to index tensors of dtype int64, got ",
             dtype_name(x.dtype()));
  int64_t classes = int_arg(args, 0, "one_hot");
  KILN_CHECK(classes >= -1, Argument, "one_hot: num_classes should be -1 or non-negative, got ", classes);
  const Tensor flat = contiguous(reshape(x, {-1}));
  const int64_t* v = flat.data<int64_t>();
  const int64_t n = flat.numel();
  KILN_CHECK(n > 0 || classes >= 0, Argument, "one_hot: can not infer the total number of classes from an empty tensor");
  if (n > 0) {
    const auto [lo, hi] = std::minmax_element(v, v + n);
    KILN_CHECK(*lo >= 0, Index, "one_hot: class values must be non-negative, got ", *lo);
    if (classes == -1) classes = *hi + 1;
    KILN_CHECK(*hi < classes, Index, "one_hot: class values must be smaller than num_classes (", classes, "), got ", *hi);
  }
  Shape shape = x.shape();
  shape.push_back(classes);
  Tensor out = zeros(shape, DType::Int64);
  if (n > 0) {
    const Tensor index = unsqueeze(x, -1);
    backend_for(out.device()).scatter(out, out.dim() - 1, index, expand(ones({}, DType::Int64), index.shape()), false);
  }
  return {out};
}

const OpDef kSelect{"select", "select(Tensor x; ints: dim, index)", 1, OpKind::Primitive, select_fwd, nullptr,
                    select_backward, kSaveNothing, true};
const OpDef kIndexSelect{"index_select", "index_select(Tensor x, Tensor index; ints: dim)", 2, OpKind::Primitive,
                         index_select_fwd, nullptr, index_select_backward, kSaveInputs};
const OpDef kIndexAdd{"index_add", "index_add(Tensor x, Tensor index, Tensor src; ints: dim; reals: alpha)", 3,
                      OpKind::Primitive, index_add_fwd, index_add_into, index_add_backward, kSaveInputs};
const OpDef kTakeAlongDim{"take_along_dim", "take_along_dim(Tensor x, Tensor indices; ints: [dim])", 2,
                          OpKind::Composite, take_along_dim_fwd};
const OpDef kOneHot{"one_hot", "one_hot(Tensor x; ints: num_classes)", 1, OpKind::Primitive, one_hot_fwd};

}  // namespace

void add_select_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kSelect, &kIndexSelect, &kIndexAdd, &kTakeAlongDim, &kOneHot});
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) { return call1(kSelect, {x}, OpArgs{{dim, index}, {}}); }
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  return call1(kIndexSelect, {x, index}, OpArgs{{dim}, {}});
}
Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, double alpha) {
  return call1(kIndexAdd, {x, index, src}, OpArgs{{dim}, {alpha}});
}
Tensor& index_add_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, double alpha) {
  call_inplace(kIndexAdd, {x, index, src}, OpArgs{{dim}, {alpha}});
  return x;
}
Tensor take_along_dim(const Tensor& x, const Tensor& indices) { return call1(kTakeAlongDim, {x, indices}); }
Tensor take_along_dim(const Tensor& x, const Tensor& indices, int64_t dim) {
  return call1(kTakeAlongDim, {x, indices}, OpArgs{{dim}, {}});
}
Tensor one_hot(const Tensor& x, int64_t num_classes) { return call1(kOneHot, {x}, OpArgs{{num_classes}, {}}); }

}  // namespace kiln
