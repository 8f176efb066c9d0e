// einsum: parses the equation, lines every operand up on one list of dims (the output's first, then the
// summed ones), takes diagonals of repeated subscripts, sums dims no other operand needs, and contracts the
// operands left to right, each pair as one bmm over permuted and reshaped views (PyTorch's plan). A
// composite: its gradient comes from the views, sums and bmm it runs.
#include <algorithm>
#include <array>
#include <string>

#include "kiln/ops.h"
#include "ops/linalg_family.h"
#include "ops/operands.h"

namespace kiln {
namespace {

constexpr int kLabels = 52;   // A-Z then a-z, PyTorch's order for the implicit output
constexpr int kEllipsis = -1;  // stands for the dims "..." covers

int label_index(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' : c - 'a' + 26; }
char label_char(int i) { return static_cast<char>(i < 26 ? 'A' + i : 'a' + i - 26); }

struct Equation {
  std::vector<std::vector<int>> inputs;  // per operand: labels and at most one kEllipsis
  std::vector<int> output;               // the same, for the output
  bool explicit_output = false;
};

// Reads one side's subscripts, starting at `pos`, until ',' or "->" or the end. Spaces are ignored.
std::vector<int> parse_term(const std::string& eq, size_t& pos, bool output) {
  std::vector<int> term;
  bool ellipsis = false;
  for (; pos < eq.size(); ++pos) {
    const char c = eq[pos];
    if (c == ',' || c == '-') break;
    if (c == ' ') continue;
    if (c == '.') {
      KILN_CHECK(!ellipsis, Argument, "einsum: found '.' at index ", pos, " of '", eq, "' in a ",
                 output ? "output" : "operand", " that already has an ellipsis");
      KILN_CHECK(pos + 2 < eq.size() && eq[pos + 1] == '.' && eq[pos + 2] == '.', Argument, "einsum: found '.' at index ",
                 pos, " of '", eq, "' that is not part of an ellipsis '...'");
      pos += 2;
      ellipsis = true;
      term.push_back(kEllipsis);
      continue;
    }
    KILN_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'), Argument, "einsum: invalid subscript '", c,
               "' at index ", pos, " of '", eq, "': subscripts must be letters in [a-zA-Z]");
    term.push_back(label_index(c));
  }
  return term;
}

Equation parse(const std::string& eq, size_t num_operands) {
  Equation e;
  size_t pos = 0;
  for (;;) {
    e.inputs.push_back(parse_term(eq, pos, false));
    if (pos < eq.size() && eq[pos] == ',') {
      ++pos;
      continue;
    }
    break;
  }
  if (pos < eq.size()) {
    KILN_CHECK(pos + 1 < eq.size() + 1 && eq.compare(pos, 2, "->") == 0, Argument, "einsum: invalid '-' at index ", pos,
               " of '", eq, "': the output must follow '->'");
    pos += 2;
    e.explicit_output = true;
    e.output = parse_term(eq, pos, true);
    KILN_CHECK(pos == eq.size(), Argument, "einsum: unexpected '", eq[pos], "' at index ", pos, " of '", eq,
               "' in the output");
  }
  KILN_CHECK(e.inputs.size() == num_operands, Argument, "einsum: the equation '", eq, "' names ", e.inputs.size(),
             " operands but ", num_operands, " were given");
  return e;
}

// Sum of x over the listed dims, keeping them (size 1); nothing to do for an empty list.
Tensor sum_keep(const Tensor& x, const Dims& dims) { return dims.empty() ? x : sum(x, dims, true); }

// The product of left and right (same rank, each dim of one size or 1) summed over the `summed` dims, which
// stay as size-1 dims: one bmm over [batch, left-only, contracted] x [batch, contracted, right-only] views.
Tensor sum_product(Tensor left, Tensor right, const std::vector<bool>& summed) {
  const int64_t nd = left.dim();
  Dims left_sums, right_sums;  // a summed dim only one side has: summed on that side first
  for (int64_t d = 0; d < nd; ++d) {
    const bool l = left.shape()[d] != 1, r = right.shape()[d] != 1;
    if (summed[d] && l && !r) left_sums.push_back(d);
    if (summed[d] && r && !l) right_sums.push_back(d);
  }
  left = sum_keep(left, left_sums);
  right = sum_keep(right, right_sums);
  Dims batch, lo, contracted, ro;
  for (int64_t d = 0; d < nd; ++d) {
    const bool l = left.shape()[d] != 1, r = right.shape()[d] != 1;
    if (l && r) (summed[d] ? contracted : batch).push_back(d);
    else if (r) ro.push_back(d);
    else lo.push_back(d);  // left only, or size 1 on both sides
  }
  if (contracted.empty()) return mul(left, right);  // nothing to contract: a broadcast product
  auto size_of = [](const Tensor& t, const Dims& dims) {
    int64_t n = 1;
    for (int64_t d : dims) n *= t.shape()[d];
    return n;
  };
  auto cat = [](std::initializer_list<const Dims*> parts) {
    Dims out;
    for (const Dims* p : parts) out.insert(out.end(), p->begin(), p->end());
    return out;
  };
  const int64_t nb = size_of(left, batch), nl = size_of(left, lo), ns = size_of(left, contracted),
                nr = size_of(right, ro);
  // ro dims have size 1 in left, lo dims size 1 in right: they ride along in the reshapes.
  const Tensor l3 = reshape(permute(left, cat({&batch, &lo, &contracted, &ro})), {nb, nl, ns});
  const Tensor r3 = reshape(permute(right, cat({&batch, &contracted, &ro, &lo})), {nb, ns, nr});
  const Dims order = cat({&batch, &lo, &contracted, &ro});
  Shape shape;
  for (int64_t d : order) {
    const bool gone = std::count(contracted.begin(), contracted.end(), d) > 0;
    shape.push_back(gone ? 1 : left.shape()[d] != 1 ? left.shape()[d] : right.shape()[d]);  // 0 broadcasts with 1 to 0
  }
  const Tensor prod = reshape(bmm(l3, r3), shape);
  Dims back(nd);
  for (int64_t i = 0; i < nd; ++i) back[order[i]] = i;
  return permute(prod, back);
}

TensorList einsum_fwd(const TensorList& ops, const OpArgs& args) {
  std::string eq;
  for (int64_t c : args.ints) {
    KILN_CHECK(c > 0 && c < 128, Argument, "einsum: the equation must be ASCII");
    eq += static_cast<char>(c);
  }
  KILN_CHECK(!ops.empty(), Argument, "einsum: must provide at least one operand");
  for (const Tensor& t : ops) {
    KILN_CHECK(t.dtype() == ops[0].dtype(), DType, "einsum: expected all operands to have the same dtype, but got ",
               dtype_name(ops[0].dtype()), " and ", dtype_name(t.dtype()));
    KILN_CHECK(t.dtype() != DType::Bool, DType, "einsum: not implemented for 'bool'");
  }
  check_same_device("einsum", ops);
  const Equation e = parse(eq, ops.size());

  // How many dims the ellipsis covers in each operand, and label counts.
  int64_t ell_dims = 0;
  std::array<int, kLabels> count{};
  std::vector<int64_t> ell_of(ops.size(), 0);
  for (size_t k = 0; k < ops.size(); ++k) {
    const auto& term = e.inputs[k];
    const bool has_ell = std::count(term.begin(), term.end(), kEllipsis) > 0;
    const int64_t labels = static_cast<int64_t>(term.size()) - (has_ell ? 1 : 0);
    KILN_CHECK(has_ell ? labels <= ops[k].dim() : labels == ops[k].dim(), Shape, "einsum: operand ", k, " of shape ",
               shape_str(ops[k].shape()), " has ", ops[k].dim(), " dims but the equation '", eq, "' gives it ", labels,
               " subscripts", has_ell ? " and an ellipsis" : "");
    ell_of[k] = has_ell ? ops[k].dim() - labels : 0;
    ell_dims = std::max(ell_dims, ell_of[k]);
    for (int l : term)
      if (l != kEllipsis) ++count[l];
  }

  // The output: given, or the ellipsis then the labels seen once, in order.
  std::vector<int> out = e.output;
  if (!e.explicit_output) {
    bool any_ell = false;
    for (const auto& term : e.inputs) any_ell |= std::count(term.begin(), term.end(), kEllipsis) > 0;
    if (any_ell) out.push_back(kEllipsis);
    for (int l = 0; l < kLabels; ++l)
      if (count[l] == 1) out.push_back(l);
  }
  std::array<bool, kLabels> in_output{};
  bool out_ell = false;
  for (int l : out) {
    if (l == kEllipsis) {
      out_ell = true;
      continue;
    }
    KILN_CHECK(count[l] > 0, Argument, "einsum: output subscript ", label_char(l),
               " does not appear in the equation for any input operand");
    KILN_CHECK(!in_output[l], Argument, "einsum: output subscript ", label_char(l), " appears more than once in the output");
    in_output[l] = true;
  }

  // The shared list of dims: the output's, then the summed labels, then the ellipsis dims if they are summed.
  // position[l] is label l's dim there; the ellipsis covers [ell_at, ell_at + ell_dims).
  std::array<int64_t, kLabels> position;
  position.fill(-1);
  int64_t n = 0, ell_at = -1;
  for (int l : out) {
    if (l == kEllipsis) {
      ell_at = n;
      n += ell_dims;
    } else {
      position[l] = n++;
    }
  }
  const int64_t out_dims = n;
  for (const auto& term : e.inputs)
    for (int l : term)
      if (l != kEllipsis && position[l] < 0) position[l] = n++;
  if (ell_at < 0) {
    ell_at = n;
    n += ell_dims;
  }

  // Each operand on the shared dims: diagonals of repeated labels, then a permute, then size-1 dims for the rest.
  std::vector<Tensor> aligned;
  std::vector<int64_t> sizes(n, 1);
  for (size_t k = 0; k < ops.size(); ++k) {
    Tensor x = ops[k];
    std::vector<int64_t> dim_of(n, -1);  // the operand's dim for each shared dim
    std::vector<int> labels;             // the operand's dims, as labels (ellipsis dims: kEllipsis)
    for (int l : e.inputs[k]) {
      if (l == kEllipsis) labels.insert(labels.end(), ell_of[k], kEllipsis);
      else labels.push_back(l);
    }
    for (int64_t d = 0, ell_seen = 0; d < static_cast<int64_t>(labels.size()); ++d) {
      const int l = labels[d];
      if (l == kEllipsis) {
        dim_of[ell_at + ell_dims - ell_of[k] + ell_seen++] = d;
        continue;
      }
      const int64_t first = dim_of[position[l]];
      if (first < 0) {
        dim_of[position[l]] = d;
        continue;
      }
      // A repeated label: keep the diagonal of dims (first, d), dropping d.
      const int64_t size = x.shape()[d];
      KILN_CHECK(x.shape()[first] == size, Shape, "einsum: subscript ", label_char(l), " is repeated for operand ", k,
                 " but the sizes don't match, ", x.shape()[first], " != ", size);
      std::vector<uint8_t> eye(static_cast<size_t>(size * size), 0);
      for (int64_t i = 0; i < size; ++i) eye[static_cast<size_t>(i * size + i)] = 1;
      Shape mask_shape(x.dim(), 1);
      mask_shape[first] = mask_shape[d] = size;
      const Tensor mask = reshape(from_data(eye.data(), size * size, {size, size}, DType::Bool), mask_shape);
      x = sum(where(mask, x, wrapped_scalar(Scalar(int64_t(0)))), {d});
      labels.erase(labels.begin() + d);
      for (auto& od : dim_of)
        if (od > d) --od;
      --d;
    }
    Dims perm;
    Shape shape;
    for (int64_t i = 0; i < n; ++i) {
      if (dim_of[i] >= 0) perm.push_back(dim_of[i]);
      shape.push_back(dim_of[i] >= 0 ? x.shape()[dim_of[i]] : 1);
    }
    bool identity = true;
    for (size_t i = 0; i < perm.size(); ++i) identity &= perm[i] == static_cast<int64_t>(i);
    if (!identity) x = permute(x, perm);
    if (!(x.shape() == shape)) x = reshape(x, shape);  // size-1 dims for the labels x lacks
    for (int64_t i = 0; i < n; ++i) {
      if (shape[i] == 1) continue;
      KILN_CHECK(sizes[i] == 1 || sizes[i] == shape[i], Shape, "einsum: operand ", k, " of shape ",
                 shape_str(ops[k].shape()), " has size ", shape[i], " for ",
                 i >= ell_at && i < ell_at + ell_dims ? std::string("an ellipsis dim") : std::string("subscript ") +
                 label_char(static_cast<int>(std::find(position.begin(), position.end(), i) - position.begin())),
                 ", which does not broadcast with the size ", sizes[i], " seen before");
      sizes[i] = shape[i];
    }
    aligned.push_back(x);
  }

  // Which operands use each summed dim: once the last one is in, the dim is summed.
  std::vector<int64_t> last_user(n, -1);
  for (size_t k = 0; k < aligned.size(); ++k)
    for (int64_t i = out_dims; i < n; ++i)
      if (aligned[k].shape()[i] != 1) last_user[i] = static_cast<int64_t>(k);
  auto summed_at = [&](int64_t k) {
    std::vector<bool> s(n, false);
    for (int64_t i = out_dims; i < n; ++i) s[i] = last_user[i] <= k;
    return s;
  };
  Tensor result = aligned[0];
  if (aligned.size() == 1) {
    Dims dims;
    for (int64_t i = out_dims; i < n; ++i)
      if (result.shape()[i] != 1) dims.push_back(i);
    result = sum_keep(result, dims);
  }
  for (size_t k = 1; k < aligned.size(); ++k) result = sum_product(result, aligned[k], summed_at(k));
  // Drop the summed dims, now all of size 1; the output keeps its broadcast sizes.
  Shape out_shape(result.shape().begin(), result.shape().begin() + out_dims);
  for (int64_t i = 0; i < out_dims; ++i) out_shape[i] = sizes[i];
  if (!(result.shape() == out_shape)) {
    Shape full = out_shape;
    full.resize(n, 1);
    if (!(result.shape() == full)) result = expand(result, full);
    result = reshape(result, out_shape);
  }
  (void)out_ell;
  return {result};
}

const OpDef kEinsum{"einsum", "einsum(Tensor... operands; ints: the equation's characters)", -1, OpKind::Composite,
                    einsum_fwd};

}  // namespace

void add_linalg_einsum_op(std::vector<const OpDef*>& table) { table.push_back(&kEinsum); }

Tensor einsum(const std::string& equation, const TensorList& operands) {
  OpArgs args;
  for (char c : equation) args.ints.push_back(static_cast<unsigned char>(c));
  return call1(kEinsum, operands, args);
}

}  // namespace kiln
