// Matrix products: mm, bmm, mv and dot are primitives over the GEMM kernel; matmul follows torch.matmul's
// rules for 1-D, 2-D and broadcast batched operands by reshaping onto them; outer is a broadcast product.
// The products with an added term (addmm, linear, ...) are in addmm_ops.cpp, einsum in einsum.cpp.
#include "autograd/backward_context.h"
#include "kiln/ops.h"
#include "ops/linalg_family.h"
#include "ops/operands.h"

namespace kiln {
namespace {

void check_operands(const char* op, const Tensor& a, const Tensor& b) {
  check_same_device(op, {a, b});
  KILN_CHECK(a.dtype() == b.dtype(), DType, op, ": expected both operands to have the same dtype, but got ",
             dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  KILN_CHECK(a.dtype() != DType::Bool, DType, op, ": not implemented for 'bool'");
}

// A 2-D tensor seen as a batch of one.
Tensor as_batch(const Tensor& m) {
  return m.as_strided({1, m.shape()[0], m.shape()[1]}, {0, m.strides()[0], m.strides()[1]}, m.offset());
}

TensorList mm_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &a = in[0], &b = in[1];
  KILN_CHECK(a.dim() == 2 && b.dim() == 2, Shape, "mm: expected 2-D tensors, but got shapes ", shape_str(a.shape()),
             " and ", shape_str(b.shape()));
  check_operands("mm", a, b);
  KILN_CHECK(a.shape()[1] == b.shape()[0], Shape, "mm: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
             " cannot be multiplied (", a.shape()[1], " != ", b.shape()[0], ")");
  Tensor out = new_tensor({a.shape()[0], b.shape()[1]}, a.dtype(), "mm", a.device());
  backend_for(a.device()).matmul(as_batch(out), as_batch(a), as_batch(b));
  return {out};
}

TensorList bmm_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &a = in[0], &b = in[1];
  KILN_CHECK(a.dim() == 3 && b.dim() == 3, Shape, "bmm: expected 3-D tensors, but got shapes ", shape_str(a.shape()),
             " and ", shape_str(b.shape()));
  check_operands("bmm", a, b);
  KILN_CHECK(a.shape()[0] == b.shape()[0], Shape, "bmm: batch sizes of ", shape_str(a.shape()), " and ",
             shape_str(b.shape()), " differ (", a.shape()[0], " != ", b.shape()[0], ")");
  KILN_CHECK(a.shape()[2] == b.shape()[1], Shape, "bmm: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
             " cannot be multiplied (", a.shape()[2], " != ", b.shape()[1], ")");
  Tensor out = new_tensor({a.shape()[0], a.shape()[1], b.shape()[2]}, a.dtype(), "bmm", a.device());
  backend_for(a.device()).matmul(out, a, b);
  return {out};
}

// A vector as a [1, n, 1] column or a [1, 1, n] row, for the GEMM kernel.
Tensor as_column(const Tensor& v) { return v.as_strided({1, v.shape()[0], 1}, {0, v.strides()[0], 0}, v.offset()); }
Tensor as_row(const Tensor& v) { return v.as_strided({1, 1, v.shape()[0]}, {0, 0, v.strides()[0]}, v.offset()); }

TensorList mv_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &a = in[0], &v = in[1];
  KILN_CHECK(a.dim() == 2 && v.dim() == 1, Shape, "mv: expected a 2-D matrix and a 1-D vector, but got shapes ",
             shape_str(a.shape()), " and ", shape_str(v.shape()));
  check_operands("mv", a, v);
  KILN_CHECK(a.shape()[1] == v.shape()[0], Shape, "mv: size mismatch, got matrix ", shape_str(a.shape()),
             " and vector ", shape_str(v.shape()), " (", a.shape()[1], " != ", v.shape()[0], ")");
  Tensor out = new_tensor({a.shape()[0]}, a.dtype(), "mv", a.device());
  backend_for(a.device()).matmul(as_column(out), as_batch(a), as_column(v));
  return {out};
}

TensorList dot_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &a = in[0], &b = in[1];
  KILN_CHECK(a.dim() == 1 && b.dim() == 1, Shape, "dot: expected 1-D tensors, but got shapes ", shape_str(a.shape()),
             " and ", shape_str(b.shape()));
  check_operands("dot", a, b);
  KILN_CHECK(a.shape()[0] == b.shape()[0], Shape, "dot: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
             " have different numbers of elements (", a.shape()[0], " != ", b.shape()[0], ")");
  Tensor out = new_tensor({}, a.dtype(), "dot", a.device());
  backend_for(a.device()).matmul(out.as_strided({1, 1, 1}, {1, 1, 1}, 0), as_row(a), as_column(b));
  return {out};
}

// outer(a, b)[i, j] = a[i] * b[j], with type promotion (PyTorch's outer is the same broadcast product).
TensorList outer_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &a = in[0], &b = in[1];
  KILN_CHECK(a.dim() == 1 && b.dim() == 1, Shape, "outer: expected 1-D tensors, but got shapes ", shape_str(a.shape()),
             " and ", shape_str(b.shape()));
  return {mul(reshape(a, {-1, 1}), b)};
}

TensorList matmul_fwd(const TensorList& in, const OpArgs&) {
  const Tensor &a = in[0], &b = in[1];
  const int64_t da = a.dim(), db = b.dim();
  KILN_CHECK(da >= 1 && db >= 1, Shape, "matmul: both arguments need at least 1 dimension, but got shapes ",
             shape_str(a.shape()), " and ", shape_str(b.shape()));
  const int64_t ka = a.shape()[da - 1], kb = b.shape()[db == 1 ? 0 : db - 2];
  KILN_CHECK(ka == kb, Shape, "matmul: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
             " cannot be multiplied (", ka, " != ", kb, ")");
  check_operands("matmul", a, b);
  if (da == 1 && db == 1) return {reshape(mm(unsqueeze(a, 0), unsqueeze(b, 1)), {})};
  if (da == 2 && db == 1) return {squeeze(mm(a, unsqueeze(b, 1)), 1)};
  if (da == 1 && db == 2) return {squeeze(mm(unsqueeze(a, 0), b), 0)};
  if (da == 2 && db == 2) return {mm(a, b)};
  if (da >= 3 && db <= 2) {
    // Fold a's batch into its rows: one large GEMM instead of many small ones.
    Shape out_shape(a.shape().begin(), a.shape().end() - 1);
    const Tensor b2 = db == 1 ? unsqueeze(b, 1) : b;
    if (db == 2) out_shape.push_back(b.shape()[1]);
    // The row count is spelled out: with ka == 0, reshape could not infer a -1.
    int64_t rows = 1;
    for (int64_t d = 0; d < da - 1; ++d) rows *= a.shape()[d];
    const Tensor prod = mm(reshape(a, {rows, ka}), b2);
    return {reshape(prod, out_shape)};
  }
  // General batched case: broadcast the batch dims, then bmm.
  const Tensor a3 = da == 1 ? unsqueeze(a, 0) : a;
  const Tensor b3 = db == 1 ? unsqueeze(b, 1) : b;
  const Shape batch_a(a3.shape().begin(), a3.shape().end() - 2), batch_b(b3.shape().begin(), b3.shape().end() - 2);
  const Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  const int64_t n = a3.shape()[a3.dim() - 2], m = b3.shape()[b3.dim() - 1];
  int64_t nb = 1;
  for (int64_t s : batch) nb *= s;
  Shape ea = batch, eb = batch;
  ea.insert(ea.end(), {n, ka});
  eb.insert(eb.end(), {ka, m});
  const Tensor prod = bmm(reshape(expand(a3, ea), {nb, n, ka}), reshape(expand(b3, eb), {nb, ka, m}));
  Shape out_shape = batch;
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(m);
  return {reshape(prod, out_shape)};
}

// d(AB)/dA = G B^T, d(AB)/dB = A^T G; the transposes are views that BLAS reads in place.
TensorList mm_backward(const BackwardContext& c) {
  return {c.needs(0) ? mm(c.grad(), t(c.input(1))) : Tensor(), c.needs(1) ? mm(t(c.input(0)), c.grad()) : Tensor()};
}

TensorList bmm_backward(const BackwardContext& c) {
  return {c.needs(0) ? bmm(c.grad(), transpose(c.input(1), 1, 2)) : Tensor(),
          c.needs(1) ? bmm(transpose(c.input(0), 1, 2), c.grad()) : Tensor()};
}

TensorList mv_backward(const BackwardContext& c) {
  return {c.needs(0) ? outer(c.grad(), c.input(1)) : Tensor(), c.needs(1) ? mv(t(c.input(0)), c.grad()) : Tensor()};
}

TensorList dot_backward(const BackwardContext& c) {
  return {c.needs(0) ? mul(c.grad(), c.input(1)) : Tensor(), c.needs(1) ? mul(c.grad(), c.input(0)) : Tensor()};
}

const OpDef kMm{"mm", "mm(Tensor a, Tensor b)", 2, OpKind::Primitive, mm_fwd, nullptr, mm_backward, kSaveInputs};
const OpDef kBmm{"bmm", "bmm(Tensor a, Tensor b)", 2, OpKind::Primitive, bmm_fwd, nullptr, bmm_backward, kSaveInputs};
const OpDef kMatmul{"matmul", "matmul(Tensor a, Tensor b)", 2, OpKind::Composite, matmul_fwd};
const OpDef kMv{"mv", "mv(Tensor matrix, Tensor vector)", 2, OpKind::Primitive, mv_fwd, nullptr, mv_backward, kSaveInputs};
const OpDef kDot{"dot", "dot(Tensor a, Tensor b)", 2, OpKind::Primitive, dot_fwd, nullptr, dot_backward, kSaveInputs};
const OpDef kOuter{"outer", "outer(Tensor a, Tensor b)", 2, OpKind::Composite, outer_fwd};

}  // namespace

void add_linalg_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kMm, &kBmm, &kMatmul, &kMv, &kDot, &kOuter});
  add_linalg_addmm_ops(table);
  add_linalg_einsum_op(table);
}

Tensor mm(const Tensor& a, const Tensor& b) { return call1(kMm, {a, b}); }
Tensor bmm(const Tensor& a, const Tensor& b) { return call1(kBmm, {a, b}); }
Tensor matmul(const Tensor& a, const Tensor& b) { return call1(kMatmul, {a, b}); }
Tensor mv(const Tensor& a, const Tensor& v) { return call1(kMv, {a, v}); }
Tensor dot(const Tensor& a, const Tensor& b) { return call1(kDot, {a, b}); }
Tensor outer(const Tensor& a, const Tensor& b) { return call1(kOuter, {a, b}); }

}  // namespace kiln
