package dev.kiln.internal;

import java.util.Arrays;

/**
 * Keeps the tensors whose native handles a call is about to use strongly reachable until that call returns. The
 * garbage collector may find a tensor unreachable as soon as its handle has been read (the temporary in
 * {@code a.matmul(b).toDoubleArray()}, or one passed as an argument), and the safety net then releases the native
 * tensor, on whichever thread drains the queue, while the call still reads it: a use after free that a test reading
 * one tensor from 8 threads caught. {@code Tensor.handle()} pins its tensor on the calling thread; each native call
 * through {@link Core} drops, as it returns, what was pinned for it, and keeps what calls further out still need (a
 * backward pass that calls a Java hook which runs ops of its own).
 */
public final class Pins {
  private static final ThreadLocal<Pins> CURRENT = ThreadLocal.withInitial(Pins::new);
  /**
   * Pins above the innermost call in flight that no call has taken yet: handles read without a native call, or
   * a call of more tensors than this whose caller holds them anyway (a list). Past this many they are dropped.
   */
  private static final int STALE_LIMIT = 1 << 16;

  private Object[] pinned = new Object[16];
  private int size;
  private int floor; // pins below belong to calls in flight further out

  private Pins() {}

  /** Keeps o reachable until the next native call through Core on this thread returns. */
  public static void pin(Object o) {
    Pins p = CURRENT.get();
    if (p.size - p.floor >= STALE_LIMIT) p.truncate(p.floor);
    if (p.size == p.pinned.length) p.pinned = Arrays.copyOf(p.pinned, p.size * 2);
    p.pinned[p.size++] = o;
  }

  /** Before a native call: the pins so far are its own; returns what {@link #exit} needs after it. */
  static int enter() {
    Pins p = CURRENT.get();
    int outer = p.floor;
    p.floor = p.size;
    return outer;
  }

  /** After the call: drops its pins (and any made while it ran), keeping those of the calls further out. */
  static void exit(int outer) {
    Pins p = CURRENT.get();
    p.truncate(outer);
    p.floor = outer;
  }

  private void truncate(int to) {
    Arrays.fill(pinned, to, size, null);
    size = to;
  }
}
