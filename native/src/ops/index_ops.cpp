// Indexing along one dim: gather, scatter and scatter_add (and their in-place forms).
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

const OpDef kGather{"gather", "gather(Tensor x, Tensor index; ints: dim)", 2, OpKind::Primitive, gather_fwd};
const OpDef kScatter{"scatter", "scatter(Tensor x, Tensor index, Tensor src; ints: dim)", 3, OpKind::Primitive,
                     scatter_fwd<false>, scatter_into<false>};
const OpDef kScatterAdd{"scatter_add", "scatter_add(Tensor x, Tensor index, Tensor src; ints: dim)", 3,
                        OpKind::Primitive, scatter_fwd<true>, scatter_into<true>};

}  // namespace

void add_index_ops(std::vector<const OpDef*>& table) { table.insert(table.end(), {&kGather, &kScatter, &kScatterAdd}); }

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) { return call1(kGather, {x, index}, OpArgs{{dim}, {}}); }
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  return call1(kScatter, {x, index, src}, OpArgs{{dim}, {}});
}
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  return call1(kScatterAdd, {x, index, src}, OpArgs{{dim}, {}});
}

}  // namespace kiln
