package dev.kiln;

import dev.kiln.bindings.KilnNative;
import dev.kiln.internal.Core;

/**
 * A seedable source of random numbers for {@code rand}, {@code randn} and friends: the same seed gives
 * the same numbers, whatever the number of threads. Ops given no generator use the global one that
 * {@link Kiln#manualSeed} seeds.
 *
 * <pre>{@code
 * try (var g = new Generator(42)) {
 *   Tensor x = Tensor.rand(g, 2, 3);
 * }
 * }</pre>
 */
public final class Generator implements AutoCloseable {
  static {
    Core.ensureLoaded(); // the natives are loaded, or a NativeLibraryError says why
  }

  private long handle;

  public Generator(long seed) {
    handle = Core.handleOf(() -> KilnNative.kiln_generator_new(seed));
  }

  /** Restarts the sequence from a seed. */
  public synchronized Generator manualSeed(long seed) {
    long h = handle();
    Core.run(() -> KilnNative.kiln_generator_manual_seed(h, seed));
    return this;
  }

  public synchronized long seed() {
    long h = handle();
    return Core.handleOf(() -> KilnNative.kiln_generator_seed(h));
  }

  /** The native handle, for Kiln's own packages; throws if the generator is closed. */
  public synchronized long handle() {
    if (handle == 0) throw new IllegalStateException("this Generator is closed");
    return handle;
  }

  @Override
  public synchronized void close() {
    if (handle != 0) KilnNative.kiln_generator_release(handle);
    handle = 0;
  }
}
