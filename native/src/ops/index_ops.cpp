// Indexing along one dim: gather, scatter and scatter_add (and their in-place forms).
#include "autograd/backward_context.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

void check_index(const char* op, const Tensor& x, int64_t dim, const Tensor& index, const Tensor* src) {
  KILN_CHECK(index.dtype() == DType::Int64, DType, op, ": expected dtype int64 for index, got ", dtype_name(index.dtype()));
  KILN_CHECK(index.dim() == x.dim() || (x.dim() == 0 && index.dim() <= 1), Shape, op,
             ": index tensor must have the same number of dimensions as the input tensor (", index.dim(), " vs ",
             x.dim(), ")");
  for (int64_t d = 0; d < index.dim() && x.dim() > 0; ++d) {
    KILN_CHECK(d == dim || index.shape()[d] <= x.shape()[d], Shape, op, ": size does not match at dimension ", d,
               ": expected index ", shape_str(index.shape()), " to be smaller than self ", shape_str(x.shape()),
               " apart from dimension ", dim);
    if (src) {
      KILN_CHECK(index.shape()[d] <= src->shape()[d], Shape, op, ": expected index ", shape_str(index.shape()),
                 " to be smaller than src ", shape_str(src->shape()), " at dimension ", d);
    }
  }
  if (src) {
    KILN_CHECK(src->dim() == x.dim(), Shape, op, ": src must have the same number of dimensions as self (",
               src->dim(), " vs ", x.dim(), ")");
    KILN_CHECK(src->dtype() == x.dtype(), DType, op, ": expected self.dtype to be equal to src.dtype, got ",
               dtype_name(x.dtype()), " and ", dtype_name(src->dtype()));
  }
}

// A 0-dim operand is handled as 1-D with one element, as PyTorch does.
Tensor at_least_1d(const Tensor& t) { return t.dim() == 0 ? t.as_strided({1}, {1}, t.offset()) : t; }

// ints: [dim]
TensorList gather_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor &x = in[0], &index = in[1];
  const int64_t dim = wrap_dim(int_arg(args, 0, "gather"), x.dim(), "gather");
  check_same_device("gather", in);
  check_index("gather", x, dim, index, nullptr);
  Tensor out = Tensor::empty(index.shape(), x.dtype(), x.device());
  backend_for(x.device()).gather(at_least_1d(out), at_least_1d(x), dim, at_least_1d(index));
  return {out};
}

template <bool Accumulate>
void scatter_into(const Tensor& out, const TensorList& in, const OpArgs& args) {
  const char* name = Accumulate ? "scatter_add" : "scatter";
  const Tensor &index = in[1], &src = in[2];
  const int64_t dim = wrap_dim(int_arg(args, 0, name), out.dim(), name);
  check_same_device(name, {out, index, src});
  check_index(name, out, dim, index, &src);
  const Tensor s = unsafe_alias(out, src) || src.same_layout(out) ? clone(src) : src;
  backend_for(out.device()).scatter(at_least_1d(out), dim, at_least_1d(index), at_least_1d(s), Accumulate);
}

template <bool Accumulate>
TensorList scatter_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = clone(in[0]);
  scatter_into<Accumulate>(out, in, args);
  return {out};
}

// slice_scatter(x, src; dim, start, end, step): x with src written over x[start:end:step] along dim.
void slice_scatter_into(const Tensor& out, const TensorList& in, const OpArgs& args) {
  const auto& a = args.ints;
  KILN_CHECK(a.size() == 4, Argument, "slice_scatter: expected dim, start, end, step");
  Tensor region = slice(out, a[0], a[1], a[2], a[3]);
  KILN_CHECK(region.shape() == in[1].shape(), Shape, "slice_scatter: src of shape ", shape_str(in[1].shape()),
             " does not match the slice of shape ", shape_str(region.shape()));
  copy_(region, in[1]);
}

TensorList slice_scatter_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = clone(in[0]);
  slice_scatter_into(out, in, args);
  return {out};
}

// ---- Derivatives.

TensorList gather_backward(const BackwardContext& c) {
  const int64_t dim = c.args.ints[0];
  return {scatter_add(zeros(c.input_shape(0), c.grad().dtype()), dim, c.input(1), c.grad()), Tensor()};
}

// scatter overwrites: the overwritten elements of x get no gradient; src gets what lands on it.
TensorList scatter_backward(const BackwardContext& c) {
  const int64_t dim = c.args.ints[0];
  const Tensor& index = c.input(1);
  return {c.needs(0) ? scatter(c.grad(), dim, index, zeros(index.shape(), c.grad().dtype())) : Tensor(), Tensor(),
          c.needs(2) ? gather(c.grad(), dim, index) : Tensor()};
}

TensorList scatter_add_backward(const BackwardContext& c) {
  return {c.grad(), Tensor(), c.needs(2) ? gather(c.grad(), c.args.ints[0], c.input(1)) : Tensor()};
}

TensorList slice_scatter_backward(const BackwardContext& c) {
  const auto& a = c.args.ints;
  const Tensor g_src = slice(c.grad(), a[0], a[1], a[2], a[3]);
  return {c.needs(0) ? slice_scatter(c.grad(), zeros(g_src.shape(), c.grad().dtype()), a[0], a[1], a[2], a[3]) : Tensor(),
          c.needs(1) ? g_src : Tensor()};
}

const OpDef kGather{"gather", "gather(Tensor x, Tensor index; ints: dim)", 2, OpKind::Primitive, gather_fwd, nullptr,
                    gather_backward, kSaveInputs};
const OpDef kScatter{"scatter", "scatter(Tensor x, Tensor index, Tensor src; ints: dim)", 3, OpKind::Primitive,
                     scatter_fwd<false>, scatter_into<false>, scatter_backward, kSaveInputs};
const OpDef kScatterAdd{"scatter_add", "scatter_add(Tensor x, Tensor index, Tensor src; ints: dim)", 3,
                        OpKind::Primitive, scatter_fwd<true>, scatter_into<true>, scatter_add_backward, kSaveInputs};
const OpDef kSliceScatter{"slice_scatter", "slice_scatter(Tensor x, Tensor src; ints: dim, start, end, step)", 2,
                          OpKind::Primitive, slice_scatter_fwd, slice_scatter_into, slice_scatter_backward};

}  // namespace

void add_index_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kGather, &kScatter, &kScatterAdd, &kSliceScatter});
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) { return call1(kGather, {x, index}, OpArgs{{dim}, {}}); }
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  return call1(kScatter, {x, index, src}, OpArgs{{dim}, {}});
}
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  return call1(kScatterAdd, {x, index, src}, OpArgs{{dim}, {}});
}
Tensor slice_scatter(const Tensor& x, const Tensor& src, int64_t dim, int64_t start, int64_t end, int64_t step) {
  return call1(kSliceScatter, {x, src}, OpArgs{{dim, start, end, step}, {}});
}

}  // namespace kiln
