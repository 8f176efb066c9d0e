// Diagonals: diagonal (a view), diagonal_scatter (its inverse, for its gradient) and diag.
#include <algorithm>

#include "autograd/backward_context.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

// The view of diagonal `offset` of dims d1 and d2 of x: those dims removed, the diagonal appended last.
Tensor diagonal_view(const Tensor& x, int64_t offset, int64_t d1_, int64_t d2_, const char* op) {
  KILN_CHECK(x.dim() >= 2, Shape, op, ": expected a tensor with at least 2 dimensions, got shape ", shape_str(x.shape()));
  const int64_t d1 = wrap_dim(d1_, x.dim(), op), d2 = wrap_dim(d2_, x.dim(), op);
  KILN_CHECK(d1 != d2, Argument, op, ": diagonal dimensions cannot be identical ", d1_, ", ", d2_);
  const int64_t s1 = x.shape()[d1], s2 = x.shape()[d2];
  int64_t size;
  int64_t start = x.offset();
  if (offset >= 0) {
    size = std::max<int64_t>(std::min(s1, s2 - offset), 0);
    if (size > 0) start += offset * x.strides()[d2];
  } else {
    size = std::max<int64_t>(std::min(s1 + offset, s2), 0);
    if (size > 0) start -= offset * x.strides()[d1];
  }
  Shape shape, strides;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (d == d1 || d == d2) continue;
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
  }
  shape.push_back(size);
  strides.push_back(x.strides()[d1] + x.strides()[d2]);
  return x.as_strided(shape, strides, start);
}

// ints: [offset, dim1, dim2]
TensorList diagonal_fwd(const TensorList& in, const OpArgs& args) {
  return {diagonal_view(in[0], int_arg(args, 0, "diagonal"), int_arg(args, 1, "diagonal"), int_arg(args, 2, "diagonal"),
                        "diagonal")};
}

TensorList diagonal_backward(const BackwardContext& c) {
  const auto& a = c.args.ints;
  return {diagonal_scatter(zeros(c.input_shape(0), c.grad().dtype()), c.grad(), a[0], a[1], a[2])};
}

// inputs: [x, src]; ints: [offset, dim1, dim2]
TensorList diagonal_scatter_fwd(const TensorList& in, const OpArgs& args) {
  const auto& a = args.ints;
  KILN_CHECK(a.size() == 3, Argument, "diagonal_scatter: expected offset, dim1, dim2");
  Tensor out = clone(in[0]);
  const Tensor region = diagonal_view(out, a[0], a[1], a[2], "diagonal_scatter");
  KILN_CHECK(region.shape() == in[1].shape(), Shape, "diagonal_scatter: src of shape ", shape_str(in[1].shape()),
             " does not match the diagonal of shape ", shape_str(region.shape()));
  if (region.numel() > 0) backend_for(out.device()).copy(region, cast(in[1], out.dtype()));
  return {out};
}

TensorList diagonal_scatter_backward(const BackwardContext& c) {
  const auto& a = c.args.ints;
  const Tensor g_src = diagonal(c.grad(), a[0], a[1], a[2]);
  return {c.needs(0) ? diagonal_scatter(c.grad(), zeros(g_src.shape(), c.grad().dtype()), a[0], a[1], a[2]) : Tensor(),
          c.needs(1) ? g_src : Tensor()};
}

// ints: [diagonal]
TensorList diag_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const int64_t k = int_arg(args, 0, "diag");
  KILN_CHECK(x.dim() == 1 || x.dim() == 2, Shape, "diag: supports 1D or 2D tensors, got ", x.dim(), "D of shape ",
             shape_str(x.shape()));
  if (x.dim() == 2) return {clone(diagonal_view(x, k, 0, 1, "diag"))};
  int64_t n;
  KILN_CHECK(k > INT64_MIN && !__builtin_add_overflow(x.shape()[0], k < 0 ? -k : k, &n), Argument,
             "diag: diagonal ", k, " is too large");
  Tensor out = zeros({n, n}, x.dtype());
  const Tensor region = diagonal_view(out, k, 0, 1, "diag");
  if (region.numel() > 0) backend_for(out.device()).copy(region, x);
  return {out};
}

TensorList diag_backward(const BackwardContext& c) {
  const int64_t k = c.args.ints[0];
  if (c.input_shape(0).size() == 1) return {diagonal(c.grad(), k, 0, 1)};
  return {diagonal_scatter(zeros(c.input_shape(0), c.grad().dtype()), c.grad(), k, 0, 1)};
}

const OpDef kDiagonal{"diagonal", "diagonal(Tensor x; ints: offset, dim1, dim2)", 1, OpKind::Primitive, diagonal_fwd,
                      nullptr, diagonal_backward, kSaveNothing, true};
const OpDef kDiagonalScatter{"diagonal_scatter", "diagonal_scatter(Tensor x, Tensor src; ints: offset, dim1, dim2)", 2,
                             OpKind::Primitive, diagonal_scatter_fwd, nullptr, diagonal_scatter_backward};
const OpDef kDiag{"diag", "diag(Tensor x; ints: diagonal)", 1, OpKind::Primitive, diag_fwd, nullptr, diag_backward};

}  // namespace

void add_diagonal_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kDiagonal, &kDiagonalScatter, &kDiag});
}

Tensor diagonal(const Tensor& x, int64_t offset, int64_t dim1, int64_t dim2) {
  return call1(kDiagonal, {x}, OpArgs{{offset, dim1, dim2}, {}});
}
Tensor diagonal_scatter(const Tensor& x, const Tensor& src, int64_t offset, int64_t dim1, int64_t dim2) {
  return call1(kDiagonalScatter, {x, src}, OpArgs{{offset, dim1, dim2}, {}});
}
Tensor diag(const Tensor& x, int64_t diagonal) { return call1(kDiag, {x}, OpArgs{{diagonal}, {}}); }

}  // namespace kiln
