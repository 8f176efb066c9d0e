package dev.kiln;

import dev.kiln.internal.Core;

/**
 * Reductions of a Tensor: over all elements or over dims, with keepdim.
 * Part of {@link Tensor}'s API; split out by family to keep files small.
 */
public sealed interface TensorReductions permits Tensor {
  /** The sum of all elements (int64 for integer and bool tensors). */
  default Tensor sum() {
    return Calls.reduce(self(), ReductionIds.SUM, new int[0], false);
  }

  /** The sum over the given dims, which are removed from the shape. */
  default Tensor sum(int... dims) {
    return Calls.reduce(self(), ReductionIds.SUM, dims, false);
  }

  default Tensor sum(int dim, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.SUM, new int[] {dim}, keepdim);
  }

  default Tensor sum(int[] dims, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.SUM, dims, keepdim);
  }

  default Tensor mean() {
    return Calls.reduce(self(), ReductionIds.MEAN, new int[0], false);
  }

  default Tensor mean(int... dims) {
    return Calls.reduce(self(), ReductionIds.MEAN, dims, false);
  }

  default Tensor mean(int dim, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.MEAN, new int[] {dim}, keepdim);
  }

  default Tensor mean(int[] dims, boolean keepdim) {
    return Calls.reduce(self(), ReductionIds.MEAN, dims, keepdim);
  }

  /** The largest element (NaN if any element is NaN). */
  default Tensor max() {
    return Calls.unary(self(), ReductionIds.MAX);
  }

  /** The largest values along dim and their indices ({@code x.max(dim)}). */
  default ValuesAndIndices max(int dim) {
    return max(dim, false);
  }

  default ValuesAndIndices max(int dim, boolean keepdim) {
    return Calls.valuesAndIndices(self(), ReductionIds.MAX_DIM, dim, keepdim);
  }

  default Tensor min() {
    return Calls.unary(self(), ReductionIds.MIN);
  }

  default ValuesAndIndices min(int dim) {
    return min(dim, false);
  }

  default ValuesAndIndices min(int dim, boolean keepdim) {
    return Calls.valuesAndIndices(self(), ReductionIds.MIN_DIM, dim, keepdim);
  }

  /** The index of the largest element in the flattened tensor. */
  default Tensor argmax() {
    return Calls.unary(self(), ReductionIds.ARGMAX);
  }

  default Tensor argmax(int dim) {
    return argmax(dim, false);
  }

  default Tensor argmax(int dim, boolean keepdim) {
    return Calls.withInts(self(), ReductionIds.ARGMAX, dim, keepdim ? 1 : 0);
  }

  default Tensor argmin() {
    return Calls.unary(self(), ReductionIds.ARGMIN);
  }

  default Tensor argmin(int dim) {
    return argmin(dim, false);
  }

  default Tensor argmin(int dim, boolean keepdim) {
    return Calls.withInts(self(), ReductionIds.ARGMIN, dim, keepdim ? 1 : 0);
  }

  private Tensor self() {
    return (Tensor) this;
  }
}

/** The native op ids of TensorReductions, resolved by name once. */
final class ReductionIds {
  static final int ARGMAX = Core.op("argmax"),
      ARGMIN = Core.op("argmin"),
      MAX = Core.op("max"),
      MAX_DIM = Core.op("max_dim"),
      MEAN = Core.op("mean"),
      MIN = Core.op("min"),
      MIN_DIM = Core.op("min_dim"),
      SUM = Core.op("sum");

  private ReductionIds() {}
}
