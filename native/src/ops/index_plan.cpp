// Advanced indexing plans: mask expansion, broadcasting of index tensors, the result's shape (NumPy's rule:
// index dims stay in place when the indexed dims are adjacent, else they go first) and element offsets.
#include "ops/index_plan.h"

#include "cpu/indexing.h"
#include "kiln/ops.h"
#include "ops/operands.h"

namespace kiln {

namespace {

bool is_indexed(const IndexPlan& p, int64_t d) {
  for (const auto& e : p.indexed)
    if (e.dim == d) return true;
  return false;
}

}  // namespace

IndexPlan plan_index(const Shape& x_shape, const TensorList& indices, const char* op) {
  const int64_t nd = static_cast<int64_t>(x_shape.size());
  IndexPlan p;
  int64_t d = 0;
  for (const Tensor& t : indices) {
    if (!t.defined()) {
      ++d;
      continue;
    }
    KILN_CHECK(t.dtype() == DType::Int64 || t.dtype() == DType::Bool, Index, op,
               ": tensors used as indices must be int64 or bool tensors, got ", dtype_name(t.dtype()));
    const int64_t covers = t.dtype() == DType::Bool ? t.dim() : 1;
    KILN_CHECK(d + covers <= nd, Index, op, ": too many indices for tensor of dimension ", nd, " (shape ",
               shape_str(x_shape), ")");
    if (t.dtype() == DType::Int64) {
      p.indexed.push_back({d++, t});
      continue;
    }
    KILN_CHECK(t.dim() > 0, Index, op, ": a 0-dim bool index is only supported in get and set");
    for (int64_t j = 0; j < t.dim(); ++j)
      KILN_CHECK(t.shape()[j] == x_shape[d + j], Index, op, ": the shape of the mask ", shape_str(t.shape()),
                 " at index ", j, " does not match the shape of the indexed tensor ", shape_str(x_shape), " at index ",
                 d + j);
    const Tensor coords = nonzero(t);
    for (int64_t j = 0; j < t.dim(); ++j) p.indexed.push_back({d + j, select(coords, 1, j)});
    d += t.dim();
  }
  KILN_CHECK(d <= nd, Index, op, ": too many indices for tensor of dimension ", nd, " (got ", d, ")");
  KILN_CHECK(!p.indexed.empty(), Argument, op, ": expected at least one index tensor");
  for (size_t i = 0; i < p.indexed.size(); ++i) {
    const Shape& s = p.indexed[i].index.shape();
    if (i == 0) {
      p.index_shape = s;
      continue;
    }
    try {
      p.index_shape = broadcast_shapes(p.index_shape, s, op);
    } catch (const Error&) {
      std::string shapes;
      for (const auto& e : p.indexed) shapes += (shapes.empty() ? "" : ", ") + shape_str(e.index.shape());
      fail(ErrorKind::Index, op, ": shape mismatch: indexing tensors could not be broadcast together with shapes ",
           shapes);
    }
  }
  const int64_t lo = p.indexed.front().dim, hi = p.indexed.back().dim;
  const bool adjacent = hi - lo + 1 == static_cast<int64_t>(p.indexed.size());
  p.first = adjacent ? lo : 0;
  p.out_shape = p.index_shape;
  int64_t kept_before = 0;
  for (int64_t k = 0; k < nd; ++k) {
    if (is_indexed(p, k)) continue;
    if (adjacent && k < lo) {
      p.out_shape.insert(p.out_shape.begin() + kept_before++, x_shape[k]);
    } else {
      p.out_shape.push_back(x_shape[k]);
    }
  }
  checked_numel(p.out_shape, op);
  return p;
}

Tensor index_offsets(const IndexPlan& p, const Tensor& t, const char* op) {
  Tensor offsets = zeros(p.index_shape, DType::Int64);
  for (const auto& e : p.indexed)
    cpu::index_offsets_kernel(offsets, expand_to(e.index, p.index_shape), t.shape()[e.dim], t.strides()[e.dim], e.dim,
                              true, op);
  return offsets;
}

Tensor indexed_view(const IndexPlan& p, const Tensor& t) {
  const int64_t ni = static_cast<int64_t>(p.index_shape.size());
  Shape strides(p.out_shape.size(), 0);
  int64_t kept = 0;  // the kept dims keep their order; the index dims sit at [first, first + ni)
  for (int64_t k = 0; k < t.dim(); ++k) {
    if (is_indexed(p, k)) continue;
    strides[kept < p.first ? kept : kept + ni] = t.strides()[k];
    ++kept;
  }
  return t.as_strided(p.out_shape, strides, t.offset());
}

Tensor offsets_view(const IndexPlan& p, const Tensor& offsets) {
  Shape strides(p.out_shape.size(), 0);
  for (size_t i = 0; i < p.index_shape.size(); ++i) strides[p.first + i] = offsets.strides()[i];
  return offsets.as_strided(p.out_shape, strides, offsets.offset());
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[lead + i]) return false;
  return true;
}

TensorList index_list(const TensorList& tensors, const std::vector<int64_t>& positions, const char* op) {
  KILN_CHECK(tensors.size() == positions.size(), Argument, op, ": ", tensors.size(), " index tensors but ",
             positions.size(), " positions");
  TensorList list;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const int64_t at = positions[i];
    KILN_CHECK(at >= static_cast<int64_t>(list.size()) && at < kMaxDims, Index, op,
               ": index positions must increase and stay below ", kMaxDims, ", got ", shape_str(positions));
    list.resize(static_cast<size_t>(at));
    list.push_back(tensors[i]);
  }
  return list;
}

void split_index_list(const TensorList& list, TensorList* tensors, std::vector<int64_t>* positions) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].defined()) continue;
    tensors->push_back(list[i]);
    positions->push_back(static_cast<int64_t>(i));
  }
}

}  // namespace kiln
