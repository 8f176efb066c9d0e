package dev.kiln;

/** A valid request that this build of Kiln does not support. */
public class NotImplementedException extends KilnException {
  private static final long serialVersionUID = 1L;

  public NotImplementedException(String message) {
    super(message);
  }
}
