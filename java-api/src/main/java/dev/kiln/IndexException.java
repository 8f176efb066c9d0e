package dev.kiln;

/** A dim or an index out of range. */
public class IndexException extends KilnException {
  private static final long serialVersionUID = 1L;

  public IndexException(String message) {
    super(message);
  }
}
