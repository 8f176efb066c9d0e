// Indexing along one dim: gather, scatter, scatter_add and scatter_reduce (and their in-place forms).
#include "autograd/backward_context.h"
#include "cpu/indexing.h"
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
  Tensor region = slice(out, wrap_dim(a[0], out.dim(), "slice_scatter"), a[1], a[2], a[3]);
  KILN_CHECK(region.shape() == in[1].shape(), Shape, "slice_scatter: src of shape ", shape_str(in[1].shape()),
             " does not match the slice of shape ", shape_str(region.shape()));
  copy_(region, in[1]);
}

TensorList slice_scatter_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = clone(in[0]);
  slice_scatter_into(out, in, args);
  return {out};
}


// ---- scatter_reduce. ints: [dim, reduce (cpu::ScatterReduceOp), include_self]

using cpu::ScatterReduceOp;

const char* reduce_name(ScatterReduceOp op) {
  static const char* names[] = {"sum", "prod", "mean", "amax", "amin"};
  return names[static_cast<int>(op)];
}

ScatterReduceOp reduce_arg(const OpArgs& args) {
  const int64_t code = int_arg(args, 1, "scatter_reduce");
  KILN_CHECK(code >= 0 && code <= 4, Argument, "scatter_reduce: unknown reduction code ", code);
  return static_cast<ScatterReduceOp>(code);
}

// fresh: out is the out-of-place op's new result (see cpu::scatter_reduce_kernel).
void scatter_reduce_to(const Tensor& out, const TensorList& in, const OpArgs& args, bool fresh) {
  const Tensor &index = in[1], &src = in[2];
  const int64_t dim = wrap_dim(int_arg(args, 0, "scatter_reduce"), out.dim(), "scatter_reduce");
  const ScatterReduceOp op = reduce_arg(args);
  const bool include_self = int_arg(args, 2, "scatter_reduce") != 0;
  check_cpu("scatter_reduce", {out, index, src});
  check_index("scatter_reduce", out, dim, index, &src);
  KILN_CHECK(!(op == ScatterReduceOp::Mean && out.dtype() == DType::Bool), DType,
             "scatter_reduce: reduce=\"mean\" is not implemented for bool");
  const Tensor s = unsafe_alias(out, src) || src.same_layout(out) ? clone(src) : src;
  const Tensor o1 = at_least_1d(out), i1 = at_least_1d(index), s1 = at_least_1d(s);
  if (!include_self) cpu::scatter_identity_kernel(op, o1, dim, i1, fresh);
  cpu::scatter_reduce_kernel(op, o1, dim, i1, s1, fresh);
  if (op != ScatterReduceOp::Mean || index.numel() == 0) return;
  // The mean divides each target by how many values it received (plus one for self, if included).
  Tensor counts = include_self ? ones(o1.shape(), DType::Int64) : zeros(o1.shape(), DType::Int64);
  backend_for(out.device()).scatter(counts, dim, i1, expand(ones({}, DType::Int64), i1.shape()), true);
  cpu::scatter_mean_kernel(o1, counts);
}

void scatter_reduce_into(const Tensor& out, const TensorList& in, const OpArgs& args) {
  scatter_reduce_to(out, in, args, false);
}

TensorList scatter_reduce_fwd(const TensorList& in, const OpArgs& args) {
  Tensor out = clone(in[0]);
  scatter_reduce_to(out, in, args, true);
  return {out};
}

// PyTorch's scatter_reduce_backward, except that amax and amin with include_self=false do not count a self
// value they excluded (PyTorch counts one that equals the result and gives the winning src too little).
TensorList scatter_reduce_backward(const BackwardContext& c) {
  const int64_t dim = c.args.ints[0];
  const ScatterReduceOp op = static_cast<ScatterReduceOp>(c.args.ints[1]);
  const bool include_self = c.args.ints[2] != 0;
  const Tensor &self = c.input(0), &index = c.input(1), &src = c.input(2), &result = c.output(), &g = c.grad();
  const DType t = g.dtype();
  const Tensor zero = zeros({}, t), one = ones({}, t);
  Tensor gself, gsrc;
  switch (op) {
    case ScatterReduceOp::Sum:
      gself = g;
      gsrc = gather(g, dim, index);
      break;
    case ScatterReduceOp::Mean: {
      Tensor n = scatter_add(include_self ? ones(g.shape(), t) : zeros(g.shape(), t), dim, index, ones(src.shape(), t));
      n = masked_fill(n, eq(n, zero), one);
      gself = div(g, n);
      gsrc = div(gather(g, dim, index), gather(n, dim, index));
      break;
    }
    case ScatterReduceOp::Prod: {
      // Products without the element itself, computed without dividing by zero.
      const Tensor masked_self = masked_fill(self, eq(self, zero), one);
      gself = div(mul(g, scatter_reduce(masked_self, dim, index, src, "prod", include_self)), masked_self);
      const Tensor src_zero = eq(src, zero);
      const Tensor zeros_at = gather(scatter_add(zeros(self.shape(), t), dim, index, to(src_zero, t)), dim, index);
      const Tensor single_zero = mul(src_zero, eq(zeros_at, one));  // bool * bool: and
      const Tensor without_src = scatter_reduce(self, dim, index, masked_fill(src, single_zero, one), "prod", include_self);
      gsrc = where(single_zero, gather(mul(g, without_src), dim, index),
                   div(gather(mul(g, result), dim, index), masked_fill(src, src_zero, one)));
      break;
    }
    case ScatterReduceOp::Amax:
    case ScatterReduceOp::Amin: {
      // The gradient is shared evenly by the values equal to the result.
      Tensor self_hit = to(eq(self, result), t);
      if (!include_self) self_hit = scatter(self_hit, dim, index, zeros(index.shape(), t));
      const Tensor src_hit = to(eq(src, gather(result, dim, index)), t);
      const Tensor share = div(g, scatter_add(self_hit, dim, index, src_hit));
      gself = mul(self_hit, share);
      gsrc = mul(src_hit, gather(share, dim, index));
      break;
    }
  }
  if (!include_self) gself = scatter(gself, dim, index, zeros(index.shape(), t));
  return {c.needs(0) ? gself : Tensor(), Tensor(), c.needs(2) ? gsrc : Tensor()};
}

// ---- Derivatives.

// Added in place into fresh zeros (the out-of-place op would copy them first); still recorded, for double backward.
TensorList gather_backward(const BackwardContext& c) {
  const int64_t dim = c.args.ints[0];
  Tensor g = zeros(c.input_shape(0), c.grad().dtype(), c.grad().device());
  return {scatter_add_(g, dim, c.input(1), c.grad()), Tensor()};
}

// scatter overwrites: the overwritten elements of x get no gradient; src gets what lands on it.
TensorList scatter_backward(const BackwardContext& c) {
  const int64_t dim = c.args.ints[0];
  const Tensor& index = c.input(1);
  return {c.needs(0) ? scatter(c.grad(), dim, index, zeros(index.shape(), c.grad().dtype(), c.grad().device())) : Tensor(), Tensor(),
          c.needs(2) ? gather(c.grad(), dim, index) : Tensor()};
}

TensorList scatter_add_backward(const BackwardContext& c) {
  return {c.grad(), Tensor(), c.needs(2) ? gather(c.grad(), c.args.ints[0], c.input(1)) : Tensor()};
}

TensorList slice_scatter_backward(const BackwardContext& c) {
  const auto& a = c.args.ints;
  const Tensor g_src = slice(c.grad(), a[0], a[1], a[2], a[3]);
  return {c.needs(0) ? slice_scatter(c.grad(), zeros(g_src.shape(), c.grad().dtype(), c.grad().device()), a[0], a[1], a[2], a[3]) : Tensor(),
          c.needs(1) ? g_src : Tensor()};
}

const OpDef kGather{"gather", "gather(Tensor x, Tensor index; ints: dim)", 2, OpKind::Primitive, gather_fwd, nullptr,
                    gather_backward, kSaveInputs};
const OpDef kScatter{"scatter", "scatter(Tensor x, Tensor index, Tensor src; ints: dim)", 3, OpKind::Primitive,
                     scatter_fwd<false>, scatter_into<false>, scatter_backward, kSaveInputs};
const OpDef kScatterAdd{"scatter_add", "scatter_add(Tensor x, Tensor index, Tensor src; ints: dim)", 3,
                        OpKind::Primitive, scatter_fwd<true>, scatter_into<true>, scatter_add_backward, kSaveInputs};
const OpDef kScatterReduce{"scatter_reduce", "scatter_reduce(Tensor x, Tensor index, Tensor src; ints: dim, reduce, "
                           "include_self)", 3, OpKind::Primitive, scatter_reduce_fwd, scatter_reduce_into,
                           scatter_reduce_backward, kSaveInputs | kSaveOutputs};
const OpDef kSliceScatter{"slice_scatter", "slice_scatter(Tensor x, Tensor src; ints: dim, start, end, step)", 2,
                          OpKind::Primitive, slice_scatter_fwd, slice_scatter_into, slice_scatter_backward};

}  // namespace

void add_index_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kGather, &kScatter, &kScatterAdd, &kScatterReduce, &kSliceScatter});
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) { return call1(kGather, {x, index}, OpArgs{{dim}, {}}); }
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  return call1(kScatter, {x, index, src}, OpArgs{{dim}, {}});
}
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  return call1(kScatterAdd, {x, index, src}, OpArgs{{dim}, {}});
}
Tensor& scatter_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  call_inplace(kScatter, {x, index, src}, OpArgs{{dim}, {}});
  return x;
}
Tensor& scatter_add_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  call_inplace(kScatterAdd, {x, index, src}, OpArgs{{dim}, {}});
  return x;
}
static OpArgs scatter_reduce_args(int64_t dim, const std::string& reduce, bool include_self) {
  int64_t code = -1;
  for (int64_t i = 0; i <= 4; ++i)
    if (reduce == reduce_name(static_cast<ScatterReduceOp>(i))) code = i;
  KILN_CHECK(code >= 0, Argument, "scatter_reduce: reduce argument must be either sum, prod, mean, amax or amin, got ",
             reduce);
  return OpArgs{{dim, code, include_self ? 1 : 0}, {}};
}
Tensor scatter_reduce(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce,
                      bool include_self) {
  return call1(kScatterReduce, {x, index, src}, scatter_reduce_args(dim, reduce, include_self));
}
Tensor& scatter_reduce_(Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce,
                        bool include_self) {
  call_inplace(kScatterReduce, {x, index, src}, scatter_reduce_args(dim, reduce, include_self));
  return x;
}
Tensor slice_scatter(const Tensor& x, const Tensor& src, int64_t dim, int64_t start, int64_t end, int64_t step) {
  return call1(kSliceScatter, {x, src}, OpArgs{{dim, start, end, step}, {}});
}

}  // namespace kiln
