package dev.kiln.internal;

/**
 * A Java exception thrown inside a callback from the core (a tensor hook, a custom Function's backward).
 * The callback cannot throw through native frames, so it parks the exception here; when the native call
 * fails, {@link Core#translate} rethrows the original exception to the caller of backward.
 */
public final class PendingError {
  private static final ThreadLocal<Throwable> PENDING = new ThreadLocal<>();

  private PendingError() {}

  public static void park(Throwable t) {
    if (PENDING.get() == null) PENDING.set(t);
  }

  /** The parked exception, cleared; null when there is none. */
  static Throwable take() {
    Throwable t = PENDING.get();
    PENDING.remove();
    return t;
  }
}
