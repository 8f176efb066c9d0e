// Products with an added term: addmm, addmv, baddbmm (beta * input + alpha * product) and linear
// (x @ w^T + b over any leading dims). Each is one GEMM over an output prefilled with the broadcast term
// (BLAS's beta), never a product followed by an add.
#include "autograd/backward_context.h"
#include "backend.h"
#include "cpu/kernels.h"
#include "kiln/ops.h"
#include "ops/linalg_family.h"
#include "ops/operands.h"

namespace kiln {
namespace {

void check_dtypes(const char* op, const TensorList& ts) {
  check_same_device(op, ts);
  for (const Tensor& t : ts) {
    KILN_CHECK(t.dtype() == ts[0].dtype(), DType, op, ": expected all operands to have the same dtype, but got ",
               dtype_name(ts[0].dtype()), " and ", dtype_name(t.dtype()));
    KILN_CHECK(t.dtype() != DType::Bool, DType, op, ": not implemented for 'bool'");
  }
}

// The output, prefilled with the broadcast input when beta is not 0 (the GEMM then adds into it).
Tensor prefilled(const char* op, const Tensor& input, const Shape& shape, double beta) {
  KILN_CHECK(broadcast_shapes(input.shape(), shape, op) == shape, Shape, op, ": the input of shape ",
             shape_str(input.shape()), " cannot be broadcast to the product's shape ", shape_str(shape));
  Tensor out = new_tensor(shape, input.dtype(), op, input.device());
  if (beta != 0) backend_for(out.device()).copy(out, expand_to(input, shape));
  return out;
}

Tensor as_batch(const Tensor& m) {
  return m.as_strided({1, m.shape()[0], m.shape()[1]}, {0, m.strides()[0], m.strides()[1]}, m.offset());
}

Tensor maybe_multiply(const Tensor& g, double s) { return s == 1 ? g : mul(g, Scalar(s)); }

// ---------------------------------------------------------------- addmm, addmv, baddbmm: reals [beta, alpha]

TensorList addmm_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor &input = in[0], &a = in[1], &b = in[2];
  const double beta = real_arg(args, 0, "addmm"), alpha = real_arg(args, 1, "addmm");
  KILN_CHECK(a.dim() == 2 && b.dim() == 2, Shape, "addmm: expected 2-D matrices, but got shapes ", shape_str(a.shape()),
             " and ", shape_str(b.shape()));
  check_dtypes("addmm", {input, a, b});
  KILN_CHECK(a.shape()[1] == b.shape()[0], Shape, "addmm: shapes ", shape_str(a.shape()), " and ", shape_str(b.shape()),
             " cannot be multiplied (", a.shape()[1], " != ", b.shape()[0], ")");
  Tensor out = prefilled("addmm", input, {a.shape()[0], b.shape()[1]}, beta);
  backend_for(out.device()).gemm(as_batch(out), as_batch(a), as_batch(b), alpha, beta);
  return {out};
}

TensorList addmv_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor &input = in[0], &a = in[1], &v = in[2];
  const double beta = real_arg(args, 0, "addmv"), alpha = real_arg(args, 1, "addmv");
  KILN_CHECK(a.dim() == 2 && v.dim() == 1, Shape, "addmv: expected a 2-D matrix and a 1-D vector, but got shapes ",
             shape_str(a.shape()), " and ", shape_str(v.shape()));
  check_dtypes("addmv", {input, a, v});
  KILN_CHECK(a.shape()[1] == v.shape()[0], Shape, "addmv: size mismatch, got matrix ", shape_str(a.shape()),
             " and vector ", shape_str(v.shape()), " (", a.shape()[1], " != ", v.shape()[0], ")");
  Tensor out = prefilled("addmv", input, {a.shape()[0]}, beta);
  backend_for(out.device()).gemm(out.as_strided({1, out.shape()[0], 1}, {0, 1, 0}, 0), as_batch(a),
                   v.as_strided({1, v.shape()[0], 1}, {0, v.strides()[0], 0}, v.offset()), alpha, beta);
  return {out};
}

TensorList baddbmm_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor &input = in[0], &a = in[1], &b = in[2];
  const double beta = real_arg(args, 0, "baddbmm"), alpha = real_arg(args, 1, "baddbmm");
  KILN_CHECK(a.dim() == 3 && b.dim() == 3, Shape, "baddbmm: expected 3-D tensors, but got shapes ",
             shape_str(a.shape()), " and ", shape_str(b.shape()));
  check_dtypes("baddbmm", {input, a, b});
  KILN_CHECK(a.shape()[0] == b.shape()[0], Shape, "baddbmm: batch sizes of ", shape_str(a.shape()), " and ",
             shape_str(b.shape()), " differ (", a.shape()[0], " != ", b.shape()[0], ")");
  KILN_CHECK(a.shape()[2] == b.shape()[1], Shape, "baddbmm: shapes ", shape_str(a.shape()), " and ",
             shape_str(b.shape()), " cannot be multiplied (", a.shape()[2], " != ", b.shape()[1], ")");
  Tensor out = prefilled("baddbmm", input, {a.shape()[0], a.shape()[1], b.shape()[2]}, beta);
  backend_for(out.device()).gemm(out, a, b, alpha, beta);
  return {out};
}

TensorList addmm_backward(const BackwardContext& c) {
  const double beta = c.args.reals[0], alpha = c.args.reals[1];
  return {c.needs(0) ? maybe_multiply(c.grad(), beta) : Tensor(),
          c.needs(1) ? maybe_multiply(mm(c.grad(), t(c.input(2))), alpha) : Tensor(),
          c.needs(2) ? maybe_multiply(mm(t(c.input(1)), c.grad()), alpha) : Tensor()};
}

TensorList addmv_backward(const BackwardContext& c) {
  const double beta = c.args.reals[0], alpha = c.args.reals[1];
  return {c.needs(0) ? maybe_multiply(c.grad(), beta) : Tensor(),
          c.needs(1) ? maybe_multiply(outer(c.grad(), c.input(2)), alpha) : Tensor(),
          c.needs(2) ? maybe_multiply(mv(t(c.input(1)), c.grad()), alpha) : Tensor()};
}

TensorList baddbmm_backward(const BackwardContext& c) {
  const double beta = c.args.reals[0], alpha = c.args.reals[1];
  return {c.needs(0) ? maybe_multiply(c.grad(), beta) : Tensor(),
          c.needs(1) ? maybe_multiply(bmm(c.grad(), transpose(c.input(2), 1, 2)), alpha) : Tensor(),
          c.needs(2) ? maybe_multiply(bmm(transpose(c.input(1), 1, 2), c.grad()), alpha) : Tensor()};
}

// ---------------------------------------------------------------- linear

int64_t leading_rows(const Tensor& x) {
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < x.dim(); ++d) rows *= x.shape()[d];
  return rows;
}

TensorList linear_fwd(const TensorList& in, const OpArgs&) {
  KILN_CHECK(in.size() == 2 || in.size() == 3, Argument, "linear: expected input, weight and an optional bias, got ",
             in.size(), " tensors");
  const Tensor &x = in[0], &w = in[1];
  const Tensor b = in.size() == 3 ? in[2] : Tensor();
  KILN_CHECK(x.dim() >= 1, Shape, "linear: the input must have at least 1 dimension, got shape ", shape_str(x.shape()));
  KILN_CHECK(w.dim() == 2, Shape, "linear: the weight must be 2-D, got shape ", shape_str(w.shape()));
  check_dtypes("linear", b.defined() ? TensorList{x, w, b} : TensorList{x, w});
  const int64_t features = x.shape()[x.dim() - 1];
  KILN_CHECK(features == w.shape()[1], Shape, "linear: input of shape ", shape_str(x.shape()), " and weight of shape ",
             shape_str(w.shape()), " cannot be multiplied (", features, " != ", w.shape()[1], ")");
  Shape shape(x.shape().begin(), x.shape().end() - 1);
  shape.push_back(w.shape()[0]);
  const int64_t rows = leading_rows(x);
  Tensor out = b.defined() ? prefilled("linear", b, shape, 1) : new_tensor(shape, x.dtype(), "linear", x.device());
  // Leading dims fold into the GEMM's rows: a view when x's layout allows it, else one copy.
  const Tensor x2 = reshape(x, {rows, features});
  backend_for(out.device()).gemm(out.as_strided({1, rows, w.shape()[0]}, {0, w.shape()[0], 1}, 0), as_batch(x2), as_batch(t(w)), 1,
                   b.defined() ? 1 : 0);
  return {out};
}

TensorList linear_backward(const BackwardContext& c) {
  const Tensor &x = c.input(0), &w = c.input(1), &g = c.grad();
  const int64_t rows = leading_rows(x);
  return {c.needs(0) ? matmul(g, w) : Tensor(),
          c.needs(1) ? mm(t(reshape(g, {rows, w.shape()[0]})), reshape(x, {rows, w.shape()[1]})) : Tensor(),
          c.needs(2) ? g : Tensor()};  // the engine sums it to the bias's shape
}

const OpDef kAddmm{"addmm", "addmm(Tensor input, Tensor mat1, Tensor mat2; real beta, real alpha)", 3,
                   OpKind::Primitive, addmm_fwd, nullptr, addmm_backward, kSaveInputs};
const OpDef kAddmv{"addmv", "addmv(Tensor input, Tensor mat, Tensor vec; real beta, real alpha)", 3,
                   OpKind::Primitive, addmv_fwd, nullptr, addmv_backward, kSaveInputs};
const OpDef kBaddbmm{"baddbmm", "baddbmm(Tensor input, Tensor batch1, Tensor batch2; real beta, real alpha)", 3,
                     OpKind::Primitive, baddbmm_fwd, nullptr, baddbmm_backward, kSaveInputs};
const OpDef kLinear{"linear", "linear(Tensor input, Tensor weight, Tensor? bias)", -1, OpKind::Primitive, linear_fwd,
                    nullptr, linear_backward, kSaveInputs};

}  // namespace

void add_linalg_addmm_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kAddmm, &kAddmv, &kBaddbmm, &kLinear});
}

Tensor addmm(const Tensor& input, const Tensor& mat1, const Tensor& mat2, double beta, double alpha) {
  return call1(kAddmm, {input, mat1, mat2}, {{}, {beta, alpha}});
}
Tensor addmv(const Tensor& input, const Tensor& mat, const Tensor& vec, double beta, double alpha) {
  return call1(kAddmv, {input, mat, vec}, {{}, {beta, alpha}});
}
Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, double beta, double alpha) {
  return call1(kBaddbmm, {input, batch1, batch2}, {{}, {beta, alpha}});
}
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  return call1(kLinear, bias.defined() ? TensorList{x, weight, bias} : TensorList{x, weight});
}

}  // namespace kiln
