// Joining and splitting: cat, stack, split, split_with_sizes, chunk, unbind. The pieces split, chunk and
// unbind return are views of their input; cat's backward slices the gradient, split's concatenates.
#include <algorithm>

#include "autograd/backward_context.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

// cat skips 1-D empty tensors whatever the other shapes (PyTorch's legacy rule).
bool skipped_in_cat(const Shape& s) { return s.size() == 1 && s[0] == 0; }

// ints: [dim]
TensorList cat_fwd(const TensorList& in, const OpArgs& args) {
  KILN_CHECK(!in.empty(), Argument, "cat: expected a non-empty list of Tensors");
  check_same_device("cat", in);
  const Tensor* first = nullptr;
  for (size_t i = 0; i < in.size(); ++i) {
    KILN_CHECK(in[i].dim() > 0, Shape, "cat: zero-dimensional tensor (at position ", i, ") cannot be concatenated");
    if (!first && !skipped_in_cat(in[i].shape())) first = &in[i];
  }
  const DType t = result_type(in);
  if (!first) return {Tensor::empty({0}, t, in[0].device())};
  const int64_t dim = wrap_dim(int_arg(args, 0, "cat"), first->dim(), "cat");
  Shape shape = first->shape();
  shape[dim] = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const Tensor& x = in[i];
    if (skipped_in_cat(x.shape())) continue;
    KILN_CHECK(x.dim() == first->dim(), Shape, "cat: tensors must have same number of dimensions: got ", first->dim(),
               " and ", x.dim(), " (tensor number ", i, " has shape ", shape_str(x.shape()), ")");
    for (int64_t d = 0; d < x.dim(); ++d)
      KILN_CHECK(d == dim || x.shape()[d] == first->shape()[d], Shape, "cat: sizes of tensors must match except in "
                 "dimension ", dim, ". Expected size ", first->shape()[d], " but got size ", x.shape()[d],
                 " for tensor number ", i, " in the list");
    KILN_CHECK(!__builtin_add_overflow(shape[dim], x.shape()[dim], &shape[dim]), Argument, "cat: the result size "
               "overflows 64 bits");
  }
  Tensor out = new_tensor(shape, t, "cat", in[0].device());
  int64_t at = 0;
  for (const Tensor& x : in) {
    if (skipped_in_cat(x.shape())) continue;
    const int64_t n = x.shape()[dim];
    const Tensor region = out.as_strided(x.shape(), out.strides(), out.offset() + at * out.strides()[dim]);
    if (n > 0) backend_for(out.device()).copy(region, x);
    at += n;
  }
  return {out};
}

int64_t cat_dim(const BackwardContext& c) {
  for (const TensorMeta& m : c.inputs_meta)
    if (!skipped_in_cat(m.shape)) return wrap_dim(c.args.ints[0], static_cast<int64_t>(m.shape.size()), "cat");
  return 0;
}

TensorList cat_backward(const BackwardContext& c) {
  const int64_t dim = cat_dim(c);
  TensorList grads;
  int64_t at = 0;
  for (size_t i = 0; i < c.inputs_meta.size(); ++i) {
    const Shape& s = c.input_shape(i);
    if (skipped_in_cat(s)) {
      grads.push_back(c.needs(i) ? zeros(s, c.grad().dtype()) : Tensor());
      continue;
    }
    grads.push_back(c.needs(i) ? slice(c.grad(), dim, at, at + s[dim], 1) : Tensor());
    at += s[dim];
  }
  return grads;
}

// ints: [dim]
TensorList stack_fwd(const TensorList& in, const OpArgs& args) {
  KILN_CHECK(!in.empty(), Argument, "stack: expects a non-empty TensorList");
  const int64_t dim = wrap_dim(int_arg(args, 0, "stack"), in[0].dim() + 1, "stack");
  TensorList parts;
  for (size_t i = 0; i < in.size(); ++i) {
    KILN_CHECK(in[i].shape() == in[0].shape(), Shape, "stack: expects each tensor to be equal size, but got ",
               shape_str(in[0].shape()), " at entry 0 and ", shape_str(in[i].shape()), " at entry ", i);
    parts.push_back(unsqueeze(in[i], dim));
  }
  return {cat(parts, dim)};
}

TensorList stack_backward(const BackwardContext& c) {
  const int64_t dim = wrap_dim(c.args.ints[0], static_cast<int64_t>(c.input_shape(0).size()) + 1, "stack");
  TensorList grads = unbind(c.grad(), dim);
  for (size_t i = 0; i < grads.size(); ++i)
    if (!c.needs(i)) grads[i] = Tensor();
  return grads;
}

// Views of x along dim, of the given lengths.
TensorList pieces(const Tensor& x, int64_t dim, const std::vector<int64_t>& sizes) {
  TensorList out;
  int64_t at = 0;
  Shape shape = x.shape();
  for (int64_t n : sizes) {
    shape[dim] = n;
    out.push_back(x.as_strided(shape, x.strides(), x.offset() + (n > 0 ? at * x.strides()[dim] : 0)));
    at += n;
  }
  return out;
}

int64_t split_dim(const Tensor& x, int64_t dim, const char* op) {
  KILN_CHECK(x.dim() > 0, Shape, op, ": expects at least a 1-dimensional tensor");
  return wrap_dim(dim, x.dim(), op);
}

// ints: [dim, split_size]
TensorList split_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const int64_t dim = split_dim(x, int_arg(args, 0, "split"), "split");
  const int64_t size = int_arg(args, 1, "split"), total = x.shape()[dim];
  KILN_CHECK(size >= 0, Argument, "split: expects split_size be non-negative, but got split_size=", size);
  KILN_CHECK(size > 0 || total == 0, Argument, "split: split_size can only be 0 if dimension size is 0, but got "
             "dimension size of ", total);
  std::vector<int64_t> sizes;
  for (int64_t at = 0; at < total; at += size) sizes.push_back(std::min(size, total - at));
  if (sizes.empty()) sizes.push_back(0);
  return pieces(x, dim, sizes);
}

// ints: [dim, sizes...]
TensorList split_with_sizes_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const int64_t dim = split_dim(x, int_arg(args, 0, "split_with_sizes"), "split_with_sizes");
  const std::vector<int64_t> sizes = int_list(args, 1);
  int64_t sum = 0;
  for (int64_t n : sizes) {
    KILN_CHECK(n >= 0, Argument, "split_with_sizes: split_sizes must be non-negative, got ", shape_str(sizes));
    KILN_CHECK(!__builtin_add_overflow(sum, n, &sum), Argument, "split_with_sizes: split_sizes overflow");
  }
  KILN_CHECK(sum == x.shape()[dim], Shape, "split_with_sizes: expects split_sizes to sum exactly to ", x.shape()[dim],
             " (input tensor's size at dimension ", dim, "), but got split_sizes=", shape_str(sizes));
  return pieces(x, dim, sizes);
}

// The gradient of the pieces, put back together (a piece nobody used has a zero gradient from the engine).
TensorList split_backward(const BackwardContext& c) {
  const int64_t dim = wrap_dim(c.args.ints[0], static_cast<int64_t>(c.input_shape(0).size()), "split");
  return {cat(c.grads, dim)};
}

// ints: [chunks, dim]
TensorList chunk_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const int64_t chunks = int_arg(args, 0, "chunk");
  KILN_CHECK(chunks > 0, Argument, "chunk: expects `chunks` to be greater than 0, got: ", chunks);
  const int64_t dim = split_dim(x, int_arg(args, 1, "chunk"), "chunk");
  const int64_t total = x.shape()[dim];
  const int64_t size = total / chunks + (total % chunks != 0);
  if (size == 0) return split_with_sizes(x, std::vector<int64_t>(static_cast<size_t>(chunks), 0), dim);
  return split(x, size, dim);
}

// ints: [dim]
TensorList unbind_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  KILN_CHECK(x.dim() > 0, Shape, "unbind: dimension specified as ", int_arg(args, 0, "unbind"),
             " but tensor has no dimensions");
  const int64_t dim = wrap_dim(int_arg(args, 0, "unbind"), x.dim(), "unbind");
  Shape shape = x.shape(), strides = x.strides();
  shape.erase(shape.begin() + dim);
  strides.erase(strides.begin() + dim);
  TensorList out;
  for (int64_t i = 0; i < x.shape()[dim]; ++i) out.push_back(x.as_strided(shape, strides, x.offset() + i * x.strides()[dim]));
  return out;
}

TensorList unbind_backward(const BackwardContext& c) {
  const int64_t dim = wrap_dim(c.args.ints[0], static_cast<int64_t>(c.input_shape(0).size()), "unbind");
  return {stack(c.grads, dim)};
}

const OpDef kCat{"cat", "cat(Tensor... tensors; ints: dim)", -1, OpKind::Primitive, cat_fwd, nullptr, cat_backward};
const OpDef kStack{"stack", "stack(Tensor... tensors; ints: dim)", -1, OpKind::Primitive, stack_fwd, nullptr,
                   stack_backward};
const OpDef kSplit{"split", "split(Tensor x; ints: dim, split_size) -> views", 1, OpKind::Primitive, split_fwd, nullptr,
                   split_backward, kSaveNothing, true};
const OpDef kSplitWithSizes{"split_with_sizes", "split_with_sizes(Tensor x; ints: dim, sizes...) -> views", 1,
                            OpKind::Primitive, split_with_sizes_fwd, nullptr, split_backward, kSaveNothing, true};
const OpDef kChunk{"chunk", "chunk(Tensor x; ints: chunks, dim) -> views", 1, OpKind::Composite, chunk_fwd};
const OpDef kUnbind{"unbind", "unbind(Tensor x; ints: dim) -> views", 1, OpKind::Primitive, unbind_fwd, nullptr,
                    unbind_backward, kSaveNothing, true};

}  // namespace

void add_join_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kCat, &kStack, &kSplit, &kSplitWithSizes, &kChunk, &kUnbind});
}

Tensor cat(const TensorList& tensors, int64_t dim) { return call1(kCat, tensors, OpArgs{{dim}, {}}); }
Tensor stack(const TensorList& tensors, int64_t dim) { return call1(kStack, tensors, OpArgs{{dim}, {}}); }
TensorList split(const Tensor& x, int64_t split_size, int64_t dim) {
  return call(kSplit, {x}, OpArgs{{dim, split_size}, {}});
}
TensorList split_with_sizes(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim) {
  OpArgs a{{dim}, {}};
  a.ints.insert(a.ints.end(), sizes.begin(), sizes.end());
  return call(kSplitWithSizes, {x}, a);
}
TensorList chunk(const Tensor& x, int64_t chunks, int64_t dim) { return call(kChunk, {x}, OpArgs{{chunks, dim}, {}}); }
TensorList unbind(const Tensor& x, int64_t dim) { return call(kUnbind, {x}, OpArgs{{dim}, {}}); }

}  // namespace kiln
