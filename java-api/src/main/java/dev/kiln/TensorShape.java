package dev.kiln;

import dev.kiln.internal.Core;
import java.util.List;

/**
 * Views of a Tensor (new shapes and strides over the same memory, never a copy; reshape copies only
 * when no view can express the result), splitting into pieces, rearranging copies and padding. The
 * static cat and stack are on {@link Tensor}.
 * Part of {@link Tensor}'s API; split out by family to keep files small.
 */
public sealed interface TensorShape permits Tensor {
  /** A view with a new shape (one size may be -1); the memory layout must allow it. */
  default Tensor view(long... shape) {
    return Calls.withLongs(self(), ShapeIds.VIEW, shape);
  }

  /** Like view, but copies when no view can express the new shape. */
  default Tensor reshape(long... shape) {
    return Calls.withLongs(self(), ShapeIds.RESHAPE, shape);
  }

  default Tensor transpose(int dim0, int dim1) {
    return Calls.withInts(self(), ShapeIds.TRANSPOSE, dim0, dim1);
  }

  /** The transpose of a matrix (a 0-D or 1-D tensor is returned as is). */
  default Tensor t() {
    return Calls.unary(self(), ShapeIds.T);
  }

  default Tensor permute(int... dims) {
    return Calls.withInts(self(), ShapeIds.PERMUTE, dims);
  }

  /** length elements of dim from start. */
  default Tensor narrow(int dim, long start, long length) {
    return Calls.withLongs(self(), ShapeIds.NARROW, dim, start, length);
  }

  /** Elements start, start + step, ... below end of dim (Python's {@code x[start:end:step]}). */
  default Tensor slice(int dim, long start, long end, long step) {
    return Calls.withLongs(self(), ShapeIds.SLICE, dim, start, end, step);
  }

  default Tensor slice(int dim, long start, long end) {
    return slice(dim, start, end, 1);
  }

  /** A view with size-1 dims repeated (stride 0) to the given sizes; -1 keeps a size. */
  default Tensor expand(long... shape) {
    return Calls.withLongs(self(), ShapeIds.EXPAND, shape);
  }

  default Tensor expandAs(Tensor other) {
    return expand(other.shape());
  }

  /** Removes every dim of size 1. */
  default Tensor squeeze() {
    return Calls.unary(self(), ShapeIds.SQUEEZE);
  }

  /** Removes dim if its size is 1. */
  default Tensor squeeze(int dim) {
    return Calls.withInts(self(), ShapeIds.SQUEEZE, dim);
  }

  default Tensor unsqueeze(int dim) {
    return Calls.withInts(self(), ShapeIds.UNSQUEEZE, dim);
  }

  default Tensor flatten() {
    return flatten(0, -1);
  }

  default Tensor flatten(int startDim, int endDim) {
    return Calls.withInts(self(), ShapeIds.FLATTEN, startDim, endDim);
  }

  /** This tensor if it is contiguous, else a contiguous copy. */
  default Tensor contiguous() {
    return Calls.unary(self(), ShapeIds.CONTIGUOUS);
  }


  /** Views of consecutive pieces of dim 0, each of splitSize elements (the last may be shorter). */
  default List<Tensor> split(long splitSize) {
    return split(splitSize, 0);
  }

  /** {@code x.split(2, 1)}: views of dim 1 in pieces of 2 ({@code torch.split(x, 2, dim=1)}). */
  default List<Tensor> split(long splitSize, int dim) {
    return Calls.many(ShapeIds.SPLIT, new long[] {self().handle()}, new long[] {dim, splitSize}, piecesBound(dim));
  }

  /** Views of pieces of dim of the given sizes, which must add up to the dim's size. */
  default List<Tensor> split(long[] sizes, int dim) {
    return Calls.many(ShapeIds.SPLIT_WITH_SIZES, new long[] {self().handle()},
        dev.kiln.internal.Frame.concat(new long[] {dim}, sizes), sizes.length);
  }

  /** At most chunks views of dim 0 of equal size (the last may be smaller). */
  default List<Tensor> chunk(int chunks) {
    return chunk(chunks, 0);
  }

  default List<Tensor> chunk(int chunks, int dim) {
    int pieces = piecesBound(dim); // an empty dim gives `chunks` empty pieces, as in PyTorch
    int bound = self().dim() > 0 && sizeOf(dim) == 0 ? Math.max(chunks, 1) : Math.min(Math.max(chunks, 1), pieces);
    return Calls.many(ShapeIds.CHUNK, new long[] {self().handle()}, new long[] {chunks, dim}, bound);
  }

  /** The views {@code x[0], x[1], ...} along dim 0. */
  default List<Tensor> unbind() {
    return unbind(0);
  }

  default List<Tensor> unbind(int dim) {
    return Calls.many(ShapeIds.UNBIND, new long[] {self().handle()}, new long[] {dim}, piecesBound(dim));
  }

  /** A copy with the order of elements reversed along the given dims. */
  default Tensor flip(int... dims) {
    return Calls.withInts(self(), ShapeIds.FLIP, dims);
  }

  /** A copy rolled as if flattened: element i moves to (i + shift) mod numel. */
  default Tensor roll(long shift) {
    return Calls.withLongs(self(), ShapeIds.ROLL, 1, shift);
  }

  /** A copy rolled along dim: element i moves to (i + shift) mod size. */
  default Tensor roll(long shift, int dim) {
    return Calls.withLongs(self(), ShapeIds.ROLL, 1, shift, dim);
  }

  /** A copy rolled along each dims[i] by shifts[i]. */
  default Tensor roll(long[] shifts, int[] dims) {
    long[] ints = new long[1 + shifts.length + dims.length];
    ints[0] = shifts.length;
    System.arraycopy(shifts, 0, ints, 1, shifts.length);
    for (int i = 0; i < dims.length; i++) ints[1 + shifts.length + i] = dims[i];
    return Calls.withLongs(self(), ShapeIds.ROLL, ints);
  }

  /** A copy repeated repeats[d] times along each dim (extra leading repeats add dims): {@code x.repeat(2, 1)}. */
  default Tensor repeat(long... repeats) {
    return Calls.withLongs(self(), ShapeIds.REPEAT, repeats);
  }

  /** Like repeat, but fewer reps than dims repeat the leading dims once ({@code torch.tile}). */
  default Tensor tile(long... reps) {
    return Calls.withLongs(self(), ShapeIds.TILE, reps);
  }

  /** A copy with the elements above the main diagonal of the last two dims zeroed. */
  default Tensor tril() {
    return tril(0);
  }

  /** A copy with the elements above diagonal k (k > 0: above the main one) zeroed. */
  default Tensor tril(long diagonal) {
    return Calls.withLongs(self(), ShapeIds.TRIL, diagonal);
  }

  default Tensor triu() {
    return triu(0);
  }

  /** A copy with the elements below diagonal k zeroed. */
  default Tensor triu(long diagonal) {
    return Calls.withLongs(self(), ShapeIds.TRIU, diagonal);
  }

  /** A view of the main diagonal of dims 0 and 1, appended as the last dim. */
  default Tensor diagonal() {
    return diagonal(0, 0, 1);
  }

  default Tensor diagonal(long offset) {
    return diagonal(offset, 0, 1);
  }

  /** A view of diagonal offset (> 0: above the main one) of dims dim1 and dim2, appended as the last dim. */
  default Tensor diagonal(long offset, int dim1, int dim2) {
    return Calls.withLongs(self(), ShapeIds.DIAGONAL, offset, dim1, dim2);
  }

  /** A copy with src written over {@code diagonal(offset, dim1, dim2)}. */
  default Tensor diagonalScatter(Tensor src, long offset, int dim1, int dim2) {
    return Calls.call(ShapeIds.DIAGONAL_SCATTER, new long[] {self().handle(), src.handle()}, offset, dim1, dim2);
  }

  default Tensor diagonalScatter(Tensor src) {
    return diagonalScatter(src, 0, 0, 1);
  }

  /** A vector to a square matrix with it on the main diagonal; a matrix to a copy of its diagonal. */
  default Tensor diag() {
    return diag(0);
  }

  default Tensor diag(long diagonal) {
    return Calls.withLongs(self(), ShapeIds.DIAG, diagonal);
  }

  /**
   * Pads with zeros ({@code torch.nn.functional.pad}): pad holds (before, after) pairs from the last dim
   * backwards; negative amounts crop. {@code x.pad(1, 1, 2, 0)} pads the last dim by 1 on each side and
   * the one before by 2 in front.
   */
  default Tensor pad(long... pad) {
    return pad(pad, "constant", 0);
  }

  default Tensor pad(long[] pad, double value) {
    return pad(pad, "constant", value);
  }

  /** Pads in mode "constant", "reflect", "replicate" or "circular" (the last three: the last 1 to 3 dims). */
  default Tensor pad(long[] pad, String mode) {
    return pad(pad, mode, 0);
  }

  default Tensor pad(long[] pad, String mode, double value) {
    int code = switch (mode) {
      case "constant" -> 0;
      case "reflect" -> 1;
      case "replicate" -> 2;
      case "circular" -> 3;
      default -> throw new ArgumentException("pad: unrecognised padding mode '" + mode
          + "' (expected constant, reflect, replicate or circular)");
    };
    return Calls.call(ShapeIds.PAD, new long[] {self().handle()},
        dev.kiln.internal.Frame.concat(new long[] {code}, pad), value);
  }

  /** How many pieces splitting dim can give at most (dim's size, or 1 when it cannot be read). */
  private int piecesBound(int dim) {
    return (int) Math.min(Math.max(sizeOf(dim), 1), Integer.MAX_VALUE - 8);
  }

  /** The size of dim, or -1 for a dim the tensor does not have (the native call reports the error). */
  private long sizeOf(int dim) {
    int n = self().dim();
    int d = dim < 0 ? dim + n : dim;
    return d >= 0 && d < n ? self().size(d) : -1;
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorShape, resolved by name once. */
final class ShapeIds {
  static final int T = Core.op("t"),
      CAT = Core.op("cat"),
      CHUNK = Core.op("chunk"),
      CONTIGUOUS = Core.op("contiguous"),
      DIAG = Core.op("diag"),
      DIAGONAL = Core.op("diagonal"),
      DIAGONAL_SCATTER = Core.op("diagonal_scatter"),
      FLIP = Core.op("flip"),
      PAD = Core.op("pad"),
      REPEAT = Core.op("repeat"),
      ROLL = Core.op("roll"),
      SPLIT = Core.op("split"),
      SPLIT_WITH_SIZES = Core.op("split_with_sizes"),
      STACK = Core.op("stack"),
      TILE = Core.op("tile"),
      TRIL = Core.op("tril"),
      TRIU = Core.op("triu"),
      UNBIND = Core.op("unbind"),
      EXPAND = Core.op("expand"),
      FLATTEN = Core.op("flatten"),
      NARROW = Core.op("narrow"),
      PERMUTE = Core.op("permute"),
      RESHAPE = Core.op("reshape"),
      SLICE = Core.op("slice"),
      SQUEEZE = Core.op("squeeze"),
      TRANSPOSE = Core.op("transpose"),
      UNSQUEEZE = Core.op("unsqueeze"),
      VIEW = Core.op("view");

  private ShapeIds() {}
}
