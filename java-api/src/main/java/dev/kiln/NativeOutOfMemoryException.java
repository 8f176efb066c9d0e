package dev.kiln;

/** The native allocator could not get memory, even after returning its cache to the system. */
public class NativeOutOfMemoryException extends KilnException {
  private static final long serialVersionUID = 1L;

  public NativeOutOfMemoryException(String message) {
    super(message);
  }
}
