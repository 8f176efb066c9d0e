package dev.kiln;

/**
 * Kiln's native library could not be loaded: the message says what this machine is, what Kiln's natives
 * need, and what to do. Thrown by the first use of a class that needs the natives; an Error (a
 * LinkageError, as UnsatisfiedLinkError is) so that it reaches the caller as itself rather than wrapped in
 * an ExceptionInInitializerError.
 */
public final class NativeLibraryError extends LinkageError {
  public NativeLibraryError(String message, Throwable cause) {
    super(message, cause);
  }
}
