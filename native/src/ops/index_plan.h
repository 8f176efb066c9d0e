// Advanced indexing shared by index, index_put, masked_select and index_select: which dims of x the index
// tensors address, where their (broadcast) dims land in the result, and the element offsets they select.
#pragma once
#include "op_table.h"

namespace kiln {

struct IndexPlan {
  struct Indexed {
    int64_t dim;   // a dim of x
    Tensor index;  // int64, indexing that dim
  };
  std::vector<Indexed> indexed;  // by increasing dim; a bool mask has become one int64 tensor per dim it covers
  Shape index_shape;             // the index tensors' broadcast shape
  Shape out_shape;               // x[indices]'s shape
  int64_t first = 0;             // where index_shape's dims sit in out_shape
};

// Plans x[indices] for an aten-style list: indices[i] indexes the next dim (an undefined Tensor takes the whole
// dim); a bool mask covers as many dims as it has and becomes the coordinates of its true elements.
IndexPlan plan_index(const Shape& x_shape, const TensorList& indices, const char* op);
// The element offsets into t (x's shape, any strides) that the index tensors select: int64, index_shape.
Tensor index_offsets(const IndexPlan& plan, const Tensor& t, const char* op);
// t seen with out_shape: its own strides on the dims it keeps, zero on the index dims (the offsets move there).
Tensor indexed_view(const IndexPlan& plan, const Tensor& t);
// The offsets seen with out_shape (zero strides on the dims that t keeps).
Tensor offsets_view(const IndexPlan& plan, const Tensor& offsets);

// Whether a tensor of shape `from` broadcasts to `to` (as expand would).
bool broadcasts_to(const Shape& from, const Shape& to);

// The aten-style list that the ints of an index row describe: tensors[i] sits at position positions[i].
TensorList index_list(const TensorList& tensors, const std::vector<int64_t>& positions, const char* op);
// The reverse: the defined entries of list and their positions.
void split_index_list(const TensorList& list, TensorList* tensors, std::vector<int64_t>* positions);

}  // namespace kiln
