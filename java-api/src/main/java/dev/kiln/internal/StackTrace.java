package dev.kiln.internal;

/** Trims the frames of Kiln's own plumbing from an exception, so its trace starts at the user's call. */
final class StackTrace {
  private StackTrace() {}

  static void trimTo(Throwable target, Throwable source) {
    StackTraceElement[] frames = source.getStackTrace();
    int first = 0;
    while (first < frames.length && isPlumbing(frames[first])) first++;
    target.setStackTrace(java.util.Arrays.copyOfRange(frames, first, frames.length));
  }

  private static boolean isPlumbing(StackTraceElement e) {
    String c = e.getClassName();
    return c.startsWith("dev.kiln.bindings.") || c.startsWith("dev.kiln.internal.");
  }
}
