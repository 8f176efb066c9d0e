// Padding, as torch.nn.functional.pad: constant_pad_nd (any number of dims; negative amounts crop) and the
// reflect, replicate and circular modes (the last 1 to 3 dims), which read through a table per padded dim (one
// pass on the CPU, an index_select per dim elsewhere); their gradient, an op of its own, adds back through the
// same tables.
#include <algorithm>

#include "autograd/backward_context.h"
#include "cpu/indexing.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

const char* mode_name(PadMode mode) {
  switch (mode) {
    case PadMode::Constant: return "constant";
    case PadMode::Reflect: return "reflect";
    case PadMode::Replicate: return "replicate";
    case PadMode::Circular: return "circular";
  }
  return "?";
}

// The padded shape; pads holds (before, after) pairs from the last dim backwards.
Shape padded_shape(const Shape& shape, const std::vector<int64_t>& pads, const char* op) {
  const int64_t nd = static_cast<int64_t>(shape.size()), k = static_cast<int64_t>(pads.size()) / 2;
  KILN_CHECK(pads.size() % 2 == 0, Argument, op, ": padding length must be divisible by 2, got ", pads.size());
  KILN_CHECK(k <= nd, Argument, op, ": padding length too large: ", pads.size(), " values for a tensor of shape ",
             shape_str(shape));
  Shape out = shape;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = nd - 1 - i, b = pads[2 * i], a = pads[2 * i + 1];
    int64_t n;
    KILN_CHECK(!__builtin_add_overflow(shape[d], b, &n) && !__builtin_add_overflow(n, a, &n), Argument, op,
               ": padding overflows");
    KILN_CHECK(n >= 0, Shape, op, ": the input size ", shape[d], ", plus padding ", b, " and ", a,
               " resulted in a negative output size, which is invalid. Check dimension ", d, " of your input.");
    out[d] = n;
  }
  return out;
}

std::vector<std::vector<int64_t>> pad_tables(PadMode mode, const Shape& shape, const std::vector<int64_t>& pads);

// ints: [pads...]; reals: [value]
TensorList constant_pad_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const std::vector<int64_t>& pads = args.ints;
  const Shape shape = padded_shape(x.shape(), pads, "constant_pad_nd");
  const Scalar value(real_arg(args, 0, "constant_pad_nd"));
  Tensor out = Tensor::empty(shape, x.dtype(), x.device());
  const size_t k = pads.size() / 2;
  if (out.device().is_cpu() && k >= 1 && k <= 3 && x.is_contiguous() && out.numel() > 0) {
    // One pass over out, a row at a time (cpu/indexed_pad.cpp): fills of the padding and copies of the rows,
    // each line of out written once (the slabs below touched every row of out before the copy wrote it again).
    cpu::indexed_pad_kernel(out, x, pad_tables(PadMode::Constant, x.shape(), pads), false, value);
    return {out};
  }
  Backend& backend = backend_for(out.device());
  // Other devices and layouts: the overlap of x and out (each padded dim loses what negative padding crops) is
  // copied, and only the rest is filled, the slabs before and after the overlap along each padded dim (a corner
  // twice): filling all of out first wrote it twice ([32, 64, 56, 56] padded by 1: 3.5 ms, PyTorch 2.05).
  Tensor src = x, dst = out;
  const int64_t nd = x.dim();
  for (size_t i = 0; i < pads.size() / 2; ++i) {
    const int64_t d = nd - 1 - static_cast<int64_t>(i), b = pads[2 * i], a = pads[2 * i + 1];
    const int64_t from = std::max<int64_t>(-b, 0), to = x.shape()[d] - std::max<int64_t>(-a, 0);
    if (to <= from) {
      backend.fill(out, value);
      return {out};
    }
    const int64_t start = std::max<int64_t>(b, 0), end = start + (to - from);
    if (start > 0) backend.fill(slice(out, d, 0, start, 1), value);
    if (end < shape[d]) backend.fill(slice(out, d, end, shape[d], 1), value);
    src = slice(src, d, from, to, 1);
    dst = slice(dst, d, start, end, 1);
  }
  if (src.numel() > 0) backend.copy(dst, src);
  return {out};
}

TensorList constant_pad_backward(const BackwardContext& c) {
  std::vector<int64_t> pads = c.args.ints;
  for (int64_t& p : pads) p = -p;
  return {pad(c.grad(), pads)};
}

// Where output position j of a dim of size n, padded by b before and a after, reads from (cpu::kPadFill: the
// constant).
std::vector<int64_t> pad_table(PadMode mode, int64_t n, int64_t b, int64_t a) {
  const int64_t m = n + b + a;
  std::vector<int64_t> p(static_cast<size_t>(std::max<int64_t>(m, 0)));
  const int64_t lo = std::max<int64_t>(-b, 0), width = n - lo - std::max<int64_t>(-a, 0);
  for (int64_t j = 0; j < m; ++j) {
    int64_t i = j - b;
    if (mode == PadMode::Constant) {
      if (i < 0 || i >= n) i = cpu::kPadFill;
    } else if (mode == PadMode::Reflect) {
      if (i < 0) i = -i;
      if (i >= n) i = 2 * (n - 1) - i;
    } else if (mode == PadMode::Replicate) {
      i = std::clamp<int64_t>(i, 0, n - 1);
    } else {  // circular: the cropped dim, wrapped around
      i = lo + (((j - std::max<int64_t>(b, 0)) % width) + width) % width;
    }
    p[static_cast<size_t>(j)] = i;
  }
  return p;
}

Tensor pad_index(PadMode mode, int64_t n, int64_t b, int64_t a) {
  const std::vector<int64_t> table = pad_table(mode, n, b, a);
  Tensor idx = Tensor::empty({static_cast<int64_t>(table.size())}, DType::Int64);
  std::copy(table.begin(), table.end(), idx.data<int64_t>());
  return idx;
}

// The tables of the padded dims of a tensor of the given shape, the outermost padded dim first.
std::vector<std::vector<int64_t>> pad_tables(PadMode mode, const Shape& shape, const std::vector<int64_t>& pads) {
  const int64_t nd = static_cast<int64_t>(shape.size()), k = static_cast<int64_t>(pads.size()) / 2;
  std::vector<std::vector<int64_t>> tables;
  for (int64_t i = k - 1; i >= 0; --i)
    tables.push_back(pad_table(mode, shape[nd - 1 - i], pads[2 * i], pads[2 * i + 1]));
  return tables;
}

void check_indexed_pad(const Shape& shape, const std::vector<int64_t>& pads, PadMode mode) {
  const char* name = mode_name(mode);
  const int64_t nd = static_cast<int64_t>(shape.size()), k = static_cast<int64_t>(pads.size()) / 2;
  KILN_CHECK(pads.size() % 2 == 0, Argument, "pad: padding length must be divisible by 2, got ", pads.size());
  KILN_CHECK(k >= 1 && k <= 3 && (nd == k + 1 || nd == k + 2), NotImplemented, "pad: ", name, " padding of the last ",
             k, " dims needs a ", k + 1, "-D or ", k + 2, "-D input, got shape ", shape_str(shape),
             " (only 2D, 3D, 4D, 5D padding with non-constant padding is supported)");
  const Shape out = padded_shape(shape, pads, "pad");
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = nd - 1 - i, n = shape[d], b = pads[2 * i], a = pads[2 * i + 1];
    if (mode == PadMode::Reflect)
      KILN_CHECK(b < n && a < n, Argument, "pad: padding size should be less than the corresponding input dimension, "
                 "but got: padding (", b, ", ", a, ") at dimension ", d, " of input ", shape_str(shape));
    if (mode == PadMode::Circular)
      KILN_CHECK(b <= n && a <= n, Argument, "pad: circular padding (", b, ", ", a, ") at dimension ", d,
                 " of input ", shape_str(shape), " wraps around more than once");
    KILN_CHECK(out[d] == 0 || n - std::max<int64_t>(-b, 0) - std::max<int64_t>(-a, 0) > 0, Shape, "pad: ", name,
               " padding needs input values to read at dimension ", d, " of input ", shape_str(shape), " padded by (",
               b, ", ", a, ")");
  }
}

template <PadMode Mode>
TensorList indexed_pad_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_indexed_pad(x.shape(), args.ints, Mode);
  if (x.device().is_cpu()) {  // one pass (cpu/indexed_pad.cpp)
    Tensor out = Tensor::empty(padded_shape(x.shape(), args.ints, "pad"), x.dtype());
    cpu::indexed_pad_kernel(out, contiguous(x), pad_tables(Mode, x.shape(), args.ints), false);
    return {out};
  }
  Tensor out = x;
  for (size_t i = 0; i < args.ints.size() / 2; ++i) {
    const int64_t d = x.dim() - 1 - static_cast<int64_t>(i);
    out = index_select(out, d, pad_index(Mode, x.shape()[d], args.ints[2 * i], args.ints[2 * i + 1]));
  }
  return {out};
}

// The gradient of an indexed pad, an op of its own so that its derivative (the pad again) gives higher orders.
// ints: [mode, rank of the input, the input's shape..., pads...]
struct PadBackwardArgs {
  PadMode mode;
  Shape shape;
  std::vector<int64_t> pads;
};

PadBackwardArgs pad_backward_args(const OpArgs& args) {
  const auto& a = args.ints;
  KILN_CHECK(a.size() >= 2 && a[1] >= 0 && static_cast<int64_t>(a.size()) >= 2 + a[1], Argument,
             "indexed_pad_backward: expected mode, rank, shape and pads");
  const int64_t code = a[0];
  KILN_CHECK(code >= 1 && code <= 3, Argument, "indexed_pad_backward: unknown padding mode code ", code);
  const auto shape_end = a.begin() + 2 + a[1];
  return {static_cast<PadMode>(code), Shape(a.begin() + 2, shape_end), std::vector<int64_t>(shape_end, a.end())};
}

TensorList indexed_pad_backward_fwd(const TensorList& in, const OpArgs& args) {
  const PadBackwardArgs p = pad_backward_args(args);
  const Tensor& g = in[0];
  check_indexed_pad(p.shape, p.pads, p.mode);
  KILN_CHECK(g.shape() == padded_shape(p.shape, p.pads, "indexed_pad_backward"), Shape,
             "indexed_pad_backward: gradient of shape ", shape_str(g.shape()), " for an input of shape ",
             shape_str(p.shape), " padded by ", shape_str(p.pads));
  if (g.device().is_cpu()) {
    Tensor gx = zeros(p.shape, g.dtype());
    cpu::indexed_pad_kernel(contiguous(g), gx, pad_tables(p.mode, p.shape, p.pads), true);
    return {gx};
  }
  const int64_t nd = static_cast<int64_t>(p.shape.size());
  Tensor gx = g;
  for (size_t i = 0; i < p.pads.size() / 2; ++i) {
    const int64_t d = nd - 1 - static_cast<int64_t>(i);
    Shape s = gx.shape();
    s[d] = p.shape[d];
    Tensor z = zeros(s, g.dtype(), g.device());  // added into in place: no copy of the zeros
    gx = index_add_(z, d, pad_index(p.mode, p.shape[d], p.pads[2 * i], p.pads[2 * i + 1]), gx);
  }
  return {gx};
}

TensorList indexed_pad_backward_backward(const BackwardContext& c) {
  const PadBackwardArgs p = pad_backward_args(c.args);
  return {pad(c.grad(), p.pads, p.mode)};
}

const OpDef kIndexedPadBackward{"indexed_pad_backward",
                                "indexed_pad_backward(Tensor grad; ints: mode (1 reflect, 2 replicate, 3 circular), "
                                "rank, input shape..., pads...)",
                                1, OpKind::Primitive, indexed_pad_backward_fwd, nullptr, indexed_pad_backward_backward};

template <PadMode Mode>
TensorList indexed_pad_backward(const BackwardContext& c) {
  const Shape& shape = c.input_shape(0);
  std::vector<int64_t> ints{static_cast<int64_t>(Mode), static_cast<int64_t>(shape.size())};
  ints.insert(ints.end(), shape.begin(), shape.end());
  ints.insert(ints.end(), c.args.ints.begin(), c.args.ints.end());
  return {call1(kIndexedPadBackward, {c.grad()}, OpArgs{ints, {}})};
}

// ints: [mode, pads...]; reals: [value]
TensorList pad_fwd(const TensorList& in, const OpArgs& args);

const OpDef kConstantPadNd{"constant_pad_nd", "constant_pad_nd(Tensor x; ints: pads...; reals: value)", 1,
                           OpKind::Primitive, constant_pad_fwd, nullptr, constant_pad_backward};
const OpDef kReflectionPad{"reflection_pad", "reflection_pad(Tensor x; ints: pads...)", 1, OpKind::Primitive,
                           indexed_pad_fwd<PadMode::Reflect>, nullptr, indexed_pad_backward<PadMode::Reflect>};
const OpDef kReplicationPad{"replication_pad", "replication_pad(Tensor x; ints: pads...)", 1, OpKind::Primitive,
                            indexed_pad_fwd<PadMode::Replicate>, nullptr, indexed_pad_backward<PadMode::Replicate>};
const OpDef kCircularPad{"circular_pad", "circular_pad(Tensor x; ints: pads...)", 1, OpKind::Primitive,
                         indexed_pad_fwd<PadMode::Circular>, nullptr, indexed_pad_backward<PadMode::Circular>};
const OpDef kPad{"pad", "pad(Tensor x; ints: mode (0 constant, 1 reflect, 2 replicate, 3 circular), pads...; "
                 "reals: value)", 1, OpKind::Composite, pad_fwd};

TensorList pad_fwd(const TensorList& in, const OpArgs& args) {
  const int64_t code = int_arg(args, 0, "pad");
  KILN_CHECK(code >= 0 && code <= 3, Argument, "pad: unknown padding mode code ", code);
  const PadMode mode = static_cast<PadMode>(code);
  const double value = real_arg(args, 0, "pad");
  const OpArgs rest{int_list(args, 1), {value}};
  if (mode == PadMode::Constant) return call(kConstantPadNd, in, rest);
  KILN_CHECK(value == 0, Argument, "pad: padding mode \"", mode_name(mode), "\" doesn't take in value argument");
  const OpDef& row = mode == PadMode::Reflect ? kReflectionPad : mode == PadMode::Replicate ? kReplicationPad : kCircularPad;
  return call(row, in, OpArgs{int_list(args, 1), {}});
}

}  // namespace

void add_pad_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kConstantPadNd, &kReflectionPad, &kReplicationPad, &kCircularPad, &kPad, &kIndexedPadBackward});
}

Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, PadMode mode, double value) {
  OpArgs a{{static_cast<int64_t>(mode)}, {value}};
  a.ints.insert(a.ints.end(), pads.begin(), pads.end());
  return call1(kPad, {x}, a);
}

}  // namespace kiln
