package dev.kiln;

import dev.kiln.bindings.KilnNative;
import dev.kiln.internal.Core;

/**
 * The result of {@code unique}: the distinct values (sorted), and, when asked for, the index of each element's
 * value among them ({@code inverse}) and how often each value occurs ({@code counts}); what was not asked for
 * is null. Closing it closes the tensors it holds.
 */
public record Unique(Tensor values, Tensor inverse, Tensor counts) implements AutoCloseable {
  static {
    Core.ensureLoaded(); // the natives are loaded, or a NativeLibraryError says why
  }

  /** From the native outputs (values, inverse, counts), releasing those not asked for. */
  static Unique of(long[] handles, boolean withInverse, boolean withCounts) {
    Tensor values = new Tensor(handles[0]);
    Tensor inverse = withInverse ? new Tensor(handles[1]) : null;
    Tensor counts = withCounts ? new Tensor(handles[2]) : null;
    if (!withInverse) KilnNative.kiln_release(handles[1]);
    if (!withCounts) KilnNative.kiln_release(handles[2]);
    return new Unique(values, inverse, counts);
  }

  @Override
  public void close() {
    values.close();
    if (inverse != null) inverse.close();
    if (counts != null) counts.close();
  }
}
