// Views: new shapes and strides over the same storage, never a copy (reshape copies only when a view
// cannot express the result).
#include <algorithm>
#include <optional>

#include "autograd/backward_context.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

Tensor restride(const Tensor& x, Shape shape, Shape strides, int64_t offset) {
  return x.as_strided(shape, strides, offset);
}

// The strides that let `shape` view memory laid out as (old_shape, old_strides), if any: dims of the
// new shape must each fall inside a run of old dims that are contiguous with each other.
std::optional<Shape> view_strides(const Shape& old_shape, const Shape& old_strides, const Shape& shape) {
  Shape strides(shape.size());
  if (old_shape.empty()) return Shape(shape.size(), 1);
  int64_t numel = 1;
  for (int64_t s : old_shape) numel *= s;
  if (numel == 0) return contiguous_strides(shape);
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_shape[d];
    // A run of contiguous old dims ends at d when the next outer dim does not continue it.
    const bool run_ends = d == 0 || (old_shape[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride);
    if (!run_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
      strides[view_d] = view_numel * chunk_base_stride;
      view_numel *= shape[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      chunk_base_stride = old_strides[d - 1];
      tensor_numel = 1;
      view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

TensorList view_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const Shape shape = infer_size(int_list(args, 0), x.numel(), "view");
  auto strides = view_strides(x.shape(), x.strides(), shape);
  KILN_CHECK(strides.has_value(), Shape, "view: view size ", shape_str(shape),
             " is not compatible with input tensor's size ", shape_str(x.shape()), " and stride ", shape_str(x.strides()),
             " (at least one dimension spans across two contiguous subspaces). Use reshape(...) instead.");
  return {restride(x, shape, *strides, x.offset())};
}

TensorList reshape_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const Shape shape = infer_size(int_list(args, 0), x.numel(), "reshape");
  if (view_strides(x.shape(), x.strides(), shape)) return {view(x, shape)};
  return {view(clone(x), shape)};
}

TensorList transpose_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const int64_t d0 = wrap_dim(int_arg(args, 0, "transpose"), x.dim(), "transpose");
  const int64_t d1 = wrap_dim(int_arg(args, 1, "transpose"), x.dim(), "transpose");
  if (x.dim() == 0) return {restride(x, {}, {}, x.offset())};
  Shape shape = x.shape(), strides = x.strides();
  std::swap(shape[d0], shape[d1]);
  std::swap(strides[d0], strides[d1]);
  return {restride(x, shape, strides, x.offset())};
}

TensorList t_fwd(const TensorList& in, const OpArgs&) {
  const Tensor& x = in[0];
  KILN_CHECK(x.dim() <= 2, Shape, "t: expects a tensor with <= 2 dimensions, but got ", x.dim(), "-D tensor of shape ",
             shape_str(x.shape()));
  return {x.dim() == 2 ? transpose(x, 0, 1) : transpose(x, 0, 0)};
}

TensorList permute_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const std::vector<int64_t> dims = int_list(args, 0);
  KILN_CHECK(static_cast<int64_t>(dims.size()) == x.dim(), Shape, "permute: number of dims don't match: got ",
             shape_str(dims), " for a tensor of shape ", shape_str(x.shape()));
  Shape shape(dims.size()), strides(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], x.dim(), "permute");
    KILN_CHECK(!seen[d], Argument, "permute: repeated dim ", d, " in ", shape_str(dims));
    seen[d] = true;
    shape[i] = x.shape()[d];
    strides[i] = x.strides()[d];
  }
  return {restride(x, shape, strides, x.offset())};
}

// ints: [dim, start, end, step]; start and end are clamped like Python slices.
TensorList slice_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  KILN_CHECK(x.dim() > 0, Shape, "slice: cannot slice a 0-dim tensor");
  const int64_t dim = wrap_dim(int_arg(args, 0, "slice"), x.dim(), "slice");
  int64_t start = int_arg(args, 1, "slice"), end = int_arg(args, 2, "slice");
  const int64_t step = int_arg(args, 3, "slice");
  KILN_CHECK(step > 0, Argument, "slice: step must be positive, got ", step);
  const int64_t size = x.shape()[dim];
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = std::clamp<int64_t>(start, 0, size);
  end = std::clamp<int64_t>(end, start, size);
  Shape shape = x.shape(), strides = x.strides();
  shape[dim] = end == start ? 0 : (end - start - 1) / step + 1;  // no overflow for steps near INT64_MAX
  int64_t stepped;  // overflows only when at most one element is left, whose stride never matters
  if (!__builtin_mul_overflow(strides[dim], step, &stepped)) strides[dim] = stepped;
  return {restride(x, shape, strides, x.offset() + (shape[dim] > 0 ? start * x.strides()[dim] : 0))};
}

// ints: [dim, start, length]
TensorList narrow_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  KILN_CHECK(x.dim() > 0, Shape, "narrow: cannot be applied to a 0-dim tensor");
  const int64_t dim = wrap_dim(int_arg(args, 0, "narrow"), x.dim(), "narrow");
  const int64_t size = x.shape()[dim];
  int64_t start = int_arg(args, 1, "narrow");
  const int64_t length = int_arg(args, 2, "narrow");
  KILN_CHECK(start >= -size && start <= size, Index, "narrow: start (", start, ") is out of range for dimension ", dim,
             " of size ", size);
  if (start < 0) start += size;
  KILN_CHECK(length >= 0, Argument, "narrow: length must be non-negative, got ", length);
  KILN_CHECK(length <= size - start, Index, "narrow: start (", start, ") + length (", length,
             ") exceeds dimension size (", size, ")");
  return {slice(x, dim, start, start + length, 1)};
}

TensorList expand_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const Shape target = int_list(args, 0);
  const int64_t nd = static_cast<int64_t>(target.size()), lead = nd - x.dim();
  KILN_CHECK(lead >= 0, Shape, "expand: the number of sizes provided (", nd,
             ") must be greater or equal to the number of dimensions in the tensor (", x.dim(), ")");
  Shape shape(target.size()), strides(target.size());
  for (int64_t d = 0; d < nd; ++d) {
    if (d < lead) {
      KILN_CHECK(target[d] >= 0, Shape, "expand: the expanded size ", target[d],
                 " is not allowed in a leading, non-existing dimension ", d);
      shape[d] = target[d];
      strides[d] = 0;
      continue;
    }
    const int64_t have = x.shape()[d - lead];
    const int64_t want = target[d] == -1 ? have : target[d];
    KILN_CHECK(have == want || have == 1, Shape, "expand: the expanded size of the tensor (", want,
               ") must match the existing size (", have, ") at non-singleton dimension ", d, ".  Target sizes: ",
               shape_str(target), ".  Tensor sizes: ", shape_str(x.shape()));
    KILN_CHECK(want >= 0, Shape, "expand: invalid size ", want, " at dimension ", d);
    shape[d] = want;
    strides[d] = have == want ? x.strides()[d - lead] : 0;
  }
  return {restride(x, shape, strides, x.offset())};
}

// ints: [] squeezes every size-1 dim; [dim] only that one (if it has size 1).
TensorList squeeze_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  Shape shape, strides;
  const int64_t only = args.ints.empty() ? -1 : wrap_dim(args.ints[0], x.dim(), "squeeze");
  for (int64_t d = 0; d < x.dim(); ++d) {
    const bool drop = x.shape()[d] == 1 && (only < 0 || d == only);
    if (drop) continue;
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
  }
  return {restride(x, shape, strides, x.offset())};
}

TensorList unsqueeze_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const int64_t dim = wrap_dim(int_arg(args, 0, "unsqueeze"), x.dim() + 1, "unsqueeze");
  Shape shape = x.shape(), strides = x.strides();
  const int64_t stride = dim < x.dim() ? x.shape()[dim] * x.strides()[dim] : 1;
  shape.insert(shape.begin() + dim, 1);
  strides.insert(strides.begin() + dim, stride);
  return {restride(x, shape, strides, x.offset())};
}

// ints: [start_dim, end_dim]
TensorList flatten_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  if (x.dim() == 0) return {reshape(x, {1})};
  const int64_t s = wrap_dim(int_arg(args, 0, "flatten"), x.dim(), "flatten");
  const int64_t e = wrap_dim(int_arg(args, 1, "flatten"), x.dim(), "flatten");
  KILN_CHECK(s <= e, Argument, "flatten: start_dim (", s, ") cannot come after end_dim (", e, ")");
  Shape shape(x.shape().begin(), x.shape().begin() + s);
  int64_t merged = 1;
  for (int64_t d = s; d <= e; ++d) merged *= x.shape()[d];
  shape.push_back(merged);
  shape.insert(shape.end(), x.shape().begin() + e + 1, x.shape().end());
  return {reshape(x, shape)};
}

TensorList contiguous_fwd(const TensorList& in, const OpArgs&) {
  return {in[0].is_contiguous() ? in[0] : clone(in[0])};
}

// ---- Derivatives: undo the view on the gradient.

TensorList reshape_back(const BackwardContext& c) { return {reshape(c.grad(), c.input_shape(0))}; }

TensorList transpose_backward(const BackwardContext& c) {
  return {transpose(c.grad(), c.args.ints[0], c.args.ints[1])};
}

TensorList permute_backward(const BackwardContext& c) {
  const int64_t n = static_cast<int64_t>(c.input_shape(0).size());
  Dims inverse(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) inverse[wrap_dim(c.args.ints[i], n, "permute")] = i;
  return {permute(c.grad(), inverse)};
}

// The gradient of a slice is zero outside it.
TensorList slice_backward(const BackwardContext& c) {
  const auto& a = c.args.ints;
  return {slice_scatter(zeros(c.input_shape(0), c.grad().dtype(), c.grad().device()), c.grad(), a[0], a[1], a[2], a[3])};
}

// The engine sums the gradient over the expanded dims.
TensorList expand_backward(const BackwardContext& c) { return {c.grad()}; }

const OpDef kView{"view", "view(Tensor x; ints: sizes...)", 1, OpKind::Primitive, view_fwd, nullptr, reshape_back,
                  kSaveNothing, true};
const OpDef kReshape{"reshape", "reshape(Tensor x; ints: sizes...)", 1, OpKind::Composite, reshape_fwd};
const OpDef kTranspose{"transpose", "transpose(Tensor x; ints: dim0, dim1)", 1, OpKind::Primitive, transpose_fwd,
                       nullptr, transpose_backward, kSaveNothing, true};
const OpDef kT{"t", "t(Tensor x)", 1, OpKind::Composite, t_fwd};
const OpDef kPermute{"permute", "permute(Tensor x; ints: dims...)", 1, OpKind::Primitive, permute_fwd, nullptr,
                     permute_backward, kSaveNothing, true};
const OpDef kSlice{"slice", "slice(Tensor x; ints: dim, start, end, step)", 1, OpKind::Primitive, slice_fwd, nullptr,
                   slice_backward, kSaveNothing, true};
const OpDef kNarrow{"narrow", "narrow(Tensor x; ints: dim, start, length)", 1, OpKind::Composite, narrow_fwd};
const OpDef kExpand{"expand", "expand(Tensor x; ints: sizes...)", 1, OpKind::Primitive, expand_fwd, nullptr,
                    expand_backward, kSaveNothing, true};
const OpDef kSqueeze{"squeeze", "squeeze(Tensor x; ints: [dim])", 1, OpKind::Primitive, squeeze_fwd, nullptr,
                     reshape_back, kSaveNothing, true};
const OpDef kUnsqueeze{"unsqueeze", "unsqueeze(Tensor x; ints: dim)", 1, OpKind::Primitive, unsqueeze_fwd, nullptr,
                       reshape_back, kSaveNothing, true};
const OpDef kFlatten{"flatten", "flatten(Tensor x; ints: start_dim, end_dim)", 1, OpKind::Composite, flatten_fwd};
const OpDef kContiguous{"contiguous", "contiguous(Tensor x)", 1, OpKind::Composite, contiguous_fwd};

}  // namespace

void add_view_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kView, &kReshape, &kTranspose, &kT, &kPermute, &kSlice, &kNarrow, &kExpand, &kSqueeze,
                             &kUnsqueeze, &kFlatten, &kContiguous});
}

Tensor view(const Tensor& x, const Shape& shape) { return call1(kView, {x}, OpArgs{shape, {}}); }
Tensor reshape(const Tensor& x, const Shape& shape) { return call1(kReshape, {x}, OpArgs{shape, {}}); }
Tensor transpose(const Tensor& x, int64_t d0, int64_t d1) { return call1(kTranspose, {x}, OpArgs{{d0, d1}, {}}); }
Tensor t(const Tensor& x) { return call1(kT, {x}); }
Tensor permute(const Tensor& x, const Dims& dims) { return call1(kPermute, {x}, OpArgs{dims, {}}); }
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  return call1(kNarrow, {x}, OpArgs{{dim, start, length}, {}});
}
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  return call1(kSlice, {x}, OpArgs{{dim, start, end, step}, {}});
}
Tensor expand(const Tensor& x, const Shape& shape) { return call1(kExpand, {x}, OpArgs{shape, {}}); }
Tensor squeeze(const Tensor& x) { return call1(kSqueeze, {x}); }
Tensor squeeze(const Tensor& x, int64_t dim) { return call1(kSqueeze, {x}, OpArgs{{dim}, {}}); }
Tensor unsqueeze(const Tensor& x, int64_t dim) { return call1(kUnsqueeze, {x}, OpArgs{{dim}, {}}); }
Tensor flatten(const Tensor& x, int64_t s, int64_t e) { return call1(kFlatten, {x}, OpArgs{{s, e}, {}}); }
Tensor contiguous(const Tensor& x) { return call1(kContiguous, {x}); }

}  // namespace kiln
