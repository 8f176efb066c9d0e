package dev.kiln;

/** A dtype the op does not accept, or a result that cannot be cast to the output's dtype. */
public class DTypeException extends KilnException {
  private static final long serialVersionUID = 1L;

  public DTypeException(String message) {
    super(message);
  }
}
