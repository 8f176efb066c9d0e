package dev.kiln;

import dev.kiln.internal.Core;

/**
 * Views of a Tensor: new shapes and strides over the same memory, never a copy (reshape copies only
 * when no view can express the result).
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

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorShape, resolved by name once. */
final class ShapeIds {
  static final int T = Core.op("t"),
      CONTIGUOUS = Core.op("contiguous"),
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
