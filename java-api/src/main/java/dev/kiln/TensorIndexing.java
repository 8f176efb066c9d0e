package dev.kiln;

import dev.kiln.internal.Core;
import dev.kiln.internal.Frame;

/**
 * Indexing a Tensor along a dim: gather, scatter and their relatives.
 * Part of {@link Tensor}'s API; split out by family to keep files small.
 */
public sealed interface TensorIndexing permits Tensor {


  /** {@code out[i][j] = this[i][index[i][j]]} for dim 1, and so on (torch.gather). */
  default Tensor gather(int dim, Tensor index) {
    return Tensor.adopt(Core.call(IndexingIds.GATHER, Frame.of(new long[] {self().handle(), index.handle()}, new long[] {dim})));
  }

  /** A copy with src's values written at index along dim (torch.scatter). */
  default Tensor scatter(int dim, Tensor index, Tensor src) {
    return Tensor.adopt(Core.call(IndexingIds.SCATTER, Frame.of(new long[] {self().handle(), index.handle(), src.handle()}, new long[] {dim})));
  }

  /** A copy with src's values added at index along dim (torch.scatter_add). */
  default Tensor scatterAdd(int dim, Tensor index, Tensor src) {
    return Tensor.adopt(Core.call(IndexingIds.SCATTER_ADD, Frame.of(new long[] {self().handle(), index.handle(), src.handle()}, new long[] {dim})));
  }

  /** A copy with src written over {@code slice(dim, start, end, step)} (torch.slice_scatter). */
  default Tensor sliceScatter(Tensor src, int dim, long start, long end, long step) {
    return Tensor.adopt(Core.call(IndexingIds.SLICE_SCATTER, Frame.of(new long[] {self().handle(), src.handle()}, new long[] {dim, start, end, step})));
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorIndexing, resolved by name once. */
final class IndexingIds {
  static final int GATHER = Core.op("gather"),
      SCATTER = Core.op("scatter"),
      SCATTER_ADD = Core.op("scatter_add"),
      SLICE_SCATTER = Core.op("slice_scatter");

  private IndexingIds() {}
}
