package dev.kiln.autograd;

import dev.kiln.bindings.KilnNative;
import dev.kiln.internal.Core;

/**
 * A scope that sets this thread's autograd modes and restores the previous ones when closed:
 * {@code try (var g = Autograd.noGrad()) { ... }}. Scopes must be closed on the thread that opened them,
 * innermost first (try-with-resources does both).
 */
public final class ModeScope implements AutoCloseable {
  static {
    Core.ensureLoaded(); // the natives are loaded, or a NativeLibraryError says why
  }

  private final boolean gradEnabled;
  private final boolean inferenceMode;
  private final boolean anomaly;
  private final Thread owner = Thread.currentThread();
  private boolean closed;

  ModeScope() {
    gradEnabled = KilnNative.kiln_is_grad_enabled() != 0;
    inferenceMode = KilnNative.kiln_is_inference_mode() != 0;
    anomaly = KilnNative.kiln_is_anomaly_enabled() != 0;
  }

  @Override
  public void close() {
    if (closed) return;
    if (Thread.currentThread() != owner) throw new IllegalStateException("an autograd mode scope must be closed on the thread that opened it");
    closed = true;
    KilnNative.kiln_set_grad_enabled(gradEnabled ? 1 : 0);
    KilnNative.kiln_set_inference_mode(inferenceMode ? 1 : 0);
    KilnNative.kiln_set_anomaly_enabled(anomaly ? 1 : 0);
  }
}
