// fractional_max_pool2d/3d (Graham's fractional max pooling, as torch.nn.functional's): kernel-sized windows
// placed by one random fraction per (n, c) and dim, so that the input shrinks by a non-integer ratio. The rows
// take the fractions as an optional second input (PyTorch's _random_samples) and draw them from the generator
// when it is absent. The gradient is max pooling's scatter by index (each volume seen as a plane, as
// max_pool3d's).
#include <string>

#include "autograd/backward_context.h"
#include "cpu/pool3d.h"
#include "kiln/ops.h"
#include "ops/operands.h"
#include "ops/pool_family.h"

namespace kiln {
namespace {

// inputs: input[, random_samples]; ints: kernel_size[ND], output_size[ND], generator (drawing the samples when
// they are not given; 0: the global one).
template <int ND>
TensorList fractional_fwd(const TensorList& in, const OpArgs& args) {
  const std::string name = "fractional_max_pool" + std::to_string(ND) + "d";
  const char* op = name.c_str();
  KILN_CHECK(in.size() == 1 || in.size() == 2, Argument, op,
             ": expected the input and optionally _random_samples, got ", in.size(), " tensors");
  KILN_CHECK(args.ints.size() == 2 * ND + 1, Argument, op, ": expected ", ND, " kernel sizes, ", ND,
             " output sizes and a generator");
  const Tensor& x = in[0];
  check_cpu(op, in);
  KILN_CHECK(x.dim() == ND + 1 || x.dim() == ND + 2, Shape, op, "(): Expected ", ND + 1, "D or ", ND + 2,
             "D tensor, but got: ", shape_str(x.shape()));
  for (int64_t d = x.dim() - ND - 1; d < x.dim(); ++d)
    KILN_CHECK(x.size(d) > 0, Shape, op, "(): Expected input to have non-zero size for non-batch dimensions, but got ",
               shape_str(x.shape()), " with dimension ", d, " being empty");
  KILN_CHECK(x.dtype() == DType::Float32 || x.dtype() == DType::Float64, DType, op, ": not implemented for '",
             dtype_name(x.dtype()), "' (expected float32 or float64)");
  const int64_t batch = x.dim() == ND + 2 ? x.size(0) : 1, channels = x.size(x.dim() - ND - 1);
  const Tensor u = in.size() == 2 ? in[1]
                                  : rand({batch, channels, ND}, x.dtype(),
                                         reinterpret_cast<Generator*>(args.ints[2 * ND]));
  KILN_CHECK(u.dtype() == x.dtype() && u.dim() == 3 && u.size(0) == batch && u.size(1) == channels &&
                 u.size(2) == ND,
             Shape, op, ": expected _random_samples of shape [", batch, ", ", channels, ", ", ND, "] and dtype ",
             dtype_name(x.dtype()), ", got ", shape_str(u.shape()), " of ", dtype_name(u.dtype()));
  static const char* const kDimNames[3] = {"time", "height", "width"};
  int64_t kernel[3] = {1, 1, 1};
  Shape out_shape(x.shape().begin(), x.shape().end() - ND);
  for (int d = 0; d < ND; ++d) {
    const int64_t k = args.ints[d], o = args.ints[ND + d], size = x.size(x.dim() - ND + d);
    const char* dim_name = kDimNames[3 - ND + d];
    KILN_CHECK(k > 0 && o > 0, Argument, op, ": kernel_size and output_size must be positive, got ", k, " and ", o);
    KILN_CHECK(o + k - 1 <= size, Shape, op, "(): pool ", dim_name, " ", k, " too large relative to input ", dim_name,
               " ", size);
    kernel[3 - ND + d] = k;
    out_shape.push_back(o);
  }
  // The fraction each dim of the volume reads: PyTorch's 2-D kernel takes W from column 0 and H from column 1,
  // its 3-D kernel T, H, W from columns 0, 1, 2 (D of a 2-D pool is a single window and reads none).
  const int cols2[3] = {0, 1, 0}, cols3[3] = {0, 1, 2};
  Tensor out = new_tensor(out_shape, x.dtype(), op), idx = new_tensor(out_shape, DType::Int64, op);
  const auto as_volume = [](const Tensor& t) { return ND == 2 ? unsqueeze(as_4d(t), 2) : as_5d(t); };
  cpu::fractional_max_pool3d(kernel, ND == 2 ? cols2 : cols3, as_volume(out), as_volume(idx), as_volume(x),
                             contiguous(u));
  return {out, idx};
}

// The scatter by index over [..., prod of the pooled dims but the last, last].
template <int ND>
TensorList fractional_backward(const BackwardContext& c) {
  const Shape& x = c.input_shape(0);
  const Tensor& idx = c.output(1);
  const auto as_plane = [](const Shape& s) {
    Shape plane(s.begin(), s.end() - ND);
    int64_t rows = 1;
    for (size_t d = s.size() - ND; d + 1 < s.size(); ++d) rows *= s[d];
    plane.insert(plane.end(), {rows, s.back()});
    return plane;
  };
  const Shape in_plane = as_plane(x), out_plane = as_plane(idx.shape());
  const Tensor gi = call_max_pool2d_backward(reshape(c.grad(), out_plane), reshape(idx, out_plane),
                                             in_plane[in_plane.size() - 2], in_plane.back());
  TensorList grads(c.inputs_meta.size());  // none for the samples
  grads[0] = reshape(gi, x);
  return grads;
}

const OpDef kFractional2d{"fractional_max_pool2d",
                          "fractional_max_pool2d(Tensor input, Tensor? random_samples; ints: kernel_size[2], "
                          "output_size[2], generator) -> (values, indices)",
                          -1, OpKind::Primitive, fractional_fwd<2>, nullptr, fractional_backward<2>, kSaveOutputs};
const OpDef kFractional3d{"fractional_max_pool3d",
                          "fractional_max_pool3d(Tensor input, Tensor? random_samples; ints: kernel_size[3], "
                          "output_size[3], generator) -> (values, indices)",
                          -1, OpKind::Primitive, fractional_fwd<3>, nullptr, fractional_backward<3>, kSaveOutputs};

std::pair<Tensor, Tensor> fractional(const OpDef& op, const Tensor& x, const Shape& kernel_size,
                                     const Shape& output_size, const Tensor& samples, Generator* gen) {
  Shape ints = kernel_size;
  ints.insert(ints.end(), output_size.begin(), output_size.end());
  ints.push_back(static_cast<int64_t>(reinterpret_cast<intptr_t>(gen)));
  const TensorList r = call(op, samples.defined() ? TensorList{x, samples} : TensorList{x}, {ints, {}});
  return {r[0], r[1]};
}

}  // namespace

void add_fractional_pool_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kFractional2d, &kFractional3d});
}

std::pair<Tensor, Tensor> fractional_max_pool2d(const Tensor& x, const Shape& kernel_size, const Shape& output_size,
                                                const Tensor& random_samples, Generator* gen) {
  return fractional(kFractional2d, x, kernel_size, output_size, random_samples, gen);
}
std::pair<Tensor, Tensor> fractional_max_pool3d(const Tensor& x, const Shape& kernel_size, const Shape& output_size,
                                                const Tensor& random_samples, Generator* gen) {
  return fractional(kFractional3d, x, kernel_size, output_size, random_samples, gen);
}

}  // namespace kiln
