package dev.kiln.internal;

import dev.kiln.ArgumentException;
import dev.kiln.AutogradException;
import dev.kiln.DTypeException;
import dev.kiln.DeviceException;
import dev.kiln.IndexException;
import dev.kiln.KilnException;
import dev.kiln.NativeLibraryError;
import dev.kiln.NativeOutOfMemoryException;
import dev.kiln.NotImplementedException;
import dev.kiln.ShapeException;
import dev.kiln.bindings.KilnNative;

/**
 * The one gateway from Java to the native core: op ids, calls, and the translation of native errors
 * into Kiln's typed exceptions. Not part of the public API.
 */
public final class Core {
  private Core() {}

  static {
    // Loads OpenBLAS and the JNI library (JavaCPP extracts them from the platform jars). Every class that
    // calls the natives touches Core first, so a failure surfaces here, once, explained.
    try {
      org.bytedeco.javacpp.Loader.load(KilnNative.class);
    } catch (Throwable t) {
      throw new NativeLibraryError(NativeLoading.explain(t), t);
    }
  }

  /** Loads the natives if that has not happened yet (a class's first line, before it calls them). */
  public static void ensureLoaded() {
    // Class initialisation of Core does the work; nothing else to do.
  }

  /** The op's index in the native op table; throws if no op has that name. */
  public static int op(String name) {
    int id = KilnNative.kiln_op_id(name);
    if (id < 0) throw new IllegalStateException("the native core has no op named '" + name + "'");
    return id;
  }

  public static int opCount() {
    return KilnNative.kiln_op_count();
  }

  public static String opName(int op) {
    return KilnNative.kiln_op_name(op).getString();
  }

  /** Whether the op has a derivative (its own, or through the ops it is composed of). */
  public static boolean opDifferentiable(int op) {
    return KilnNative.kiln_op_differentiable(op) != 0;
  }

  public static String opSignature(int op) {
    return KilnNative.kiln_op_signature(op).getString();
  }

  /**
   * Maps a native error to the exception class of its kind; if the error came from a Java callback that
   * threw, rethrows that original exception instead.
   */
  public static RuntimeException translate(RuntimeException e) {
    Throwable parked = PendingError.take();
    if (parked instanceof RuntimeException r) return r;
    if (parked instanceof Error err) throw err;
    if (parked != null) return new RuntimeException(parked);
    String message = e.getMessage() == null ? "native error" : e.getMessage();
    KilnException k = switch (KilnNative.kiln_last_error_kind()) {
      case 1 -> new ArgumentException(message);
      case 2 -> new ShapeException(message);
      case 3 -> new DTypeException(message);
      case 4 -> new IndexException(message);
      case 5 -> new AutogradException(message);
      case 6 -> new NativeOutOfMemoryException(message);
      case 7 -> new DeviceException(message);
      case 8 -> new NotImplementedException(message);
      default -> new KilnException(message);
    };
    // The native frames say nothing useful: the Java stack starts at the caller.
    StackTrace.trimTo(k, e);
    return k;
  }

  /** call1 for callers that keep the tensor reachable themselves (a reachability fence after the call). */
  public static long call1Fenced(int op, long a) {
    try {
      return KilnNative.kiln_call1(op, a);
    } catch (RuntimeException e) {
      throw translate(e);
    }
  }

  /** call2 for callers that keep the tensors reachable themselves (reachability fences after the call). */
  public static long call2Fenced(int op, long a, long b) {
    try {
      return KilnNative.kiln_call2(op, a, b);
    } catch (RuntimeException e) {
      throw translate(e);
    }
  }

  public static long call1(int op, long a) {
    int outer = Pins.enter();
    try {
      return KilnNative.kiln_call1(op, a);
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }

  public static long call2(int op, long a, long b) {
    int outer = Pins.enter();
    try {
      return KilnNative.kiln_call2(op, a, b);
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }

  public static long callScalar(int op, long a, double value) {
    int outer = Pins.enter();
    try {
      return KilnNative.kiln_call_scalar(op, a, value, 0, NativeDType.FLOAT64);
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }

  public static long callScalar(int op, long a, long value) {
    int outer = Pins.enter();
    try {
      return KilnNative.kiln_call_scalar(op, a, 0, value, NativeDType.INT64);
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }

  public static long callScalar(int op, long a, boolean value) {
    int outer = Pins.enter();
    try {
      return KilnNative.kiln_call_scalar(op, a, 0, value ? 1 : 0, NativeDType.BOOL);
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }

  /** A generic call; returns the output handles. */
  public static long[] call(int op, long[] frame, int maxOutputs) {
    long[] outputs = new long[maxOutputs];
    int n;
    int outer = Pins.enter();
    try {
      n = KilnNative.kiln_call(op, frame, frame.length, outputs, maxOutputs);
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
    return n == maxOutputs ? outputs : java.util.Arrays.copyOf(outputs, n);
  }

  /** A generic call of an op with one output. */
  public static long call(int op, long[] frame) {
    return call(op, frame, 1)[0];
  }

  public static void callInPlace(int op, long[] frame) {
    int outer = Pins.enter();
    try {
      KilnNative.kiln_call_inplace(op, frame, frame.length);
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }

  public static void callInPlace(int op, long self, long b) {
    int outer = Pins.enter();
    try {
      KilnNative.kiln_call_inplace2(op, self, b);
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }

  public static void callInPlaceScalar(int op, long self, double value) {
    int outer = Pins.enter();
    try {
      KilnNative.kiln_call_inplace_scalar(op, self, value, 0, NativeDType.FLOAT64);
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }

  public static void callInPlaceScalar(int op, long self, long value) {
    int outer = Pins.enter();
    try {
      KilnNative.kiln_call_inplace_scalar(op, self, 0, value, NativeDType.INT64);
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }

  public static void callInPlaceScalar(int op, long self, boolean value) {
    int outer = Pins.enter();
    try {
      KilnNative.kiln_call_inplace_scalar(op, self, 0, value ? 1 : 0, NativeDType.BOOL);
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }

  /** Runs a native call that returns a handle, translating its errors. */
  public static long handleOf(java.util.function.LongSupplier nativeCall) {
    int outer = Pins.enter();
    try {
      return nativeCall.getAsLong();
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }

  /** Runs a native call that returns nothing, translating its errors. */
  public static void run(Runnable nativeCall) {
    int outer = Pins.enter();
    try {
      nativeCall.run();
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      Pins.exit(outer);
    }
  }
}
