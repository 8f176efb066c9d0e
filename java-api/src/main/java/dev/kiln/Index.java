package dev.kiln;

import java.util.Objects;

/**
 * One item of a Python-style index, for {@link Tensor#get(Index...)} and {@link Tensor#set(Tensor, Index...)}.
 * With {@code import static dev.kiln.Index.*}, Python's {@code x[1:, None, ..., mask]} reads
 * {@code x.get(from(1), newAxis(), ellipsis(), of(mask))}.
 *
 * <p>Integers, slices, new axes and the ellipsis are basic indexing: the result is a view. Index tensors
 * (int64, or bool masks, which cover as many dims as they have) are advanced indexing: they broadcast
 * together, their dims replace the indexed dims where those are adjacent, else they come first, and the
 * result is a copy (NumPy's rules).
 *
 * <pre>{@code
 * x.get(of(0))                    // x[0]
 * x.get(all(), slice(1, -1))      // x[:, 1:-1]
 * x.get(from(2).step(3))          // x[2::3]
 * x.get(list(2, 0), all(), of(1)) // x[[2, 0], :, 1]
 * x.set(0.0, of(x.lt(0)))          // x[x < 0] = 0
 * }</pre>
 */
public final class Index {
  /** The kinds, in the native core's order (kiln::TensorIndex::Kind). */
  enum Kind { INTEGER, SLICE, NEW_AXIS, ELLIPSIS, TENSOR }

  private static final long NO_STOP = Long.MAX_VALUE;
  private static final Index ALL = new Index(Kind.SLICE, 0, NO_STOP, 1, null);
  private static final Index NEW_AXIS = new Index(Kind.NEW_AXIS, 0, 0, 1, null);
  private static final Index ELLIPSIS = new Index(Kind.ELLIPSIS, 0, 0, 1, null);

  final Kind kind;
  final long start, stop, step;
  final Tensor tensor;

  private Index(Kind kind, long start, long stop, long step, Tensor tensor) {
    this.kind = kind;
    this.start = start;
    this.stop = stop;
    this.step = step;
    this.tensor = tensor;
  }

  /** {@code x[i]}: selects one position of a dim, which disappears (negative i counts from the end). */
  public static Index of(long i) {
    return new Index(Kind.INTEGER, i, 0, 1, null);
  }

  /** {@code x[t]}: an int64 index tensor, or a bool mask; a 0-dim int64 tensor acts as an integer. */
  public static Index of(Tensor t) {
    return new Index(Kind.TENSOR, 0, 0, 1, Objects.requireNonNull(t, "index tensor"));
  }

  /** {@code x[[2, 0, 2]]}: an int64 index tensor made of the values. */
  public static Index list(long... indices) {
    return of(Tensor.of(indices.clone()));
  }

  /** {@code x[[True, False, True]]}: a 1-D bool mask made of the values. */
  public static Index mask(boolean... mask) {
    return of(Tensor.of(mask.clone()));
  }

  /** {@code x[start:stop]}, with Python's clamping; negative bounds count from the end. */
  public static Index slice(long start, long stop) {
    return new Index(Kind.SLICE, start, stop, 1, null);
  }

  /** {@code x[start:stop:step]}; step must be positive. */
  public static Index slice(long start, long stop, long step) {
    return new Index(Kind.SLICE, start, stop, step, null);
  }

  /** {@code x[start:]}. */
  public static Index from(long start) {
    return new Index(Kind.SLICE, start, NO_STOP, 1, null);
  }

  /** {@code x[:stop]}. */
  public static Index to(long stop) {
    return new Index(Kind.SLICE, 0, stop, 1, null);
  }

  /** {@code x[:]}: the whole dim. */
  public static Index all() {
    return ALL;
  }

  /** {@code x[None]}: a new dim of size 1. */
  public static Index newAxis() {
    return NEW_AXIS;
  }

  /** {@code x[...]}: as many whole dims as the other items leave. */
  public static Index ellipsis() {
    return ELLIPSIS;
  }

  /** This slice with a step: {@code from(1).step(2)} is {@code x[1::2]}, {@code all().step(2)} is {@code x[::2]}. */
  public Index step(long step) {
    if (kind != Kind.SLICE) throw new IllegalArgumentException("step: " + this + " is not a slice");
    return new Index(Kind.SLICE, start, stop, step, null);
  }

  /** The item as Python writes it: {@code 3}, {@code 1:-1:2}, {@code None}, {@code ...}, {@code tensor}. */
  @Override
  public String toString() {
    return switch (kind) {
      case INTEGER -> Long.toString(start);
      case SLICE -> (start == 0 ? "" : Long.toString(start)) + ":" + (stop == NO_STOP ? "" : Long.toString(stop))
          + (step == 1 ? "" : ":" + step);
      case NEW_AXIS -> "None";
      case ELLIPSIS -> "...";
      case TENSOR -> "tensor";
    };
  }
}
