// Rearranging copies: flip, roll, repeat, tile, tril and triu. Each is a new tensor (flip too: Kiln's views
// have no negative strides); each derivative is the same rearrangement run backwards on the gradient.
#include <algorithm>

#include "autograd/backward_context.h"
#include "cpu/indexing.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

// Wrapped dims without repeats; an empty list is allowed (and means none).
std::vector<int64_t> distinct_dims(const std::vector<int64_t>& dims, int64_t ndim, const char* op) {
  std::vector<int64_t> out;
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, ndim, op);
    KILN_CHECK(std::find(out.begin(), out.end(), w) == out.end(), Argument, op, ": dim ", w,
               " appears multiple times in the list of dims");
    out.push_back(w);
  }
  return out;
}

// ints: [dims...]
TensorList flip_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  check_cpu("flip", in);
  std::vector<int64_t> dims = distinct_dims(args.ints, x.dim(), "flip");
  if (x.dim() == 0) dims.clear();
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  cpu::flip_kernel(out, x, dims);
  return {out};
}

TensorList flip_backward(const BackwardContext& c) { return {flip(c.grad(), c.args.ints)}; }

// x rolled by shift along dim: element i moves to (i + shift) mod size.
Tensor roll_one(const Tensor& x, int64_t shift, int64_t dim) {
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  const int64_t n = x.shape()[dim];
  if (x.numel() == 0) return out;
  const int64_t s = ((shift % n) + n) % n;
  backend_for(x.device()).copy(narrow(out, dim, s, n - s), narrow(x, dim, 0, n - s));
  backend_for(x.device()).copy(narrow(out, dim, 0, s), narrow(x, dim, n - s, s));
  return out;
}

// ints: [count, shifts... (count), dims...]
TensorList roll_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const int64_t count = int_arg(args, 0, "roll");
  KILN_CHECK(count >= 0 && static_cast<size_t>(count) < args.ints.size(), Argument, "roll: malformed shifts");
  const std::vector<int64_t> shifts(args.ints.begin() + 1, args.ints.begin() + 1 + count);
  const std::vector<int64_t> dims = int_list(args, static_cast<size_t>(count) + 1);
  KILN_CHECK(!shifts.empty(), Argument, "roll: `shifts` required");
  KILN_CHECK(dims.empty() || x.dim() > 0, Index, "roll: dimension specified as ", dims[0],
             " but tensor has no dimensions");
  if (dims.empty()) {
    KILN_CHECK(shifts.size() == 1, Argument, "roll: shifts and dimensions must align. shifts: ", shifts.size(),
               ", dims: 0");
    return {view(roll_one(reshape(x, {-1}), shifts[0], 0), x.shape())};
  }
  KILN_CHECK(shifts.size() == dims.size(), Argument, "roll: shifts and dimensions must align. shifts: ", shifts.size(),
             ", dims: ", dims.size());
  Tensor out = x;
  for (size_t i = 0; i < dims.size(); ++i) out = roll_one(out, shifts[i], wrap_dim(dims[i], x.dim(), "roll"));
  if (out.same(x)) out = clone(x);
  return {out};
}

TensorList roll_backward(const BackwardContext& c) {
  const int64_t count = c.args.ints[0];
  std::vector<int64_t> shifts(c.args.ints.begin() + 1, c.args.ints.begin() + 1 + count);
  for (int64_t& s : shifts) s = -s;
  return {roll(c.grad(), shifts, int_list(c.args, static_cast<size_t>(count) + 1))};
}

// ints: [repeats...]
TensorList repeat_fwd(const TensorList& in, const OpArgs& args) {
  const Tensor& x = in[0];
  const Shape reps = args.ints;
  const int64_t nd = static_cast<int64_t>(reps.size()), lead = nd - x.dim();
  KILN_CHECK(lead >= 0, Shape, "repeat: number of dimensions of repeat dims (", nd,
             ") can not be smaller than number of dimensions of tensor (", x.dim(), ")");
  Shape shape(reps.size());
  for (int64_t d = 0; d < nd; ++d) {
    KILN_CHECK(reps[d] >= 0, Argument, "repeat: repeats must be non-negative, got ", shape_str(reps));
    const int64_t s = d < lead ? 1 : x.shape()[d - lead];
    KILN_CHECK(!__builtin_mul_overflow(reps[d], s, &shape[d]), Argument, "repeat: the result size overflows");
  }
  Tensor out = new_tensor(shape, x.dtype(), "repeat", x.device());
  if (out.numel() == 0) return {out};
  // out seen as [r0, s0, r1, s1, ...], and x broadcast to it (stride 0 along each r).
  Shape pairs, out_strides, x_strides;
  for (int64_t d = 0; d < nd; ++d) {
    const int64_t s = d < lead ? 1 : x.shape()[d - lead];
    pairs.insert(pairs.end(), {reps[d], s});
    out_strides.insert(out_strides.end(), {s * out.strides()[d], out.strides()[d]});
    x_strides.insert(x_strides.end(), {0, d < lead ? 0 : x.strides()[d - lead]});
  }
  backend_for(x.device()).copy(out.as_strided(pairs, out_strides, 0), x.as_strided(pairs, x_strides, x.offset()));
  return {out};
}

// Each input element received the sum of the gradients of its copies.
TensorList repeat_backward(const BackwardContext& c) {
  const Shape& in_shape = c.input_shape(0);
  const Shape& reps = c.args.ints;
  const int64_t nd = static_cast<int64_t>(reps.size()), lead = nd - static_cast<int64_t>(in_shape.size());
  Shape pairs;
  Dims rep_dims;
  for (int64_t d = 0; d < nd; ++d) {
    rep_dims.push_back(2 * d);
    pairs.insert(pairs.end(), {reps[d], d < lead ? 1 : in_shape[d - lead]});
  }
  return {reshape(sum(reshape(c.grad(), pairs), rep_dims), in_shape)};
}

// ints: [reps...]; fewer reps than dims repeat the leading dims once.
TensorList tile_fwd(const TensorList& in, const OpArgs& args) {
  Shape reps = args.ints;
  if (static_cast<int64_t>(reps.size()) < in[0].dim()) reps.insert(reps.begin(), in[0].dim() - reps.size(), 1);
  return {repeat(in[0], reps)};
}

// ints: [diagonal]
template <bool Lower>
TensorList tri_fwd(const TensorList& in, const OpArgs& args) {
  const char* name = Lower ? "tril" : "triu";
  const Tensor& x = in[0];
  check_cpu(name, in);
  KILN_CHECK(x.dim() >= 2, Shape, name, ": input tensor must have at least 2 dimensions, got shape ",
             shape_str(x.shape()));
  Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
  cpu::tri_kernel(out, x, int_arg(args, 0, name), Lower);
  return {out};
}

template <bool Lower>
TensorList tri_backward(const BackwardContext& c) {
  return {Lower ? tril(c.grad(), c.args.ints[0]) : triu(c.grad(), c.args.ints[0])};
}

const OpDef kFlip{"flip", "flip(Tensor x; ints: dims...)", 1, OpKind::Primitive, flip_fwd, nullptr, flip_backward};
const OpDef kRoll{"roll", "roll(Tensor x; ints: count, shifts..., dims...)", 1, OpKind::Primitive, roll_fwd, nullptr,
                  roll_backward};
const OpDef kRepeat{"repeat", "repeat(Tensor x; ints: repeats...)", 1, OpKind::Primitive, repeat_fwd, nullptr,
                    repeat_backward};
const OpDef kTile{"tile", "tile(Tensor x; ints: reps...)", 1, OpKind::Composite, tile_fwd};
const OpDef kTril{"tril", "tril(Tensor x; ints: diagonal)", 1, OpKind::Primitive, tri_fwd<true>, nullptr,
                  tri_backward<true>};
const OpDef kTriu{"triu", "triu(Tensor x; ints: diagonal)", 1, OpKind::Primitive, tri_fwd<false>, nullptr,
                  tri_backward<false>};

}  // namespace

void add_rearrange_ops(std::vector<const OpDef*>& table) {
  table.insert(table.end(), {&kFlip, &kRoll, &kRepeat, &kTile, &kTril, &kTriu});
}

Tensor flip(const Tensor& x, const Dims& dims) { return call1(kFlip, {x}, OpArgs{dims, {}}); }
Tensor roll(const Tensor& x, const std::vector<int64_t>& shifts, const Dims& dims) {
  OpArgs a{{static_cast<int64_t>(shifts.size())}, {}};
  a.ints.insert(a.ints.end(), shifts.begin(), shifts.end());
  a.ints.insert(a.ints.end(), dims.begin(), dims.end());
  return call1(kRoll, {x}, a);
}
Tensor repeat(const Tensor& x, const Shape& repeats) { return call1(kRepeat, {x}, OpArgs{repeats, {}}); }
Tensor tile(const Tensor& x, const Shape& reps) { return call1(kTile, {x}, OpArgs{reps, {}}); }
Tensor tril(const Tensor& x, int64_t diagonal) { return call1(kTril, {x}, OpArgs{{diagonal}, {}}); }
Tensor triu(const Tensor& x, int64_t diagonal) { return call1(kTriu, {x}, OpArgs{{diagonal}, {}}); }

}  // namespace kiln
