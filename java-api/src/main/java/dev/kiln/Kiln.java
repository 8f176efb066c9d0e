package dev.kiln;

import dev.kiln.bindings.KilnNative;
import dev.kiln.internal.Core;

/** Process-wide settings: random seed, threads, native memory. */
public final class Kiln {
  static {
    Core.ensureLoaded(); // the natives are loaded, or a NativeLibraryError says why
  }

  private Kiln() {}

  /**
   * Seeds the default generator (torch.manual_seed): same seed, same random numbers. Each thread has its own
   * default generator: this seeds the calling thread's, and threads that first draw later start from this seed.
   */
  public static void manualSeed(long seed) {
    KilnNative.kiln_manual_seed(seed);
  }

  /** Threads the core uses for its kernels, including the calling one (torch.get_num_threads). */
  public static int getNumThreads() {
    return KilnNative.kiln_get_num_threads();
  }

  /** Sets the threads of the core and of OpenBLAS (torch.set_num_threads). */
  public static void setNumThreads(int threads) {
    if (threads < 1) throw new IllegalArgumentException("setNumThreads: expected at least 1 thread, got " + threads);
    Core.run(() -> KilnNative.kiln_set_num_threads(threads));
  }

  /**
   * The OpenBLAS kernels Kiln's matrix products run on ("SkylakeX", "Haswell", ...). Kiln picks them for the
   * CPU it runs on, whatever OPENBLAS_CORETYPE says (a setting for other programs' OpenBLAS); the environment
   * variable KILN_BLAS_CORETYPE forces a choice.
   */
  public static String blasCore() {
    return KilnNative.kiln_blas_core().getString();
  }

  public static MemoryStats memoryStats() {
    long[] s = new long[5];
    KilnNative.kiln_memory_stats(s);
    return new MemoryStats(s[0], s[1], s[2], s[3], s[4]);
  }

  /** Returns the allocator's cached blocks to the system. */
  public static void emptyCache() {
    KilnNative.kiln_empty_cache();
  }

  /** The most bytes the allocator keeps cached for reuse. */
  public static void setCacheLimit(long bytes) {
    Core.run(() -> KilnNative.kiln_set_cache_limit(bytes));
  }

  /**
   * Turns the leak tracker on or off (it starts on when the JVM runs with -Dkiln.debug.leaks=true): while
   * on, every tensor made records the Java stack that made it, for {@link #leakReport()}. Costs a stack
   * trace per tensor: for finding leaks, not for production.
   */
  public static void setLeakTracking(boolean on) {
    LeakTracker.setEnabled(on);
  }

  /**
   * The tensors made while leak tracking was on that are still open (neither closed, nor released by a
   * scope, nor collected), each with its shape, dtype and the stack that made it, oldest first; "" when
   * there are none.
   */
  public static String leakReport() {
    return LeakTracker.report();
  }

  public static String version() {
    return KilnNative.kiln_version().getString();
  }
}
