// max_unpool1d/2d/3d: the inverse of max pooling, each value written at its index into a zero output (the rest
// stays 0). The composites check sizes as torch.nn.functional does and flatten the planes; the primitive
// _max_unpool writes them (cpu/unpool.cpp), and its gradient is the adjoint, a gather by the indices.
#include <string>

#include "autograd/backward_context.h"
#include "cpu/unpool.h"
#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/pool_family.h"

namespace kiln {
namespace {

// _max_unpool(values [lead..., L], indices [lead..., L]; ints: nd, the output's nd sizes) -> [lead..., plane]
TensorList max_unpool_primitive_fwd(const TensorList& in, const OpArgs& args) {
  const int64_t nd = args.ints.at(0);
  const std::string name = "max_unpool" + std::to_string(nd) + "d";
  const Tensor &x = in[0], &idx = in[1];
  int64_t plane = 1;
  for (size_t d = 1; d < args.ints.size(); ++d) plane *= args.ints[d];
  Shape out_shape(x.shape().begin(), x.shape().end() - 1);
  out_shape.push_back(plane);
  Tensor out = Tensor::empty(out_shape, x.dtype(), x.device());
  int64_t bad = 0;
  KILN_CHECK(cpu::max_unpool_kernel(out, contiguous(x), contiguous(idx), bad), Index, name,
             ": found an invalid max index: ", bad, " (output volumes are of size ",
             shape_str(Shape(args.ints.begin() + 1, args.ints.end())), ")");
  return {out};
}

TensorList max_unpool_primitive_derivative(const BackwardContext& c) {
  TensorList out(2);
  if (c.needs(0)) out[0] = gather(c.grad(0), c.inputs[1].dim() - 1, c.inputs[1]);
  return out;
}

const OpDef kMaxUnpoolPrimitive{
    "_max_unpool", "_max_unpool(Tensor values, Tensor indices; ints: nd, output sizes[nd]) -> out", 2,
    OpKind::Primitive, max_unpool_primitive_fwd, nullptr, max_unpool_primitive_derivative, kSaveInputs};

// ints: kernel[nd], stride[nd], padding[nd], then output_size (none, nd values, or nd + 2 with N and C).
template <int ND>
TensorList max_unpool_fwd(const TensorList& in, const OpArgs& args) {
  const std::string name = "max_unpool" + std::to_string(ND) + "d";
  const char* op = name.c_str();
  const Tensor &x = in[0], &idx = in[1];
  check_cpu(op, {x, idx});
  KILN_CHECK(x.dim() == ND + 1 || x.dim() == ND + 2, Shape, op, ": expected a ", ND + 1, "-D (unbatched) or ", ND + 2,
             "-D (batched) input, but got input of shape ", shape_str(x.shape()));
  KILN_CHECK(idx.dtype() == DType::Int64, DType, op, ": expected int64 indices, got ", dtype_name(idx.dtype()));
  KILN_CHECK(idx.shape() == x.shape(), Shape, op, ": expected shape of indices to be same as that of the input tensor (",
             shape_str(x.shape()), ") but got indices tensor with shape: ", shape_str(idx.shape()));
  KILN_CHECK(is_floating(x.dtype()), DType, op, ": not implemented for '", dtype_name(x.dtype()), "'");
  const Shape given(args.ints.begin() + 3 * ND, args.ints.end());
  KILN_CHECK(given.empty() || given.size() == ND || given.size() == ND + 2, Argument, op, ": output_size should be a "
             "sequence containing ", ND, " or ", ND + 2, " elements, but it has a length of '", given.size(), "'");
  Shape out(x.shape().begin(), x.shape().end() - ND);
  for (int d = 0; d < ND; ++d) {
    const int64_t k = args.ints[d], s = args.ints[ND + d], p = args.ints[2 * ND + d];
    KILN_CHECK(k > 0 && s > 0 && p >= 0, Argument, op, ": kernel_size and stride must be positive and padding "
               "non-negative, got ", k, ", ", s, ", ", p);
    const int64_t fallback = (x.shape()[x.dim() - ND + d] - 1) * s + k - 2 * p;
    int64_t size = fallback;
    if (!given.empty()) {
      size = given[given.size() - ND + d];
      KILN_CHECK(fallback - s < size && size < fallback + s, Argument, op, ": invalid output_size ", shape_str(given),
                 " (dim ", d, " must be between ", fallback - s, " and ", fallback + s, ")");
    }
    KILN_CHECK(size > 0, Shape, op, ": the output size ", size, " of dim ", d, " is too small");
    out.push_back(size);
  }
  const int64_t lead = x.dim() - ND;
  OpArgs a{{ND}, {}};
  a.ints.insert(a.ints.end(), out.begin() + lead, out.end());
  return {reshape(call1(kMaxUnpoolPrimitive, {flatten(x, lead), flatten(idx, lead)}, a), out)};
}

const OpDef kMaxUnpool1d{"max_unpool1d", "max_unpool1d(Tensor input, Tensor indices; ints: kernel_size, stride, "
                         "padding, output_size...)", 2, OpKind::Composite, max_unpool_fwd<1>};
const OpDef kMaxUnpool2d{"max_unpool2d", "max_unpool2d(Tensor input, Tensor indices; ints: kernel_size[2], stride[2], "
                         "padding[2], output_size...)", 2, OpKind::Composite, max_unpool_fwd<2>};
const OpDef kMaxUnpool3d{"max_unpool3d", "max_unpool3d(Tensor input, Tensor indices; ints: kernel_size[3], stride[3], "
                         "padding[3], output_size...)", 2, OpKind::Composite, max_unpool_fwd<3>};

Tensor unpool(const OpDef& op, size_t nd, const Tensor& x, const Tensor& indices, const Shape& kernel,
              const Shape& stride, const Shape& padding, const Shape& output_size) {
  OpArgs a;
  const Shape& s = stride.empty() ? kernel : stride;
  const Shape p = padding.empty() ? Shape(nd, 0) : padding;
  for (const Shape* v : {&kernel, &s, &p}) {
    KILN_CHECK(v->size() == nd, Argument, op.name, ": kernel_size, stride and padding need ", nd, " values each, got ",
               shape_str(*v));
    a.ints.insert(a.ints.end(), v->begin(), v->end());
  }
  a.ints.insert(a.ints.end(), output_size.begin(), output_size.end());
  return call1(op, {x, indices}, a);
}

}  // namespace

void add_unpool_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kMaxUnpoolPrimitive, &kMaxUnpool1d, &kMaxUnpool2d, &kMaxUnpool3d});
}

Tensor max_unpool1d(const Tensor& x, const Tensor& indices, int64_t kernel, int64_t stride, int64_t padding,
                    const Shape& output_size) {
  return unpool(kMaxUnpool1d, 1, x, indices, {kernel}, {stride ? stride : kernel}, {padding}, output_size);
}
Tensor max_unpool2d(const Tensor& x, const Tensor& indices, const Shape& kernel, const Shape& stride,
                    const Shape& padding, const Shape& output_size) {
  return unpool(kMaxUnpool2d, 2, x, indices, kernel, stride, padding, output_size);
}
Tensor max_unpool3d(const Tensor& x, const Tensor& indices, const Shape& kernel, const Shape& stride,
                    const Shape& padding, const Shape& output_size) {
  return unpool(kMaxUnpool3d, 3, x, indices, kernel, stride, padding, output_size);
}

}  // namespace kiln
