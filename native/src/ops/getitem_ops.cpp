// Python-style indexing x[i, a:b:c, None, ..., t] and x[...] = v (getitem and setitem), with NumPy's rules:
// integers, slices, new axes and the ellipsis give views (select, slice, unsqueeze); index tensors then
// gather or scatter (index, index_put_), broadcast together, their dims in place of the indexed dims when
// those are adjacent, else first. A k-dim bool mask covers k dims (PyTorch 1.13 counts it as one when more
// indices follow, its issue #71673; Kiln follows NumPy and later PyTorch).
#include "autograd/backward_context.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {
namespace {

using Kind = TensorIndex::Kind;

// Rows encode each item as 4 ints [kind, a, b, c] (kinds in TensorIndex::Kind order); tensor items take the
// next tensor input.
std::vector<TensorIndex> decode(const std::vector<int64_t>& ints, const TensorList& tensors, const char* op) {
  KILN_CHECK(ints.size() % 4 == 0, Argument, op, ": malformed index");
  std::vector<TensorIndex> items;
  size_t next = 0;
  for (size_t i = 0; i < ints.size(); i += 4) {
    const int64_t kind = ints[i];
    KILN_CHECK(kind >= 0 && kind <= 4, Argument, op, ": unknown index kind ", kind);
    TensorIndex t{static_cast<Kind>(kind), ints[i + 1], ints[i + 2], ints[i + 3], {}};
    if (t.kind == Kind::Tensor) {
      KILN_CHECK(next < tensors.size(), Argument, op, ": missing index tensor");
      t.tensor = tensors[next++];
    }
    items.push_back(t);
  }
  KILN_CHECK(next == tensors.size(), Argument, op, ": ", tensors.size() - next, " index tensors were not used");
  return items;
}

// Applies the basic items to x (views) and collects the index tensors with the dims of the result they index.
Tensor apply_basic(const Tensor& x, const std::vector<TensorIndex>& items, TensorList* list) {
  int64_t specified = 0;
  bool ellipsis = false;
  for (const TensorIndex& t : items) {
    if (t.kind == Kind::Ellipsis) {
      KILN_CHECK(!ellipsis, Index, "an index can only have a single ellipsis ('...')");
      ellipsis = true;
    } else if (t.kind == Kind::Tensor) {
      specified += t.tensor.dtype() == DType::Bool ? t.tensor.dim() : 1;
    } else if (t.kind != Kind::NewAxis) {
      ++specified;
    }
  }
  KILN_CHECK(specified <= x.dim(), Index, "too many indices for tensor of dimension ", x.dim(), " (got ", specified, ")");
  Tensor r = x;
  int64_t dim = 0;
  std::vector<std::pair<int64_t, Tensor>> indexed;  // (dim of r, index tensor)
  for (const TensorIndex& t : items) {
    switch (t.kind) {
      case Kind::Integer:
        r = select(r, dim, t.start);
        break;
      case Kind::Slice:
        KILN_CHECK(t.step > 0, Argument, "slice step must be positive, got ", t.step);
        r = slice(r, dim++, t.start, t.stop, t.step);
        break;
      case Kind::NewAxis:
        r = unsqueeze(r, dim++);
        break;
      case Kind::Ellipsis:
        dim += x.dim() - specified;
        break;
      case Kind::Tensor: {
        const Tensor& i = t.tensor;
        KILN_CHECK(i.dtype() == DType::Int64 || i.dtype() == DType::Bool, Index,
                   "tensors used as indices must be int64 or bool tensors, got ", dtype_name(i.dtype()));
        if (i.dim() == 0 && i.dtype() == DType::Int64) {  // a 0-dim integer tensor acts as an integer
          r = select(r, dim, static_cast<int64_t>(item(i)));
        } else if (i.dim() == 0) {  // True adds a dim of size 1; False, one of size 0
          r = unsqueeze(r, dim);
          indexed.emplace_back(dim++, item(i) != 0 ? zeros({1}, DType::Int64) : zeros({0}, DType::Int64));
        } else {
          indexed.emplace_back(dim, i);
          dim += i.dtype() == DType::Bool ? i.dim() : 1;
        }
        break;
      }
    }
  }
  // The aten-style list: an undefined entry for each dim passed over; a mask covers its dims.
  int64_t covered = 0;
  for (const auto& [d, i] : indexed) {
    for (; covered < d; ++covered) list->push_back(Tensor());
    list->push_back(i);
    covered += i.dtype() == DType::Bool ? i.dim() : 1;
  }
  return r;
}

// Errors name the indexing call, then the op that found the problem.
template <class F>
auto named(const char* op, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    throw Error(e.kind(), std::string(op) + ": " + e.what());
  }
}

// inputs: [x, index tensors...]; ints: 4 per item
TensorList getitem_fwd(const TensorList& in, const OpArgs& args) {
  return named("getitem", [&]() -> TensorList {
    const TensorList tensors(in.begin() + 1, in.end());
    TensorList list;
    const Tensor r = apply_basic(in[0], decode(args.ints, tensors, "getitem"), &list);
    if (list.empty()) return {r.same(in[0]) ? view(r, r.shape()) : r};  // x[...] is a view of x, as in PyTorch
    return {index(r, list)};
  });
}

// x[items] = value. inputs: [x, value, index tensors...]; ints: 4 per item. Returns nothing: x is changed.
TensorList setitem_fwd(const TensorList& in, const OpArgs& args) {
  return named("setitem", [&]() -> TensorList {
    Tensor x = in[0];
    Tensor value = in[1];
    const TensorList tensors(in.begin() + 2, in.end());
    TensorList list;
    Tensor r = apply_basic(x, decode(args.ints, tensors, "setitem"), &list);
    // Leading size-1 dims of the value are dropped, so that x[0] = v.unsqueeze(0) works as in PyTorch.
    Shape s = value.shape();
    while (!s.empty() && s.front() == 1) s.erase(s.begin());
    if (s.size() != value.shape().size()) value = reshape(value, s);
    if (list.empty()) copy_(r, value);
    else index_put_(r, list, value);
    return {};
  });
}

const OpDef kGetitem{"getitem", "getitem(Tensor x, Tensor... indices; ints: [kind, a, b, c] per item)", -1,
                     OpKind::Composite, getitem_fwd};
const OpDef kSetitem{"setitem", "setitem(Tensor x, Tensor value, Tensor... indices; ints: [kind, a, b, c] per item) "
                     "[in-place]", -1, OpKind::Composite, setitem_fwd};

OpArgs encode(const std::vector<TensorIndex>& indices, TensorList* tensors) {
  OpArgs a;
  for (const TensorIndex& t : indices) {
    a.ints.insert(a.ints.end(), {static_cast<int64_t>(t.kind), t.start, t.stop, t.step});
    if (t.kind == Kind::Tensor) tensors->push_back(t.tensor);
  }
  return a;
}

}  // namespace

void add_getitem_ops(std::vector<const OpDef*>& table) { table.insert(table.end(), {&kGetitem, &kSetitem}); }

Tensor get(const Tensor& x, const std::vector<TensorIndex>& indices) {
  TensorList in{x};
  const OpArgs a = encode(indices, &in);
  return call1(kGetitem, in, a);
}

Tensor& set_(Tensor& x, const std::vector<TensorIndex>& indices, const Tensor& value) {
  TensorList in{x, value};
  const OpArgs a = encode(indices, &in);
  call(kSetitem, in, a);
  return x;
}

}  // namespace kiln
