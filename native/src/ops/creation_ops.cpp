// Ops that make new tensors from arguments: empty, zeros, ones, full, arange, eye, rand, randn.
#include <cmath>
#include <cstring>

#include "kiln/ops.h"
#include "ops/pointwise.h"

namespace kiln {
namespace {

// ints: [dtype, sizes...]
Tensor make(const OpArgs& args, const char* op) {
  return new_tensor(int_list(args, 1), dtype_arg(args, 0, op), op);
}

TensorList empty_fwd(const TensorList&, const OpArgs& args) { return {make(args, "empty")}; }

TensorList zeros_fwd(const TensorList&, const OpArgs& args) {
  Tensor out = make(args, "zeros");
  backend_for(out.device()).fill(out, Scalar(int64_t(0)));
  return {out};
}

TensorList ones_fwd(const TensorList&, const OpArgs& args) {
  Tensor out = make(args, "ones");
  backend_for(out.device()).fill(out, Scalar(int64_t(1)));
  return {out};
}

// inputs: [value (0-dim)]; ints: [dtype, sizes...]
TensorList full_fwd(const TensorList& in, const OpArgs& args) {
  KILN_CHECK(in[0].numel() == 1, Argument, "full: the fill value must be a single number, got shape ",
             shape_str(in[0].shape()));
  Tensor out = make(args, "full");
  check_scalar_fits("full", scalar_of(in[0]), out.dtype());
  backend_for(out.device()).copy(out, expand_to(in[0].as_strided({}, {}, in[0].offset()), out.shape()));
  return {out};
}

// ints: [dtype]; reals: [start, end, step]
TensorList arange_fwd(const TensorList&, const OpArgs& args) {
  double start = real_arg(args, 0, "arange"), end = real_arg(args, 1, "arange"), step = real_arg(args, 2, "arange");
  const DType t = dtype_arg(args, 0, "arange");
  KILN_CHECK(std::isfinite(start) && std::isfinite(end), Argument, "arange: unsupported range: ", start, " -> ", end);
  if (is_integral(t, false)) {  // as in PyTorch, an integer range converts its bounds and step to integers first
    start = std::trunc(start);
    end = std::trunc(end);
    step = std::trunc(step);
  }
  KILN_CHECK(step != 0 && std::isfinite(step), Argument, "arange: step must be nonzero and finite, got ", step);
  KILN_CHECK((step > 0 && end >= start) || (step < 0 && end <= start), Argument,
             "arange: upper bound and larger bound inconsistent with step sign (start ", start, ", end ", end,
             ", step ", step, ")");
  KILN_CHECK(t != DType::Bool, DType, "arange: not implemented for 'bool'");
  const double n = std::ceil((end - start) / step);
  KILN_CHECK(n < 9.2e18, Argument, "arange: the range ", start, " -> ", end, " with step ", step, " is too long");
  Tensor out = new_tensor({static_cast<int64_t>(n)}, compute_dtype(t), "arange");
  backend_for(out.device()).arange(out, start, step);
  return {cast(out, t)};  // int8 wraps (arange(0, 300, 100) ends in -56), float16 rounds
}

// ints: [dtype, n, m]
TensorList eye_fwd(const TensorList&, const OpArgs& args) {
  const int64_t n = int_arg(args, 1, "eye"), m = int_arg(args, 2, "eye");
  KILN_CHECK(n >= 0 && m >= 0, Argument, "eye: n and m must be non-negative, got n = ", n, ", m = ", m);
  Tensor out = new_tensor({n, m}, dtype_arg(args, 0, "eye"), "eye");
  Backend& be = backend_for(out.device());
  be.fill(out, Scalar(int64_t(0)));
  const int64_t k = std::min(n, m);
  if (k > 0) be.fill(out.as_strided({k}, {m + 1}, 0), Scalar(int64_t(1)));
  return {out};
}

// ints: [dtype, generator (0: the default), sizes...]; reals: [a, b]
template <RandomOp Op>
TensorList random_fwd(const TensorList&, const OpArgs& args) {
  const char* name = Op == RandomOp::Uniform ? "rand" : "randn";
  const DType t = dtype_arg(args, 0, name);
  KILN_CHECK(is_floating(t), DType, name, ": expected a floating point dtype, got ", dtype_name(t));
  Tensor out = new_tensor(int_list(args, 2), compute_dtype(t), name);  // float16 draws in float32, then rounds
  auto* gen = reinterpret_cast<Generator*>(int_arg(args, 1, name));
  const double a = args.reals.size() > 0 ? args.reals[0] : 0.0, b = args.reals.size() > 1 ? args.reals[1] : 1.0;
  backend_for(out.device()).random(Op, out, gen ? *gen : Generator::default_generator(), a, b);
  return {cast(out, t)};
}

const OpDef kEmpty{"empty", "empty(ints: dtype, sizes...)", 0, OpKind::Creation, empty_fwd};
const OpDef kZeros{"zeros", "zeros(ints: dtype, sizes...)", 0, OpKind::Creation, zeros_fwd};
const OpDef kOnes{"ones", "ones(ints: dtype, sizes...)", 0, OpKind::Creation, ones_fwd};
const OpDef kFull{"full", "full(Tensor value; ints: dtype, sizes...)", 1, OpKind::Creation, full_fwd};
const OpDef kArange{"arange", "arange(ints: dtype; reals: start, end, step)", 0, OpKind::Creation, arange_fwd};
const OpDef kEye{"eye", "eye(ints: dtype, n, m)", 0, OpKind::Creation, eye_fwd};
const OpDef kRand{"rand", "rand(ints: dtype, generator, sizes...)", 0, OpKind::Creation, random_fwd<RandomOp::Uniform>};
const OpDef kRandn{"randn", "randn(ints: dtype, generator, sizes...)", 0, OpKind::Creation, random_fwd<RandomOp::Normal>};

OpArgs shape_args(DType t, const Shape& shape) {
  OpArgs a;
  a.ints.push_back(static_cast<int64_t>(t));
  a.ints.insert(a.ints.end(), shape.begin(), shape.end());
  return a;
}

}  // namespace

void add_creation_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kEmpty, &kZeros, &kOnes, &kFull, &kArange, &kEye, &kRand, &kRandn});
}

Tensor empty(const Shape& shape, DType t) { return call1(kEmpty, {}, shape_args(t, shape)); }
// On a GPU (derivatives make their zeros where the gradients are): filled in place, no op call.
static Tensor filled_on(const Shape& shape, Scalar value, DType t, Device device) {
  Tensor out = Tensor::empty(shape, t, device);
  backend_for(device).fill(out, value);
  return out;
}
Tensor zeros(const Shape& shape, DType t, Device device) {
  if (!device.is_cpu()) return filled_on(shape, Scalar(int64_t(0)), t, device);
  return call1(kZeros, {}, shape_args(t, shape));
}
Tensor ones(const Shape& shape, DType t, Device device) {
  if (!device.is_cpu()) return filled_on(shape, Scalar(int64_t(1)), t, device);
  return call1(kOnes, {}, shape_args(t, shape));
}
Tensor full(const Shape& shape, Scalar value, DType t, Device device) {
  if (!device.is_cpu()) {
    check_scalar_fits("full", value, t);
    return filled_on(shape, value, t, device);
  }
  return call1(kFull, {wrapped_scalar(value)}, shape_args(t, shape));
}
Tensor arange(double start, double end, double step, DType t) {
  return call1(kArange, {}, OpArgs{{static_cast<int64_t>(t)}, {start, end, step}});
}
Tensor eye(int64_t n, int64_t m, DType t) { return call1(kEye, {}, OpArgs{{static_cast<int64_t>(t), n, m}, {}}); }

static OpArgs random_args(DType t, Generator* gen, const Shape& shape) {
  OpArgs a;
  a.ints = {static_cast<int64_t>(t), reinterpret_cast<int64_t>(gen)};
  a.ints.insert(a.ints.end(), shape.begin(), shape.end());
  return a;
}
Tensor rand(const Shape& shape, DType t, Generator* gen) { return call1(kRand, {}, random_args(t, gen, shape)); }
Tensor randn(const Shape& shape, DType t, Generator* gen) { return call1(kRandn, {}, random_args(t, gen, shape)); }

Tensor from_data(const void* data, int64_t count, const Shape& shape, DType t) {
  const int64_t n = checked_numel(shape, "tensor");
  KILN_CHECK(count == n, Argument, "tensor: ", count, " values do not fill shape ", shape_str(shape), " (", n,
             " elements)");
  Tensor out = Tensor::empty(shape, t);
  if (n > 0) std::memcpy(out.raw_data(), data, static_cast<size_t>(n) * dtype_size(t));
  if (t == DType::Bool) {  // normalise to 0/1: kernels rely on it
    auto* b = static_cast<unsigned char*>(out.raw_data());
    for (int64_t i = 0; i < n; ++i) b[i] = b[i] != 0;
  }
  return out;
}

Tensor wrapped_scalar(Scalar value) { return Tensor::scalar(value, value.kind(), /*wrapped=*/true); }

}  // namespace kiln
