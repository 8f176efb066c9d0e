package dev.kiln;

import dev.kiln.bindings.KilnNative;
import dev.kiln.internal.Core;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;

/**
 * Owns one native tensor handle for a Java {@link Tensor}. The handle is released exactly once: by
 * {@code close()}, by a {@link TensorScope}, or, as the safety net, after the garbage collector finds the
 * Tensor unreachable. Live refs sit in a linked list so that they stay reachable until released.
 *
 * <p>The JVM does not see native memory, so {@link #afterCreate()} watches the allocator: when live native
 * memory passes a limit, it asks for a collection and releases what the collector found. The limit
 * adapts to the program's real working set (twice what survives a collection), so a loop that never
 * calls close() runs in bounded memory without collecting on every step.
 */
final class NativeRef extends PhantomReference<Tensor> {
  static {
    Core.ensureLoaded(); // the natives are loaded, or a NativeLibraryError says why
  }

  private static final ReferenceQueue<Tensor> QUEUE = new ReferenceQueue<>();
  private static final Object LOCK = new Object();
  private static NativeRef head;

  /** What a native tensor costs beyond its data: TensorImpl, storage and handle objects. */
  private static final long BYTES_PER_TENSOR = 512;
  private static final long BASE_LIMIT = Long.getLong("kiln.gcThresholdBytes", 256L << 20);
  private static long limit = BASE_LIMIT;
  private static int sinceCheck;

  private long handle;
  private NativeRef prev;
  private NativeRef next;

  NativeRef(Tensor owner, long handle) {
    super(owner, QUEUE);
    this.handle = handle;
    synchronized (LOCK) {
      next = head;
      if (head != null) head.prev = this;
      head = this;
    }
  }

  /** The handle, or 0 once released. */
  long handle() {
    return handle;
  }

  boolean isReleased() {
    return handle == 0;
  }

  /** Releases the native tensor; later calls do nothing. */
  void release() {
    long h;
    synchronized (LOCK) {
      h = handle;
      if (h == 0) return;
      handle = 0;
      if (prev != null) prev.next = next;
      else head = next;
      if (next != null) next.prev = prev;
      prev = next = null;
    }
    clear();
    KilnNative.kiln_release(h);
  }

  /** Releases every tensor the collector has found unreachable. */
  static void drainQueue() {
    for (NativeRef r; (r = (NativeRef) QUEUE.poll()) != null; ) r.release();
  }

  /** Called after each new tensor: releases collected tensors, and collects when native memory grows. */
  static void afterCreate() {
    drainQueue();
    if ((++sinceCheck & 63) != 0) return;
    if (pressure() <= limit) return;
    synchronized (NativeRef.class) {
      if (pressure() <= limit) return;
      System.gc();
      awaitCollected();
      limit = Math.max(BASE_LIMIT, 2 * pressure());
    }
  }

  private static long pressure() {
    MemoryStats s = Kiln.memoryStats();
    return s.liveBytes() + s.liveTensors() * BYTES_PER_TENSOR;
  }

  // The collector hands phantom references over on its own thread: wait until they stop coming.
  private static void awaitCollected() {
    try {
      for (NativeRef r; (r = (NativeRef) QUEUE.remove(20)) != null; ) {
        r.release();
        drainQueue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
