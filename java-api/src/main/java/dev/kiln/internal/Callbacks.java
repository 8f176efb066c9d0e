package dev.kiln.internal;

import dev.kiln.Tensor;
import dev.kiln.bindings.KilnNative;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * The Java code the core calls during backward: tensor hooks and custom Functions. Each is registered
 * under an id the core keeps; the core says when it drops the id, and the entry goes. Exceptions thrown by
 * user code are parked in {@link PendingError} and rethrown to the caller of backward.
 */
public final class Callbacks {
  static {
    Core.ensureLoaded(); // the natives are loaded, or a NativeLibraryError says why
  }

  private Callbacks() {}

  /** What the core calls for a custom Function's backward: gradients and saved tensors in, one gradient per input out. */
  public interface FunctionBackward {
    Tensor[] backward(Tensor[] gradOutputs, Tensor[] saved);
  }

  private static final AtomicLong NEXT_ID = new AtomicLong(1);
  private static final Map<Long, UnaryOperator<Tensor>> HOOKS = new ConcurrentHashMap<>();
  private static final Map<Long, FunctionBackward> FUNCTIONS = new ConcurrentHashMap<>();

  // Kept reachable for the life of the process: the core holds their native thunks.
  private static final KilnNative.kiln_hook_callback HOOK = new KilnNative.kiln_hook_callback() {
    @Override
    public long call(long hook, long grad) {
      try {
        Tensor g = Tensor.adopt(grad);
        Tensor r = HOOKS.get(hook).apply(g);
        return r == null || r == g ? 0 : KilnNative.kiln_retain(r.handle());
      } catch (Throwable t) {
        PendingError.park(t);
        return -1;
      }
    }
  };

  private static final KilnNative.kiln_function_callback FUNCTION = new KilnNative.kiln_function_callback() {
    @Override
    public int call(long function, LongPointer grads, int nGrads, LongPointer saved, int nSaved, LongPointer results, int nResults) {
      try {
        Tensor[] g = new Tensor[nGrads];
        for (int i = 0; i < nGrads; i++) g[i] = Tensor.adopt(grads.get(i));
        Tensor[] s = new Tensor[nSaved];
        for (int i = 0; i < nSaved; i++) s[i] = Tensor.adopt(saved.get(i));
        Tensor[] r = FUNCTIONS.get(function).backward(g, s);
        if (r == null || r.length != nResults)
          throw new IllegalStateException("backward returned " + (r == null ? "null" : r.length + " gradients")
              + " but the function has " + nResults + " inputs");
        for (int i = 0; i < nResults; i++) results.put(i, r[i] == null ? 0 : KilnNative.kiln_retain(r[i].handle()));
        return nResults;
      } catch (Throwable t) {
        PendingError.park(t);
        return -1;
      }
    }
  };

  private static final KilnNative.kiln_release_callback RELEASE = new KilnNative.kiln_release_callback() {
    @Override
    public void call(long id) {
      HOOKS.remove(id);
      FUNCTIONS.remove(id);
    }
  };

  private static final KilnNative.kiln_trace_callback TRACE = new KilnNative.kiln_trace_callback() {
    @Override
    public int call(BytePointer buffer, int capacity) {
      StringBuilder sb = new StringBuilder();
      StackTraceElement[] frames = Thread.currentThread().getStackTrace();
      int first = 0;
      while (first < frames.length && isLibraryFrame(frames[first].getClassName())) first++;
      for (int i = first; i < frames.length; i++) sb.append("  at ").append(frames[i]).append('\n');
      byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
      int n = Math.min(bytes.length, capacity);
      buffer.put(bytes, 0, n);
      return n;
    }
  };

  // Frames of Kiln itself, above the user's call.
  private static boolean isLibraryFrame(String c) {
    return c.startsWith("java.lang.Thread") || c.startsWith("dev.kiln.internal.") || c.startsWith("dev.kiln.bindings.")
        || c.equals("dev.kiln.Tensor") || c.startsWith("dev.kiln.autograd.Function");
  }

  static {
    KilnNative.kiln_set_callbacks(HOOK, FUNCTION, RELEASE, TRACE);
  }

  /** Makes sure the callbacks are installed. */
  public static void install() {}

  public static long registerHook(UnaryOperator<Tensor> hook) {
    long id = NEXT_ID.getAndIncrement();
    HOOKS.put(id, hook);
    return id;
  }

  public static long registerFunction(FunctionBackward backward) {
    long id = NEXT_ID.getAndIncrement();
    FUNCTIONS.put(id, backward);
    return id;
  }

  /** Forgets an id the core never took (registration failed). */
  public static void forget(long id) {
    HOOKS.remove(id);
    FUNCTIONS.remove(id);
  }
}
