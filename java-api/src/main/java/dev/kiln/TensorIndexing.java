package dev.kiln;

import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * Indexing a Tensor: Python-style {@code get} and {@code set} (see {@link Index}), along a dim (select,
 * gather, scatter, index_select, ...), by index tensors and masks.
 * Part of {@link Tensor}'s API; split out by family to keep files small.
 */
public sealed interface TensorIndexing permits Tensor {
  /**
   * {@code x[indices]}, with Python's and NumPy's rules (see {@link Index}): a view for integers, slices,
   * new axes and the ellipsis; a copy gathered by index tensors otherwise.
   * {@code x.get(from(1), newAxis(), ellipsis(), of(mask))} is {@code x[1:, None, ..., mask]}.
   */
  default Tensor get(Index... indices) {
    List<Long> tensors = new ArrayList<>();
    tensors.add(self().handle());
    long[] ints = IndexingIds.encode(indices, tensors);
    return Tensor.adopt(Core.call(IndexingIds.GETITEM, Frame.of(IndexingIds.unbox(tensors), ints)));
  }

  /** {@code x[i, j, ...]} for integer indices: a view. */
  default Tensor get(long index, long... more) {
    return get(IndexingIds.integers(index, more));
  }

  /**
   * {@code x[indices] = value}: value broadcasts to the indexed region (leading size-1 dims of value are
   * ignored); returns this tensor. Under autograd this works on views and non-leaf tensors as in PyTorch.
   * With index tensors, value must have this tensor's dtype.
   */
  default Tensor set(Tensor value, Index... indices) {
    List<Long> tensors = new ArrayList<>();
    tensors.add(self().handle());
    tensors.add(value.handle());
    long[] ints = IndexingIds.encode(indices, tensors);
    Core.call(IndexingIds.SETITEM, Frame.of(IndexingIds.unbox(tensors), ints), 1);
    return self();
  }

  /** {@code x[indices] = value}, value converted to this tensor's dtype. */
  default Tensor set(double value, Index... indices) {
    try (Tensor v = Tensor.scalar(value, self().dtype())) {
      return set(v, indices);
    }
  }

  default Tensor set(long value, Index... indices) {
    try (Tensor v = self().dtype().isFloatingPoint() ? Tensor.scalar((double) value, self().dtype())
        : self().dtype() == DType.BOOL ? Tensor.scalar(value != 0) : Tensor.scalar(value)) {
      return set(v, indices);
    }
  }

  default Tensor set(boolean value, Index... indices) {
    return set(value ? 1L : 0L, indices);
  }

  /** {@code x[i, j, ...] = value} for integer indices. */
  default Tensor set(Tensor value, long index, long... more) {
    return set(value, IndexingIds.integers(index, more));
  }

  default Tensor set(double value, long index, long... more) {
    return set(value, IndexingIds.integers(index, more));
  }

  default Tensor set(long value, long index, long... more) {
    return set(value, IndexingIds.integers(index, more));
  }

  /** The view {@code x[..., index, ...]} with index at dim, which disappears. */
  default Tensor select(int dim, long index) {
    return Calls.withLongs(self(), IndexingIds.SELECT, dim, index);
  }

  /** {@code out[i][j] = this[i][index[i][j]]} for dim 1, and so on (torch.gather). */
  default Tensor gather(int dim, Tensor index) {
    return Calls.call(IndexingIds.GATHER, new long[] {self().handle(), index.handle()}, dim);
  }

  /** A copy with src's values written at index along dim (torch.scatter). */
  default Tensor scatter(int dim, Tensor index, Tensor src) {
    return Calls.call(IndexingIds.SCATTER, new long[] {self().handle(), index.handle(), src.handle()}, dim);
  }

  /** A copy with src's values added at index along dim (torch.scatter_add). */
  default Tensor scatterAdd(int dim, Tensor index, Tensor src) {
    return Calls.call(IndexingIds.SCATTER_ADD, new long[] {self().handle(), index.handle(), src.handle()}, dim);
  }

  /** {@link #scatter} into this tensor (torch.Tensor.scatter_); every index is checked before the first write. */
  default Tensor scatter_(int dim, Tensor index, Tensor src) {
    Core.callInPlace(IndexingIds.SCATTER, Frame.of(new long[] {self().handle(), index.handle(), src.handle()},
        new long[] {dim}));
    return self();
  }

  /** {@link #scatterAdd} into this tensor (torch.Tensor.scatter_add_). */
  default Tensor scatterAdd_(int dim, Tensor index, Tensor src) {
    Core.callInPlace(IndexingIds.SCATTER_ADD, Frame.of(new long[] {self().handle(), index.handle(), src.handle()},
        new long[] {dim}));
    return self();
  }

  /**
   * A copy with src's values combined at index along dim by reduce: "sum", "prod", "mean", "amax" or
   * "amin"; includeSelf: whether this tensor's own values take part (torch.scatter_reduce).
   */
  default Tensor scatterReduce(int dim, Tensor index, Tensor src, String reduce, boolean includeSelf) {
    return Calls.call(IndexingIds.SCATTER_REDUCE, new long[] {self().handle(), index.handle(), src.handle()},
        dim, IndexingIds.reduceCode(reduce), includeSelf ? 1 : 0);
  }

  default Tensor scatterReduce(int dim, Tensor index, Tensor src, String reduce) {
    return scatterReduce(dim, index, src, reduce, true);
  }

  default Tensor scatterReduce_(int dim, Tensor index, Tensor src, String reduce, boolean includeSelf) {
    Core.callInPlace(IndexingIds.SCATTER_REDUCE, Frame.of(new long[] {self().handle(), index.handle(), src.handle()},
        new long[] {dim, IndexingIds.reduceCode(reduce), includeSelf ? 1 : 0}));
    return self();
  }

  default Tensor scatterReduce_(int dim, Tensor index, Tensor src, String reduce) {
    return scatterReduce_(dim, index, src, reduce, true);
  }

  /** A copy with src written over {@code slice(dim, start, end, step)} (torch.slice_scatter). */
  default Tensor sliceScatter(Tensor src, int dim, long start, long end, long step) {
    return Calls.call(IndexingIds.SLICE_SCATTER, new long[] {self().handle(), src.handle()}, dim, start, end, step);
  }

  /** The entries index (int64, 0-D or 1-D) of dim, in that order. */
  default Tensor indexSelect(int dim, Tensor index) {
    return Calls.call(IndexingIds.INDEX_SELECT, new long[] {self().handle(), index.handle()}, dim);
  }

  /** A copy with source added at the entries index of dim (repeated indices accumulate). */
  default Tensor indexAdd(int dim, Tensor index, Tensor source) {
    return indexAdd(dim, index, source, 1);
  }

  /** A copy with alpha * source added at the entries index of dim. */
  default Tensor indexAdd(int dim, Tensor index, Tensor source, double alpha) {
    return Calls.call(IndexingIds.INDEX_ADD, new long[] {self().handle(), index.handle(), source.handle()},
        new long[] {dim}, alpha);
  }

  default Tensor indexAdd_(int dim, Tensor index, Tensor source) {
    return indexAdd_(dim, index, source, 1);
  }

  default Tensor indexAdd_(int dim, Tensor index, Tensor source, double alpha) {
    Core.callInPlace(IndexingIds.INDEX_ADD, Frame.of(new long[] {self().handle(), index.handle(), source.handle()},
        new long[] {dim}, alpha));
    return self();
  }

  /**
   * A copy with values written at {@code indices} (torch.index_put): indices[i] indexes dim i (null
   * takes the whole dim; a bool mask covers as many dims as it has); accumulate adds instead.
   */
  default Tensor indexPut(Tensor[] indices, Tensor values, boolean accumulate) {
    return Tensor.adopt(Core.call(IndexingIds.INDEX_PUT, IndexingIds.putFrame(self(), indices, values, accumulate)));
  }

  default Tensor indexPut(Tensor[] indices, Tensor values) {
    return indexPut(indices, values, false);
  }

  default Tensor indexPut_(Tensor[] indices, Tensor values, boolean accumulate) {
    Core.callInPlace(IndexingIds.INDEX_PUT, IndexingIds.putFrame(self(), indices, values, accumulate));
    return self();
  }

  default Tensor indexPut_(Tensor[] indices, Tensor values) {
    return indexPut_(indices, values, false);
  }

  /** A copy with value where mask (bool, broadcast with this tensor) is true. */
  default Tensor maskedFill(Tensor mask, double value) {
    try (Tensor v = Tensor.scalar(value, DType.FLOAT64)) {
      return maskedFill(mask, v);
    }
  }

  default Tensor maskedFill(Tensor mask, long value) {
    try (Tensor v = Tensor.scalar(value)) {
      return maskedFill(mask, v);
    }
  }

  default Tensor maskedFill(Tensor mask, boolean value) {
    try (Tensor v = Tensor.scalar(value)) {
      return maskedFill(mask, v);
    }
  }

  /** value: a 0-dim tensor (its gradient is the sum of the gradient where mask is true). */
  default Tensor maskedFill(Tensor mask, Tensor value) {
    return Calls.call(IndexingIds.MASKED_FILL, new long[] {self().handle(), mask.handle(), value.handle()});
  }

  default Tensor maskedFill_(Tensor mask, double value) {
    try (Tensor v = Tensor.scalar(value, DType.FLOAT64)) {
      return maskedFill_(mask, v);
    }
  }

  default Tensor maskedFill_(Tensor mask, long value) {
    try (Tensor v = Tensor.scalar(value)) {
      return maskedFill_(mask, v);
    }
  }

  default Tensor maskedFill_(Tensor mask, boolean value) {
    try (Tensor v = Tensor.scalar(value)) {
      return maskedFill_(mask, v);
    }
  }

  default Tensor maskedFill_(Tensor mask, Tensor value) {
    Core.callInPlace(IndexingIds.MASKED_FILL, Frame.tensors(self().handle(), mask.handle(), value.handle()));
    return self();
  }

  /** The elements where mask (bool, broadcast with this tensor) is true, as a 1-D tensor in row-major order. */
  default Tensor maskedSelect(Tensor mask) {
    return Calls.binary(self(), IndexingIds.MASKED_SELECT, mask);
  }

  /** The coordinates of the nonzero elements: int64 [count, dim()]. */
  default Tensor nonzero() {
    return Calls.unary(self(), IndexingIds.NONZERO);
  }

  /** The coordinates of the nonzero elements, one int64 [count] tensor per dim ({@code nonzero(as_tuple=True)}). */
  default List<Tensor> nonzeroAsTuple() {
    try (Tensor coords = self().dim() == 0 ? self().reshape(1).nonzero() : nonzero()) {
      return coords.unbind(1);
    }
  }

  /** {@code out[..., i, ...] = this[..., indices[..., i, ...], ...]} along dim, indices broadcast (torch.take_along_dim). */
  default Tensor takeAlongDim(Tensor indices, int dim) {
    return Calls.call(IndexingIds.TAKE_ALONG_DIM, new long[] {self().handle(), indices.handle()}, dim);
  }

  /** The elements at indices of the flattened tensor. */
  default Tensor takeAlongDim(Tensor indices) {
    return Calls.call(IndexingIds.TAKE_ALONG_DIM, new long[] {self().handle(), indices.handle()});
  }

  /** int64 class indices to one-hot rows of one more than the largest class ({@code F.one_hot}). */
  default Tensor oneHot() {
    return oneHot(-1);
  }

  default Tensor oneHot(long numClasses) {
    return Calls.withLongs(self(), IndexingIds.ONE_HOT, numClasses);
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorIndexing, resolved by name once, and the encoding of index lists. */
final class IndexingIds {
  static final int GATHER = Core.op("gather"),
      GETITEM = Core.op("getitem"),
      INDEX_ADD = Core.op("index_add"),
      INDEX_PUT = Core.op("index_put"),
      INDEX_SELECT = Core.op("index_select"),
      MASKED_FILL = Core.op("masked_fill"),
      MASKED_SELECT = Core.op("masked_select"),
      NONZERO = Core.op("nonzero"),
      ONE_HOT = Core.op("one_hot"),
      SCATTER = Core.op("scatter"),
      SCATTER_ADD = Core.op("scatter_add"),
      SCATTER_REDUCE = Core.op("scatter_reduce"),
      SELECT = Core.op("select"),
      SETITEM = Core.op("setitem"),
      SLICE_SCATTER = Core.op("slice_scatter"),
      TAKE_ALONG_DIM = Core.op("take_along_dim");

  private static final List<String> REDUCTIONS = List.of("sum", "prod", "mean", "amax", "amin");

  private IndexingIds() {}

  static long reduceCode(String reduce) {
    int code = REDUCTIONS.indexOf(reduce);
    if (code < 0) throw new ArgumentException("scatter_reduce: reduce argument must be either sum, prod, mean, amax "
        + "or amin, got " + reduce);
    return code;
  }

  /** Four ints per item ([kind, start, stop, step]); index tensors are appended to tensors. */
  static long[] encode(Index[] indices, List<Long> tensors) {
    long[] ints = new long[4 * indices.length];
    for (int i = 0; i < indices.length; i++) {
      Index ix = java.util.Objects.requireNonNull(indices[i], "index item");
      ints[4 * i] = ix.kind.ordinal();
      ints[4 * i + 1] = ix.start;
      ints[4 * i + 2] = ix.stop;
      ints[4 * i + 3] = ix.step;
      if (ix.tensor != null) tensors.add(ix.tensor.handle());
    }
    return ints;
  }

  static Index[] integers(long first, long[] more) {
    Index[] out = new Index[more.length + 1];
    out[0] = Index.of(first);
    for (int i = 0; i < more.length; i++) out[i + 1] = Index.of(more[i]);
    return out;
  }

  static long[] unbox(List<Long> handles) {
    long[] out = new long[handles.size()];
    for (int i = 0; i < out.length; i++) out[i] = handles.get(i);
    return out;
  }

  /** [self, values, the non-null indices...]; ints [accumulate, the position of each]. */
  static long[] putFrame(Tensor self, Tensor[] indices, Tensor values, boolean accumulate) {
    List<Long> tensors = new ArrayList<>(List.of(self.handle(), values.handle()));
    List<Long> ints = new ArrayList<>(List.of(accumulate ? 1L : 0L));
    for (int i = 0; i < indices.length; i++) {
      if (indices[i] == null) continue;
      tensors.add(indices[i].handle());
      ints.add((long) i);
    }
    return Frame.of(unbox(tensors), unbox(ints));
  }
}
