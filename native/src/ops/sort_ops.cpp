// Sorting and selection along a dim: sort, argsort, topk, kthvalue, median, nanmedian, mode; and unique
// (over all elements or along a dim). Kernels in cpu/sort.h. The values these ops pick get the gradient at
// their indices; argsort and unique are not differentiable.
#include <limits>

#include "autograd/backward_context.h"
#include "cpu/sort.h"
#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/reduction_family.h"

namespace kiln {
namespace {

void check_not_bool(const Tensor& x, const char* name) {
  KILN_CHECK(x.dtype() != DType::Bool, DType, name, ": not implemented for 'bool'");
}

TensorList drop_dim_pair(const Tensor& values, const Tensor& indices, int64_t dim, bool keepdim, int64_t ndim) {
  if (keepdim || ndim == 0) return {values, indices};
  return {drop_dims(values, {dim}), drop_dims(indices, {dim})};
}

// ---- sort and argsort. ints: [dim, descending, stable] (sorts are always stable).

TensorList sort_pair(const Tensor& x, const OpArgs& args, const char* name) {
  check_cpu(name, {x});
  const int64_t dim = wrap_dim(int_arg(args, 0, name), x.dim(), name);
  Tensor values = Tensor::empty(x.shape(), x.dtype(), x.device());
  Tensor indices = Tensor::empty(x.shape(), DType::Int64, x.device());
  cpu::sort_kernel(values, indices, x, dim, int_arg(args, 1, name) != 0);
  return {values, indices};
}

TensorList sort_fwd(const TensorList& in, const OpArgs& args) { return sort_pair(in[0], args, "sort"); }
TensorList argsort_fwd(const TensorList& in, const OpArgs& args) { return {sort_pair(in[0], args, "argsort")[1]}; }

// Values taken along dim keep their size there: the gradient goes back to their indices.
TensorList sort_backward(const BackwardContext& c) {
  const Shape& shape = c.input_shape(0);
  const int64_t dim = wrap_dim(c.args.ints[0], static_cast<int64_t>(shape.size()), "sort");
  return {index_select_backward(c.grad(), c.output(1), shape, c.input_dtype(0), dim, true)};
}

// ---- topk. ints: [k, dim, largest, sorted] (the result is always sorted)

TensorList topk_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_cpu("topk", in);
  check_not_bool(x, "topk");
  const int64_t k = int_arg(args, 0, "topk");
  const int64_t dim = wrap_dim(int_arg(args, 1, "topk"), x.dim(), "topk");
  const int64_t n = x.dim() == 0 ? 1 : x.shape()[dim];
  KILN_CHECK(k >= 0 && k <= n, Index, "topk: selected index k out of range (k = ", k, ", dim ", dim, " of ",
             shape_str(x.shape()), " has size ", n, ")");
  Shape shape = x.shape();
  if (x.dim() > 0) shape[dim] = k;
  Tensor values = Tensor::empty(shape, x.dtype(), x.device());
  Tensor indices = Tensor::empty(shape, DType::Int64, x.device());
  cpu::topk_kernel(values, indices, x, dim, k, int_arg(args, 2, "topk") != 0);
  return {values, indices};
}

TensorList topk_backward(const BackwardContext& c) {
  const Shape& shape = c.input_shape(0);
  const int64_t dim = wrap_dim(c.args.ints[1], static_cast<int64_t>(shape.size()), "topk");
  return {index_select_backward(c.grad(), c.output(1), shape, c.input_dtype(0), dim, true)};
}

// ---- one element per line: kthvalue, median and nanmedian along a dim, mode.

// The element of each line along dim into values and indices (keepdim: dim stays, with size 1).
TensorList select_along(const Tensor& x, int64_t dim_arg, bool keepdim, const char* name, cpu::SelectKind kind,
                        int64_t k, bool is_mode) {
  check_cpu(name, {x});
  const int64_t dim = wrap_dim(dim_arg, x.dim(), name);
  KILN_CHECK(x.dim() == 0 || x.shape()[dim] > 0, Index, name, ": Expected reduction dim ", dim,
             " to have non-zero size (input of shape ", shape_str(x.shape()), ")");
  const Shape kept = keepdim_shape(x.shape(), x.dim() == 0 ? Dims{} : Dims{dim});
  Tensor values = Tensor::empty(kept, x.dtype(), x.device());
  Tensor indices = Tensor::empty(kept, DType::Int64, x.device());
  if (is_mode) cpu::mode_kernel(values, indices, x, dim);
  else cpu::select_kernel(kind, values, indices, x, dim, k);
  return drop_dim_pair(values, indices, dim, keepdim, x.dim());
}

// ints: [k, dim, keepdim] (k counts from 1, as in PyTorch)
TensorList kthvalue_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_not_bool(x, "kthvalue");
  const int64_t k = int_arg(args, 0, "kthvalue");
  const int64_t dim = wrap_dim(int_arg(args, 1, "kthvalue"), x.dim(), "kthvalue");
  const int64_t n = x.dim() == 0 ? 1 : x.shape()[dim];
  KILN_CHECK(n == 0 || (k >= 1 && k <= n), Index, "kthvalue: selected number k out of range for dimension ", dim,
             " (k = ", k, ", size ", n, ")");
  return select_along(x, dim, int_arg(args, 2, "kthvalue") != 0, "kthvalue", cpu::SelectKind::Kth, k - 1, false);
}

// ints: [dim, keepdim]
template <bool IgnoreNan>
TensorList median_dim_fwd(const TensorList& in, const OpArgs& args) {
  const char* name = IgnoreNan ? "nanmedian" : "median";
  check_not_bool(in[0], name);
  return select_along(in[0], int_arg(args, 0, name), int_arg(args, 1, name) != 0, name,
                      IgnoreNan ? cpu::SelectKind::NanMedian : cpu::SelectKind::Median, 0, false);
}

TensorList mode_fwd(const TensorList& in, const OpArgs& args) {
  return select_along(in[0], int_arg(args, 0, "mode"), int_arg(args, 1, "mode") != 0, "mode", cpu::SelectKind::Kth, 0,
                      true);
}

// The lower median of all elements (NaN if any is NaN, or for nanmedian if all are).
template <bool IgnoreNan>
TensorList median_fwd(const TensorList& in, const OpArgs&) {
  const char* name = IgnoreNan ? "nanmedian" : "median";
  const Tensor& x = in[0];
  check_cpu(name, in);
  check_not_bool(x, name);
  if (x.numel() == 0) {
    KILN_CHECK(is_floating(x.dtype()), Index, name, ": cannot compute the median of an empty ", dtype_name(x.dtype()),
               " tensor");
    return {full({}, Scalar(std::numeric_limits<double>::quiet_NaN()), x.dtype())};
  }
  const Tensor flat = reshape(x, {-1});
  Tensor values = Tensor::empty({1}, x.dtype(), x.device());
  Tensor indices = Tensor::empty({1}, DType::Int64, x.device());
  cpu::select_kernel(IgnoreNan ? cpu::SelectKind::NanMedian : cpu::SelectKind::Median, values, indices, flat, 0, 0);
  return {view(values, {})};
}

// ints of the dim forms: [dim, keepdim]; kthvalue: [k, dim, keepdim]
template <int DimArg, int KeepdimArg>
TensorList picked_backward(const BackwardContext& c) {
  const Shape& shape = c.input_shape(0);
  if (shape.empty()) return {c.grad()};
  const int64_t dim = wrap_dim(c.args.ints[DimArg], static_cast<int64_t>(shape.size()), "median");
  return {index_select_backward(c.grad(), c.output(1), shape, c.input_dtype(0), dim, c.args.ints[KeepdimArg] != 0)};
}

TensorList median_backward(const BackwardContext& c) {
  return {evenly_distribute_backward(c.grad(), c.input(0), c.output())};
}

// ---- unique. ints: [sorted, return_inverse, return_counts] or, along a dim, [dim, sorted, return_inverse,
// return_counts]; outputs are always (values, inverse, counts), sorted. unique's inverse is an empty tensor when
// return_inverse is 0 (writing and ranking it was most of the time over 4M elements of few values).

TensorList unique_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_cpu("unique", in);
  const bool with_inverse = args.ints.size() < 2 || args.ints[1] != 0;
  cpu::Unique r = cpu::unique_kernel(contiguous(reshape(x, {-1})), with_inverse);
  return {r.values, with_inverse ? reshape(r.inverse, x.shape()) : r.inverse, r.counts};
}

TensorList unique_dim_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_cpu("unique_dim", in);
  KILN_CHECK(x.dim() > 0, Index, "unique_dim: Dimension specified as ", int_arg(args, 0, "unique_dim"),
             " but tensor has no dimensions");
  const int64_t dim = wrap_dim(int_arg(args, 0, "unique_dim"), x.dim(), "unique_dim");
  const int64_t n = x.shape()[dim];
  KILN_CHECK(x.numel() > 0 || n == 0, Shape, "unique_dim: There are 0 sized dimensions, and they aren't selected, "
             "so unique cannot be applied (shape ", shape_str(x.shape()), ", dim ", dim, ")");
  Dims order{dim}, back(static_cast<size_t>(x.dim()));
  Shape rest;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) {
      order.push_back(d);
      rest.push_back(x.shape()[d]);
    }
  for (int64_t i = 0; i < x.dim(); ++i) back[order[i]] = i;
  int64_t m = 1;
  for (int64_t s : rest) m *= s;
  cpu::Unique r = cpu::unique_rows_kernel(reshape(contiguous(permute(x, order)), {n, m}));
  Shape moved{r.values.shape()[0]};
  moved.insert(moved.end(), rest.begin(), rest.end());
  return {contiguous(permute(reshape(r.values, moved), back)), r.inverse, r.counts};
}

const OpDef kSort{"sort", "sort(Tensor x; ints: dim, descending, stable) -> (values, indices)", 1, OpKind::Primitive,
                  sort_fwd, nullptr, sort_backward, kSaveOutputs};
const OpDef kArgsort{"argsort", "argsort(Tensor x; ints: dim, descending, stable) -> int64", 1, OpKind::Primitive,
                     argsort_fwd};
const OpDef kTopk{"topk", "topk(Tensor x; ints: k, dim, largest, sorted) -> (values, indices)", 1, OpKind::Primitive,
                  topk_fwd, nullptr, topk_backward, kSaveOutputs};
const OpDef kKthvalue{"kthvalue", "kthvalue(Tensor x; ints: k, dim, keepdim) -> (values, indices)", 1,
                      OpKind::Primitive, kthvalue_fwd, nullptr, picked_backward<1, 2>, kSaveOutputs};
const OpDef kMedian{"median", "median(Tensor x)", 1, OpKind::Primitive, median_fwd<false>, nullptr, median_backward,
                    kSaveInputs | kSaveOutputs};
const OpDef kNanmedian{"nanmedian", "nanmedian(Tensor x)", 1, OpKind::Primitive, median_fwd<true>, nullptr,
                       median_backward, kSaveInputs | kSaveOutputs};
const OpDef kMedianDim{"median_dim", "median_dim(Tensor x; ints: dim, keepdim) -> (values, indices)", 1,
                       OpKind::Primitive, median_dim_fwd<false>, nullptr, picked_backward<0, 1>, kSaveOutputs};
const OpDef kNanmedianDim{"nanmedian_dim", "nanmedian_dim(Tensor x; ints: dim, keepdim) -> (values, indices)", 1,
                          OpKind::Primitive, median_dim_fwd<true>, nullptr, picked_backward<0, 1>, kSaveOutputs};
const OpDef kMode{"mode", "mode(Tensor x; ints: dim, keepdim) -> (values, indices)", 1, OpKind::Primitive, mode_fwd,
                  nullptr, picked_backward<0, 1>, kSaveOutputs};
const OpDef kUnique{"unique", "unique(Tensor x; ints: sorted, return_inverse, return_counts) -> (values, inverse, "
                    "counts)", 1, OpKind::Primitive, unique_fwd};
const OpDef kUniqueDim{"unique_dim", "unique_dim(Tensor x; ints: dim, sorted, return_inverse, return_counts) -> "
                       "(values, inverse, counts)", 1, OpKind::Primitive, unique_dim_fwd};

std::pair<Tensor, Tensor> pair_of(const TensorList& r) { return {r[0], r[1]}; }

}  // namespace

void add_sort_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kSort, &kArgsort, &kTopk, &kKthvalue, &kMedian, &kNanmedian, &kMedianDim,
                             &kNanmedianDim, &kMode, &kUnique, &kUniqueDim});
}

std::pair<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending) {
  return pair_of(call(kSort, {x}, OpArgs{{dim, descending, 1}, {}}));
}
Tensor argsort(const Tensor& x, int64_t dim, bool descending) {
  return call1(kArgsort, {x}, OpArgs{{dim, descending, 1}, {}});
}
std::pair<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest) {
  return pair_of(call(kTopk, {x}, OpArgs{{k, dim, largest, 1}, {}}));
}
std::pair<Tensor, Tensor> kthvalue(const Tensor& x, int64_t k, int64_t dim, bool keepdim) {
  return pair_of(call(kKthvalue, {x}, OpArgs{{k, dim, keepdim}, {}}));
}
Tensor median(const Tensor& x) { return call1(kMedian, {x}); }
Tensor nanmedian(const Tensor& x) { return call1(kNanmedian, {x}); }
std::pair<Tensor, Tensor> median(const Tensor& x, int64_t dim, bool keepdim) {
  return pair_of(call(kMedianDim, {x}, OpArgs{{dim, keepdim}, {}}));
}
std::pair<Tensor, Tensor> nanmedian(const Tensor& x, int64_t dim, bool keepdim) {
  return pair_of(call(kNanmedianDim, {x}, OpArgs{{dim, keepdim}, {}}));
}
std::pair<Tensor, Tensor> mode(const Tensor& x, int64_t dim, bool keepdim) {
  return pair_of(call(kMode, {x}, OpArgs{{dim, keepdim}, {}}));
}
TensorList unique(const Tensor& x) { return call(kUnique, {x}, OpArgs{{1, 1, 1}, {}}); }
TensorList unique_dim(const Tensor& x, int64_t dim) { return call(kUniqueDim, {x}, OpArgs{{dim, 1, 1, 1}, {}}); }

}  // namespace kiln
