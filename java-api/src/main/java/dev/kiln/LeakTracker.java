package dev.kiln;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The debug mode that finds leaked tensors: while enabled, each new tensor remembers where it was made
 * (weakly: tracking never keeps a tensor alive); the report lists those still open with the lines that made
 * them, Kiln's own frames left out so that the first line shown is the user's.
 */
final class LeakTracker {
  static volatile boolean enabled = Boolean.getBoolean("kiln.debug.leaks");

  private record Origin(long order, Throwable stack) {}

  private static final Map<Tensor, Origin> ORIGINS = Collections.synchronizedMap(new WeakHashMap<>());
  private static long counter;

  private LeakTracker() {}

  static void setEnabled(boolean on) {
    enabled = on;
  }

  static void track(Tensor t) {
    Throwable stack = new Throwable("tensor created here");
    synchronized (ORIGINS) {
      ORIGINS.put(t, new Origin(counter++, stack));
    }
  }

  /** Whether the class comes from Kiln's own jar (or classes folder), as Tensor does. */
  private static boolean isKiln(String className) {
    try {
      Class<?> c = Class.forName(className, false, LeakTracker.class.getClassLoader());
      var here = Tensor.class.getProtectionDomain().getCodeSource();
      var there = c.getProtectionDomain().getCodeSource();
      return here != null && there != null && here.getLocation().equals(there.getLocation());
    } catch (ClassNotFoundException | SecurityException e) {
      return false;
    }
  }

  static String report() {
    List<Map.Entry<Tensor, Origin>> open = new ArrayList<>();
    synchronized (ORIGINS) {
      for (Map.Entry<Tensor, Origin> e : ORIGINS.entrySet()) if (!e.getKey().isClosed()) open.add(Map.entry(e.getKey(), e.getValue()));
    }
    open.sort((a, b) -> Long.compare(a.getValue().order(), b.getValue().order()));
    StringBuilder s = new StringBuilder();
    if (!open.isEmpty()) s.append(open.size()).append(" tensor(s) still open:\n");
    for (Map.Entry<Tensor, Origin> e : open) {
      Tensor t = e.getKey();
      s.append("  ").append(t.dtype()).append(' ').append(Arrays.toString(t.shape())).append(", created\n");
      int shown = 0;
      for (StackTraceElement f : e.getValue().stack().getStackTrace()) {
        if (isKiln(f.getClassName())) continue;
        s.append("    at ").append(f).append('\n');
        if (++shown == 6) break;
      }
    }
    return s.toString();
  }
}
