package dev.kiln;

import java.util.ArrayList;
import java.util.function.Supplier;

/**
 * Closes, at its end, every tensor created inside it on this thread, except those it was asked to keep:
 *
 * <pre>{@code
 * Tensor result;
 * try (var scope = TensorScope.open()) {
 *   Tensor h = x.matmul(w).relu();      // closed at the end of the block
 *   result = scope.keep(h.sum());        // survives, owned by the enclosing scope if there is one
 * }
 * }</pre>
 *
 * Scopes nest; a kept tensor moves to the enclosing scope. Closing a tensor only drops its reference:
 * views of it and autograd graphs that use it keep its memory alive as long as they need it.
 */
public final class TensorScope implements AutoCloseable {
  private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();

  private final TensorScope parent;
  private final Thread owner = Thread.currentThread();
  private final ArrayList<Tensor> tensors = new ArrayList<>();
  private boolean closed;

  private TensorScope(TensorScope parent) {
    this.parent = parent;
  }

  /** Opens a scope on this thread; close it with try-with-resources. */
  public static TensorScope open() {
    TensorScope s = new TensorScope(CURRENT.get());
    CURRENT.set(s);
    return s;
  }

  /** Runs body in a scope and returns its result, which is kept. */
  public static Tensor run(Supplier<Tensor> body) {
    try (TensorScope s = open()) {
      return s.keep(body.get());
    }
  }

  /** Keeps t past this scope's end (it moves to the enclosing scope, if any); returns t. */
  public Tensor keep(Tensor t) {
    if (t.scope == this) {
      t.scope = parent;
      if (parent != null) parent.tensors.add(t);
    }
    return t;
  }

  /**
   * Puts a tensor made elsewhere (on another thread, say a DataLoader worker) in this thread's current
   * scope, if one is open and the tensor has no scope yet; returns t.
   */
  public static Tensor adopt(Tensor t) {
    TensorScope s = CURRENT.get();
    if (s != null && t.scope == null) {
      s.tensors.add(t);
      t.scope = s;
    }
    return t;
  }

  /**
   * Takes t out of the scope that would close it, if any: it then lives until it is closed or collected.
   * Modules and optimizers do this for their parameters, buffers and state, which outlive the step that
   * made them.
   */
  public static Tensor escape(Tensor t) {
    if (t != null) t.scope = null;
    return t;
  }

  static void register(Tensor t) {
    TensorScope s = CURRENT.get();
    if (s != null) {
      s.tensors.add(t);
      t.scope = s;
    }
  }

  @Override
  public void close() {
    if (closed) return;
    if (Thread.currentThread() != owner) throw new IllegalStateException("a TensorScope must be closed by the thread that opened it");
    closed = true;
    if (CURRENT.get() == this) {
      if (parent != null) CURRENT.set(parent);
      else CURRENT.remove();
    }
    for (Tensor t : tensors) if (t.scope == this) t.close();
    tensors.clear();
  }
}
